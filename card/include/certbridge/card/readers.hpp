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
  std::string name;               ///< PC/SC reader name, e.g. "Virtual PCD 00 00".
  bool cardPresent = false;       ///< A card is in the reader.
  bool cardExclusive = false;     ///< Another application holds the card exclusively.
  bool pinPad = false;            ///< The reader can verify a PIN itself (FEATURE_VERIFY_PIN_DIRECT).
  std::vector<std::uint8_t> atr;  ///< The card's Answer To Reset; empty when no card.
};

/// What changed between two observations of the readers.
struct ReaderEvent {
  enum class Kind { ReaderAdded, ReaderRemoved, CardInserted, CardRemoved };
  Kind kind;
  std::string reader;
  std::vector<std::uint8_t> atr;  ///< For CardInserted.
};

/// A PC/SC context (RAII). Establishing it fails with PcscUnavailable when no service runs.
class PcscContext {
 public:
  PcscContext();
  ~PcscContext();
  PcscContext(const PcscContext&) = delete;
  PcscContext& operator=(const PcscContext&) = delete;

  /// Current readers with card state. An empty list (not an error) when no reader is connected.
  std::vector<ReaderState> readers();

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

  /// The readers as last observed (taken at construction and after each wait).
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
