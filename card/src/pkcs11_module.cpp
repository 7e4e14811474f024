// A PKCS#11 module and the tokens in its slots: what every platform shares (one instance per module file, the
// "not installed" check, no re-enumeration under an open session, a token's fresh flags).

#include "certbridge/card/pkcs11_module.hpp"

#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>

#include "certbridge/card/error.hpp"
#include "dynamic_library.hpp"
#include "pkcs11_module_impl.hpp"
#include "pkcs11_raw.hpp"
#include "token_session_impl.hpp"

namespace certbridge::card {

namespace {

// A module initialized twice in one process shares its state, and the first C_Finalize pulls it from under
// the other user. So each module file is loaded once per process and shared while anyone holds it.
std::mutex loadedModulesMutex;
std::map<std::string, std::weak_ptr<Pkcs11Module>> loadedModules;

}  // namespace

std::vector<TokenInfo> Pkcs11Module::Impl::enumerate() {
  if (!sessionSlots.empty()) {
    throw CardError(ErrorKind::InvalidArgument,
                    "The tokens of PKCS#11 module " + path +
                        " cannot be listed again while a token session is open (libp11 would close it): "
                        "close the TokenSession first");
  }
  return listTokens();
}

std::shared_ptr<Pkcs11Module> Pkcs11Module::load(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) throw CardError(ErrorKind::InvalidArgument, "No PKCS#11 module path given");
  const fs::path file = detail::pathFromUtf8(path);
  std::error_code error;
  // Loaders report a missing file only as a generic load failure: check first to say what is wrong.
  if (!fs::is_regular_file(file, error)) {
    throw CardError(ErrorKind::ModuleUnavailable, "PKCS#11 module " + path +
                                                      " is not installed (no such file): install the card's middleware "
                                                      "or correct the module path in the card profile");
  }
  // Symlinks and relative paths to one file must still load it only once.
  auto key = detail::utf8FromPath(fs::canonical(file, error));
  if (error) key = path;

  const std::lock_guard lock(loadedModulesMutex);
  if (auto loaded = loadedModules[key].lock()) return loaded;

  auto impl = detail::loadModule(path, key);
  // make_shared cannot reach the private constructor.
  std::shared_ptr<Pkcs11Module> module(new Pkcs11Module(path, std::move(impl)));
  loadedModules[key] = module;
  return module;
}

Pkcs11Module::Pkcs11Module(std::string path, std::unique_ptr<Impl> impl)
    : path_(std::move(path)), impl_(std::move(impl)) {}

Pkcs11Module::~Pkcs11Module() = default;

std::optional<TokenInfo> Pkcs11Module::tokenInSlot(unsigned long slotId, const std::string& slotDescription) {
  namespace ck = detail::ck;
  ck::TokenInfo info{};
  const ck::Rv rv = CERTBRIDGE_CK_CALL(impl_->functions(), C_GetTokenInfo, (slotId, &info), ck::kCkrSlotIdInvalid,
                                       ck::kCkrTokenNotPresent, ck::kCkrDeviceRemoved);
  if (rv != ck::kCkrOk) return std::nullopt;
  return detail::toTokenInfo(info, slotId, slotDescription);
}

std::vector<TokenInfo> Pkcs11Module::tokens() {
  return impl_->enumerate();
}

}  // namespace certbridge::card
