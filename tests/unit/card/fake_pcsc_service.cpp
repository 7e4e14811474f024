// FakePcscService: PC/SC in memory for the card library's unit tests (see fake_pcsc_service.hpp).

#include "fake_pcsc_service.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace certbridge::card::testing {

namespace {

constexpr const char* kPnpNotificationReader = "\\\\?PnP?\\Notification";
constexpr DWORD kInfinite = 0xFFFFFFFF;
// What a CCID pin-pad reader lists among its features: FEATURE_VERIFY_PIN_DIRECT (06) with its control code.
constexpr std::array<std::uint8_t, 6> kPinPadFeatures{0x06, 0x04, 0x42, 0x33, 0x00, 0x06};

FakePcscService* installedService = nullptr;

// The part of a state the service reports and compares: card presence and the event count.
constexpr DWORD kReportedBits = SCARD_STATE_PRESENT | SCARD_STATE_EMPTY | SCARD_STATE_UNKNOWN | 0xFFFF0000;

}  // namespace

FakePcscService::FakePcscService()
    : functions_{&establishContext, &releaseContext, &listReaders, &getStatusChange,
                 &cancel,           &connect,        &disconnect,  &control},
      installed_(functions_) {
  if (installedService) throw std::logic_error("one FakePcscService at a time");
  installedService = this;
}

FakePcscService::~FakePcscService() {
  installedService = nullptr;
}

FakePcscService& FakePcscService::current() {
  return *installedService;
}

void FakePcscService::changed() {
  ++generation_;
  changed_.notify_all();
}

FakePcscService::Reader* FakePcscService::find(const std::string& name) {
  const auto found = std::find_if(readers_.begin(), readers_.end(), [&](const Reader& r) { return r.name == name; });
  return found == readers_.end() ? nullptr : &*found;
}

void FakePcscService::connectReader(const std::string& name, bool pinPad) {
  const std::lock_guard lock(mutex_);
  readers_.push_back(Reader{name, pinPad, false, {}, 0});
  changed();
}

void FakePcscService::disconnectReader(const std::string& name) {
  const std::lock_guard lock(mutex_);
  std::erase_if(readers_, [&](const Reader& r) { return r.name == name; });
  changed();
}

void FakePcscService::insertCard(const std::string& reader, const std::vector<std::uint8_t>& atr) {
  const std::lock_guard lock(mutex_);
  Reader* found = find(reader);
  if (!found) throw std::logic_error("no reader " + reader);
  found->cardPresent = true;
  found->atr = atr;
  ++found->events;
  changed();
}

void FakePcscService::removeCard(const std::string& reader) {
  const std::lock_guard lock(mutex_);
  Reader* found = find(reader);
  if (!found) throw std::logic_error("no reader " + reader);
  found->cardPresent = false;
  found->atr.clear();
  ++found->events;
  changed();
}

void FakePcscService::stop() {
  const std::lock_guard lock(mutex_);
  running_ = false;
  contexts_.clear();
  connections_.clear();
  changed();
}

void FakePcscService::start() {
  const std::lock_guard lock(mutex_);
  running_ = true;
  for (auto& reader : readers_) reader.events = 0;
  changed();
}

int FakePcscService::requestsOutsideWaits() const {
  const std::lock_guard lock(mutex_);
  return requestsOutsideWaits_;
}

int FakePcscService::contextsEstablished() const {
  const std::lock_guard lock(mutex_);
  return contextsEstablished_;
}

LONG FakePcscService::checkContext(SCARDCONTEXT context) const {
  if (!running_) return SCARD_E_NO_SERVICE;
  return contexts_.contains(context) ? SCARD_S_SUCCESS : SCARD_E_INVALID_HANDLE;
}

DWORD FakePcscService::eventState(const Reader& reader) const {
  return (reader.cardPresent ? SCARD_STATE_PRESENT : SCARD_STATE_EMPTY) | (static_cast<DWORD>(reader.events) << 16);
}

LONG FakePcscService::establishContext(DWORD, LPCVOID, LPCVOID, LPSCARDCONTEXT context) {
  auto& self = current();
  const std::lock_guard lock(self.mutex_);
  if (!self.running_) return SCARD_E_NO_SERVICE;
  *context = self.nextContext_++;
  self.contexts_.insert(*context);
  ++self.contextsEstablished_;
  return SCARD_S_SUCCESS;
}

LONG FakePcscService::releaseContext(SCARDCONTEXT context) {
  auto& self = current();
  const std::lock_guard lock(self.mutex_);
  if (const LONG rv = self.checkContext(context); rv != SCARD_S_SUCCESS) return rv;
  self.contexts_.erase(context);
  return SCARD_S_SUCCESS;
}

LONG FakePcscService::listReaders(SCARDCONTEXT context, LPCSTR, LPSTR readers, LPDWORD size) {
  auto& self = current();
  const std::lock_guard lock(self.mutex_);
  if (const LONG rv = self.checkContext(context); rv != SCARD_S_SUCCESS) return rv;
  if (!self.waitedOn_.contains(context)) ++self.requestsOutsideWaits_;
  if (self.readers_.empty()) return SCARD_E_NO_READERS_AVAILABLE;
  std::string list;
  for (const auto& reader : self.readers_) list += reader.name + '\0';
  list += '\0';
  const auto needed = static_cast<DWORD>(list.size());
  if (readers == nullptr) {
    *size = needed;
    return SCARD_S_SUCCESS;
  }
  if (*size < needed) {
    *size = needed;
    return SCARD_E_INSUFFICIENT_BUFFER;
  }
  std::memcpy(readers, list.data(), list.size());
  *size = needed;
  return SCARD_S_SUCCESS;
}

