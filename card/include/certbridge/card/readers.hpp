#pragma once
// PC/SC readers and card presence. The PC/SC headers stay inside the library.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certbridge::card {

/// One reader as PC/SC reports it now.
struct ReaderState {
  std::string name;            ///< PC/SC reader name, e.g. "Virtual PCD 00 00".
  bool cardPresent = false;    ///< A card is in the reader.
  bool cardExclusive = false;  ///< Another application holds the card exclusively.
  /// The reader can verify a PIN itself (FEATURE_VERIFY_PIN_DIRECT). Only asked for ReaderDetail::WithPinPad
  /// (false otherwise).
  bool pinPad = false;
  std::vector<std::uint8_t> atr;  ///< The card's Answer To Reset; empty when no card.
  /// How many times a card was inserted into or removed from this reader, as the PC/SC service counts
  /// (the upper word of dwEventState, in pcsc-lite and WinSCard alike). Unchanged between two readings
  /// means the same card stayed in; comparable only within one run of the service.
  unsigned cardEvents = 0;
};

/// How much to find out about each reader. Asking a reader for its pin pad costs a connection to it (once per
/// reader and process); card operations only need the card state.
enum class ReaderDetail { CardState, WithPinPad };

/// A PC/SC context (RAII). Establishing it fails with PcscUnavailable when no service runs.
class PcscContext {
 public:
  PcscContext();
  ~PcscContext();
  PcscContext(const PcscContext&) = delete;
  PcscContext& operator=(const PcscContext&) = delete;

  /// Current readers with card state. An empty list (not an error) when no reader is connected.
  std::vector<ReaderState> readers(ReaderDetail detail = ReaderDetail::WithPinPad);

  /// The named reader's card state now (one request to the service); nullopt when no such reader is connected.
  std::optional<ReaderState> reader(const std::string& name);

  /// Implementation detail (holds the SCARDCONTEXT).
  struct Handle;
  Handle& handle() noexcept { return *handle_; }

 private:
  std::unique_ptr<Handle> handle_;
};

/// Formats an ATR as upper-case hex bytes separated by spaces ("3B 95 13 ...").
std::string formatAtr(const std::vector<std::uint8_t>& atr);

}  // namespace certbridge::card
