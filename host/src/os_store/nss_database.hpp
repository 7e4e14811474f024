#pragma once
// One NSS database in sql: format (cert9.db, key4.db and the module list pkcs11.txt in one directory): what
// Chrome and Chromium keep in ~/.pki/nssdb and Firefox in each profile. Reads its module list, creates it,
// adds and deletes PKCS#11 modules (through modutil / certutil: nss_tool.hpp says why).

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace certbridge::host::os_store {

/// A module entry of an NSS module database.
struct NssModule {
  std::string name;     ///< The name NSS lists it under ("CertBridge: ...", "OpenSC smartcard framework").
  std::string library;  ///< The PKCS#11 library path; empty for NSS's internal module.
};

/// Parses the text of pkcs11.txt (entries of key=value lines, separated by blank lines) into its modules.
/// Entries without a name are skipped; unknown keys are ignored.
std::vector<NssModule> parseModuleList(std::string_view text);

/// Whether two library paths name the same module file: equal, or the same file once links are resolved
/// (a distribution's /usr/lib/x86_64-linux-gnu/... and a /usr/lib/... link to it).
bool sameLibrary(const std::string& a, const std::string& b);

class NssDatabase {
 public:
  explicit NssDatabase(std::filesystem::path directory) : directory_(std::move(directory)) {}

  const std::filesystem::path& directory() const noexcept { return directory_; }
  /// "sql:<directory>", the database argument of the NSS tools.
  std::string spec() const { return "sql:" + directory_.string(); }

  /// Whether an sql: database is there (cert9.db or key4.db; pkcs11.txt may still be missing).
  bool exists() const;
  /// Creates an empty database with an empty password (what Chrome and Firefox make on first start), and the
  /// directory when missing (mode 0700). Throws std::runtime_error with the tool's words on failure.
  void create() const;
  /// The outermost directory create() would make (the directory or an ancestor of it that is missing);
  /// empty when the directory exists.
  std::filesystem::path firstMissingDirectory() const;
  /// Deletes the files create() made, and the directories from the database's up to createdFrom (what
  /// firstMissingDirectory() said before create()) while they are empty.
  void removeCreated(const std::filesystem::path& createdFrom) const;

  /// The modules in the database (pkcs11.txt; none when it has no such file yet). Throws std::runtime_error
  /// when it cannot be read.
  std::vector<NssModule> modules() const;
  /// Adds library under name (modutil -add; modutil loads it to check it). Throws on failure.
  void addModule(const std::string& name, const std::string& library) const;
  /// Deletes the module called name (modutil -delete). Throws on failure.
  void deleteModule(const std::string& name) const;

 private:
  std::filesystem::path directory_;
};

}  // namespace certbridge::host::os_store
