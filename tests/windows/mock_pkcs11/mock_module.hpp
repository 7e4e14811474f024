#pragma once
// TEST DOUBLE - never installed, never shipped. The mock PKCS#11 module's state in one process (sessions,
// the login, operations in progress) and the guard every call goes through: the module's mutex, then the
// card's state file, open and locked for the call (../mock_card/mock_card_state.hpp). What a real card keeps
// (PINs and their counters, objects) is in that file; what a real module keeps per process is here.

#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "cryptoki_abi.hpp"
#include "mock_card_state.hpp"

namespace certbridge::mock_pkcs11 {

/// The one slot: a reader named like a PC/SC reader, as middleware names its slots.
inline constexpr ck::SlotId kSlotId = 0;
inline constexpr const char* kSlotDescription = "Mock Reader 0";
inline constexpr ck::Ulong kMinPinLength = 4;
inline constexpr ck::Ulong kMaxPinLength = 16;
inline constexpr ck::Ulong kMinKeyBits = 1024;
inline constexpr ck::Ulong kMaxKeyBits = 4096;

struct Session {
  bool readWrite = false;
  /// The card insertion the session was opened on: once that card left, the session is gone with it.
  unsigned long insertion = 0;
  bool finding = false;
  std::vector<ck::ObjectHandle> found;
  std::size_t nextFound = 0;
  bool signing = false;
  ck::ObjectHandle signingKey = 0;
};

struct Module {
  std::mutex mutex;
  bool initialized = false;
  std::map<ck::SessionHandle, Session> sessions;
  ck::SessionHandle nextSession = 1;
  /// Who is logged in (PKCS#11 logs the application in, not a session), and on which card insertion.
  std::optional<ck::Ulong> loggedIn;
  unsigned long loginInsertion = 0;
};

Module& module();

/// One call of the module: holds the module's mutex for its duration, and the card's state file once
/// openCard() succeeded.
class Call {
 public:
  Call() : module_(mock_pkcs11::module()), lock_(module_.mutex) {}

  Module& module() { return module_; }
  mock_card::CardState& card() { return state_->card(); }

  /// CKR_OK, or why the call cannot go on: module not initialized, state file unusable.
  ck::Rv openCard();
  /// openCard(), then: the slot exists and holds a card.
  ck::Rv openToken(ck::SlotId slot);
  /// openCard(), then: the session exists and its card is still in the reader (else CKR_DEVICE_REMOVED).
  ck::Rv openSession(ck::SessionHandle handle, Session*& session);
  /// Writes the card back: CKR_OK or CKR_DEVICE_ERROR.
  ck::Rv save();

  bool tokenPresent() { return card().readerConnected && card().cardPresent; }
  /// The user type logged in to the card now in the reader, if any.
  std::optional<ck::Ulong> loggedIn();
  /// Whether this process may see the object now (private objects only after the user's login).
  bool visible(const mock_card::StoredObject& object);
  mock_card::StoredObject* findObject(ck::ObjectHandle handle);

 private:
  Module& module_;
  std::unique_lock<std::mutex> lock_;
  std::optional<mock_card::StateFile> state_;
};

/// The bytes of a template attribute; an empty value for a null pointer.
mock_card::Bytes valueOf(const ck::Attribute& attribute);
/// A CK_ULONG / CK_BBOOL attribute value as stored; nullopt when the stored bytes are not one.
std::optional<ck::Ulong> ulongValue(const mock_card::Bytes& bytes);
std::optional<bool> boolValue(const mock_card::Bytes& bytes);
mock_card::Bytes ulongBytes(ck::Ulong value);
mock_card::Bytes boolBytes(bool value);

/// Reads a caller's template into values: each type among `allowed`, booleans and CK_ULONGs of their size,
/// no type twice. CKR_OK or the PKCS#11 error for the first fault.
ck::Rv readTemplate(const ck::Attribute* attributes, ck::Ulong count, std::span<const ck::Ulong> allowed,
                    std::map<ck::Ulong, mock_card::Bytes>& values);
/// CKR_OK when the session may change the token's objects: read-write, with the card holder logged in.
ck::Rv requireWriter(Call& call, const Session& session);

/// Copies text into a blank-padded, unterminated PKCS#11 string field.
void padded(ck::Byte* field, std::size_t size, const std::string& text);

// The functions of the list (pkcs11_*_functions.cpp).
ck::Rv initialize(void* initArgs);
ck::Rv finalize(void* reserved);
ck::Rv getInfo(ck::Info* info);
ck::Rv getSlotList(ck::Bool tokenPresent, ck::SlotId* slots, ck::Ulong* count);
ck::Rv getSlotInfo(ck::SlotId slot, ck::SlotInfo* info);
ck::Rv getTokenInfo(ck::SlotId slot, ck::TokenInfo* info);
ck::Rv getMechanismList(ck::SlotId slot, ck::Ulong* mechanisms, ck::Ulong* count);
ck::Rv getMechanismInfo(ck::SlotId slot, ck::Ulong type, ck::MechanismInfo* info);
ck::Rv initPin(ck::SessionHandle session, ck::Byte* pin, ck::Ulong length);
ck::Rv setPin(ck::SessionHandle session, ck::Byte* oldPin, ck::Ulong oldLength, ck::Byte* newPin, ck::Ulong newLength);
ck::Rv openSession(ck::SlotId slot, ck::Flags flags, void* application, void* notify, ck::SessionHandle* session);
ck::Rv closeSession(ck::SessionHandle session);
ck::Rv closeAllSessions(ck::SlotId slot);
ck::Rv getSessionInfo(ck::SessionHandle session, ck::SessionInfo* info);
ck::Rv login(ck::SessionHandle session, ck::Ulong userType, ck::Byte* pin, ck::Ulong length);
ck::Rv logout(ck::SessionHandle session);
ck::Rv createObject(ck::SessionHandle session, ck::Attribute* attributes, ck::Ulong count, ck::ObjectHandle* object);
ck::Rv destroyObject(ck::SessionHandle session, ck::ObjectHandle object);
ck::Rv getAttributeValue(ck::SessionHandle session, ck::ObjectHandle object, ck::Attribute* attributes,
                         ck::Ulong count);
ck::Rv findObjectsInit(ck::SessionHandle session, ck::Attribute* attributes, ck::Ulong count);
ck::Rv findObjects(ck::SessionHandle session, ck::ObjectHandle* objects, ck::Ulong maxCount, ck::Ulong* count);
ck::Rv findObjectsFinal(ck::SessionHandle session);
ck::Rv signInit(ck::SessionHandle session, ck::Mechanism* mechanism, ck::ObjectHandle key);
ck::Rv sign(ck::SessionHandle session, ck::Byte* data, ck::Ulong length, ck::Byte* signature,
            ck::Ulong* signatureLength);
ck::Rv generateKeyPair(ck::SessionHandle session, ck::Mechanism* mechanism, ck::Attribute* publicTemplate,
                       ck::Ulong publicCount, ck::Attribute* privateTemplate, ck::Ulong privateCount,
                       ck::ObjectHandle* publicKey, ck::ObjectHandle* privateKey);

}  // namespace certbridge::mock_pkcs11
