// PC/SC context, reader listing with card state and ATR, and pin-pad detection.

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <span>

#include "certbridge/card/readers.hpp"
#include "pcsc_call.hpp"
#include "pcsc_context.hpp"
#include "pcsc_functions.hpp"

namespace certbridge::card {

namespace {

// Readers listed between two calls can vanish or appear; a few retries make that race invisible.
constexpr int kListAttempts = 3;
// Characters for the first SCardListReaders call: room for several readers' names.
constexpr DWORD kReaderListGuess = 1024;

/// A direct (card-less) connection to a reader, for control commands. Disconnects on destruction.
class DirectConnection {
 public:
  DirectConnection(SCARDCONTEXT context, const std::string& reader) {
    DWORD protocol = 0;
    CERTBRIDGE_PCSC_CALL(SCardConnect, (context, reader.c_str(), SCARD_SHARE_DIRECT, 0, &card_, &protocol));
  }
  ~DirectConnection() {
    // Nothing useful can be done if disconnecting fails; the daemon drops the handle with the context.
    try {
      CERTBRIDGE_PCSC_CALL(SCardDisconnect, (card_, SCARD_LEAVE_CARD));
    } catch (const CardError&) {
    }
  }
  DirectConnection(const DirectConnection&) = delete;
  DirectConnection& operator=(const DirectConnection&) = delete;
  SCARDHANDLE get() const noexcept { return card_; }

 private:
  SCARDHANDLE card_ = 0;
};

// Asking a reader for its features costs a connection per reader, so the answer is remembered for the
// process. Reader names embed the model and are unique among connected readers, so the name is a fair key.
std::mutex pinPadCacheMutex;
std::map<std::string, bool> pinPadCache;

bool readerHasPinPad(SCARDCONTEXT context, const std::string& reader) {
  {
    const std::lock_guard lock(pinPadCacheMutex);
    if (const auto found = pinPadCache.find(reader); found != pinPadCache.end()) return found->second;
  }
  std::optional<DirectConnection> connection;
  try {
    connection.emplace(context, reader);
  } catch (const CardError& error) {
    if (error.kind() == ErrorKind::PcscUnavailable) throw;
    return false;  // Busy or gone: say no for now and ask again next time.
  }
  bool pinPad = false;
  try {
    std::array<std::uint8_t, 256> features{};
    DWORD length = 0;
    CERTBRIDGE_PCSC_CALL(SCardControl, (connection->get(), detail::kGetFeatureRequest, nullptr, 0, features.data(),
                                        static_cast<DWORD>(features.size()), &length));
    const auto answer = std::span<const std::uint8_t>(features).first(std::min<std::size_t>(length, features.size()));
    pinPad = detail::featureControlCode(answer, detail::kFeatureVerifyPinDirect).has_value();
  } catch (const CardError& error) {
    if (error.kind() == ErrorKind::PcscUnavailable) throw;
    // A driver without part 10 support refuses the request: that reader has no pin pad.
  }
  const std::lock_guard lock(pinPadCacheMutex);
  pinPadCache[reader] = pinPad;
  return pinPad;
}

}  // namespace

PcscContext::Handle::Handle() {
  try {
    CERTBRIDGE_PCSC_CALL(SCardEstablishContext, (SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context));
  } catch (const CardError& failure) {
    // Without a context nothing can be asked of the service, whatever code it gave: a broken installation (and
    // wine's stub) answers SCARD_F_INTERNAL_ERROR where a stopped service answers SCARD_E_NO_SERVICE. To a user
    // both mean the same: the smart card service is not there.
    if (failure.kind() == ErrorKind::PcscUnavailable) throw;
    throw CardError(ErrorKind::PcscUnavailable,
                    "The smart card service could not be reached (start pcscd, or the Windows \"Smart Card\" service)",
                    failure.function(), failure.nativeCode(), failure.nativeName());
  }
}

PcscContext::Handle::~Handle() {
  try {
    CERTBRIDGE_PCSC_CALL(SCardReleaseContext, (context));
  } catch (const CardError&) {
    // The daemon is gone or the context was already invalid; either way nothing is left to release.
  }
}

PcscContext::PcscContext() : handle_(std::make_unique<Handle>()) {}
PcscContext::~PcscContext() = default;

std::vector<ReaderState> PcscContext::readers(ReaderDetail detail) {
  return detail::snapshot(*handle_, detail);
}

std::optional<ReaderState> PcscContext::reader(const std::string& name) {
  detail::PcscReaderState raw{};
  raw.szReader = name.c_str();
  raw.dwCurrentState = SCARD_STATE_UNAWARE;  // Return the present state at once.
  const LONG rv = CERTBRIDGE_PCSC_CALL(SCardGetStatusChange, (handle_->context, 0, &raw, 1), SCARD_E_TIMEOUT,
                                       SCARD_E_UNKNOWN_READER);
  // pcsc-lite answers an unknown name with SCARD_E_UNKNOWN_READER, WinSCard with SCARD_STATE_UNKNOWN.
  if (rv == SCARD_E_UNKNOWN_READER || (raw.dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE)) != 0)
    return std::nullopt;
  return detail::toReaderState(handle_->context, raw, ReaderDetail::CardState);
}

