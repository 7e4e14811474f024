// The mock winscard.dll's phase: the DLL loaded is the double (wine's override), its reader, card state and
// ATR from the state file, waits that time out, wake on a pulled card and on SCardCancel, the PnP pseudo
// reader, and the reader's part 10 feature request.

#include <winscard.h>

#include <chrono>
#include <cstring>
#include <string_view>
#include <thread>

#include "card_doubles_test.hpp"

namespace certbridge::test {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kReader = "Mock Reader 0";
constexpr const char* kPnp = "\\\\?PnP?\\Notification";

// A context, released on destruction.
class Context {
 public:
  Context() { rv_ = SCardEstablishContext(SCARD_SCOPE_USER, nullptr, nullptr, &context_); }
  ~Context() {
    if (rv_ == SCARD_S_SUCCESS) SCardReleaseContext(context_);
  }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  LONG rv() const { return rv_; }
  SCARDCONTEXT get() const { return context_; }

 private:
  SCARDCONTEXT context_ = 0;
  LONG rv_ = SCARD_E_INVALID_HANDLE;
};

SCARD_READERSTATEA stateOf(const char* reader, DWORD known = SCARD_STATE_UNAWARE) {
  SCARD_READERSTATEA state{};
  state.szReader = reader;
  state.dwCurrentState = known;
  return state;
}

long millisecondsSince(Clock::time_point start) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

}  // namespace

void checkReaders(Harness& h) {
  HMODULE winscard = GetModuleHandleW(L"winscard.dll");
  auto identify =
      functionAs<const char* (*)()>(winscard == nullptr ? nullptr : GetProcAddress(winscard, "CertBridgeTestDouble"));
  if (!h.check(identify != nullptr && std::string_view(identify()).find("TEST DOUBLE") != std::string_view::npos,
               "the winscard.dll this program imports is the test double beside it (WINEDLLOVERRIDES winscard=n)"))
    return;

  Context context;
  if (!h.check(context.rv() == SCARD_S_SUCCESS, "SCardEstablishContext succeeds")) return;
  h.check(SCardIsValidContext(context.get()) == SCARD_S_SUCCESS, "the context is valid");
  char readers[64] = {};
  DWORD length = sizeof readers;
  h.check(SCardListReadersA(context.get(), nullptr, readers, &length) == SCARD_S_SUCCESS &&
              std::strcmp(readers, kReader) == 0 && length == std::strlen(kReader) + 2,
          "one reader listed: Mock Reader 0");
  length = 3;
  h.check(SCardListReadersA(context.get(), nullptr, readers, &length) == static_cast<LONG>(SCARD_E_INSUFFICIENT_BUFFER),
          "a short buffer: SCARD_E_INSUFFICIENT_BUFFER");

  const auto card = [] {
    mock_card::StateFile file;
    return file.ok() ? file.card() : mock_card::CardState{};
  }();
  SCARD_READERSTATEA states[3] = {stateOf(kReader), stateOf(kPnp), stateOf("No Such Reader")};
  h.check(SCardGetStatusChangeA(context.get(), 0, states, 3) == SCARD_S_SUCCESS, "SCardGetStatusChange answers");
  h.check((states[0].dwEventState & (SCARD_STATE_PRESENT | SCARD_STATE_CHANGED)) ==
                  (SCARD_STATE_PRESENT | SCARD_STATE_CHANGED) &&
              states[0].cbAtr == card.atr.size() &&
              std::memcmp(states[0].rgbAtr, card.atr.data(), card.atr.size()) == 0,
          "the reader holds a card with the state file's ATR");
  h.check((states[1].dwEventState >> 16) == 1, "the PnP pseudo reader counts one reader");
  h.check((states[2].dwEventState & SCARD_STATE_UNKNOWN) != 0, "an unknown reader: SCARD_STATE_UNKNOWN");

  // Nothing changed since: a wait ends by its timeout.
  for (auto& state : states) state.dwCurrentState = state.dwEventState & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
  auto started = Clock::now();
  h.check(SCardGetStatusChangeA(context.get(), 0, states, 2) == static_cast<LONG>(SCARD_E_TIMEOUT),
          "a timeout of 0 with nothing new: SCARD_E_TIMEOUT");
  started = Clock::now();
  h.check(SCardGetStatusChangeA(context.get(), 300, states, 2) == static_cast<LONG>(SCARD_E_TIMEOUT) &&
              millisecondsSince(started) >= 250,
          "a wait of 300 ms with nothing new lasts its time");

  // SCardCancel from another thread ends a wait without timeout.
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    SCardCancel(context.get());
  });
  started = Clock::now();
  const LONG cancelled = SCardGetStatusChangeA(context.get(), INFINITE, states, 2);
  const long cancelMs = millisecondsSince(started);
  canceller.join();
  h.check(cancelled == static_cast<LONG>(SCARD_E_CANCELLED) && cancelMs < 2000,
          "SCardCancel wakes an endless wait: SCARD_E_CANCELLED (" + std::to_string(cancelMs) + " ms)");

  // A card pulled during a wait ends it with the new state.
  std::thread puller([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    editCard([](mock_card::CardState& state) { state.cardPresent = false; });
  });
  started = Clock::now();
  const LONG pulled = SCardGetStatusChangeA(context.get(), 10000, states, 2);
  const long pullMs = millisecondsSince(started);
  puller.join();
  h.check(pulled == SCARD_S_SUCCESS && (states[0].dwEventState & SCARD_STATE_EMPTY) != 0 &&
              (states[0].dwEventState & SCARD_STATE_CHANGED) != 0 && states[0].cbAtr == 0 && pullMs < 2000,
          "a card pulled during a wait ends it: SCARD_STATE_EMPTY (" + std::to_string(pullMs) + " ms)");
  h.check((states[0].dwEventState >> 16) == (states[0].dwCurrentState >> 16) + 1, "the card event count went up");
  SCARDHANDLE handle = 0;
  DWORD protocol = 0;
  h.check(SCardConnectA(context.get(), kReader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &handle,
                        &protocol) == static_cast<LONG>(SCARD_E_NO_SMARTCARD),
          "connecting to the empty reader: SCARD_E_NO_SMARTCARD");
  editCard([](mock_card::CardState& state) {
    state.cardPresent = true;
    ++state.insertion;
  });

  // The card library's pin-pad question: a direct connection and CM_IOCTL_GET_FEATURE_REQUEST.
  h.check(SCardConnectA(context.get(), kReader, SCARD_SHARE_DIRECT, 0, &handle, &protocol) == SCARD_S_SUCCESS,
          "a direct connection to the reader");
  BYTE features[64] = {};
  DWORD returned = 99;
  h.check(
      SCardControl(handle, SCARD_CTL_CODE(3400), nullptr, 0, features, sizeof features, &returned) == SCARD_S_SUCCESS &&
          returned == 0,
      "the feature request: no pin pad");
  h.check(SCardDisconnect(handle, SCARD_LEAVE_CARD) == SCARD_S_SUCCESS, "SCardDisconnect");
  h.check(SCardDisconnect(handle, SCARD_LEAVE_CARD) == static_cast<LONG>(SCARD_E_INVALID_HANDLE),
          "a second SCardDisconnect: SCARD_E_INVALID_HANDLE");

  // The reader unplugged during a wait that includes the PnP pseudo reader, as the host's reader watch waits.
  SCARD_READERSTATEA watched[2] = {stateOf(kReader), stateOf(kPnp)};
  SCardGetStatusChangeA(context.get(), 0, watched, 2);
  for (auto& state : watched) state.dwCurrentState = state.dwEventState & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
  std::thread unplugger([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    editCard([](mock_card::CardState& state) { state.readerConnected = false; });
  });
  const LONG unplugged = SCardGetStatusChangeA(context.get(), 10000, watched, 2);
  unplugger.join();
  h.check(unplugged == SCARD_S_SUCCESS && (watched[0].dwEventState & SCARD_STATE_UNKNOWN) != 0 &&
              (watched[1].dwEventState & SCARD_STATE_CHANGED) != 0 && (watched[1].dwEventState >> 16) == 0,
          "the reader unplugged during a wait: it turns SCARD_STATE_UNKNOWN and the PnP reader counts 0");
  length = sizeof readers;
  h.check(
      SCardListReadersA(context.get(), nullptr, readers, &length) == static_cast<LONG>(SCARD_E_NO_READERS_AVAILABLE),
      "the reader unplugged: SCARD_E_NO_READERS_AVAILABLE");
  editCard([](mock_card::CardState& state) { state.readerConnected = true; });

  // Without a card state there is no simulated service.
  std::wstring saved(MAX_PATH, L'\0');
  saved.resize(GetEnvironmentVariableW(mock_card::kStateVariable, saved.data(), MAX_PATH));
  SetEnvironmentVariableW(mock_card::kStateVariable, nullptr);
  SCARDCONTEXT none = 0;
  h.check(SCardEstablishContext(SCARD_SCOPE_USER, nullptr, nullptr, &none) == static_cast<LONG>(SCARD_E_NO_SERVICE),
          "no CERTBRIDGE_MOCK_CARD_STATE: SCARD_E_NO_SERVICE");
  SetEnvironmentVariableW(mock_card::kStateVariable, saved.c_str());
}

