// A PKCS#11 module loaded through libp11, and the tokens in its slots.

#include <dlfcn.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>

#include "certbridge/card/error.hpp"
#include "certbridge/card/pkcs11_module.hpp"
#include "pkcs11_call.hpp"
#include "pkcs11_module_impl.hpp"
#include "pkcs11_raw.hpp"
#include "token_session_impl.hpp"

namespace certbridge::card {

namespace {

// A module initialized twice in one process shares its state, and the first C_Finalize pulls it from under
// the other user. So each module file is loaded once per process and shared while anyone holds it.
std::mutex loadedModulesMutex;
std::map<std::string, std::weak_ptr<Pkcs11Module>> loadedModules;

std::string text(const char* value) {
  return value ? value : "";
}

}  // namespace

Pkcs11Module::Impl::~Impl() {
  if (slots) PKCS11_release_all_slots(ctx, slots, slotCount);
  if (library) dlclose(library);
  if (loaded) PKCS11_CTX_unload(ctx);
  if (ctx) PKCS11_CTX_free(ctx);
}

void Pkcs11Module::Impl::enumerate() {
  if (!sessionSlots.empty()) {
    throw CardError(ErrorKind::InvalidArgument,
                    "The tokens of PKCS#11 module " + path +
                        " cannot be listed again while a token session is open (libp11 would close it): "
                        "close the TokenSession first");
  }
  if (slots) {
    PKCS11_release_all_slots(ctx, slots, slotCount);
    slots = nullptr;
    slotCount = 0;
  }
  CERTBRIDGE_P11_CALL(PKCS11_enumerate_slots, (ctx, &slots, &slotCount));
}

const detail::ck::FunctionList& Pkcs11Module::Impl::functions() {
  if (functionList) return *functionList;
  // libp11 hides the function list it got from the module; asking the module again returns the same one.
  // RTLD_NOLOAD finds the copy libp11 loaded (glibc matches the file, whatever the path spelling).
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
  if (!handle) {
    throw CardError(ErrorKind::ModuleUnavailable,
                    "PKCS#11 module " + path + " was loaded by libp11 but dlopen cannot find it", "dlopen");
  }
  auto* getFunctionList = reinterpret_cast<detail::ck::GetFunctionList>(dlsym(handle, "C_GetFunctionList"));
  detail::ck::FunctionList* list = nullptr;
  if (!getFunctionList) {
    dlclose(handle);
    throw CardError(ErrorKind::ModuleUnavailable, "PKCS#11 module " + path + " has no C_GetFunctionList", "dlsym");
  }
  const detail::ck::Rv rv = getFunctionList(&list);
  if (rv != detail::ck::kCkrOk || !list) {
    dlclose(handle);
    throw CardError(ErrorKind::ModuleUnavailable, "PKCS#11 module " + path + " returned no function list",
                    "C_GetFunctionList", static_cast<long>(rv), detail::pkcs11ErrorName(rv));
  }
  library = handle;
  functionList = list;
  return *functionList;
}

PKCS11_SLOT* Pkcs11Module::Impl::slotById(unsigned long slotId) noexcept {
  for (unsigned int i = 0; i < slotCount; ++i)
    if (PKCS11_get_slotid_from_slot(&slots[i]) == slotId) return &slots[i];
  return nullptr;
}

TokenInfo detail::toTokenInfo(const PKCS11_SLOT& slot, unsigned long slotId) {
  const PKCS11_TOKEN& token = *slot.token;
  TokenInfo info;
  info.slotId = slotId;
  info.slotDescription = text(slot.description);
  info.label = text(token.label);
  info.serial = text(token.serialnr);
  info.manufacturer = text(token.manufacturer);
  info.model = text(token.model);
  info.initialized = token.initialized != 0;
  info.loginRequired = token.loginRequired != 0;
  info.protectedAuthPath = token.secureLogin != 0;
  info.readOnly = token.readOnly != 0;
  info.userPinInitialized = token.userPinSet != 0;
  info.userPinCountLow = token.userPinCountLow != 0;
  info.userPinFinalTry = token.userPinFinalTry != 0;
  info.userPinLocked = token.userPinLocked != 0;
  info.userPinToBeChanged = token.userPinToBeChanged != 0;
  info.soPinCountLow = token.soPinCountLow != 0;
  info.soPinFinalTry = token.soPinFinalTry != 0;
  info.soPinLocked = token.soPinLocked != 0;
  return info;
}

std::shared_ptr<Pkcs11Module> Pkcs11Module::load(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) throw CardError(ErrorKind::InvalidArgument, "No PKCS#11 module path given");
  std::error_code error;
  // libp11 reports a missing file only as a generic load failure: check first to say what is wrong.
  if (!fs::is_regular_file(path, error)) {
    throw CardError(ErrorKind::ModuleUnavailable, "PKCS#11 module " + path +
                                                      " is not installed (no such file): install the card's middleware "
                                                      "or correct the module path in the card profile");
  }
  // Symlinks and relative paths to one file must still load it only once.
  auto key = fs::canonical(path, error).string();
  if (error) key = path;

  const std::lock_guard lock(loadedModulesMutex);
  if (auto loaded = loadedModules[key].lock()) return loaded;

  auto impl = std::make_unique<Impl>();
  impl->path = key;
  impl->ctx = CERTBRIDGE_P11_CALL(PKCS11_CTX_new, ());
  try {
    CERTBRIDGE_P11_CALL(PKCS11_CTX_load, (impl->ctx, path.c_str()));
  } catch (const CardError& failure) {
    if (failure.nativeCode() != 0) {
      throw CardError(ErrorKind::ModuleFailed,
                      "PKCS#11 module " + path + " failed to initialize: check its configuration", failure.function(),
                      failure.nativeCode(), failure.nativeName());
    }
    throw CardError(ErrorKind::ModuleUnavailable,
                    "PKCS#11 module " + path +
                        " could not be loaded: it is not a PKCS#11 library for this "
                        "system, or a library it needs is missing",
                    failure.function());
  }
  impl->loaded = true;
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
  impl_->enumerate();
  std::vector<TokenInfo> tokens;
  for (unsigned int i = 0; i < impl_->slotCount; ++i) {
    PKCS11_SLOT& slot = impl_->slots[i];
    if (slot.token) tokens.push_back(detail::toTokenInfo(slot, PKCS11_get_slotid_from_slot(&slot)));
  }
  return tokens;
}

}  // namespace certbridge::card
