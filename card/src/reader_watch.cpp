// ReaderWatch: the thread that follows the PC/SC service's reader states (see reader_watch.hpp).

#include "reader_watch.hpp"

#include <algorithm>
#include <chrono>
#include <exception>

#include "pcsc_call.hpp"
#include "pcsc_context.hpp"

namespace certbridge::card::detail {

namespace {

using namespace std::chrono_literals;

// The PnP pseudo reader: a wait that includes it also ends when a reader is connected or disconnected.
constexpr const char* kPnpNotificationReader = "\\\\?PnP?\\Notification";
// How long one wait lasts before the reader list is compared by name. pcsc-lite's PnP notice covers only
// changes during a wait, so a reader that arrived just before one is found this way.
constexpr DWORD kWaitSliceMs = 5000;
// The pause before listing the readers again when asking for their states keeps failing.
constexpr auto kRelistPause = 50ms;
// The pause before connecting again after the service failed or while it is not running.
constexpr auto kRetryPause = 250ms;
// SCardCancel ends a wait in progress but not one about to begin, so the destructor repeats it this often
// until the thread has finished.
constexpr auto kCancelRepeat = 10ms;

// The service no longer knows the reader: it was disconnected during the wait.
bool readerGone(const PcscReaderState& state) {
  return (state.dwEventState & SCARD_STATE_UNKNOWN) != 0;
}

// What the next wait should take as known: the state just reported, without the "changed" mark.
void acknowledge(PcscReaderState& state) {
  state.dwCurrentState = state.dwEventState & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
}

}  // namespace

ReaderWatch::ReaderWatch() : thread_([this] { run(); }) {}

ReaderWatch::~ReaderWatch() {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  changed_.notify_all();
  while (!finished_) {
    // pcsc-lite cancels through a session of its own: no deadlock.
    if (waitingOn_) pcscFunctions().SCardCancel(*waitingOn_);
    changed_.wait_for(lock, kCancelRepeat, [this] { return finished_; });
  }
  lock.unlock();
  thread_.join();
}

std::optional<ReaderWatch::Sighting> ReaderWatch::reader(const std::string& name) const {
  const std::lock_guard lock(mutex_);
  if (!readers_) return std::nullopt;
  Sighting sighting;
  sighting.connection = connection_;
  const auto found =
      std::find_if(readers_->begin(), readers_->end(), [&](const ReaderState& reader) { return reader.name == name; });
  if (found != readers_->end()) sighting.reader = *found;
  return sighting;
}

std::optional<ReaderWatch::Reading> ReaderWatch::readingSince(std::chrono::steady_clock::time_point since,
                                                              std::chrono::milliseconds maxWait) const {
  std::unique_lock lock(mutex_);
  const auto fresh = [&] { return readers_ && readAt_ >= since; };
  changed_.wait_for(lock, maxWait, [&] { return stopping_ || !connecting_ || fresh(); });
  if (!fresh()) return std::nullopt;
  return Reading{*readers_, connection_};
}

bool ReaderWatch::stopping() const {
  const std::lock_guard lock(mutex_);
  return stopping_;
}

void ReaderWatch::pause(std::chrono::milliseconds duration) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, duration, [this] { return stopping_; });
}

void ReaderWatch::run() {
  while (!stopping()) {
    try {
      PcscContext context;
      // Declared after the context, so the destructor cannot cancel a context that is being released.
      struct Following {
        ReaderWatch& watch;
        Following(ReaderWatch& w, SCARDCONTEXT context) : watch(w) {
          const std::lock_guard lock(watch.mutex_);
          watch.waitingOn_ = context;
          ++watch.connection_;
        }
        ~Following() {
          const std::lock_guard lock(watch.mutex_);
          watch.waitingOn_.reset();
          watch.readers_.reset();  // nothing current to tell any more: callers ask the service themselves
          watch.connecting_ = false;
          watch.changed_.notify_all();
        }
        Following(const Following&) = delete;
        Following& operator=(const Following&) = delete;
      } following(*this, context.handle().context);
      follow(context.handle().context);
    } catch (const std::exception&) {
      // The service is not running, or failed or restarted under us: try again after a pause.
    }
    {
      const std::lock_guard lock(mutex_);
      connecting_ = false;
      changed_.notify_all();
    }
    pause(kRetryPause);
    const std::lock_guard lock(mutex_);
    connecting_ = true;
  }
  const std::lock_guard lock(mutex_);
  finished_ = true;
  changed_.notify_all();
}