void checkConcurrentUse(Harness& h) {
  // The host's reader watch waits in SCardGetStatusChange while its worker talks to the module: both take
  // the state file's lock, over and over, from two threads of one process.
  MockModule m;
  Context context;
  if (!h.check(m.loaded() && context.rv() == SCARD_S_SUCCESS, "the module and a PC/SC context, side by side")) return;
  SCARD_READERSTATEA state = stateOf(kReader);
  SCardGetStatusChangeA(context.get(), 0, &state, 1);
  state.dwCurrentState = state.dwEventState & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
  int tokenReads = 0;
  std::thread worker([&] {
    for (int i = 0; i < 100; ++i) {
      ck::Rv rv = 0;
      m.tokenInfo(&rv);
      if (rv == ck::kCkrOk) ++tokenReads;
    }
  });
  const LONG waited = SCardGetStatusChangeA(context.get(), 1000, &state, 1);
  worker.join();
  h.check(waited == static_cast<LONG>(SCARD_E_TIMEOUT) && tokenReads == 100,
          "100 token reads during a PC/SC wait all succeed, and the wait sees no change");
}

void checkPulledCard(Harness& h) {
  MockModule m;
  if (!h.check(m.loaded(), "the mock module loads")) return;
  ck::Rv rv = 0;
  m.tokenInfo(&rv);
  h.check(rv == ck::kCkrTokenNotPresent, "the module sees no token: CKR_TOKEN_NOT_PRESENT");
  Context context;
  SCARD_READERSTATEA state = stateOf(kReader);
  h.check(context.rv() == SCARD_S_SUCCESS && SCardGetStatusChangeA(context.get(), 0, &state, 1) == SCARD_S_SUCCESS &&
              (state.dwEventState & SCARD_STATE_EMPTY) != 0 && state.cbAtr == 0,
          "the reader is empty: SCARD_STATE_EMPTY, no ATR");
}

}  // namespace certbridge::test
