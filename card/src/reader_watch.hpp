#pragma once
// ReaderWatch: a thread that keeps the PC/SC service's view of the readers in memory, so that checking whether
// a card is still in its reader costs no request to the service. Private to the card library.
//
// Why: each request to the service wakes its thread, and on an idle machine that wake-up costs about 0.1 ms,
// more than the request itself. A card login checks the reader three times, after login, key lookup and
// signature; through the watch those checks read memory. The watch waits in SCardGetStatusChange, so it
// costs nothing while nothing changes.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "certbridge/card/readers.hpp"
#include "pcsc_functions.hpp"

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

  /// Every reader, as read from the service at or after `since`: then as good as asking the service now.
  struct Reading {
    std::vector<ReaderState> readers;
    unsigned connection = 0;
  };
  /// The watch's view if it was read at or after `since`. While the watch is connecting (its reading is under
  /// way), waits for it up to maxWait. nullopt when its view is older (a view kept up by change notices only
  /// counts from when its wait began), the service is unreachable, or maxWait passed.
  std::optional<Reading> readingSince(std::chrono::steady_clock::time_point since,
                                      std::chrono::milliseconds maxWait) const;

 private:
  void run();
  /// Publishes the readers' states after every change the service reports; returns when stop() wakes it
  /// and throws CardError when the service fails.
  void follow(SCARDCONTEXT context);
  void publish(const std::vector<PcscReaderState>& states, std::size_t readerCount, SCARDCONTEXT context,
               std::chrono::steady_clock::time_point readAt);
  bool stopping() const;
  /// Sleeps for duration, or less when the watch is stopped meanwhile.
  void pause(std::chrono::milliseconds duration) const;

  mutable std::mutex mutex_;
  /// Signals stopping_ (to the retry pause), finished_ (to the destructor) and each change of the view.
  mutable std::condition_variable changed_;
  bool stopping_ = false;
  bool finished_ = false;
  bool connecting_ = true;  ///< between the start of a connection attempt and its first view or failure
  std::chrono::steady_clock::time_point readAt_;  ///< when the reading behind readers_ began
  std::optional<SCARDCONTEXT> waitingOn_;         ///< the thread's context while it may wait on it, for SCardCancel
  std::optional<std::vector<ReaderState>> readers_;
  unsigned connection_ = 0;
  std::thread thread_;
};

}  // namespace certbridge::card::detail
