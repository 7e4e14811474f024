#pragma once
// PcscContext's hidden state and the reader helpers that PcscContext and ReaderMonitor share.
// Private to the card library.

#include <winscard.h>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "certbridge/card/readers.hpp"

namespace certbridge::card {

/// An established SCARDCONTEXT (released on destruction) and what was last seen through it.
struct PcscContext::Handle {
  Handle();
  ~Handle();
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  SCARDCONTEXT context = 0;
  /// dwEventState per reader from the last snapshot. ReaderMonitor feeds it back as dwCurrentState so
  /// SCardGetStatusChange wakes only for what changed since; its upper word is pcsc-lite's per-reader
  /// card event counter, which also reveals a card pulled and put back between two observations.
  std::map<std::string, DWORD> lastEventState;
};

namespace detail {

/// The name PC/SC gives the pseudo reader whose state changes when readers come and go.
inline constexpr const char* kPnpNotificationReader = "\\\\?PnP?\\Notification";

/// Names of the connected readers; empty (not an error) when there are none.
std::vector<std::string> listReaderNames(SCARDCONTEXT context);

/// Reads the state of every connected reader now and records it in handle.lastEventState.
std::vector<ReaderState> snapshot(PcscContext::Handle& handle, ReaderDetail detail);

/// The control code of `feature` in a CM_IOCTL_GET_FEATURE_REQUEST answer (PC/SC part 10 TLVs:
/// tag, length 4, big-endian code), or nullopt when the reader does not offer it.
std::optional<std::uint32_t> featureControlCode(std::span<const std::uint8_t> tlvs, std::uint8_t feature) noexcept;

/// The card event counter pcsc-lite keeps in the upper word of dwEventState.
inline unsigned eventCounter(DWORD eventState) noexcept {
  return static_cast<unsigned>((eventState >> 16) & 0xFFFF);
}

/// Events that turn `before` into `after`, in reader order: removals before additions so a consumer
/// never sees two cards in one reader. `countersBefore`/`countersAfter` are the card event counters per
/// reader; a changed counter with a card present both times means the card was swapped in between.
std::vector<ReaderEvent> diffReaders(const std::vector<ReaderState>& before, const std::vector<ReaderState>& after,
                                     const std::map<std::string, unsigned>& countersBefore,
                                     const std::map<std::string, unsigned>& countersAfter);

}  // namespace detail
}  // namespace certbridge::card