void ReaderWatch::follow(SCARDCONTEXT context) {
  DWORD pnpState = 0;  // what the service last said of the reader list (Windows: the reader count)
  bool pnpTrusted = true;
  while (!stopping()) {
    // One pass per reader list: read every reader's state at once, then wait for changes. A view from the
    // first call is as fresh as the listing before it; one from a wait for a change only counts from when
    // the wait began (the change could have come at any moment since).
    auto readStarted = std::chrono::steady_clock::now();
    const auto names = listReaderNames(context);
    std::vector<PcscReaderState> states(names.size() + (pnpTrusted ? 1 : 0));
    for (std::size_t i = 0; i < names.size(); ++i) {
      states[i].szReader = names[i].c_str();
      states[i].dwCurrentState = SCARD_STATE_UNAWARE;
    }
    if (pnpTrusted) {
      states.back().szReader = kPnpNotificationReader;
      states.back().dwCurrentState = pnpState;
    }
    if (states.empty()) {
      // No reader and no PnP notice to wait on: publish that, and look again after a slice.
      publish(states, 0, context, readStarted);
      pause(std::chrono::milliseconds(kWaitSliceMs));
      continue;
    }
    DWORD timeout = 0;  // the first call answers at once with the current states
    for (;;) {
      if (timeout != 0) readStarted = std::chrono::steady_clock::now();
      const LONG rv = CERTBRIDGE_PCSC_CALL(SCardGetStatusChange,
                                           (context, timeout, states.data(), static_cast<DWORD>(states.size())),
                                           SCARD_E_TIMEOUT, SCARD_E_UNKNOWN_READER, SCARD_E_CANCELLED);
      if (stopping()) return;
      if (rv == SCARD_E_UNKNOWN_READER || rv == SCARD_E_CANCELLED) {
        // A reader left between listing and asking: list again. A service that does not know the PnP pseudo
        // reader answers the same way every time, so the next passes go without it; and passes that keep
        // failing are spaced out, so the thread never spins.
        if (timeout == 0 && pnpTrusted) {
          pnpTrusted = false;
        } else {
          pause(kRelistPause);
        }
        break;
      }
      const bool first = timeout == 0;
      timeout = kWaitSliceMs;
      if (rv == SCARD_E_TIMEOUT && !first) {
        if (listReaderNames(context) != names) break;
        continue;
      }
      for (auto& state : states) acknowledge(state);
      if (pnpTrusted) pnpState = states.back().dwCurrentState;
      if (std::any_of(states.begin(), states.begin() + static_cast<std::ptrdiff_t>(names.size()), readerGone)) break;
      if (pnpTrusted && !first && (states.back().dwEventState & SCARD_STATE_CHANGED) != 0) {
        if (listReaderNames(context) != names) break;
        // The notice came without a change of names: do not let such notices keep waking the thread.
        pnpTrusted = false;
        break;
      }
      publish(states, names.size(), context, readStarted);
    }
  }
}

void ReaderWatch::publish(const std::vector<PcscReaderState>& states, std::size_t readerCount, SCARDCONTEXT context,
                          std::chrono::steady_clock::time_point readAt) {
  std::vector<ReaderState> readers;
  readers.reserve(readerCount);
  for (std::size_t i = 0; i < readerCount; ++i)
    readers.push_back(toReaderState(context, states[i], ReaderDetail::CardState));
  const std::lock_guard lock(mutex_);
  readers_ = std::move(readers);
  readAt_ = readAt;
  connecting_ = false;
  changed_.notify_all();
}

}  // namespace certbridge::card::detail
