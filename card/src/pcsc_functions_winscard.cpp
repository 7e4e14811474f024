// The PC/SC table of Windows: WinSCard's narrow (ANSI) functions, whatever UNICODE says: reader names travel
// through the library as narrow strings, as pcsc-lite gives them (reader names are ASCII in practice).

#include "pcsc_functions.hpp"

namespace certbridge::card::detail {

const PcscFunctions& systemPcscFunctions() noexcept {
  static constexpr PcscFunctions kWinScard{
      &::SCardEstablishContext, &::SCardReleaseContext, &::SCardListReadersA, &::SCardGetStatusChangeA,
      &::SCardCancel,           &::SCardConnectA,       &::SCardDisconnect,   &::SCardControl,
  };
  return kWinScard;
}

}  // namespace certbridge::card::detail
