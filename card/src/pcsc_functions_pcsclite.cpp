// The PC/SC table of Linux and macOS: pcsc-lite's functions.

#include "pcsc_functions.hpp"

namespace certbridge::card::detail {

const PcscFunctions& systemPcscFunctions() noexcept {
  static constexpr PcscFunctions kPcscLite{
      &::SCardEstablishContext, &::SCardReleaseContext, &::SCardListReaders, &::SCardGetStatusChange,
      &::SCardCancel,           &::SCardConnect,        &::SCardDisconnect,  &::SCardControl,
  };
  return kPcscLite;
}

}  // namespace certbridge::card::detail
