// TEST DOUBLE - never installed, never shipped. A winscard.dll with one reader, "Mock Reader 0", whose card
// comes and goes with the state file named by CERTBRIDGE_MOCK_CARD_STATE (../mock_card/README.md). wine's own
// winscard.dll is a stub (SCardEstablishContext answers SCARD_F_INTERNAL_ERROR), so the host's reader code
// can only run under wine against this double: beside the exe, with WINEDLLOVERRIDES="winscard=n".
// Only what the card library calls is here (exports in winscard.def); a program importing anything else
// from winscard.dll fails to load against the double, which says what to add.

#include <windows.h>

#include <winscard.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "mock_card_state.hpp"

namespace {

using certbridge::mock_card::CardState;
using certbridge::mock_card::StateFile;

constexpr const char* kReaderName = "Mock Reader 0";
constexpr const char* kPnpNotification = "\\\\?PnP?\\Notification";
// How often a wait looks at the state file: a pulled card is seen within this.
constexpr DWORD kPollMs = 20;
// CM_IOCTL_GET_FEATURE_REQUEST (PC/SC part 10) and its FEATURE_VERIFY_PIN_DIRECT entry for a pin-pad reader.
constexpr DWORD kGetFeatureRequest = SCARD_CTL_CODE(3400);
constexpr BYTE kFeatureVerifyPinDirect = 0x06;
constexpr DWORD kVerifyPinDirectCode = SCARD_CTL_CODE(3506);

struct Context {
  HANDLE cancelEvent = nullptr;
  unsigned long cancelGeneration = 0;
};

struct Connection {
  SCARDCONTEXT context = 0;
  bool direct = false;
  unsigned long insertion = 0;
};

std::mutex mutex;
std::map<SCARDCONTEXT, Context> contexts;
std::map<SCARDHANDLE, Connection> connections;
ULONG_PTR nextHandle = 0x4D4F0001;  // "MO": easy to tell apart in a trace

// The card as the state file says now; nullopt (said once on stderr) when the file is unusable.
std::optional<CardState> readCard() {
  StateFile file;
  if (file.ok()) return file.card();
  static bool told = false;
  if (!told) std::fprintf(stderr, "mock winscard.dll (test double): %s\n", file.error().c_str());
  told = true;
  return std::nullopt;
}

bool validContext(SCARDCONTEXT context) {
  const std::lock_guard lock(mutex);
  return contexts.count(context) != 0;
}

// What PC/SC would say of one entry of a SCardGetStatusChange call now, without SCARD_STATE_CHANGED.
DWORD currentState(const CardState& card, const char* reader) {
  if (std::strcmp(reader, kPnpNotification) == 0) return (card.readerConnected ? 1UL : 0UL) << 16;
  if (std::strcmp(reader, kReaderName) != 0 || !card.readerConnected) return SCARD_STATE_UNKNOWN;
  const DWORD events = (card.cardEvents() & 0xFFFF) << 16;
  return events | (card.cardPresent ? SCARD_STATE_PRESENT : SCARD_STATE_EMPTY);
}

// The caller's view differs from the state now: for the PnP entry the reader count, for a reader its state
// bits and, when the caller knows one, its card event count.
bool differs(DWORD known, DWORD now, bool pnp) {
  if (known == SCARD_STATE_UNAWARE) return true;
  if (pnp) return (known >> 16) != (now >> 16);
  const DWORD stateBits = 0xFFFF & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
  if ((known & stateBits) != (now & stateBits)) return true;
  return (known >> 16) != 0 && (known >> 16) != (now >> 16);
}

template <typename ReaderState>
LONG getStatusChange(SCARDCONTEXT context, DWORD timeout, ReaderState* states, DWORD count, const std::string* names) {
  unsigned long generation = 0;
  HANDLE cancelEvent = nullptr;
  {
    const std::lock_guard lock(mutex);
    const auto found = contexts.find(context);
    if (found == contexts.end()) return SCARD_E_INVALID_HANDLE;
    generation = found->second.cancelGeneration;
    cancelEvent = found->second.cancelEvent;
  }
  if (count > 0 && states == nullptr) return SCARD_E_INVALID_PARAMETER;
  const ULONGLONG started = GetTickCount64();
  for (;;) {
    const auto card = readCard();
    if (!card) return SCARD_F_UNKNOWN_ERROR;
    bool changed = false;
    for (DWORD i = 0; i < count; ++i) {
      auto& state = states[i];
      if ((state.dwCurrentState & SCARD_STATE_IGNORE) != 0) continue;
      const bool pnp = names[i] == kPnpNotification;
      const DWORD now = currentState(*card, names[i].c_str());
      const bool entryChanged = differs(state.dwCurrentState, now, pnp);
      state.dwEventState = now | (entryChanged ? SCARD_STATE_CHANGED : 0);
      state.cbAtr = 0;
      if ((now & SCARD_STATE_PRESENT) != 0) {
        state.cbAtr = static_cast<DWORD>(std::min(card->atr.size(), sizeof state.rgbAtr));
        std::memcpy(state.rgbAtr, card->atr.data(), state.cbAtr);
      }
      changed = changed || entryChanged;
    }
    if (changed) return SCARD_S_SUCCESS;
    const ULONGLONG waited = GetTickCount64() - started;
    if (timeout != INFINITE && waited >= timeout) return SCARD_E_TIMEOUT;
    const DWORD slice =
        timeout == INFINITE ? kPollMs : static_cast<DWORD>(std::min<ULONGLONG>(kPollMs, timeout - waited));
    WaitForSingleObject(cancelEvent, slice);
    const std::lock_guard lock(mutex);
    const auto found = contexts.find(context);
    if (found == contexts.end()) return SCARD_E_INVALID_HANDLE;
    if (found->second.cancelGeneration != generation) return SCARD_E_CANCELLED;
    ResetEvent(cancelEvent);
  }
}

std::string narrow(LPCWSTR text) {
  std::string result;
  for (; text != nullptr && *text != 0; ++text) result += *text < 0x80 ? static_cast<char>(*text) : '?';
  return result;
}

template <typename Char>
LONG listReaders(SCARDCONTEXT context, Char* readers, LPDWORD length) {
  if (!validContext(context)) return SCARD_E_INVALID_HANDLE;
  if (length == nullptr) return SCARD_E_INVALID_PARAMETER;
  const auto card = readCard();
  if (!card) return SCARD_F_UNKNOWN_ERROR;
  if (!card->readerConnected) return SCARD_E_NO_READERS_AVAILABLE;
  // A multi-string: the one name, its NUL, and the empty name that ends the list.
  std::basic_string<Char> list(kReaderName, kReaderName + std::strlen(kReaderName));
  list.push_back(0);
  list.push_back(0);
  const auto needed = static_cast<DWORD>(list.size());
  if (readers == nullptr) {
    *length = needed;
    return SCARD_S_SUCCESS;
  }
  if (*length == SCARD_AUTOALLOCATE) {
    auto* allocated = static_cast<Char*>(HeapAlloc(GetProcessHeap(), 0, needed * sizeof(Char)));
    if (allocated == nullptr) return SCARD_E_NO_MEMORY;
    std::copy(list.begin(), list.end(), allocated);
    *reinterpret_cast<Char**>(readers) = allocated;
    *length = needed;
    return SCARD_S_SUCCESS;
  }
  if (*length < needed) {
    *length = needed;
    return SCARD_E_INSUFFICIENT_BUFFER;
  }
  std::copy(list.begin(), list.end(), readers);
  *length = needed;
  return SCARD_S_SUCCESS;
}

LONG connect(SCARDCONTEXT context, const std::string& reader, DWORD shareMode, DWORD protocols, LPSCARDHANDLE card,
             LPDWORD activeProtocol) {
  if (!validContext(context)) return SCARD_E_INVALID_HANDLE;
  if (card == nullptr || activeProtocol == nullptr) return SCARD_E_INVALID_PARAMETER;
  const auto state = readCard();
  if (!state) return SCARD_F_UNKNOWN_ERROR;
  if (reader != kReaderName || !state->readerConnected) return SCARD_E_UNKNOWN_READER;
  const bool direct = shareMode == SCARD_SHARE_DIRECT;
  if (!direct) {
    if (shareMode != SCARD_SHARE_SHARED && shareMode != SCARD_SHARE_EXCLUSIVE) return SCARD_E_INVALID_VALUE;
    if (!state->cardPresent) return SCARD_E_NO_SMARTCARD;
    // The card speaks T=1 (its ATR says so).
    if ((protocols & SCARD_PROTOCOL_T1) == 0) return SCARD_E_PROTO_MISMATCH;
  }
  const std::lock_guard lock(mutex);
  *card = nextHandle++;
  connections[*card] = Connection{context, direct, state->insertion};
  *activeProtocol = direct ? 0 : SCARD_PROTOCOL_T1;
  return SCARD_S_SUCCESS;
}

}  // namespace

