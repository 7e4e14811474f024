// SecretString: a wiped-on-release buffer for PINs.

#include "certbridge/card/secret_string.hpp"

#ifdef _WIN32
#include <windows.h>
#else
#include <openssl/crypto.h>
#endif

#include <algorithm>
#include <utility>

namespace certbridge::card {
namespace {

// A wipe the compiler cannot optimize away: OPENSSL_cleanse, or SecureZeroMemory where the host does not use
// OpenSSL (Windows).
void wipe(void* bytes, std::size_t size) noexcept {
#ifdef _WIN32
  SecureZeroMemory(bytes, size);
#else
  OPENSSL_cleanse(bytes, size);
#endif
}

}  // namespace

SecretString::SecretString(std::string_view text)
    : bytes_(std::make_unique<char[]>(text.size() + 1)), size_(text.size()), capacity_(text.size() + 1) {
  std::copy(text.begin(), text.end(), bytes_.get());
  bytes_[size_] = '\0';
}

SecretString SecretString::takeFrom(std::span<char> source) {
  SecretString secret(std::string_view(source.data(), source.size()));
  wipe(source.data(), source.size());
  return secret;
}

SecretString SecretString::takeFrom(std::string& source) {
  SecretString secret = takeFrom(std::span<char>(source.data(), source.size()));
  source.clear();
  return secret;
}

SecretString::~SecretString() {
  clear();
}

SecretString::SecretString(SecretString&& other) noexcept
    : bytes_(std::move(other.bytes_)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    clear();
    bytes_ = std::move(other.bytes_);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

void SecretString::clear() noexcept {
  if (bytes_) wipe(bytes_.get(), capacity_);
  size_ = 0;
}

}  // namespace certbridge::card
