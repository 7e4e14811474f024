// ReaderMonitor: waits for readers and cards to come and go, and turns PC/SC state changes into events.

#include <winscard.h>

#include <algorithm>

#include "certbridge/card/readers.hpp"
#include "pcsc_call.hpp"
#include "pcsc_context.hpp"

namespace certbridge::card {

namespace {

using Clock = std::chrono::steady_clock;

// SCardCancel only wakes a wait that has begun, so a cancel() landing between the flag check and the
// blocking call would be lost. Waiting in slices bounds that window: such a cancel takes effect within
// one slice at worst.
constexpr std::chrono::milliseconds kWaitSlice{1000};
// Keeps deadline arithmetic clear of overflow for "wait forever" style timeouts.
constexpr std::chrono::milliseconds kLongestWait = std::chrono::hours(24 * 365);

std::map<std::string, unsigned> countersOf(const std::map<std::string, DWORD>& eventStates) {
  std::map<std::string, unsigned> counters;
  for (const auto& [name, state] : eventStates) counters[name] = detail::eventCounter(state);
  return counters;
}

std::vector<std::string> namesOf(const std::vector<ReaderState>& readers) {
  std::vector<std::string> names;
  for (const auto& reader : readers) names.push_back(reader.name);
  return names;
}

const ReaderState* findReader(const std::vector<ReaderState>& readers, const std::string& name) {
  const auto found = std::find_if(readers.begin(), readers.end(), [&](const auto& r) { return r.name == name; });
  return found == readers.end() ? nullptr : &*found;
}

}  // namespace

namespace detail {

std::vector<ReaderEvent> diffReaders(const std::vector<ReaderState>& before, const std::vector<ReaderState>& after,
                                     const std::map<std::string, unsigned>& countersBefore,
                                     const std::map<std::string, unsigned>& countersAfter) {
  using Kind = ReaderEvent::Kind;
  std::vector<ReaderEvent> events;
  for (const auto& old : before) {
    if (findReader(after, old.name)) continue;
    if (old.cardPresent) events.push_back({Kind::CardRemoved, old.name, {}});
    events.push_back({Kind::ReaderRemoved, old.name, {}});
  }
  for (const auto& now : after) {
    const ReaderState* old = findReader(before, now.name);
    if (!old) {
      events.push_back({Kind::ReaderAdded, now.name, {}});
      if (now.cardPresent) events.push_back({Kind::CardInserted, now.name, now.atr});
      continue;
    }
    const auto counterBefore = countersBefore.find(now.name);
    const auto counterAfter = countersAfter.find(now.name);
    const bool counted = counterBefore != countersBefore.end() && counterAfter != countersAfter.end();
    const bool swapped = old->cardPresent && now.cardPresent &&
                         (old->atr != now.atr || (counted && counterBefore->second != counterAfter->second));
    if ((old->cardPresent && !now.cardPresent) || swapped) events.push_back({Kind::CardRemoved, now.name, {}});
    if ((!old->cardPresent && now.cardPresent) || swapped) events.push_back({Kind::CardInserted, now.name, now.atr});
  }
  return events;
}

}  // namespace detail

ReaderMonitor::ReaderMonitor() : current_(context_.readers(ReaderDetail::CardState)) {}

ReaderMonitor::~ReaderMonitor() = default;

std::vector<ReaderEvent> ReaderMonitor::waitForChange(std::chrono::milliseconds timeout) {
  auto& handle = context_.handle();
  const auto deadline = Clock::now() + std::clamp(timeout, std::chrono::milliseconds::zero(), kLongestWait);
  // Re-reads everything and reports the difference to what the caller saw last.
  const auto refresh = [&] {
    const auto countersBefore = countersOf(handle.lastEventState);
    auto fresh = detail::snapshot(handle, ReaderDetail::CardState);
    auto events = detail::diffReaders(current_, fresh, countersBefore, countersOf(handle.lastEventState));
    current_ = std::move(fresh);
    return events;
  };
  const auto throwIfCancelled = [&] {
    if (cancelled_.exchange(false)) throw CardError(ErrorKind::Cancelled, "Waiting for a card was cancelled");
  };

  for (;;) {
    throwIfCancelled();
    // The PnP pseudo reader only reports changes that happen during the call: catch earlier ones here.
    if (detail::listReaderNames(handle.context) != namesOf(current_)) {
      if (auto events = refresh(); !events.empty()) return events;
    }

    std::vector<SCARD_READERSTATE> states(current_.size() + 1);
    for (std::size_t i = 0; i < current_.size(); ++i) {
      states[i].szReader = current_[i].name.c_str();
      states[i].dwCurrentState = handle.lastEventState[current_[i].name];
    }
    states.back().szReader = detail::kPnpNotificationReader;
    // Windows compares the reader count kept in the upper word; pcsc-lite counts by itself.
    states.back().dwCurrentState = static_cast<DWORD>(current_.size() << 16);

    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const auto slice = std::clamp(remaining, std::chrono::milliseconds::zero(), kWaitSlice);
    const LONG rv = CERTBRIDGE_PCSC_CALL(
        SCardGetStatusChange,
        (handle.context, static_cast<DWORD>(slice.count()), states.data(), static_cast<DWORD>(states.size())),
        SCARD_E_TIMEOUT, SCARD_E_UNKNOWN_READER, SCARD_E_CANCELLED);
    if (rv == SCARD_E_CANCELLED) {
      cancelled_ = false;
      throw CardError(ErrorKind::Cancelled, "Waiting for a card was cancelled", "SCardGetStatusChange",
                      static_cast<long>(rv), detail::pcscErrorName(rv));
    }
    if (rv != SCARD_E_TIMEOUT) {
      // Something changed (or a reader vanished mid-call). Changes users do not see as events, such as
      // another application opening the card, update current() and the wait goes on.
      if (auto events = refresh(); !events.empty()) return events;
    }
    if (Clock::now() >= deadline) {
      throwIfCancelled();
      return {};
    }
  }
}

void ReaderMonitor::cancel() noexcept {
  cancelled_ = true;
  try {
    CERTBRIDGE_PCSC_CALL(SCardCancel, (context_.handle().context));
  } catch (const CardError&) {
    // Without a running service there is no wait to wake; the flag still stops the next one.
  }
}

}  // namespace certbridge::card
