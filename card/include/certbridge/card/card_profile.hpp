#pragma once
// Card profiles: which PKCS#11 module and token serve a card, and its PIN rules. A new card type is a
// new row of data (ATR pattern, module, PIN lengths and names), never new logic.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace certbridge::card {

/// Which characters a PIN may hold. Every choice is ASCII, so a PIN's length in characters is its length in
/// bytes (what PKCS#11 and the card count).
enum class PinCharset {
  Printable,     ///< ASCII letters, digits and punctuation (0x21-0x7E): no space, no control or non-ASCII.
  Alphanumeric,  ///< ASCII letters and digits.
  Digits,        ///< 0-9 only.
};

/// Rules and name of one PIN group on a card ("PIN 1", "PIN 2" on two-PIN cards).
struct PinRules {
  std::string name = "PIN";
  int minLength = 6;
  int maxLength = 16;
  int maxTries = 0;  ///< Wrong entries before the PIN locks (3 on the RA's cards); 0 when unknown.
  PinCharset charset = PinCharset::Printable;
  /// The PKCS#11 token that holds this PIN group, for cards whose middleware shows each PIN as its own token
  /// (the usual PKCS#11 shape of a two-PIN card). Empty: the card's token (found by reader or profile label).
  std::string tokenLabel{};  // "{}": 4-field aggregate initialization stays warning-free.
};

/// How Windows reaches the card's keys through the card's own key provider (its minidriver through the
/// smart card KSP, or the vendor's CSP/KSP): what registering the card's certificates in CurrentUser\MY
/// links each certificate to. Not derivable from PKCS#11 facts, so the card profile says it.
struct WindowsKeyProvider {
  std::string provider;            ///< e.g. "Microsoft Smart Card Key Storage Provider".
  std::uint32_t providerType = 0;  ///< 0 for a CNG key storage provider; the CryptoAPI type for a CSP.
  /// The key container of a certificate's key: "{keyId}" stands for the key's CKA_ID in lowercase hex,
  /// "{tokenSerial}" and "{tokenLabel}" for the token's.
  std::string container = "{keyId}";
  std::uint32_t keySpec = 1;  ///< 1 AT_KEYEXCHANGE (what minidrivers use), 2 AT_SIGNATURE, 0 none (KSP only).
};

/// One kind of card.
struct CardProfile {
  std::string id;                     ///< Stable identifier, e.g. "certbridge-virtual".
  std::string displayName;            ///< Shown to users, e.g. "CertBridge virtual test card".
  std::vector<std::uint8_t> atr;      ///< ATR pattern.
  std::vector<std::uint8_t> atrMask;  ///< Same length as atr; empty means exact match.
  std::string modulePath;             ///< PKCS#11 module serving this card.
  /// Token label to use when the module's slots are not named after PC/SC readers (the virtual test
  /// bed, software tokens). Empty: the token is found by slot description == reader name.
  std::string tokenLabel;
  std::vector<PinRules> pins{PinRules{}};     ///< One entry per PIN group; two on two-PIN cards.
  std::vector<int> keySizes{2048};            ///< RSA key sizes the card can generate, smallest first.
  std::optional<WindowsKeyProvider> windows;  ///< Unset: the card's certificates are not registered on Windows.
};

/// Parses "3B 95 13", "3B:95:13" or "3b9513" into bytes. Throws CardError(InvalidArgument) on bad input.
std::vector<std::uint8_t> parseHexBytes(const std::string& text);

/// Looks up the profile for an ATR. Order matters: the first matching row wins.
class CardProfileTable {
 public:
  explicit CardProfileTable(std::vector<CardProfile> profiles);
  /// Throws CardError(InvalidArgument) if a profile is malformed (mask length, empty module, no PIN).
  static void validate(const CardProfile& profile);

  const CardProfile* match(std::span<const std::uint8_t> atr) const noexcept;
  const std::vector<CardProfile>& profiles() const noexcept { return profiles_; }

 private:
  std::vector<CardProfile> profiles_;
};

}  // namespace certbridge::card
