#pragma once
// The checks of the card test doubles (mock_card/README.md), run under wine by run_card_doubles_tests.sh.
// The mock PKCS#11 module is driven through the card library's own declarations (card/src/pkcs11_raw.hpp),
// so its layouts are checked against what the library will call; the mock winscard.dll through winscard.h,
// imported at load time as certbridge-host.exe imports it.

#include <windows.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "mock_card_state.hpp"
#include "pkcs11_raw.hpp"
#include "test_harness.hpp"

namespace certbridge::test {

namespace ck = card::detail::ck;
using Bytes = std::vector<std::uint8_t>;

/// The entries of the function list that the card library declares as unused (it gets them from libp11 on
/// Linux), with their PKCS#11 signatures, for the checks of the module's own functions.
using InitializeFunction = ck::Rv (*)(void* initArgs);
using FinalizeFunction = ck::Rv (*)(void* reserved);
using GetSlotListFunction = ck::Rv (*)(ck::Bool tokenPresent, ck::SlotId* slots, ck::Ulong* count);
using GetSlotInfoFunction = ck::Rv (*)(ck::SlotId slot, void* info);
using GetMechanismInfoFunction = ck::Rv (*)(ck::SlotId slot, ck::Ulong type, void* info);

/// A function pointer as the type it really has (GetProcAddress's FARPROC, the list's untyped entries); the
/// detour through void (*)() is the one GCC accepts for such casts.
template <typename Function, typename From>
Function functionAs(From pointer) {
  return reinterpret_cast<Function>(reinterpret_cast<void (*)()>(pointer));
}

/// CK_SLOT_INFO and CK_MECHANISM_INFO as a Windows module fills them (packed, 4-byte CK_ULONG).
#pragma pack(push, 1)
struct SlotInfo {
  ck::Byte slotDescription[64];
  ck::Byte manufacturerId[32];
  ck::Flags flags;
  ck::Version hardwareVersion;
  ck::Version firmwareVersion;
};
struct MechanismInfo {
  ck::Ulong minKeySize;
  ck::Ulong maxKeySize;
  ck::Flags flags;
};
#pragma pack(pop)

/// The mock module, loaded with LoadLibraryW from the program's folder and initialized; finalized and
/// unloaded on destruction.
class MockModule {
 public:
  MockModule();
  ~MockModule();
  MockModule(const MockModule&) = delete;
  MockModule& operator=(const MockModule&) = delete;

  bool loaded() const { return functions_ != nullptr; }
  const ck::FunctionList& f() const { return *functions_; }
  HMODULE library() const { return library_; }

  ck::TokenInfo tokenInfo(ck::Rv* rv = nullptr) const;
  ck::SessionHandle openSession(bool readWrite, ck::Rv* rv = nullptr) const;
  ck::Rv login(ck::SessionHandle session, ck::Ulong user, const std::string& pin) const;
  std::vector<ck::ObjectHandle> find(ck::SessionHandle session, std::vector<ck::Attribute> pattern) const;
  /// One attribute by the two-pass protocol; empty and rv set when the module refuses it.
  Bytes attribute(ck::SessionHandle session, ck::ObjectHandle object, ck::AttributeType type,
                  ck::Rv* rv = nullptr) const;
  /// A CKM_RSA_PKCS signature over a DigestInfo; empty and rv set on failure.
  Bytes sign(ck::SessionHandle session, ck::ObjectHandle key, const Bytes& digestInfo, ck::Rv* rv = nullptr) const;

 private:
  HMODULE library_ = nullptr;
  ck::FunctionList* functions_ = nullptr;
};

/// The folder of this program, where the doubles are.
std::filesystem::path programFolder();
/// Reads and writes whole files (the runner's inputs and the outputs it checks with OpenSSL).
Bytes readFile(const std::filesystem::path& path);
bool writeFile(const std::filesystem::path& path, const Bytes& bytes);
/// Changes the simulated card as a test would by hand (pulling it, for one), under the state file's lock.
bool editCard(const std::function<void(mock_card::CardState&)>& change);
/// The SHA-256 DigestInfo of data, as the host gives it to C_Sign.
Bytes sha256DigestInfo(const Bytes& data);
/// The card library's key generation template (card/src/token_keys.cpp), for `bits` and `id`.
ck::Rv generateKeyPair(const MockModule& module, ck::SessionHandle session, ck::Ulong bits, const Bytes& id,
                       const std::string& label, ck::ObjectHandle& publicKey, ck::ObjectHandle& privateKey,
                       bool sensitive = true);

// The phases, each a process of its own (card_doubles_pkcs11_checks.cpp, card_doubles_winscard_checks.cpp).
void checkFreshCard(Harness& h);
void checkPinSequence(Harness& h);
void checkKeysAndSigning(Harness& h, const std::filesystem::path& work);
void checkPersistedCard(Harness& h, const std::filesystem::path& work);
void checkCardRemoval(Harness& h);
void checkReaders(Harness& h);
/// Both doubles used from two threads at once, as the host's reader watch and worker use them.
void checkConcurrentUse(Harness& h);
/// The card pulled by the runner (mock_card/card_doubles.sh) between processes.
void checkPulledCard(Harness& h);

}  // namespace certbridge::test
