// TEST DOUBLE - never installed, never shipped. Sessions, logins and PINs of the mock module. The PIN
// counters live in the card's state file, so a wrong PIN counts across processes as it does on a card; the
// PINs themselves are never stored, only salted SHA-256 verifiers.

#include <algorithm>

#include "mock_module.hpp"

namespace certbridge::mock_pkcs11 {

namespace {

bool pinMatches(const mock_card::CardState& card, const mock_card::StoredPin& stored, const ck::Byte* pin,
                ck::Ulong length) {
  const auto verifier = mock_card::pinVerifier(card.pinSalt, pin, length);
  if (verifier.size() != stored.verifier.size() || verifier.empty()) return false;
  unsigned difference = 0;  // every byte compared, whatever the first difference
  for (std::size_t i = 0; i < verifier.size(); ++i) difference |= verifier[i] ^ stored.verifier[i];
  return difference == 0;
}

bool pinLengthAllowed(ck::Ulong length) {
  return length >= kMinPinLength && length <= kMaxPinLength;
}

// A wrong PIN counts on the card before the caller hears of it, as on a card.
ck::Rv countWrongPin(Call& call, mock_card::StoredPin& stored) {
  ++stored.failures;
  if (const auto rv = call.save(); rv != ck::kOk) return rv;
  return ck::kPinIncorrect;
}

}  // namespace

ck::Rv openSession(ck::SlotId slot, ck::Flags flags, void* /*application*/, void* /*notify*/,
                   ck::SessionHandle* session) {
  Call call;
  if (const auto rv = call.openToken(slot); rv != ck::kOk) return rv;
  if ((flags & ck::kSerialSession) == 0) return ck::kSessionParallelNotSupported;
  if (session == nullptr) return ck::kArgumentsBad;
  const bool readWrite = (flags & ck::kRwSession) != 0;
  if (!readWrite && call.loggedIn() == ck::kSo) return ck::kSessionReadWriteSoExists;
  auto& m = call.module();
  // Sessions of a card that left are gone with it: a fresh session starts the count of this card's.
  std::erase_if(m.sessions, [&](const auto& entry) { return entry.second.insertion != call.card().insertion; });
  if (m.loginInsertion != call.card().insertion) m.loggedIn.reset();
  Session opened;
  opened.readWrite = readWrite;
  opened.insertion = call.card().insertion;
  *session = m.nextSession++;
  m.sessions.emplace(*session, std::move(opened));
  return ck::kOk;
}

ck::Rv closeSession(ck::SessionHandle session) {
  Call call;
  if (const auto rv = call.openCard(); rv != ck::kOk) return rv;
  auto& m = call.module();
  if (m.sessions.erase(session) == 0) return ck::kSessionHandleInvalid;
  if (m.sessions.empty()) m.loggedIn.reset();  // the last session's end logs the application out
  return ck::kOk;
}

ck::Rv closeAllSessions(ck::SlotId slot) {
  Call call;
  if (const auto rv = call.openCard(); rv != ck::kOk) return rv;
  if (slot != kSlotId) return ck::kSlotIdInvalid;
  call.module().sessions.clear();
  call.module().loggedIn.reset();
  return ck::kOk;
}

ck::Rv getSessionInfo(ck::SessionHandle session, ck::SessionInfo* info) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  if (info == nullptr) return ck::kArgumentsBad;
  const auto user = call.loggedIn();
  *info = {};
  info->slotId = kSlotId;
  info->flags = ck::kSerialSession | (open->readWrite ? ck::kRwSession : 0);
  if (user == ck::kSo) {
    info->state = ck::kRwSoFunctions;
  } else if (user == ck::kUser) {
    info->state = open->readWrite ? ck::kRwUserFunctions : ck::kRoUserFunctions;
  } else {
    info->state = open->readWrite ? ck::kRwPublicSession : ck::kRoPublicSession;
  }
  return ck::kOk;
}

ck::Rv login(ck::SessionHandle session, ck::Ulong userType, ck::Byte* pin, ck::Ulong length) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  if (userType != ck::kUser && userType != ck::kSo) return ck::kUserTypeInvalid;
  if (const auto current = call.loggedIn())
    return *current == userType ? ck::kUserAlreadyLoggedIn : ck::kUserAnotherAlreadyLoggedIn;
  auto& card = call.card();
  if (userType == ck::kSo) {
    const auto& sessions = call.module().sessions;
    if (std::any_of(sessions.begin(), sessions.end(), [](const auto& entry) { return !entry.second.readWrite; }))
      return ck::kSessionReadOnlyExists;
  }
  auto& stored = userType == ck::kUser ? card.userPin : card.soPin;
  if (stored.locked()) return ck::kPinLocked;
  if (pin == nullptr) {
    // A pin-pad card: the simulated card holder types the right PIN on the reader.
    if (!card.pinPad) return ck::kArgumentsBad;
  } else if (!pinMatches(card, stored, pin, length)) {
    return countWrongPin(call, stored);
  }
  stored.failures = 0;
  if (const auto rv = call.save(); rv != ck::kOk) return rv;
  call.module().loggedIn = userType;
  call.module().loginInsertion = card.insertion;
  return ck::kOk;
}

ck::Rv logout(ck::SessionHandle session) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  if (!call.loggedIn()) return ck::kUserNotLoggedIn;
  call.module().loggedIn.reset();
  return ck::kOk;
}

ck::Rv setPin(ck::SessionHandle session, ck::Byte* oldPin, ck::Ulong oldLength, ck::Byte* newPin, ck::Ulong newLength) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  if (!open->readWrite) return ck::kSessionReadOnly;
  // The simulated pin pad cannot make up a new PIN: a pin-pad change is not offered.
  if (oldPin == nullptr || newPin == nullptr) return ck::kArgumentsBad;
  auto& card = call.card();
  // The SO changes the SO PIN; anyone else the user PIN (PKCS#11 v2.40, C_SetPIN).
  auto& stored = call.loggedIn() == ck::kSo ? card.soPin : card.userPin;
  if (stored.locked()) return ck::kPinLocked;
  if (!pinLengthAllowed(newLength)) return ck::kPinLenRange;
  if (!pinMatches(card, stored, oldPin, oldLength)) return countWrongPin(call, stored);
  stored.verifier = mock_card::pinVerifier(card.pinSalt, newPin, newLength);
  stored.failures = 0;
  return call.save();
}

ck::Rv initPin(ck::SessionHandle session, ck::Byte* pin, ck::Ulong length) {
  Call call;
  Session* open = nullptr;
  if (const auto rv = call.openSession(session, open); rv != ck::kOk) return rv;
  if (call.loggedIn() != ck::kSo) return ck::kUserNotLoggedIn;
  if (!open->readWrite) return ck::kSessionReadOnly;
  if (pin == nullptr) return ck::kArgumentsBad;
  if (!pinLengthAllowed(length)) return ck::kPinLenRange;
  auto& card = call.card();
  card.userPin.verifier = mock_card::pinVerifier(card.pinSalt, pin, length);
  card.userPin.failures = 0;  // the unblock: a new PIN and a full count
  return call.save();
}

}  // namespace certbridge::mock_pkcs11
