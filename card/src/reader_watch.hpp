#pragma once
// ReaderWatch: a thread that keeps the PC/SC service's view of the readers in memory, so that checking whether
// a card is still in its reader costs no request to the service. Private to the card library.
//
// Why: each request to the service wakes its thread, and on an idle machine that wake-up costs about 0.1 ms,
// more than the request itself. A card login checks the reader three times, after login, key lookup and
// signature; through the watch those checks read memory. The watch waits in SCardGetStatusChange, so it
// costs nothing while nothing changes.

#include <winscard.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "certbridge/card/readers.hpp"

namespace certbridge::card::detail {

class ReaderWatch {
 public:
  /// What the watch last saw of one reader.
  struct Sighting {
    /// The reader's state; nullopt when the reader is not connected.
    std::optional<ReaderState> reader;
    /// Which of the watch's connections to the service saw it. A new connection (the service was restarted)
    /// counts card events from zero again, so event counts compare only within one.
    unsigned connection = 0;
  };

  /// Starts the thread. It connects to the service in the background and keeps trying while the service is
  /// not running, so constructing never fails for PC/SC reasons.
  ReaderWatch();
  /// Stops the thread: wakes its wait and joins it.
  ~ReaderWatch();
  ReaderWatch(const ReaderWatch&) = delete;
  ReaderWatch& operator=(const ReaderWatch&) = delete;

  /// The named reader as the service last reported it to the watch, or nullopt while the watch has no
  /// current view: still starting, or the service is unreachable. The view trails the service by the time
  /// the thread takes to wake up after a change (well under a millisecond on an idle machine).
  std::optional<Sighting> reader(const std::string& name) const;

 private:
  void run();
  /// Publishes the readers' states after every change the service reports; returns when stop() wakes it
  /// and throws CardError when the service fails.
  void follow(SCARDCONTEXT context);
  void publish(const std::vector<SCARD_READERSTATE>& states, std::size_t readerCount, SCARDCONTEXT context);
  bool stopping() const;

  mutable std::mutex mutex_;
  std::condition_variable changed_;  ///< signals stopping_ (to the retry pause) and finished_ (to the destructor)
  bool stopping_ = false;
  bool finished_ = false;
  std::optional<SCARDCONTEXT> waitingOn_;  ///< the thread's context while it may wait on it, for SCardCancel
  std::optional<std::vector<ReaderState>> readers_;
  unsigned connection_ = 0;
  std::thread thread_;
};

}  // namespace certbridge::card::detail
