#pragma once
// TEST DOUBLE - never installed, never shipped. The state of the one simulated card that the mock PKCS#11
// module (../mock_pkcs11) and the mock winscard.dll (../mock_winscard) share: reader and card presence, ATR,
// token identity, PIN verifiers and counters, and the token's objects. It lives in the file named by the
// environment variable CERTBRIDGE_MOCK_CARD_STATE, so successive processes see the same card, as they would
// a real one, and a test pulls the card by editing that file. The format is in ../mock_card/README.md.

#include <windows.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace certbridge::mock_card {

using Bytes = std::vector<std::uint8_t>;

/// The environment variable that names the state file (a Windows path).
inline constexpr const wchar_t* kStateVariable = L"CERTBRIDGE_MOCK_CARD_STATE";

/// One PKCS#11 object on the token: its attributes by CKA_ type, and for a private key the key itself
/// (a BCRYPT_RSAFULLPRIVATE_BLOB, kept in the file in clear because this is a test double).
struct StoredObject {
  unsigned long handle = 0;
  std::map<unsigned long, Bytes> attributes;
  Bytes privateKeyBlob;
};

/// A PIN as the card keeps it: a salted SHA-256 verifier (never the PIN) and the wrong tries since the last
/// right one.
struct StoredPin {
  Bytes verifier;
  int failures = 0;
  int maxTries = 3;

  int triesLeft() const { return maxTries - failures; }
  bool locked() const { return triesLeft() <= 0; }
};

struct CardState {
  bool readerConnected = true;
  bool cardPresent = true;
  /// Card insertions so far: a session opened before the current insertion belongs to a card that left.
  unsigned long insertion = 1;
  Bytes atr;
  bool pinPad = false;
  std::string label;
  std::string serial;
  Bytes pinSalt;
  StoredPin userPin;
  StoredPin soPin;
  unsigned long nextHandle = 1;
  std::vector<StoredObject> objects;

  /// The PC/SC card event count: odd while a card is in, one more at every insertion and removal.
  unsigned long cardEvents() const { return 2 * insertion - (cardPresent ? 1 : 0); }
};

/// A fresh card as the double makes it when the state file is empty: user PIN 123456, SO PIN 87654321
/// (those of tests/testbed), 3 tries each, no objects.
CardState freshCard();

/// SHA-256 of first || second, through BCrypt; empty if BCrypt fails.
Bytes sha256(const std::uint8_t* first, std::size_t firstLength, const std::uint8_t* second, std::size_t secondLength);

/// SHA-256(salt || pin) through BCrypt: what StoredPin::verifier holds.
Bytes pinVerifier(const Bytes& salt, const std::uint8_t* pin, std::size_t length);

/// The state file, open and locked (LockFileEx, exclusive) for the lifetime of this object, so a call of one
/// double in one process sees and changes the card atomically with respect to every other process.
class StateFile {
 public:
  /// Opens the file named by CERTBRIDGE_MOCK_CARD_STATE (creating a fresh card if it is empty); on failure
  /// ok() is false and error() says why (no secret in it).
  StateFile();
  ~StateFile();
  StateFile(const StateFile&) = delete;
  StateFile& operator=(const StateFile&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  CardState& card() { return card_; }

  /// Writes the card back; false (and error()) when the file cannot be written.
  bool save();

 private:
  HANDLE file_ = INVALID_HANDLE_VALUE;
  CardState card_;
  std::string error_;
};

/// Hex text of bytes (upper case, no separators) and back; nullopt for anything that is not hex.
std::string toHex(const Bytes& bytes);
std::optional<Bytes> fromHex(const std::string& text);

/// The state file's text for a card, and the card of a text (nullopt and why, with the line number).
std::string serialize(const CardState& card);
std::optional<CardState> parse(const std::string& text, std::string& why);

}  // namespace certbridge::mock_card