LONG FakePcscService::getStatusChange(SCARDCONTEXT context, DWORD timeoutMs, detail::PcscReaderState* states,
                                      DWORD count) {
  auto& self = current();
  std::unique_lock lock(self.mutex_);
  if (const LONG rv = self.checkContext(context); rv != SCARD_S_SUCCESS) return rv;
  if (timeoutMs != 0) self.waitedOn_.insert(context);
  if (!self.waitedOn_.contains(context)) ++self.requestsOutsideWaits_;
  // pcsc-lite refuses a wait that names a reader it does not know.
  for (DWORD i = 0; i < count; ++i) {
    const std::string name = states[i].szReader;
    if (name != kPnpNotificationReader && !self.find(name)) return SCARD_E_UNKNOWN_READER;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  const unsigned cancelledBefore = self.cancellations_[context];
  ++self.waiting_[context];
  LONG result = SCARD_E_TIMEOUT;
  for (;;) {
    bool anyChanged = false;
    for (DWORD i = 0; i < count; ++i) {
      auto& state = states[i];
      const std::string name = state.szReader;
      DWORD now = 0;
      if (name == kPnpNotificationReader) {
        now = static_cast<DWORD>(self.readers_.size()) << 16;
      } else if (const Reader* reader = self.find(name)) {
        now = self.eventState(*reader);
      } else {
        now = SCARD_STATE_UNKNOWN;  // disconnected during the wait
      }
      // The PnP pseudo reader reports the reader count in its upper word, and a change of it; a reader reports
      // presence and event count, and always answers a caller that knows nothing yet (UNAWARE).
      const bool differs = name == kPnpNotificationReader
                               ? (state.dwCurrentState >> 16) != (now >> 16)
                               : state.dwCurrentState == SCARD_STATE_UNAWARE ||
                                     (state.dwCurrentState & kReportedBits) != (now & kReportedBits);
      state.dwEventState = now | (differs ? SCARD_STATE_CHANGED : 0);
      if (differs) {
        anyChanged = true;
        if (now != SCARD_STATE_UNKNOWN && name != kPnpNotificationReader) {
          const Reader& reader = *self.find(name);
          state.cbAtr = static_cast<DWORD>(std::min(reader.atr.size(), sizeof state.rgbAtr));
          std::copy_n(reader.atr.begin(), state.cbAtr, state.rgbAtr);
        }
      }
    }
    if (anyChanged) {
      result = SCARD_S_SUCCESS;
      break;
    }
    if (timeoutMs == 0) break;
    const unsigned generation = self.generation_;
    const auto woken = [&] {
      return self.generation_ != generation || self.cancellations_[context] != cancelledBefore || !self.running_;
    };
    if (timeoutMs == kInfinite) {
      self.changed_.wait(lock, woken);
    } else if (!self.changed_.wait_until(lock, deadline, woken)) {
      break;
    }
    if (!self.running_) {
      result = SCARD_E_NO_SERVICE;
      break;
    }
    if (self.cancellations_[context] != cancelledBefore) {
      result = SCARD_E_CANCELLED;
      break;
    }
  }
  --self.waiting_[context];
  return result;
}

LONG FakePcscService::cancel(SCARDCONTEXT context) {
  auto& self = current();
  const std::lock_guard lock(self.mutex_);
  if (const LONG rv = self.checkContext(context); rv != SCARD_S_SUCCESS) return rv;
  // As pcsc-lite: only a wait in progress is cancelled.
  if (self.waiting_[context] > 0) {
    ++self.cancellations_[context];
    self.changed_.notify_all();
  }
  return SCARD_S_SUCCESS;
}

LONG FakePcscService::connect(SCARDCONTEXT context, LPCSTR reader, DWORD, DWORD, LPSCARDHANDLE card, LPDWORD protocol) {
  auto& self = current();
  const std::lock_guard lock(self.mutex_);
  if (const LONG rv = self.checkContext(context); rv != SCARD_S_SUCCESS) return rv;
  if (!self.find(reader)) return SCARD_E_UNKNOWN_READER;
  *card = self.nextCard_++;
  *protocol = 0;
  self.connections_[*card] = reader;
  return SCARD_S_SUCCESS;
}

LONG FakePcscService::disconnect(SCARDHANDLE card, DWORD) {
  auto& self = current();
  const std::lock_guard lock(self.mutex_);
  return self.connections_.erase(card) != 0 ? SCARD_S_SUCCESS : SCARD_E_INVALID_HANDLE;
}

LONG FakePcscService::control(SCARDHANDLE card, DWORD code, LPCVOID, DWORD, LPVOID out, DWORD outSize,
                              LPDWORD returned) {
  auto& self = current();
  const std::lock_guard lock(self.mutex_);
  const auto connection = self.connections_.find(card);
  if (connection == self.connections_.end()) return SCARD_E_INVALID_HANDLE;
  if (code != detail::kGetFeatureRequest) return SCARD_E_UNSUPPORTED_FEATURE;
  const Reader* reader = self.find(connection->second);
  if (!reader) return SCARD_E_READER_UNAVAILABLE;
  *returned = 0;
  if (reader->pinPad && outSize >= kPinPadFeatures.size()) {
    std::copy(kPinPadFeatures.begin(), kPinPadFeatures.end(), static_cast<std::uint8_t*>(out));
    *returned = static_cast<DWORD>(kPinPadFeatures.size());
  }
  return SCARD_S_SUCCESS;
}

}  // namespace certbridge::card::testing
