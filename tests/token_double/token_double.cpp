// TEST DOUBLE (tests only, never installed): a PKCS#11 module that forwards every call to a real module and
// changes only the behaviours a test asks for through the environment (README.md beside this file). The
// function list layout is the card library's own (card/src/pkcs11_raw.hpp), so no pkcs11.h is needed.

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "pkcs11_raw.hpp"

namespace {

namespace ck = certbridge::card::detail::ck;

constexpr ck::Flags kPinFlags = ck::kCkfUserPinCountLow | ck::kCkfUserPinFinalTry | ck::kCkfUserPinLocked |
                                ck::kCkfSoPinCountLow | ck::kCkfSoPinFinalTry | ck::kCkfSoPinLocked;

// Where a chosen call stops: before it reaches the real module, or after the real module has done it (the
// token changed, the caller not told yet).
struct Stop {
  std::string call;  ///< "C_SetPIN", "C_GenerateKeyPair" or "C_CreateObject"
  bool afterForward = false;
};

struct Behaviour {
  bool noPinFlags = false;
  int lockAfter = 0;  ///< 0: the real module counts (SoftHSM2 never locks).
  ck::Ulong rsaMin = 0;
  ck::Ulong rsaMax = 0;  ///< 0: the real module's sizes.
  bool initializeFails = false;
  std::optional<std::string> serial;
  std::string stateFile;
  std::optional<Stop> stop;
  std::string stoppedFile;  ///< written when the stop is reached
  std::string releaseFile;  ///< the stopped call goes on once it exists; empty: never (the test kills)
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
    if (name == "stop-before" || name == "stop-after") behaviour.stop = Stop{value, name == "stop-after"};
    if (name == "rsa-sizes") {
      const auto dash = value.find('-');
      behaviour.rsaMin = std::strtoul(value.substr(0, dash).c_str(), nullptr, 10);
      behaviour.rsaMax =
          dash == std::string::npos ? behaviour.rsaMin : std::strtoul(value.c_str() + dash + 1, nullptr, 10);
    }
  }
  behaviour.stateFile = environment("CERTBRIDGE_TOKEN_DOUBLE_STATE");
  behaviour.stoppedFile = environment("CERTBRIDGE_TOKEN_DOUBLE_STOPPED");
  behaviour.releaseFile = environment("CERTBRIDGE_TOKEN_DOUBLE_RELEASE");
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

bool stopped = false;  ///< the stop is taken once per process: the first time the chosen call is reached

// Holds the calling thread at the chosen stop: tells the test it is there (the stopped file appears whole,
// through a rename), then waits for the release file, or for ever: the test then kills the process there.
void holdIfChosen(const std::string& call, bool afterForward) {
  {
    const std::lock_guard lock(mutex);
    if (stopped || !behaviour.stop || behaviour.stop->call != call || behaviour.stop->afterForward != afterForward)
      return;
    stopped = true;
  }
  if (!behaviour.stoppedFile.empty()) {
    const std::string partial = behaviour.stoppedFile + ".partial";
    std::ofstream(partial, std::ios::trunc) << call << (afterForward ? " after-forward" : " before-forward") << "\n";
    std::rename(partial.c_str(), behaviour.stoppedFile.c_str());
  }
  while (behaviour.releaseFile.empty() || ::access(behaviour.releaseFile.c_str(), F_OK) != 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

// Forwards one call, with the stops on either side of it.
template <typename Forward>
ck::Rv forwardWithStops(const std::string& call, Forward forward) {
  holdIfChosen(call, false);
  const ck::Rv rv = forward();
  holdIfChosen(call, true);
  return rv;
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
  return forwardWithStops("C_GenerateKeyPair", [&] {
    return real->C_GenerateKeyPair(session, mechanism, publicTemplate, publicCount, privateTemplate, privateCount,
                                   publicKey, privateKey);
  });
}

ck::Rv setPin(ck::SessionHandle session, const ck::Byte* oldPin, ck::Ulong oldLength, const ck::Byte* newPin,
              ck::Ulong newLength) {
  return forwardWithStops("C_SetPIN", [&] { return real->C_SetPIN(session, oldPin, oldLength, newPin, newLength); });
}

ck::Rv createObject(ck::SessionHandle session, ck::Attribute* attributes, ck::Ulong count, ck::ObjectHandle* object) {
  return forwardWithStops("C_CreateObject", [&] { return real->C_CreateObject(session, attributes, count, object); });
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
  ours.C_SetPIN = &setPin;
  ours.C_CreateObject = &createObject;
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
