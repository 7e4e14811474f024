#pragma once
// The user's NSS database: the OS key store of Linux that Chromium, Chrome and other NSS applications share
// (sql:$HOME/.pki/nssdb). One NssStore opens it read-write for the length of one command and closes it
// again, so the browser (which has it open too; SQLite arbitrates) sees every change at once.

#include <pk11pub.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "certbridge/card/secret_string.hpp"
#include "nss_types.hpp"

struct NSSInitContextStr;

namespace certbridge::host::software_store {

/// $HOME/.pki/nssdb (HOME from the environment, else the password database's home of this user).
std::filesystem::path userDatabaseDirectory();

/// The user's key and certificate database, open and logged in.
class NssStore {
 public:
  /// Opens the database in directory (created, mode 0700, with an empty password as Chromium does, when it
  /// is missing). A database protected by a password needs it: STORE_PASSWORD_INCORRECT when password is
  /// null or wrong ({"passwordGiven": bool}). A password given for a database without one is ignored.
  /// STORE_ERROR when NSS cannot open the database.
  NssStore(const std::filesystem::path& directory, const card::SecretString* password);
  /// Closes the database (every NSS object of it must be freed by then).
  ~NssStore();
  NssStore(const NssStore&) = delete;
  NssStore& operator=(const NssStore&) = delete;

  /// The database's key slot (NSS's "internal key slot"): where keys and certificates go.
  PK11SlotInfo* slot() const noexcept { return slot_.get(); }
  const std::filesystem::path& directory() const noexcept { return directory_; }

 private:
  std::filesystem::path directory_;
  NSSInitContextStr* context_ = nullptr;
  SlotPtr slot_;
};

/// The name of NSS's last error on this thread ("SEC_ERROR_BAD_PASSWORD"), for logs and error details.
std::string lastNssErrorName();

/// Throws STORE_ERROR for a failed NSS call, logging what failed and NSS's error name (never secrets).
[[noreturn]] void throwStoreError(std::string_view what);

}  // namespace certbridge::host::software_store
