// The card library's PC/SC seam on Windows, run under wine: the card locator and its reader watch over WinSCard's
// types (4-byte DWORD, SCARD_READERSTATEA), driven by the PC/SC service in memory the Linux unit tests use
// (tests/unit/card/fake_pcsc_service.hpp); and what the library makes of wine's winscard.dll, a stub.

#include <windows.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "certbridge/card/card_locator.hpp"
#include "certbridge/card/error.hpp"
#include "certbridge/card/readers.hpp"
#include "fake_pcsc_service.hpp"
#include "test_harness.hpp"

namespace {

using namespace std::chrono_literals;
using certbridge::card::CardError;
using certbridge::card::CardLocator;
using certbridge::card::CardProfile;
using certbridge::card::CardProfileTable;
using certbridge::card::CardSlot;
using certbridge::card::ErrorKind;
using certbridge::card::ReaderDetail;

const std::vector<std::uint8_t> kAtr{0x3B, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xFF, 0x01, 0x00, 0x0B};

bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

std::optional<CardError> errorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const CardError& error) {
    return error;
  }
  return std::nullopt;
}

CardProfileTable profiles(const std::string& missingModule) {
  CardProfile profile;
  profile.id = "test-card";
  profile.displayName = "Test card";
  profile.atr = kAtr;
  profile.modulePath = missingModule;
  return CardProfileTable({profile});
}

void checkLocatorOverTheSeam(certbridge::test::Harness& t, const std::string& dir) {
  certbridge::card::testing::FakePcscService service;
  CardLocator locator(profiles(dir + "\\no-such-middleware.dll"));
  t.check(locator.scan().empty(), "no reader: the scan is empty");
  const auto noReader = errorOf([&] { locator.find(); });
  t.check(noReader && noReader->kind() == ErrorKind::NoReader, "no reader: find says NoReader");

  service.connectReader("Fake Reader 0", true);
  service.insertCard("Fake Reader 0", kAtr);
  const auto slots = locator.scan(ReaderDetail::WithPinPad);
  if (t.check(slots.size() == 1, "a connected reader is listed")) {
    t.check(slots[0].reader.cardPresent && slots[0].reader.atr == kAtr, "its card and ATR come through WinSCard types");
    t.check(slots[0].reader.pinPad, "its pin pad is found through SCardControl's feature list");
    t.check(slots[0].reader.cardEvents == 1, "the card event count is read from the upper word of dwEventState");
  }
  const auto missing = errorOf([&] { locator.find(); });
  t.check(missing && missing->kind() == ErrorKind::ModuleUnavailable &&
              std::string(missing->what()).find("not installed") != std::string::npos,
          "a known card whose middleware DLL is missing is ModuleUnavailable, not installed");

  locator.watchReaders();
  CardSlot found = locator.scan(ReaderDetail::CardState).at(0);
  const bool watched = eventually([&] {
    const int before = service.requestsOutsideWaits();
    return locator.stillInserted(found) && service.requestsOutsideWaits() == before;
  });
  t.check(watched, "the reader watch answers stillInserted without a request to the service");
  service.removeCard("Fake Reader 0");
  t.check(eventually([&] { return !locator.stillInserted(found); }), "a pulled card is no longer inserted");

  service.stop();
  const auto stopped = errorOf([&] { locator.scan(); });
  t.check(stopped && stopped->kind() == ErrorKind::PcscUnavailable, "a stopped service is PcscUnavailable");
  service.start();
  t.check(eventually([&] { return locator.scan().size() == 1; }), "a restarted service is used again");
}

// wine's winscard.dll is a stub: SCardEstablishContext fails. The library must say so as a CardError naming the
// call, never crash or hang; on Windows with the Smart Card service stopped the code is SCARD_E_NO_SERVICE.
void checkWinePcsc(certbridge::test::Harness& t) {
  const auto error = errorOf([] { certbridge::card::PcscContext context; });
  t.check(error && error->function() == "SCardEstablishContext",
          std::string("wine's winscard.dll: establishing a context fails with a CardError naming it: ") +
              (error ? std::string(error->what()) + " [" + certbridge::card::toString(error->kind()) + ", " +
                           error->nativeName() + "]"
                     : "no error"));
}

}  // namespace

int main(int argc, char** argv) {
  certbridge::test::Harness t;
  if (argc != 2) {
    std::printf("usage: card_pcsc_test.exe DIR\n");
    return 2;
  }
  checkLocatorOverTheSeam(t, argv[1]);
  checkWinePcsc(t);
  return t.finish();
}
