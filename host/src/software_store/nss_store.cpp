#include "nss_store.hpp"

#include <nss.h>
#include <prerror.h>
#include <pwd.h>
#include <secerr.h>
#include <unistd.h>

#include <cstdlib>
#include <system_error>

#include <spdlog/spdlog.h>

#include "certbridge/host/protocol_error.hpp"

namespace certbridge::host::software_store {

std::filesystem::path userDatabaseDirectory() {
  const char* home = std::getenv("HOME");  // NOLINT(concurrency-mt-unsafe): nothing in the host sets variables
  if (home == nullptr || *home == '\0') {
    const passwd* entry = getpwuid(getuid());  // NOLINT(concurrency-mt-unsafe): see above
    if (entry == nullptr || entry->pw_dir == nullptr)
      throw ProtocolError(ErrorCode::StoreError, {{"reason", "no home directory"}});
    home = entry->pw_dir;
  }
  return std::filesystem::path(home) / ".pki" / "nssdb";
}

std::string lastNssErrorName() {
  const PRErrorCode code = PORT_GetError();
  const char* name = PR_ErrorToName(code);
  return name != nullptr ? name : "NSS error " + std::to_string(code);
}

void throwStoreError(std::string_view what) {
  const std::string name = lastNssErrorName();
  spdlog::warn("software store: {} failed: {}", what, name);
  throw ProtocolError(ErrorCode::StoreError, {{"nssError", name}});
}

NssStore::NssStore(const std::filesystem::path& directory, const card::SecretString* password) : directory_(directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory_, error)) {
    std::filesystem::create_directories(directory_, error);
    if (error) {
      spdlog::warn("software store: cannot create {}: {}", directory_.string(), error.message());
      throw ProtocolError(ErrorCode::StoreError, {{"reason", "cannot create the key database directory"}});
    }
    // A key database is the user's alone, as certutil -N and Chromium make it.
    std::filesystem::permissions(directory_, std::filesystem::perms::owner_all, error);
  }

  // NOMODDB: only NSS's own software token, never the PKCS#11 modules listed in pkcs11.txt (a card module
  // registered there must not be loaded, or asked for its PIN, by a software-store command).
  const std::string configuration = "sql:" + directory_.string();
  context_ = NSS_InitContext(configuration.c_str(), "", "", SECMOD_DB, nullptr, NSS_INIT_NOMODDB | NSS_INIT_NOROOTINIT);
  if (context_ == nullptr) throwStoreError("opening the key database " + directory_.string());

  slot_.reset(PK11_GetInternalKeySlot());
  if (!slot_) {
    NSS_ShutdownContext(context_);
    throwStoreError("finding the key database's slot");
  }
  try {
    // A database NSS just created has no password yet; Chromium and certutil --empty-password give it an
    // empty one, so the browser keeps opening it without asking.
    if (PK11_NeedUserInit(slot()) && PK11_InitPin(slot(), "", "") != SECSuccess) {
      throwStoreError("setting up the new key database");
    }
    if (PK11_NeedLogin(slot()) && !PK11_IsLoggedIn(slot(), nullptr)) {
      if (password == nullptr) throw ProtocolError(ErrorCode::StorePasswordIncorrect, {{"passwordGiven", false}});
      if (PK11_CheckUserPassword(slot(), password->data()) != SECSuccess) {
        if (PORT_GetError() == SEC_ERROR_BAD_PASSWORD) {
          throw ProtocolError(ErrorCode::StorePasswordIncorrect, {{"passwordGiven", true}});
        }
        throwStoreError("logging in to the key database");
      }
    }
  } catch (...) {
    slot_.reset();
    NSS_ShutdownContext(context_);
    throw;
  }
}

NssStore::~NssStore() {
  slot_.reset();
  if (NSS_ShutdownContext(context_) != SECSuccess) {
    // Something still holds an NSS object: a leak to fix, harmless to the database (SQLite commits at once).
    spdlog::warn("software store: closing the key database: {}", lastNssErrorName());
  }
}

}  // namespace certbridge::host::software_store
