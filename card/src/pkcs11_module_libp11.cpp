// Pkcs11Module on Linux and macOS: a PKCS#11 module loaded through libp11, and the tokens in its slots.

#include "pkcs11_module_libp11.hpp"

#include <dlfcn.h>

#include "certbridge/card/error.hpp"
#include "libp11_call.hpp"
#include "pkcs11_call.hpp"
#include "pkcs11_raw.hpp"

namespace certbridge::card {

namespace {

std::string text(const char* value) {
  return value ? value : "";
}

}  // namespace

Pkcs11Module::Impl::Platform::~Platform() {
  if (slots) PKCS11_release_all_slots(ctx, slots, slotCount);
  library.reset();
  if (loaded) PKCS11_CTX_unload(ctx);
  if (ctx) PKCS11_CTX_free(ctx);
}

Pkcs11Module::Impl::Impl(std::string modulePath)
    : path(std::move(modulePath)), platform(std::make_unique<Platform>()) {}

Pkcs11Module::Impl::~Impl() = default;

// Drops the slot list and enumerates the slots again. This invalidates every PKCS11_SLOT, PKCS11_TOKEN,
// PKCS11_KEY and PKCS11_CERT pointer taken from the old list, and makes libp11 close the process's sessions on
// each slot (hence enumerate()'s check). Not PKCS11_update_slots: libp11 0.4.12 crashes in it on modules with
// two or more slots.
std::vector<TokenInfo> Pkcs11Module::Impl::listTokens() {
  Platform& p = *platform;
  if (p.slots) {
    PKCS11_release_all_slots(p.ctx, p.slots, p.slotCount);
    p.slots = nullptr;
    p.slotCount = 0;
  }
  CERTBRIDGE_P11_CALL(PKCS11_enumerate_slots, (p.ctx, &p.slots, &p.slotCount));
  std::vector<TokenInfo> tokens;
  for (unsigned int i = 0; i < p.slotCount; ++i) {
    PKCS11_SLOT& slot = p.slots[i];
    if (slot.token) tokens.push_back(detail::toTokenInfo(slot, PKCS11_get_slotid_from_slot(&slot)));
  }
  return tokens;
}

const detail::ck::FunctionList& Pkcs11Module::Impl::functions() {
  Platform& p = *platform;
  if (p.functionList) return *p.functionList;
  // libp11 hides the function list it got from the module; asking the module again returns the same one.
  auto library = std::make_unique<detail::DynamicLibrary>(path, detail::DynamicLibrary::Mode::AlreadyLoaded);
  if (!library->loaded()) {
    throw CardError(ErrorKind::ModuleUnavailable,
                    "PKCS#11 module " + path + " was loaded by libp11 but dlopen cannot find it", "dlopen");
  }
  auto* getFunctionList = reinterpret_cast<detail::ck::GetFunctionList>(library->symbol("C_GetFunctionList"));
  detail::ck::FunctionList* list = nullptr;
  if (!getFunctionList)
    throw CardError(ErrorKind::ModuleUnavailable, "PKCS#11 module " + path + " has no C_GetFunctionList", "dlsym");
  const detail::ck::Rv rv = getFunctionList(&list);
  if (rv != detail::ck::kCkrOk || !list) {
    throw CardError(ErrorKind::ModuleUnavailable, "PKCS#11 module " + path + " returned no function list",
                    "C_GetFunctionList", static_cast<long>(rv), detail::pkcs11ErrorName(rv));
  }
  p.library = std::move(library);
  p.functionList = list;
  return *p.functionList;
}

bool Pkcs11Module::Impl::hasSlot(unsigned long slotId) const noexcept {
  const Platform& p = *platform;
  for (unsigned int i = 0; i < p.slotCount; ++i)
    if (PKCS11_get_slotid_from_slot(&p.slots[i]) == slotId) return true;
  return false;
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

std::unique_ptr<Pkcs11Module::Impl> detail::loadModule(const std::string& path, const std::string& key) {
#if defined(CERTBRIDGE_SANITIZED_BUILD)
  // LeakSanitizer reports at exit, after libp11 has unloaded the module: its leaks would come from an
  // "<unknown module>" that no suppression can name. Kept loaded, they carry its name
  // (tests/sanitizers/lsan.supp). Sanitizer builds only; the handle is never closed on purpose.
  (void)dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
#endif
  auto impl = std::make_unique<Pkcs11Module::Impl>(key);
  auto& p = *impl->platform;
  p.ctx = CERTBRIDGE_P11_CALL(PKCS11_CTX_new, ());
  try {
    CERTBRIDGE_P11_CALL(PKCS11_CTX_load, (p.ctx, path.c_str()));
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
  p.loaded = true;
  return impl;
}

}  // namespace certbridge::card
