#include "card_removal_watch.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "certbridge/card/error.hpp"

namespace certbridge::host {
namespace {

constexpr std::chrono::milliseconds kWaitSlice{1000};

bool cardPresent(const std::vector<card::ReaderState>& readers, const std::string& reader) {
  return std::any_of(readers.begin(), readers.end(),
                     [&](const card::ReaderState& state) { return state.name == reader && state.cardPresent; });
}

}  // namespace

CardRemovalWatch::CardRemovalWatch(const std::string& reader) {
  try {
    monitor_ = std::make_unique<card::ReaderMonitor>();
  } catch (const card::CardError& e) {
    spdlog::warn("card removal watch: cannot watch reader '{}': {}", reader, e.what());
    return;
  }
  if (!cardPresent(monitor_->current(), reader)) removed_ = true;
  thread_ = std::thread([this, reader] { watch(reader); });
}

CardRemovalWatch::~CardRemovalWatch() {
  stopping_ = true;
  if (monitor_) monitor_->cancel();
  if (thread_.joinable()) thread_.join();
}

void CardRemovalWatch::watch(const std::string& reader) {
  while (!stopping_ && !removed_) {
    try {
      for (const auto& event : monitor_->waitForChange(kWaitSlice)) {
        const bool gone = event.reader == reader && (event.kind == card::ReaderEvent::Kind::CardRemoved ||
                                                     event.kind == card::ReaderEvent::Kind::ReaderRemoved);
        if (gone) {
          spdlog::warn("card removal watch: the card left reader '{}' during the operation", reader);
          removed_ = true;
        }
      }
    } catch (const card::CardError& e) {
      // Cancelled: the operation is over. PcscUnavailable: nothing more to watch; PKCS#11 tells the rest.
      if (e.kind() != card::ErrorKind::Cancelled) spdlog::warn("card removal watch stopped: {}", e.what());
      return;
    }
  }
}

}  // namespace certbridge::host
