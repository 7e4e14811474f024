// TEST DOUBLE - never installed, never shipped. The simulated card's state file: format, fresh card, locking.

#include "mock_card_state.hpp"

#include <bcrypt.h>

#include <cstring>
#include <sstream>

namespace certbridge::mock_card {

namespace {

constexpr const char* kHeader =
    "# CertBridge mock card: the state of a TEST DOUBLE (tests/windows/mock_card/README.md)";
constexpr int kFormat = 1;
constexpr std::size_t kSaltBytes = 16;
// No state file of the double comes near this; a bigger one is not ours.
constexpr DWORD kMaxStateBytes = 16 * 1024 * 1024;

Bytes randomBytes(std::size_t count) {
  Bytes bytes(count);
  BCryptGenRandom(nullptr, bytes.data(), static_cast<ULONG>(bytes.size()), BCRYPT_USE_SYSTEM_PREFERRED_RNG);
  return bytes;
}

Bytes verifierOf(const Bytes& salt, const char* pin) {
  return pinVerifier(salt, reinterpret_cast<const std::uint8_t*>(pin), std::strlen(pin));
}

std::string pinLine(const char* name, const StoredPin& pin) {
  return std::string(name) + " " + toHex(pin.verifier) + " " + std::to_string(pin.failures) + " " +
         std::to_string(pin.maxTries) + "\n";
}

bool parsePin(std::istringstream& fields, StoredPin& pin) {
  std::string verifier;
  fields >> verifier >> pin.failures >> pin.maxTries;
  auto bytes = fromHex(verifier);
  if (!fields || !bytes || bytes->size() != 32 || pin.failures < 0 || pin.maxTries < 1) return false;
  pin.verifier = std::move(*bytes);
  return true;
}

bool parseFlag(std::istringstream& fields, bool& flag) {
  int value = -1;
  fields >> value;
  flag = value == 1;
  return fields && (value == 0 || value == 1);
}

// "object HANDLE KEYBLOB|- TYPE=HEX ...": attribute types in hex, as PKCS#11 headers write them.
bool parseObject(std::istringstream& fields, StoredObject& object) {
  std::string blob;
  fields >> object.handle >> blob;
  if (!fields || object.handle == 0) return false;
  if (blob != "-") {
    auto bytes = fromHex(blob);
    if (!bytes || bytes->empty()) return false;
    object.privateKeyBlob = std::move(*bytes);
  }
  std::string pair;
  while (fields >> pair) {
    const auto equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) return false;
    unsigned long type = 0;
    try {
      std::size_t used = 0;
      type = std::stoul(pair.substr(0, equals), &used, 16);
      if (used != equals) return false;
    } catch (const std::exception&) {
      return false;
    }
    auto value = fromHex(pair.substr(equals + 1));
    if (!value) return false;
    object.attributes[type] = std::move(*value);
  }
  return true;
}

}  // namespace

Bytes sha256(const std::uint8_t* first, std::size_t firstLength, const std::uint8_t* second, std::size_t secondLength) {
  BCRYPT_ALG_HANDLE algorithm = nullptr;
  if (BCryptOpenAlgorithmProvider(&algorithm, BCRYPT_SHA256_ALGORITHM, nullptr, 0) != 0) return {};
  Bytes digest(32);
  BCRYPT_HASH_HANDLE hash = nullptr;
  NTSTATUS status = BCryptCreateHash(algorithm, &hash, nullptr, 0, nullptr, 0, 0);
  if (status == 0 && firstLength > 0)
    status = BCryptHashData(hash, const_cast<PUCHAR>(first), static_cast<ULONG>(firstLength), 0);
  if (status == 0 && secondLength > 0)
    status = BCryptHashData(hash, const_cast<PUCHAR>(second), static_cast<ULONG>(secondLength), 0);
  if (status == 0) status = BCryptFinishHash(hash, digest.data(), static_cast<ULONG>(digest.size()), 0);
  if (hash != nullptr) BCryptDestroyHash(hash);
  BCryptCloseAlgorithmProvider(algorithm, 0);
  return status == 0 ? digest : Bytes{};
}

Bytes pinVerifier(const Bytes& salt, const std::uint8_t* pin, std::size_t length) {
  return sha256(salt.data(), salt.size(), pin, length);
}

CardState freshCard() {
  CardState card;
  // The ATR of tests/testbed's virtual card, so one card profile shape serves both.
  card.atr = {0x3B, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xFF, 0x01, 0x00, 0x0B};
  card.label = "CertBridge Mock Card";
  card.serial = "MOCK" + toHex(randomBytes(6));
  card.pinSalt = randomBytes(kSaltBytes);
  card.userPin.verifier = verifierOf(card.pinSalt, "123456");
  card.soPin.verifier = verifierOf(card.pinSalt, "87654321");
  return card;
}

std::string toHex(const Bytes& bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string text;
  text.reserve(bytes.size() * 2);
  for (const auto byte : bytes) {
    text += kDigits[byte >> 4];
    text += kDigits[byte & 0xF];
  }
  return text;
}

std::optional<Bytes> fromHex(const std::string& text) {
  const auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (text.size() % 2 != 0) return std::nullopt;
  Bytes bytes;
  bytes.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = digit(text[i]);
    const int low = digit(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes.push_back(static_cast<std::uint8_t>(high * 16 + low));
  }
  return bytes;
}