extern "C" {

/// Says what this DLL is, so a test can tell the double from wine's builtin winscard.dll.
const char* CertBridgeTestDouble() {
  return "CertBridge mock winscard.dll (TEST DOUBLE, not for installation)";
}

LONG WINAPI SCardEstablishContext(DWORD scope, LPCVOID, LPCVOID, LPSCARDCONTEXT context) {
  if (context == nullptr) return SCARD_E_INVALID_PARAMETER;
  if (scope != SCARD_SCOPE_USER && scope != SCARD_SCOPE_SYSTEM) return SCARD_E_INVALID_VALUE;
  // Without a card state there is no simulated service, as when the Smart Card service is stopped.
  if (GetEnvironmentVariableW(certbridge::mock_card::kStateVariable, nullptr, 0) == 0) return SCARD_E_NO_SERVICE;
  if (!readCard()) return SCARD_F_UNKNOWN_ERROR;
  HANDLE cancelEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  if (cancelEvent == nullptr) return SCARD_E_NO_MEMORY;
  const std::lock_guard lock(mutex);
  *context = nextHandle++;
  contexts[*context] = Context{cancelEvent, 0};
  return SCARD_S_SUCCESS;
}

LONG WINAPI SCardReleaseContext(SCARDCONTEXT context) {
  const std::lock_guard lock(mutex);
  const auto found = contexts.find(context);
  if (found == contexts.end()) return SCARD_E_INVALID_HANDLE;
  // A wait still running on the context ends as cancelled, then finds the context gone.
  ++found->second.cancelGeneration;
  SetEvent(found->second.cancelEvent);
  CloseHandle(found->second.cancelEvent);
  contexts.erase(found);
  std::erase_if(connections, [&](const auto& entry) { return entry.second.context == context; });
  return SCARD_S_SUCCESS;
}

LONG WINAPI SCardIsValidContext(SCARDCONTEXT context) {
  return validContext(context) ? SCARD_S_SUCCESS : SCARD_E_INVALID_HANDLE;
}

LONG WINAPI SCardCancel(SCARDCONTEXT context) {
  const std::lock_guard lock(mutex);
  const auto found = contexts.find(context);
  if (found == contexts.end()) return SCARD_E_INVALID_HANDLE;
  ++found->second.cancelGeneration;
  SetEvent(found->second.cancelEvent);
  return SCARD_S_SUCCESS;
}

LONG WINAPI SCardFreeMemory(SCARDCONTEXT, LPCVOID memory) {
  if (memory != nullptr) HeapFree(GetProcessHeap(), 0, const_cast<LPVOID>(memory));
  return SCARD_S_SUCCESS;
}

LONG WINAPI SCardListReadersA(SCARDCONTEXT context, LPCSTR, LPSTR readers, LPDWORD length) {
  return listReaders(context, readers, length);
}

LONG WINAPI SCardListReadersW(SCARDCONTEXT context, LPCWSTR, LPWSTR readers, LPDWORD length) {
  return listReaders(context, readers, length);
}

LONG WINAPI SCardGetStatusChangeA(SCARDCONTEXT context, DWORD timeout, LPSCARD_READERSTATEA states, DWORD count) {
  std::unique_ptr<std::string[]> names(new std::string[count > 0 ? count : 1]);
  for (DWORD i = 0; i < count && states != nullptr; ++i) names[i] = states[i].szReader ? states[i].szReader : "";
  return getStatusChange(context, timeout, states, count, names.get());
}

LONG WINAPI SCardGetStatusChangeW(SCARDCONTEXT context, DWORD timeout, LPSCARD_READERSTATEW states, DWORD count) {
  std::unique_ptr<std::string[]> names(new std::string[count > 0 ? count : 1]);
  for (DWORD i = 0; i < count && states != nullptr; ++i) names[i] = narrow(states[i].szReader);
  return getStatusChange(context, timeout, states, count, names.get());
}

LONG WINAPI SCardConnectA(SCARDCONTEXT context, LPCSTR reader, DWORD shareMode, DWORD protocols, LPSCARDHANDLE card,
                          LPDWORD activeProtocol) {
  return connect(context, reader ? reader : "", shareMode, protocols, card, activeProtocol);
}

LONG WINAPI SCardConnectW(SCARDCONTEXT context, LPCWSTR reader, DWORD shareMode, DWORD protocols, LPSCARDHANDLE card,
                          LPDWORD activeProtocol) {
  return connect(context, narrow(reader), shareMode, protocols, card, activeProtocol);
}

LONG WINAPI SCardDisconnect(SCARDHANDLE card, DWORD disposition) {
  if (disposition > SCARD_EJECT_CARD) return SCARD_E_INVALID_VALUE;
  const std::lock_guard lock(mutex);
  return connections.erase(card) != 0 ? SCARD_S_SUCCESS : SCARD_E_INVALID_HANDLE;
}

LONG WINAPI SCardControl(SCARDHANDLE card, DWORD code, LPCVOID, DWORD, LPVOID out, DWORD outSize, LPDWORD returned) {
  Connection connection;
  {
    const std::lock_guard lock(mutex);
    const auto found = connections.find(card);
    if (found == connections.end()) return SCARD_E_INVALID_HANDLE;
    connection = found->second;
  }
  if (returned == nullptr) return SCARD_E_INVALID_PARAMETER;
  const auto state = readCard();
  if (!state) return SCARD_F_UNKNOWN_ERROR;
  if (!state->readerConnected) return SCARD_E_READER_UNAVAILABLE;
  if (!connection.direct && (!state->cardPresent || state->insertion != connection.insertion))
    return SCARD_W_REMOVED_CARD;
  if (code != kGetFeatureRequest) return SCARD_E_UNSUPPORTED_FEATURE;
  // PC/SC part 10: tag, length 4, big-endian control code; nothing for a reader without a pin pad.
  BYTE features[6] = {kFeatureVerifyPinDirect,
                      4,
                      static_cast<BYTE>(kVerifyPinDirectCode >> 24),
                      static_cast<BYTE>(kVerifyPinDirectCode >> 16),
                      static_cast<BYTE>(kVerifyPinDirectCode >> 8),
                      static_cast<BYTE>(kVerifyPinDirectCode)};
  const DWORD length = state->pinPad ? sizeof features : 0;
  if (length > outSize || (length > 0 && out == nullptr)) return SCARD_E_INSUFFICIENT_BUFFER;
  if (length > 0) std::memcpy(out, features, length);
  *returned = length;
  return SCARD_S_SUCCESS;
}

}  // extern "C"
