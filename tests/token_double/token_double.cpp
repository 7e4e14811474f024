// TEST DOUBLE (tests only, never installed): a PKCS#11 module that forwards every call to a real module and
// changes only the behaviours a test asks for through the environment (README.md beside this file). The
// function list layout is the card library's own (card/src/pkcs11_raw.hpp), so no pkcs11.h is needed.

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>

#include "pkcs11_raw.hpp"

namespace {

namespace ck = certbridge::card::detail::ck;

constexpr ck::Flags kPinFlags = ck::kCkfUserPinCountLow | ck::kCkfUserPinFinalTry | ck::kCkfUserPinLocked |
                                ck::kCkfSoPinCountLow | ck::kCkfSoPinFinalTry | ck::kCkfSoPinLocked;

struct Behaviour {
  bool noPinFlags = false;
  int lockAfter = 0;  ///< 0: the real module counts (SoftHSM2 never locks).
  ck::Ulong rsaMin = 0;
  ck::Ulong rsaMax = 0;  ///< 0: the real module's sizes.
  bool initializeFails = false;
  std::optional<std::string> serial;
  std::string stateFile;
};

std::string environment(const char* name, const char* fallback = "") {
  const char* value = std::getenv(name);
  return value ? value : fallback;
}

Behaviour readBehaviour() {
  Behaviour behaviour;
  std::istringstream items(environment("CERTBRIDGE_TOKEN_DOUBLE"));
  std::string item;
  while (std::getline(items, item, ',')) {
    const auto equals = item.find('=');
    const std::string name = item.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : item.substr(equals + 1);
    if (name == "no-pin-flags") behaviour.noPinFlags = true;
    if (name == "lock-after") behaviour.lockAfter = std::atoi(value.c_str());
    if (name == "initialize-fails") behaviour.initializeFails = true;
    if (name == "serial") behaviour.serial = value;
    if (name == "rsa-sizes") {
      const auto dash = value.find('-');
      behaviour.rsaMin = std::strtoul(value.substr(0, dash).c_str(), nullptr, 10);
      behaviour.rsaMax =
          dash == std::string::npos ? behaviour.rsaMin : std::strtoul(value.c_str() + dash + 1, nullptr, 10);
    }
  }
  behaviour.stateFile = environment("CERTBRIDGE_TOKEN_DOUBLE_STATE");
  return behaviour;
}

// The list types unused entries as Rv (*)(); the real signatures are cast through void (*)(), which is how
// C and C++ allow a function pointer to be stored as another type and called as its own.
template <typename To, typename From>
To functionCast(From function) {
  return reinterpret_cast<To>(reinterpret_cast<void (*)()>(function));
}

std::mutex mutex;
Behaviour behaviour;
ck::FunctionList* real = nullptr;
ck::FunctionList ours{};

// The wrong-PIN count lives in a file: a browser starts a new host process for each operation.
int wrongPins() {
  std::ifstream in(behaviour.stateFile);
  int count = 0;
  in >> count;
  return count;
}

void setWrongPins(int count) {
  std::ofstream(behaviour.stateFile, std::ios::trunc) << count;
}

ck::Rv initialize(ck::InitializeArgs* arguments) {
  if (behaviour.initializeFails) return ck::kCkrGeneralError;
  return real->C_Initialize(arguments);
}

ck::Rv getTokenInfo(ck::SlotId slot, ck::TokenInfo* info) {
  const ck::Rv rv = real->C_GetTokenInfo(slot, info);
  if (rv != ck::kCkrOk || info == nullptr) return rv;
  if (behaviour.noPinFlags) info->flags &= ~kPinFlags;
  if (behaviour.serial) {
    std::memset(info->serialNumber, ' ', sizeof info->serialNumber);
    std::memcpy(info->serialNumber, behaviour.serial->data(),
                std::min(behaviour.serial->size(), sizeof info->serialNumber));
  }
  return rv;
}

ck::Rv login(ck::SessionHandle session, ck::Ulong userType, const ck::Byte* pin, ck::Ulong pinLength) {
  if (behaviour.lockAfter <= 0) return real->C_Login(session, userType, pin, pinLength);
  const std::lock_guard lock(mutex);
  int count = wrongPins();
  if (count >= behaviour.lockAfter) return ck::kCkrPinLocked;
  const ck::Rv rv = real->C_Login(session, userType, pin, pinLength);
  if (rv != ck::kCkrPinIncorrect) return rv;  // a correct PIN leaves the count as it is
  setWrongPins(++count);
  return count >= behaviour.lockAfter ? ck::kCkrPinLocked : rv;
}

ck::Rv getMechanismInfo(ck::SlotId slot, ck::Ulong type, ck::MechanismInfo* info) {
  const ck::Rv rv = real->C_GetMechanismInfo(slot, type, info);
  if (rv == ck::kCkrOk && info != nullptr && type == ck::kCkmRsaPkcsKeyPairGen && behaviour.rsaMax != 0) {
    info->minKeySize = behaviour.rsaMin;
    info->maxKeySize = behaviour.rsaMax;
  }
  return rv;
}

ck::Rv generateKeyPair(ck::SessionHandle session, ck::Mechanism* mechanism, ck::Attribute* publicTemplate,
                       ck::Ulong publicCount, ck::Attribute* privateTemplate, ck::Ulong privateCount,
                       ck::ObjectHandle* publicKey, ck::ObjectHandle* privateKey) {
  if (behaviour.rsaMax != 0 && mechanism != nullptr && mechanism->mechanism == ck::kCkmRsaPkcsKeyPairGen) {
    for (ck::Ulong i = 0; i < publicCount; ++i) {
      if (publicTemplate[i].type != ck::kCkaModulusBits || publicTemplate[i].valueLength != sizeof(ck::Ulong)) continue;
      const ck::Ulong bits = *static_cast<const ck::Ulong*>(publicTemplate[i].value);
      if (bits < behaviour.rsaMin || bits > behaviour.rsaMax) return ck::kCkrKeySizeRange;
    }
  }
  return real->C_GenerateKeyPair(session, mechanism, publicTemplate, publicCount, privateTemplate, privateCount,
                                 publicKey, privateKey);
}

ck::Rv getFunctionList(ck::FunctionList** list);

bool loadRealModule() {
  if (real != nullptr) return true;
  const std::string path = environment("CERTBRIDGE_TOKEN_DOUBLE_MODULE", "/usr/lib/softhsm/libsofthsm2.so");
  void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) return false;
  auto* get = reinterpret_cast<ck::GetFunctionList>(dlsym(library, "C_GetFunctionList"));
  if (get == nullptr || get(&real) != ck::kCkrOk || real == nullptr) return false;
  behaviour = readBehaviour();
  ours = *real;
  ours.C_Initialize = &initialize;
  ours.C_GetFunctionList = functionCast<ck::Unused>(&getFunctionList);
  ours.C_GetTokenInfo = &getTokenInfo;
  ours.C_Login = &login;
  ours.C_GetMechanismInfo = &getMechanismInfo;
  ours.C_GenerateKeyPair = &generateKeyPair;
  return true;
}

ck::Rv getFunctionList(ck::FunctionList** list) {
  if (list == nullptr) return 0x007;  // CKR_ARGUMENTS_BAD
  const std::lock_guard lock(mutex);
  if (!loadRealModule()) return ck::kCkrGeneralError;
  *list = &ours;
  return ck::kCkrOk;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) ck::Rv C_GetFunctionList(ck::FunctionList** list) {
  return getFunctionList(list);
}