std::string serialize(const CardState& card) {
  std::ostringstream text;
  text << kHeader << "\n"
       << "format " << kFormat << "\n"
       << "reader " << (card.readerConnected ? 1 : 0) << "\n"
       << "present " << (card.cardPresent ? 1 : 0) << "\n"
       << "insertion " << card.insertion << "\n"
       << "atr " << toHex(card.atr) << "\n"
       << "pin_pad " << (card.pinPad ? 1 : 0) << "\n"
       << "label " << card.label << "\n"
       << "serial " << card.serial << "\n"
       << "pin_salt " << toHex(card.pinSalt) << "\n"
       << pinLine("user_pin", card.userPin) << pinLine("so_pin", card.soPin) << "next_handle " << card.nextHandle
       << "\n";
  for (const auto& object : card.objects) {
    text << "object " << object.handle << " " << (object.privateKeyBlob.empty() ? "-" : toHex(object.privateKeyBlob));
    for (const auto& [type, value] : object.attributes) {
      std::ostringstream pair;
      pair << std::hex << std::uppercase << type;
      text << " " << pair.str() << "=" << toHex(value);
    }
    text << "\n";
  }
  return text.str();
}

std::optional<CardState> parse(const std::string& text, std::string& why) {
  CardState card;
  card.atr.clear();
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  bool formatSeen = false;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    bool good = true;
    if (key == "format") {
      int format = 0;
      fields >> format;
      good = static_cast<bool>(fields) && format == kFormat;
      formatSeen = good;
    } else if (key == "reader") {
      good = parseFlag(fields, card.readerConnected);
    } else if (key == "present") {
      good = parseFlag(fields, card.cardPresent);
    } else if (key == "pin_pad") {
      good = parseFlag(fields, card.pinPad);
    } else if (key == "insertion") {
      good = static_cast<bool>(fields >> card.insertion) && card.insertion > 0;
    } else if (key == "atr" || key == "pin_salt") {
      std::string hex;
      fields >> hex;
      auto bytes = fromHex(hex);
      good = bytes.has_value() && !bytes->empty() && (key != "atr" || bytes->size() <= 33);
      if (good) (key == "atr" ? card.atr : card.pinSalt) = std::move(*bytes);
    } else if (key == "label" || key == "serial") {
      std::string value;
      std::getline(fields >> std::ws, value);
      good = !value.empty() && value.size() <= (key == "label" ? 32u : 16u);
      (key == "label" ? card.label : card.serial) = value;
    } else if (key == "user_pin" || key == "so_pin") {
      good = parsePin(fields, key == "user_pin" ? card.userPin : card.soPin);
    } else if (key == "next_handle") {
      good = static_cast<bool>(fields >> card.nextHandle) && card.nextHandle > 0;
    } else if (key == "object") {
      StoredObject object;
      good = parseObject(fields, object);
      card.objects.push_back(std::move(object));
    } else {
      good = false;
    }
    if (!good) {
      why = "line " + std::to_string(number) + " (\"" + key + "\") is not valid";
      return std::nullopt;
    }
  }
  if (!formatSeen || card.atr.empty() || card.pinSalt.empty() || card.label.empty() || card.serial.empty() ||
      card.userPin.verifier.empty() || card.soPin.verifier.empty()) {
    why = "it lacks one of format, atr, label, serial, pin_salt, user_pin, so_pin";
    return std::nullopt;
  }
  return card;
}

StateFile::StateFile() {
  std::wstring path(MAX_PATH, L'\0');
  const DWORD length = GetEnvironmentVariableW(kStateVariable, path.data(), static_cast<DWORD>(path.size()));
  if (length == 0 || length >= path.size()) {
    error_ = "CERTBRIDGE_MOCK_CARD_STATE does not name the mock card's state file";
    return;
  }
  path.resize(length);
  file_ = CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                      OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file_ == INVALID_HANDLE_VALUE) {
    error_ = "the mock card's state file cannot be opened (Windows error " + std::to_string(GetLastError()) + ")";
    return;
  }
  OVERLAPPED whole{};
  if (!LockFileEx(file_, LOCKFILE_EXCLUSIVE_LOCK, 0, MAXDWORD, MAXDWORD, &whole)) {
    error_ = "the mock card's state file cannot be locked";
    return;
  }
  LARGE_INTEGER size{};
  GetFileSizeEx(file_, &size);
  if (size.QuadPart > kMaxStateBytes) {
    error_ = "the mock card's state file is too large to be one";
    return;
  }
  std::string text(static_cast<std::size_t>(size.QuadPart), '\0');
  DWORD read = 0;
  if (!text.empty() &&
      (!ReadFile(file_, text.data(), static_cast<DWORD>(text.size()), &read, nullptr) || read != text.size())) {
    error_ = "the mock card's state file cannot be read";
    return;
  }
  if (text.find_first_not_of(" \r\n\t") == std::string::npos) {
    card_ = freshCard();
    save();
    return;
  }
  std::string why;
  auto card = parse(text, why);
  if (!card) {
    error_ = "the mock card's state file is malformed: " + why;
    return;
  }
  card_ = std::move(*card);
}

StateFile::~StateFile() {
  if (file_ == INVALID_HANDLE_VALUE) return;
  OVERLAPPED whole{};
  UnlockFileEx(file_, 0, MAXDWORD, MAXDWORD, &whole);
  CloseHandle(file_);
}

bool StateFile::save() {
  if (file_ == INVALID_HANDLE_VALUE) return false;
  const std::string text = serialize(card_);
  LARGE_INTEGER start{};
  DWORD written = 0;
  if (!SetFilePointerEx(file_, start, nullptr, FILE_BEGIN) ||
      !WriteFile(file_, text.data(), static_cast<DWORD>(text.size()), &written, nullptr) || written != text.size() ||
      !SetEndOfFile(file_) || !FlushFileBuffers(file_)) {
    error_ = "the mock card's state file cannot be written";
    return false;
  }
  return true;
}

}  // namespace certbridge::mock_card
