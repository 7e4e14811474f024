// SecretString: a wiped-on-release buffer for PINs.

#include "certbridge/card/secret_string.hpp"

#include <algorithm>
#include <utility>

#include "platform_crypto.hpp"

namespace certbridge::card {

void wipeMemory(void* data, std::size_t size) noexcept {
  if (data != nullptr && size != 0) detail::wipeSecret(data, size);
}

SecretString::SecretString(std::string_view text)
    : bytes_(std::make_unique<char[]>(text.size() + 1)), size_(text.size()), capacity_(text.size() + 1) {
  std::copy(text.begin(), text.end(), bytes_.get());
  bytes_[size_] = '\0';
}

SecretString SecretString::takeFrom(std::span<char> source) {
  SecretString secret(std::string_view(source.data(), source.size()));
  detail::wipeSecret(source.data(), source.size());
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
  if (bytes_) detail::wipeSecret(bytes_.get(), capacity_);
  size_ = 0;
}

}  // namespace certbridge::card
