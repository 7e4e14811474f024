// Fuzz target: certificates as the RA sends them (PEM or base64 DER text) and as read from a card (DER):
// the host's parser (OpenSSL) and the card library's own DER reading of the RSA key agree on what is a key.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <string_view>

#include "certbridge/card/error.hpp"
#include "crypto/certificate.hpp"
#include "public_key_der.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace certbridge;
  const std::span<const std::uint8_t> der(data, size);
  const auto text = host::crypto::parseCertificateText(std::string_view(reinterpret_cast<const char*>(data), size));
  const auto parsed = host::crypto::parseCertificateDer(der);
  // The card library's DER reading throws CardError(InvalidArgument) for what is not a certificate or key.
  const auto cardReading = [](auto&& read) {
    try {
      return read();
    } catch (const card::CardError& error) {
      if (error.kind() != card::ErrorKind::InvalidArgument) std::abort();
      return std::optional<card::detail::RsaNumbers>();
    }
  };
  const auto fromCertificate = cardReading([&] { return card::detail::certificateRsaNumbers(der); });
  (void)cardReading([&] { return card::detail::rsaNumbersOfPublicKey(der); });
  if (parsed) {
    // Where both read the certificate's RSA key, they read the same numbers.
    const auto key = host::crypto::publicKeyDer(*parsed);
    const auto fromKey = cardReading([&] { return card::detail::rsaNumbersOfPublicKey(key); });
    if (fromKey && fromCertificate && *fromKey != *fromCertificate) std::abort();
    (void)host::crypto::certificatePem(*parsed);
    (void)host::crypto::isIssuedBy(*parsed, *parsed);
  }
  (void)text;
  return 0;
}
