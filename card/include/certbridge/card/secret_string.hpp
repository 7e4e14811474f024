#pragma once
// A secret (PIN, SO PIN) held in one heap buffer that is wiped (OPENSSL_cleanse; SecureZeroMemory on Windows)
// when the secret is cleared or destroyed. It never copies itself: it can be moved, not copied, and it never grows
// (growing a std::string leaves unwiped copies of the old buffer behind).

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace certbridge::card {

/// Overwrites size bytes at data with zeros in a way the compiler cannot drop as a dead store
/// (OPENSSL_cleanse; SecureZeroMemory on Windows). For every buffer that held a secret.
void wipeMemory(void* data, std::size_t size) noexcept;

/// A PIN or other secret. Move-only; wiped on clear() and destruction. Never log it or put it in a message.
class SecretString {
 public:
  SecretString() noexcept = default;
  /// Copies text. The caller still owns (and should wipe) the source; see takeFrom.
  explicit SecretString(std::string_view text);
  /// Copies source, then overwrites source with zero bytes (for buffers the caller cannot free at once).
  static SecretString takeFrom(std::span<char> source);
  /// Copies source, then overwrites it with zero bytes and empties it (e.g. a PIN parsed from a JSON message).
  static SecretString takeFrom(std::string& source);

  ~SecretString();
  SecretString(SecretString&& other) noexcept;
  SecretString& operator=(SecretString&& other) noexcept;
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;

  /// The secret's bytes (UTF-8 for PINs), followed by a NUL for C APIs that want one. Never null.
  const char* data() const noexcept { return bytes_ ? bytes_.get() : ""; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  /// Wipes the bytes and makes the secret empty. The buffer stays allocated (and zeroed) until destruction.
  void clear() noexcept;

 private:
  std::unique_ptr<char[]> bytes_;  ///< size_ bytes and a NUL; null when nothing was ever stored.
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;  ///< Bytes allocated, all of which are wiped.
};

}  // namespace certbridge::card
