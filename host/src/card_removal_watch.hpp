#pragma once
// Watches one reader while a card operation runs, so that pulling the card is noticed even when the PKCS#11
// module keeps answering (a token that is not the card itself, or a middleware that caches). The operation
// asks at each step; a removal answers CARD_REMOVED there.

#include <atomic>
#include <string>
#include <thread>

#include "certbridge/card/readers.hpp"

namespace certbridge::host {

class CardRemovalWatch {
 public:
  /// Starts watching reader (whose card must be present now; if it is already gone, removed() is true at
  /// once). When PC/SC cannot be watched, removed() stays false and the PKCS#11 errors tell instead.
  explicit CardRemovalWatch(const std::string& reader);
  ~CardRemovalWatch();
  CardRemovalWatch(const CardRemovalWatch&) = delete;
  CardRemovalWatch& operator=(const CardRemovalWatch&) = delete;

  /// The card left the reader (or the reader went) since the watch started.
  bool removed() const noexcept { return removed_.load(); }

 private:
  void watch(const std::string& reader);

  std::unique_ptr<card::ReaderMonitor> monitor_;
  std::atomic<bool> removed_{false};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace certbridge::host
