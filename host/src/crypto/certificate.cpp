// The platform-neutral half of certificate parsing: PEM and base64 text, the per-process memory of parsed
// certificates, PEM output. The facts come from certificate_openssl.cpp or windows/certificate_windows.cpp.
#include "certificate.hpp"

#include <array>
#include <map>
#include <mutex>

#include "certificate_platform.hpp"
#include "encoding.hpp"

namespace certbridge::host::crypto {
namespace {

constexpr std::string_view kPemBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kPemEnd = "-----END CERTIFICATE-----";

bool isAsciiSpace(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trimmed(std::string_view text) noexcept {
  while (!text.empty() && isAsciiSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isAsciiSpace(text.back())) text.remove_suffix(1);
  return text;
}

// Base64 that may be broken into lines, as in PEM bodies and pasted base64 DER.
std::optional<std::vector<std::uint8_t>> decodeWrappedBase64(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (const char c : text) {
    if (!isAsciiSpace(c)) compact += c;
  }
  return base64Decode(compact);
}

}  // namespace

std::optional<ParsedCertificate> parseCertificateText(std::string_view text) {
  text = trimmed(text);
  if (text.starts_with(kPemBegin)) {
    if (text.size() < kPemBegin.size() + kPemEnd.size() || !text.ends_with(kPemEnd)) return std::nullopt;
    text = text.substr(kPemBegin.size(), text.size() - kPemBegin.size() - kPemEnd.size());
  }
  // A second PEM block or PEM headers put '-' or ':' in the body, which is not base64: rejected here.
  const auto der = decodeWrappedBase64(text);
  if (!der) return std::nullopt;
  return parseCertificateDer(*der);
}

std::optional<ParsedCertificate> parseCertificateDer(std::span<const std::uint8_t> der) {
  if (der.empty()) return std::nullopt;
  // Keyed by the SHA-256 of the whole DER (the certificate's protocol id), so a hit is the same certificate
  // byte for byte. The bound only stops a stream of different certificates from growing the map forever.
  constexpr std::size_t kRemembered = 64;
  // Never destroyed: the native certificates must not be freed after the crypto library has cleaned up at exit.
  static std::mutex& mutex = *new std::mutex;
  static auto& remembered = *new std::map<std::array<std::uint8_t, 32>, ParsedCertificate>;
  const auto digest = sha256(der);
  {
    const std::lock_guard lock(mutex);
    if (const auto found = remembered.find(digest); found != remembered.end()) return found->second;
  }
  std::optional<ParsedCertificate> certificate = detail::describeCertificateDer(der);
  if (!certificate) return certificate;
  certificate->der.assign(der.begin(), der.end());
  certificate->id = hexEncode(digest);
  const std::lock_guard lock(mutex);
  if (remembered.size() >= kRemembered) remembered.clear();
  remembered.emplace(digest, *certificate);
  return certificate;
}

std::string certificatePem(const ParsedCertificate& certificate) {
  return pemEncode("CERTIFICATE", certificate.der);
}

bool isValidAt(const ParsedCertificate& certificate, std::time_t now) {
  return certificate.notBefore <= now && now <= certificate.notAfter;
}

}  // namespace certbridge::host::crypto
