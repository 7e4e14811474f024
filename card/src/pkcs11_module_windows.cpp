// Pkcs11Module on Windows: the module DLL loaded with LoadLibraryW, initialized and its slots listed through
// its own function list (C_Initialize, C_GetSlotList, C_GetSlotInfo, C_GetTokenInfo), as libp11 does on Linux.
// There is no libp11 (nor OpenSSL) for the Windows host.

#include <algorithm>
#include <vector>

#include "certbridge/card/error.hpp"
#include "dynamic_library.hpp"
#include "pkcs11_call.hpp"
#include "pkcs11_module_impl.hpp"
#include "pkcs11_raw.hpp"
#include "token_session_impl.hpp"

namespace certbridge::card {

namespace ck = detail::ck;

// The layouts of the OASIS headers on Windows (CK_ULONG is 4 bytes, structures packed to 1), which every
// module DLL is built with: a mismatch would pass garbage to the module, so it stops the build instead.
static_assert(sizeof(ck::Ulong) == 4);
static_assert(sizeof(ck::TokenInfo) == 160);
static_assert(sizeof(ck::SlotInfo) == 104);
static_assert(sizeof(ck::Attribute) == 16);
static_assert(sizeof(ck::Mechanism) == 16);
static_assert(sizeof(ck::InitializeArgs) == 44);
static_assert(sizeof(ck::FunctionList) == 2 + 68 * sizeof(void*));

namespace {

// Slots listed between two calls can appear; a few retries make that race invisible.
constexpr int kSlotListAttempts = 3;

// PKCS#11 pads slot descriptions with blanks and does not terminate them.
std::string paddedText(const ck::Byte* bytes, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(bytes), size);
  const auto end = text.find_last_not_of(std::string(" \0", 2));
  text.erase(end == std::string::npos ? 0 : end + 1);
  return text;
}

std::vector<ck::SlotId> slotList(const ck::FunctionList& f) {
  for (int attempt = 1;; ++attempt) {
    ck::Ulong count = 0;
    CERTBRIDGE_CK_CALL(f, C_GetSlotList, (ck::kFalse, nullptr, &count));
    std::vector<ck::SlotId> slots(count);
    if (count == 0) return slots;
    const ck::Rv rv = CERTBRIDGE_CK_CALL(f, C_GetSlotList, (ck::kFalse, slots.data(), &count), ck::kCkrBufferTooSmall);
    if (rv == ck::kCkrOk) {
      slots.resize(std::min<std::size_t>(count, slots.size()));
      return slots;
    }
    if (attempt == kSlotListAttempts) ck::throwCkr("C_GetSlotList", rv, std::source_location::current());
  }
}

}  // namespace

/// The module DLL, its function list, and the slots of the last listing.
struct Pkcs11Module::Impl::Platform {
  explicit Platform(const std::string& path) : library(path, detail::DynamicLibrary::Mode::Load) {}
  ~Platform() {
    if (initialized) functionList->C_Finalize(nullptr);
  }
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  detail::DynamicLibrary library;
  ck::FunctionList* functionList = nullptr;
  bool initialized = false;  ///< C_Initialize succeeded: C_Finalize before the DLL is unloaded.
  std::vector<ck::SlotId> slots;
};

Pkcs11Module::Impl::Impl(std::string modulePath) : path(std::move(modulePath)) {}

Pkcs11Module::Impl::~Impl() = default;

std::vector<TokenInfo> Pkcs11Module::Impl::listTokens() {
  Platform& p = *platform;
  const ck::FunctionList& f = *p.functionList;
  p.slots = slotList(f);
  std::vector<TokenInfo> tokens;
  for (const ck::SlotId slot : p.slots) {
    ck::SlotInfo slotInfo{};
    // A slot that left between listing and asking (a reader unplugged) holds no token.
    if (CERTBRIDGE_CK_CALL(f, C_GetSlotInfo, (slot, &slotInfo), ck::kCkrSlotIdInvalid, ck::kCkrDeviceRemoved) !=
        ck::kCkrOk)
      continue;
    if ((slotInfo.flags & ck::kCkfTokenPresent) == 0) continue;
    ck::TokenInfo tokenInfo{};
    // As libp11: a token that is not there after all, or that the module cannot read, is no token.
    if (CERTBRIDGE_CK_CALL(f, C_GetTokenInfo, (slot, &tokenInfo), ck::kCkrTokenNotPresent, ck::kCkrTokenNotRecognized,
                           ck::kCkrSlotIdInvalid, ck::kCkrDeviceRemoved) != ck::kCkrOk)
      continue;
    tokens.push_back(
        detail::toTokenInfo(tokenInfo, slot, paddedText(slotInfo.slotDescription, sizeof slotInfo.slotDescription)));
  }
  return tokens;
}

const ck::FunctionList& Pkcs11Module::Impl::functions() {
  return *platform->functionList;  // reached when the module was loaded (detail::loadModule)
}

bool Pkcs11Module::Impl::hasSlot(unsigned long slotId) const noexcept {
  const auto& slots = platform->slots;
  return std::find(slots.begin(), slots.end(), slotId) != slots.end();
}

std::unique_ptr<Pkcs11Module::Impl> detail::loadModule(const std::string& path, const std::string& key) {
  const auto notLoadable = [&](const std::string& why, const char* function) {
    return CardError(ErrorKind::ModuleUnavailable,
                     "PKCS#11 module " + path +
                         " could not be loaded: it is not a PKCS#11 library for this system, or a library it needs "
                         "is missing (" +
                         why + ")",
                     function);
  };
  const auto notInitialized = [&](const char* function, ck::Rv rv) {
    return CardError(ErrorKind::ModuleFailed,
                     "PKCS#11 module " + path + " failed to initialize: check its configuration", function,
                     static_cast<long>(rv), pkcs11ErrorName(rv));
  };
  auto impl = std::make_unique<Pkcs11Module::Impl>(key);
  impl->platform = std::make_unique<Pkcs11Module::Impl::Platform>(path);
  auto& p = *impl->platform;
  if (!p.library.loaded()) throw notLoadable(p.library.error(), "LoadLibraryW");
  auto* getFunctionList = reinterpret_cast<ck::GetFunctionList>(p.library.symbol("C_GetFunctionList"));
  if (!getFunctionList) throw notLoadable("it exports no C_GetFunctionList", "GetProcAddress");
  ck::FunctionList* list = nullptr;
  const ck::Rv listed = getFunctionList(&list);
  if (listed != ck::kCkrOk) throw notInitialized("C_GetFunctionList", listed);
  if (!list || !list->C_Initialize) throw notLoadable("C_GetFunctionList gave no function list", "C_GetFunctionList");
  p.functionList = list;
  // The operating system's locking, as libp11 asks for on Linux, so both platforms run a module alike.
  ck::InitializeArgs args{nullptr, nullptr, nullptr, nullptr, ck::kCkfOsLockingOk, nullptr};
  const ck::Rv initialized = list->C_Initialize(&args);
  // Another part of the process initialized the module first: it is ready, and that part finalizes it.
  if (initialized != ck::kCkrOk && initialized != ck::kCkrCryptokiAlreadyInitialized)
    throw notInitialized("C_Initialize", initialized);
  p.initialized = initialized == ck::kCkrOk;
  return impl;
}

}  // namespace certbridge::card
