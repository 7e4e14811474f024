#pragma once
// PcscContext's hidden state and its reader helpers.
// Private to the card library.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "certbridge/card/readers.hpp"
#include "pcsc_functions.hpp"

namespace certbridge::card {

/// An established SCARDCONTEXT, released on destruction.
struct PcscContext::Handle {
  Handle();
  ~Handle();
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  SCARDCONTEXT context = 0;
};

namespace detail {

/// What PC/SC reported of one reader, as a ReaderState (the pin pad is asked, through context, only for
/// ReaderDetail::WithPinPad).
ReaderState toReaderState(SCARDCONTEXT context, const PcscReaderState& raw, ReaderDetail detail);

/// Names of the connected readers; empty (not an error) when there are none.
std::vector<std::string> listReaderNames(SCARDCONTEXT context);

/// Reads the state of every connected reader now.
std::vector<ReaderState> snapshot(PcscContext::Handle& handle, ReaderDetail detail);

/// The control code of `feature` in a CM_IOCTL_GET_FEATURE_REQUEST answer (PC/SC part 10 TLVs:
/// tag, length 4, big-endian code), or nullopt when the reader does not offer it.
std::optional<std::uint32_t> featureControlCode(std::span<const std::uint8_t> tlvs, std::uint8_t feature) noexcept;

/// The card event counter pcsc-lite keeps in the upper word of dwEventState.
inline unsigned eventCounter(DWORD eventState) noexcept {
  return static_cast<unsigned>((eventState >> 16) & 0xFFFF);
}

}  // namespace detail
}  // namespace certbridge::card
