#pragma once
// A PC/SC service in memory, installed in the card library's PC/SC table (pcsc_functions.hpp) for as long as the
// object lives: readers come and go, cards are inserted, removed and swapped, and the service stops and starts,
// at the test's command and in microseconds. It answers as pcsc-lite does where the card library cares: reader
// lists as multi-strings, card event counts in the upper word of dwEventState (from zero again after a restart),
// the PnP pseudo reader's reader count, waits that end on a change, a timeout or SCardCancel, and stale contexts
// after a restart. A test double: it has no cards to talk to, only their presence and ATR.

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "pcsc_functions.hpp"

namespace certbridge::card::testing {

class FakePcscService {
 public:
  /// Installs the fake as the library's PC/SC service, running and with no reader. One at a time.
  FakePcscService();
  ~FakePcscService();
  FakePcscService(const FakePcscService&) = delete;
  FakePcscService& operator=(const FakePcscService&) = delete;

  void connectReader(const std::string& name, bool pinPad = false);
  void disconnectReader(const std::string& name);
  void insertCard(const std::string& reader, const std::vector<std::uint8_t>& atr);
  void removeCard(const std::string& reader);
  /// Stops the service: every context goes stale, waits end with SCARD_E_NO_SERVICE, nothing can connect.
  void stop();
  /// Starts it again, with the same readers and cards; event counts start from zero, as after a restart.
  void start();

  /// SCardGetStatusChange and SCardListReaders calls made on contexts that never waited for a change: the
  /// requests a caller makes itself, as opposed to the reader watch's thread (which waits).
  int requestsOutsideWaits() const;
  /// SCardEstablishContext calls that succeeded.
  int contextsEstablished() const;

 private:
  struct Reader {
    std::string name;
    bool pinPad = false;
    bool cardPresent = false;
    std::vector<std::uint8_t> atr;
    unsigned events = 0;
  };

  static FakePcscService& current();
  void changed();  // with mutex_ held
  Reader* find(const std::string& name);
  LONG checkContext(SCARDCONTEXT context) const;
  DWORD eventState(const Reader& reader) const;

  static LONG CERTBRIDGE_PCSC_API establishContext(DWORD, LPCVOID, LPCVOID, LPSCARDCONTEXT context);
  static LONG CERTBRIDGE_PCSC_API releaseContext(SCARDCONTEXT context);
  static LONG CERTBRIDGE_PCSC_API listReaders(SCARDCONTEXT context, LPCSTR, LPSTR readers, LPDWORD size);
  static LONG CERTBRIDGE_PCSC_API getStatusChange(SCARDCONTEXT context, DWORD timeoutMs,
                                                  detail::PcscReaderState* states, DWORD count);
  static LONG CERTBRIDGE_PCSC_API cancel(SCARDCONTEXT context);
  static LONG CERTBRIDGE_PCSC_API connect(SCARDCONTEXT context, LPCSTR reader, DWORD, DWORD, LPSCARDHANDLE card,
                                          LPDWORD protocol);
  static LONG CERTBRIDGE_PCSC_API disconnect(SCARDHANDLE card, DWORD);
  static LONG CERTBRIDGE_PCSC_API control(SCARDHANDLE card, DWORD code, LPCVOID, DWORD, LPVOID out, DWORD outSize,
                                          LPDWORD returned);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool running_ = true;
  unsigned generation_ = 0;  ///< bumped on every change, so waits wake up
  std::vector<Reader> readers_;
  SCARDCONTEXT nextContext_ = 1;
  std::set<SCARDCONTEXT> contexts_;
  std::set<SCARDCONTEXT> waitedOn_;                 ///< contexts that waited for a change at least once
  std::map<SCARDCONTEXT, int> waiting_;             ///< waits in progress per context
  std::map<SCARDCONTEXT, unsigned> cancellations_;  ///< SCardCancel calls per context, while it waited
  std::map<SCARDHANDLE, std::string> connections_;
  SCARDHANDLE nextCard_ = 1;
  int requestsOutsideWaits_ = 0;
  int contextsEstablished_ = 0;

  detail::PcscFunctions functions_;
  detail::ScopedPcscFunctions installed_;
};

}  // namespace certbridge::card::testing
