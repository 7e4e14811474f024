#pragma once
// Test double for the Windows crypto tests: a card::RsaSigner whose key is an in-memory BCrypt RSA key, so
// the host's Windows crypto signs as it would with a card (a DigestInfo in, a PKCS#1 v1.5 signature out).
// Its private key can be saved to a file (test keys only) so a later phase, a new process, signs with it.

#include <windows.h>
// <windows.h> first.
#include <bcrypt.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "certbridge/card/rsa_signer.hpp"

namespace certbridge::test {

class BcryptRsaSigner : public card::RsaSigner {
 public:
  /// A fresh RSA key of bits bits.
  static BcryptRsaSigner generate(unsigned bits);
  /// The key saveTo wrote.
  static BcryptRsaSigner load(const std::filesystem::path& file);

  ~BcryptRsaSigner() override;
  BcryptRsaSigner(BcryptRsaSigner&& other) noexcept;
  BcryptRsaSigner& operator=(BcryptRsaSigner&&) = delete;

  /// Writes the private key (BCRYPT_RSAFULLPRIVATE_BLOB) to file.
  void saveTo(const std::filesystem::path& file) const;

  std::vector<std::uint8_t> publicKeyInfo() const override;
  std::size_t modulusBytes() const override;
  std::vector<std::uint8_t> signDigestInfo(std::span<const std::uint8_t> digestInfo) override;

  /// How many signatures it made (the tests check that every output was signed on "the card").
  int signatures() const noexcept { return signatures_; }

 private:
  explicit BcryptRsaSigner(BCRYPT_KEY_HANDLE key) noexcept : key_(key) {}
  std::vector<std::uint8_t> exportBlob(LPCWSTR type) const;
  BCRYPT_KEY_HANDLE key_;
  int signatures_ = 0;
};

}  // namespace certbridge::test
