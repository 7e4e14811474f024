#pragma once
// PC/SC readers and card presence. The PC/SC headers stay inside the library.

#include <atomic>
#include <chrono>
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

/// What changed between two observations of the readers.
struct ReaderEvent {
  enum class Kind { ReaderAdded, ReaderRemoved, CardInserted, CardRemoved };
  Kind kind;
  std::string reader;
  std::vector<std::uint8_t> atr;  ///< For CardInserted.
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

  /// Implementation detail shared with ReaderMonitor (holds the SCARDCONTEXT).
  struct Handle;
  Handle& handle() noexcept { return *handle_; }

 private:
  std::unique_ptr<Handle> handle_;
};

/// Watches readers and cards. waitForChange blocks until the reader list or a card state changes,
/// the timeout passes, or cancel() is called from another thread.
class ReaderMonitor {
 public:
  ReaderMonitor();
  ~ReaderMonitor();
  ReaderMonitor(const ReaderMonitor&) = delete;
  ReaderMonitor& operator=(const ReaderMonitor&) = delete;

  /// The readers as last observed (taken at construction and after each wait), card state only.
  const std::vector<ReaderState>& current() const noexcept { return current_; }

  /// Events since the last observation; empty on timeout. Throws CardError(Cancelled) after cancel().
  /// Throws CardError(PcscUnavailable) when the PC/SC service stops; the monitor cannot recover from
  /// that (its context died with the service): make a new one once the service is back.
  std::vector<ReaderEvent> waitForChange(std::chrono::milliseconds timeout);

  /// Wakes a waiting waitForChange from another thread. Thread-safe. With no wait in progress it
  /// cancels the next one, so a cancel racing with the start of a wait is never lost.
  void cancel() noexcept;

 private:
  PcscContext context_;
  std::vector<ReaderState> current_;
  std::atomic<bool> cancelled_{false};
};

/// Formats an ATR as upper-case hex bytes separated by spaces ("3B 95 13 ...").
std::string formatAtr(const std::vector<std::uint8_t>& atr);

}  // namespace certbridge::card