namespace detail {

ReaderState toReaderState(SCARDCONTEXT context, const PcscReaderState& raw, ReaderDetail detail) {
  ReaderState state;
  state.name = raw.szReader;
  state.cardPresent = (raw.dwEventState & SCARD_STATE_PRESENT) != 0;
  state.cardExclusive = (raw.dwEventState & SCARD_STATE_EXCLUSIVE) != 0;
  state.cardEvents = detail::eventCounter(raw.dwEventState);
  // A mute card is present but has no ATR; it is left empty so no profile matches it.
  if (state.cardPresent && raw.cbAtr > 0 && raw.cbAtr <= sizeof raw.rgbAtr)
    state.atr.assign(raw.rgbAtr, raw.rgbAtr + raw.cbAtr);
  if (detail == ReaderDetail::WithPinPad) state.pinPad = readerHasPinPad(context, state.name);
  return state;
}

std::vector<std::string> listReaderNames(SCARDCONTEXT context) {
  // Each call is a request to the service: a buffer that fits a few readers usually makes one enough.
  DWORD size = kReaderListGuess;
  for (int attempt = 1;; ++attempt) {
    std::string buffer(size, '\0');
    const LONG rv = CERTBRIDGE_PCSC_CALL(SCardListReaders, (context, nullptr, buffer.data(), &size),
                                         SCARD_E_NO_READERS_AVAILABLE, SCARD_E_INSUFFICIENT_BUFFER);
    if (rv == SCARD_E_NO_READERS_AVAILABLE) return {};
    if (rv == SCARD_E_INSUFFICIENT_BUFFER) {
      // size now says what the list needs; it can grow again before the next call if a reader arrives.
      if (attempt < kListAttempts) continue;
      throw CardError(ErrorKind::Pcsc, "The reader list kept changing while it was read", "SCardListReaders",
                      static_cast<long>(rv), pcscErrorName(rv));
    }
    // A multi-string: names separated by NUL, ended by an empty name.
    std::vector<std::string> names;
    buffer.resize(std::min<std::size_t>(size, buffer.size()));
    for (std::size_t start = 0; start < buffer.size();) {
      const auto end = buffer.find('\0', start);
      const auto length = (end == std::string::npos ? buffer.size() : end) - start;
      if (length == 0) break;
      names.push_back(buffer.substr(start, length));
      start += length + 1;
    }
    return names;
  }
}

std::vector<ReaderState> snapshot(PcscContext::Handle& handle, ReaderDetail detail) {
  for (int attempt = 1;; ++attempt) {
    const auto names = listReaderNames(handle.context);
    if (names.empty()) return {};
    std::vector<PcscReaderState> raw(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
      raw[i].szReader = names[i].c_str();
      raw[i].dwCurrentState = SCARD_STATE_UNAWARE;  // Return the present state at once.
    }
    const LONG rv =
        CERTBRIDGE_PCSC_CALL(SCardGetStatusChange, (handle.context, 0, raw.data(), static_cast<DWORD>(raw.size())),
                             SCARD_E_TIMEOUT, SCARD_E_UNKNOWN_READER);
    if (rv == SCARD_E_UNKNOWN_READER) {
      if (attempt < kListAttempts) continue;  // A reader left between listing and asking.
      throw CardError(ErrorKind::NoReader, "A reader disappeared while its state was read", "SCardGetStatusChange",
                      static_cast<long>(rv), pcscErrorName(rv));
    }
    std::vector<ReaderState> readers;
    readers.reserve(raw.size());
    for (const auto& state : raw) readers.push_back(toReaderState(handle.context, state, detail));
    return readers;
  }
}

std::optional<std::uint32_t> featureControlCode(std::span<const std::uint8_t> tlvs, std::uint8_t feature) noexcept {
  for (std::size_t at = 0; at + 2 <= tlvs.size();) {
    const std::uint8_t tag = tlvs[at];
    const std::size_t length = tlvs[at + 1];
    if (at + 2 + length > tlvs.size()) break;  // Truncated answer: trust nothing after this point.
    if (tag == feature && length == 4) {
      const auto value = tlvs.subspan(at + 2, 4);
      return (std::uint32_t{value[0]} << 24) | (std::uint32_t{value[1]} << 16) | (std::uint32_t{value[2]} << 8) |
             std::uint32_t{value[3]};
    }
    at += 2 + length;
  }
  return std::nullopt;
}

}  // namespace detail

std::string formatAtr(const std::vector<std::uint8_t>& atr) {
  std::string text;
  text.reserve(atr.size() * 3);
  for (const auto byte : atr) {
    std::array<char, 4> hex{};
    std::snprintf(hex.data(), hex.size(), "%02X", static_cast<unsigned>(byte));
    if (!text.empty()) text += ' ';
    text += hex.data();
  }
  return text;
}

}  // namespace certbridge::card
