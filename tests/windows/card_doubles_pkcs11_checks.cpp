// The mock PKCS#11 module's phases: the fresh card, the PIN sequence to a lock and the SO unblock, key
// generation and signing (verified with OpenSSL by the runner), persistence across processes, card removal.

#include <algorithm>
#include <cstring>
#include <string_view>

#include "card_doubles_test.hpp"

namespace certbridge::test {

namespace {

constexpr const char* kUserPin = "123456";  // the fresh card's PINs (mock_card/README.md)
constexpr const char* kSoPin = "87654321";
constexpr const char* kWrongPin = "000000";

std::string text(const ck::Byte* bytes, std::size_t size) {
  std::string value(reinterpret_cast<const char*>(bytes), size);
  value.erase(value.find_last_not_of(' ') + 1);
  return value;
}

ck::Flags userPinFlags(const MockModule& m) {
  return m.tokenInfo().flags & (ck::kCkfUserPinCountLow | ck::kCkfUserPinFinalTry | ck::kCkfUserPinLocked);
}

ck::Flags soPinFlags(const MockModule& m) {
  return m.tokenInfo().flags & (ck::kCkfSoPinCountLow | ck::kCkfSoPinFinalTry | ck::kCkfSoPinLocked);
}

bool hasBool(const MockModule& m, ck::SessionHandle s, ck::ObjectHandle o, ck::AttributeType type, bool expected) {
  const auto value = m.attribute(s, o, type);
  return value.size() == 1 && value[0] == (expected ? 1 : 0);
}

ck::Attribute classIs(const ck::Ulong& objectClass) {
  return ck::attribute(ck::kCkaClass, objectClass);
}

const ck::Ulong kPrivateKeyClass = ck::kCkoPrivateKey;
const ck::Ulong kPublicKeyClass = ck::kCkoPublicKey;
const ck::Ulong kCertificateClass = ck::kCkoCertificate;
const ck::Ulong kX509 = ck::kCkcX509;

}  // namespace

void checkFreshCard(Harness& h) {
  MockModule m;
  if (!h.check(m.loaded(), "the mock module loads, gives its function list and initializes")) return;
  auto identify = functionAs<const char* (*)()>(GetProcAddress(m.library(), "CertBridgeTestDouble"));
  h.check(identify != nullptr && std::string_view(identify()).find("TEST DOUBLE") != std::string_view::npos,
          "the module says it is a test double");
  h.check(m.f().version.major == 2 && m.f().version.minor == 40, "the function list is PKCS#11 v2.40's");
  h.check(functionAs<InitializeFunction>(m.f().C_Initialize)(nullptr) == 0x191,
          "a second C_Initialize answers CKR_CRYPTOKI_ALREADY_INITIALIZED");

  ck::SlotId slots[4] = {};
  ck::Ulong count = 4;
  h.check(functionAs<GetSlotListFunction>(m.f().C_GetSlotList)(ck::kTrue, slots, &count) == ck::kCkrOk && count == 1 &&
              slots[0] == 0,
          "one slot with a token: slot 0");
  SlotInfo slot{};
  h.check(functionAs<GetSlotInfoFunction>(m.f().C_GetSlotInfo)(0, &slot) == ck::kCkrOk &&
              text(slot.slotDescription, sizeof slot.slotDescription) == "Mock Reader 0" && (slot.flags & 0x7) == 0x7,
          "the slot is named like its reader and holds a removable hardware token");

  ck::Rv rv = 0;
  const auto token = m.tokenInfo(&rv);
  h.check(rv == ck::kCkrOk, "C_GetTokenInfo succeeds");
  h.check(text(token.label, sizeof token.label) == "CertBridge Mock Card", "the token's label");
  h.check(text(token.serialNumber, sizeof token.serialNumber).rfind("MOCK", 0) == 0, "the token's serial number");
  h.check(text(token.manufacturerId, sizeof token.manufacturerId) == "CertBridge test double",
          "the token's manufacturer names it a test double");
  h.check(text(token.model, sizeof token.model) == "Mock PKCS#11", "the token's model");
  const ck::Flags wanted = 0x1 | ck::kCkfLoginRequired | ck::kCkfUserPinInitialized | ck::kCkfTokenInitialized;
  h.check((token.flags & wanted) == wanted, "token flags: RNG, login required, user PIN initialized, initialized");
  h.check(userPinFlags(m) == 0 && soPinFlags(m) == 0, "no PIN counter flag on a fresh card");
  h.check(token.minPinLen == 4 && token.maxPinLen == 16, "PIN lengths 4 to 16");

  MechanismInfo mechanism{};
  auto getMechanismInfo = functionAs<GetMechanismInfoFunction>(m.f().C_GetMechanismInfo);
  h.check(getMechanismInfo(0, ck::kCkmRsaPkcsKeyPairGen, &mechanism) == ck::kCkrOk && mechanism.minKeySize == 1024 &&
              mechanism.maxKeySize == 4096 && (mechanism.flags & 0x10000) != 0,
          "CKM_RSA_PKCS_KEY_PAIR_GEN: 1024 to 4096 bits, generates key pairs");
  h.check(getMechanismInfo(0, ck::kCkmRsaPkcs, &mechanism) == ck::kCkrOk && (mechanism.flags & 0x800) != 0,
          "CKM_RSA_PKCS signs");
  h.check(getMechanismInfo(0, ck::kCkmRsaX509, &mechanism) == 0x70, "CKM_RSA_X509 is not offered");
  h.check(m.f().C_GetTokenInfo(7, nullptr) == ck::kCkrSlotIdInvalid, "another slot id is CKR_SLOT_ID_INVALID");
  h.check(m.openSession(false) != 0, "a read-only session opens");
}

void checkPinSequence(Harness& h) {
  MockModule m;
  if (!h.check(m.loaded(), "the mock module loads")) return;
  const auto session = m.openSession(true);
  h.check(m.login(session, ck::kCkuUser, kWrongPin) == ck::kCkrPinIncorrect, "a wrong user PIN: CKR_PIN_INCORRECT");
  h.check(userPinFlags(m) == ck::kCkfUserPinCountLow, "after 1 wrong try: CKF_USER_PIN_COUNT_LOW");
  h.check(m.login(session, ck::kCkuUser, kUserPin) == ck::kCkrOk, "the right user PIN logs in");
  h.check(userPinFlags(m) == 0, "the right PIN resets the counter");
  h.check(m.login(session, ck::kCkuUser, kUserPin) == ck::kCkrUserAlreadyLoggedIn, "a second login: already in");
  h.check(m.f().C_Logout(session) == ck::kCkrOk, "C_Logout");
  h.check(m.f().C_Logout(session) == ck::kCkrUserNotLoggedIn, "a second C_Logout: CKR_USER_NOT_LOGGED_IN");

  h.check(m.login(session, ck::kCkuUser, kWrongPin) == ck::kCkrPinIncorrect, "wrong try 1");
  h.check(m.login(session, ck::kCkuUser, kWrongPin) == ck::kCkrPinIncorrect, "wrong try 2");
  h.check(userPinFlags(m) == ck::kCkfUserPinFinalTry, "after 2 wrong tries: CKF_USER_PIN_FINAL_TRY");
  h.check(m.login(session, ck::kCkuUser, kWrongPin) == ck::kCkrPinIncorrect, "wrong try 3: CKR_PIN_INCORRECT");
  h.check(userPinFlags(m) == ck::kCkfUserPinLocked, "after 3 wrong tries: CKF_USER_PIN_LOCKED");
  h.check(m.login(session, ck::kCkuUser, kUserPin) == ck::kCkrPinLocked, "then even the right PIN: CKR_PIN_LOCKED");
  const std::string newPin = "654321";
  h.check(m.f().C_SetPIN(session, reinterpret_cast<const ck::Byte*>(kUserPin), 6,
                         reinterpret_cast<const ck::Byte*>(newPin.data()), 6) == ck::kCkrPinLocked,
          "a locked PIN cannot be changed");

  const auto readOnly = m.openSession(false);
  h.check(m.login(session, ck::kCkuSo, kSoPin) == 0xB7, "SO login with a read-only session open: READ_ONLY_EXISTS");
  m.f().C_CloseSession(readOnly);
  h.check(m.login(session, ck::kCkuSo, kWrongPin) == ck::kCkrPinIncorrect, "a wrong SO PIN: CKR_PIN_INCORRECT");
  h.check(soPinFlags(m) == ck::kCkfSoPinCountLow, "after 1 wrong SO try: CKF_SO_PIN_COUNT_LOW");
  h.check(m.login(session, ck::kCkuSo, kSoPin) == ck::kCkrOk, "the SO logs in");
  h.check(m.login(session, ck::kCkuUser, kUserPin) == 0x104, "the user cannot log in over the SO");
  h.check(m.f().C_InitPIN(session, reinterpret_cast<const ck::Byte*>("123"), 3) == ck::kCkrPinLenRange,
          "C_InitPIN refuses a PIN shorter than 4");
  h.check(m.f().C_InitPIN(session, reinterpret_cast<const ck::Byte*>(newPin.data()), 6) == ck::kCkrOk,
          "C_InitPIN sets a new user PIN");
  h.check(userPinFlags(m) == 0 && soPinFlags(m) == 0, "the lock and the SO counter are cleared");
  m.f().C_Logout(session);
  h.check(m.login(session, ck::kCkuUser, kUserPin) == ck::kCkrPinIncorrect, "the old user PIN no longer works");
  h.check(m.login(session, ck::kCkuUser, newPin) == ck::kCkrOk, "the new user PIN does");
  h.check(m.f().C_SetPIN(session, reinterpret_cast<const ck::Byte*>(newPin.data()), 6,
                         reinterpret_cast<const ck::Byte*>("12"), 2) == ck::kCkrPinLenRange,
          "C_SetPIN refuses a new PIN shorter than 4");
  h.check(m.f().C_SetPIN(session, reinterpret_cast<const ck::Byte*>(kWrongPin), 6,
                         reinterpret_cast<const ck::Byte*>(kUserPin), 6) == ck::kCkrPinIncorrect &&
              userPinFlags(m) == ck::kCkfUserPinCountLow,
          "C_SetPIN with a wrong old PIN counts a wrong try");
  h.check(m.f().C_SetPIN(session, reinterpret_cast<const ck::Byte*>(newPin.data()), 6,
                         reinterpret_cast<const ck::Byte*>(kUserPin), 6) == ck::kCkrOk &&
              userPinFlags(m) == 0,
          "C_SetPIN changes the PIN back and resets the counter");
  const auto readOnlyAgain = m.openSession(false);
  h.check(m.f().C_SetPIN(readOnlyAgain, reinterpret_cast<const ck::Byte*>(kUserPin), 6,
                         reinterpret_cast<const ck::Byte*>(newPin.data()), 6) == 0xB5,
          "C_SetPIN in a read-only session: CKR_SESSION_READ_ONLY");
}

void checkKeysAndSigning(Harness& h, const std::filesystem::path& work) {
  MockModule m;
  if (!h.check(m.loaded(), "the mock module loads")) return;
  const auto session = m.openSession(true);
  const Bytes id(20, 0xA5);
  ck::ObjectHandle publicKey = 0;
  ck::ObjectHandle privateKey = 0;
  h.check(generateKeyPair(m, session, 2048, id, "Signing key", publicKey, privateKey) == ck::kCkrUserNotLoggedIn,
          "key generation needs the card holder's login");
  h.check(m.login(session, ck::kCkuUser, kUserPin) == ck::kCkrOk, "the user logs in");
  h.check(generateKeyPair(m, session, 512, id, "", publicKey, privateKey) == 0x62, "512 bits: CKR_KEY_SIZE_RANGE");
  h.check(generateKeyPair(m, session, 8192, id, "", publicKey, privateKey) == 0x62, "8192 bits: CKR_KEY_SIZE_RANGE");
  if (!h.check(generateKeyPair(m, session, 2048, id, "Signing key", publicKey, privateKey) == ck::kCkrOk,
               "a 2048-bit RSA key pair with the card library's template"))
    return;
  const auto modulus = m.attribute(session, privateKey, ck::kCkaModulus);
  h.check(modulus.size() == 256 && (modulus[0] & 0x80) != 0, "the modulus has 2048 bits");
  h.check(m.attribute(session, publicKey, ck::kCkaModulus) == modulus, "both halves show the same modulus");
  h.check(m.attribute(session, privateKey, ck::kCkaPublicExponent) == Bytes{1, 0, 1}, "the public exponent: 65537");
  h.check(m.attribute(session, privateKey, ck::kCkaId) == id, "the private key has the CKA_ID asked for");
  const auto label = m.attribute(session, publicKey, ck::kCkaLabel);
  h.check(std::string(label.begin(), label.end()) == "Signing key", "the public key has the CKA_LABEL asked for");
  h.check(hasBool(m, session, privateKey, ck::kCkaSensitive, true) &&
              hasBool(m, session, privateKey, ck::kCkaExtractable, false) &&
              hasBool(m, session, privateKey, ck::kCkaAlwaysSensitive, true) &&
              hasBool(m, session, privateKey, ck::kCkaNeverExtractable, true) &&
              hasBool(m, session, privateKey, ck::kCkaPrivate, true),
          "the private key is sensitive, never extractable and private, as the template says");
  ck::Rv rv = 0;
  const auto secret = m.attribute(session, privateKey, ck::kCkaPrivateExponent, &rv);
  h.check(rv == ck::kCkrAttributeSensitive && secret.empty(), "CKA_PRIVATE_EXPONENT: CKR_ATTRIBUTE_SENSITIVE");
  ck::Attribute mixed[2] = {{ck::kCkaId, nullptr, 0}, {ck::kCkaPrivateExponent, nullptr, 0}};
  h.check(m.f().C_GetAttributeValue(session, privateKey, mixed, 2) == ck::kCkrAttributeSensitive &&
              mixed[0].valueLength == 20 && mixed[1].valueLength == ck::kUnavailableInformation,
          "a length query answers the readable entries and marks the sensitive one unavailable");
  Bytes small(4);
  ck::Attribute tooSmall{ck::kCkaModulus, small.data(), 4};
  h.check(m.f().C_GetAttributeValue(session, privateKey, &tooSmall, 1) == ck::kCkrBufferTooSmall &&
              tooSmall.valueLength == ck::kUnavailableInformation,
          "a short buffer: CKR_BUFFER_TOO_SMALL");
  ck::Attribute unknown{0x7FFF, nullptr, 0};
  h.check(m.f().C_GetAttributeValue(session, privateKey, &unknown, 1) == ck::kCkrAttributeTypeInvalid,
          "an attribute the key lacks: CKR_ATTRIBUTE_TYPE_INVALID");

  const Bytes message{'C', 'e', 'r', 't', 'B', 'r', 'i', 'd', 'g', 'e', ' ', 'm', 'o', 'c', 'k'};
  const auto signature = m.sign(session, privateKey, sha256DigestInfo(message), &rv);
  h.check(rv == ck::kCkrOk && signature.size() == 256, "C_Sign with CKM_RSA_PKCS over a SHA-256 DigestInfo");
  ck::Mechanism raw{ck::kCkmRsaX509, nullptr, 0};
  h.check(m.f().C_SignInit(session, &raw, privateKey) == 0x70, "C_SignInit with CKM_RSA_X509: CKR_MECHANISM_INVALID");
  ck::Mechanism pkcs{ck::kCkmRsaPkcs, nullptr, 0};
  h.check(m.f().C_SignInit(session, &pkcs, publicKey) == 0x60, "signing with the public key: CKR_KEY_HANDLE_INVALID");
  const Bytes tooLong(250, 0x30);
  m.sign(session, privateKey, tooLong, &rv);
  h.check(rv == 0x21, "data longer than the modulus allows: CKR_DATA_LEN_RANGE");
  h.check(writeFile(work / L"modulus.bin", modulus) && writeFile(work / L"message.bin", message) &&
              writeFile(work / L"signature.bin", signature) && writeFile(work / L"key_id.bin", id),
          "modulus, message and signature written for OpenSSL");

  // A template asking for an extractable, non-sensitive key gets one: the double honours templates.
  const Bytes otherId(20, 0x5A);
  ck::ObjectHandle otherPublic = 0;
  ck::ObjectHandle otherPrivate = 0;
  h.check(generateKeyPair(m, session, 1024, otherId, "", otherPublic, otherPrivate, false) == ck::kCkrOk,
          "a 1024-bit key pair, extractable");
  m.attribute(session, otherPrivate, ck::kCkaPrivateExponent, &rv);
  h.check(rv == ck::kCkrOk && hasBool(m, session, otherPrivate, ck::kCkaNeverExtractable, false),
          "its private exponent is readable and it is not 'never extractable'");
  h.check(m.f().C_DestroyObject(session, otherPrivate) == ck::kCkrOk &&
              m.f().C_DestroyObject(session, otherPublic) == ck::kCkrOk,
          "C_DestroyObject removes both halves");
  h.check(m.find(session, {ck::attribute(ck::kCkaId, otherId)}).empty(), "and they are gone");
  h.check(generateKeyPair(m, session, 4096, otherId, "", otherPublic, otherPrivate) == ck::kCkrOk &&
              m.attribute(session, otherPrivate, ck::kCkaModulus).size() == 512,
          "a 4096-bit key pair, the largest the token offers");
  m.f().C_DestroyObject(session, otherPrivate);
  m.f().C_DestroyObject(session, otherPublic);

  const auto certificate = readFile(work / L"certificate.der");
  const std::string certificateLabel = "Signing certificate";
  std::vector<ck::Attribute> certificateTemplate{classIs(kCertificateClass),
                                                 ck::attribute(ck::kCkaCertificateType, kX509),
                                                 ck::attribute(ck::kCkaToken, ck::kTrue),
                                                 ck::attribute(ck::kCkaId, id),
                                                 ck::attribute(ck::kCkaLabel, certificateLabel),
                                                 ck::attribute(ck::kCkaValue, certificate)};
  ck::ObjectHandle stored = 0;
  h.check(!certificate.empty() &&
              m.f().C_CreateObject(session, certificateTemplate.data(),
                                   static_cast<ck::Ulong>(certificateTemplate.size()), &stored) == ck::kCkrOk,
          "C_CreateObject stores an X.509 certificate");
  const auto certificates =
      m.find(session, {classIs(kCertificateClass), ck::attribute(ck::kCkaCertificateType, kX509)});
  h.check(certificates.size() == 1 && m.attribute(session, certificates[0], ck::kCkaValue) == certificate,
          "the certificate is found by class and type, with its DER");
  std::vector<ck::Attribute> keyTemplate{classIs(kPrivateKeyClass), ck::attribute(ck::kCkaValue, certificate)};
  h.check(m.f().C_CreateObject(session, keyTemplate.data(), 2, &stored) != ck::kCkrOk,
          "C_CreateObject refuses anything but a certificate");
}

void checkPersistedCard(Harness& h, const std::filesystem::path& work) {
  MockModule m;
  if (!h.check(m.loaded(), "the mock module loads in a new process")) return;
  const auto id = readFile(work / L"key_id.bin");
  const auto session = m.openSession(true);
  h.check(m.find(session, {classIs(kPrivateKeyClass), ck::attribute(ck::kCkaId, id)}).empty(),
          "before login the private key is hidden");
  h.check(m.find(session, {classIs(kPublicKeyClass), ck::attribute(ck::kCkaId, id)}).size() == 1,
          "the public key is visible before login");
  h.check(m.login(session, ck::kCkuUser, kUserPin) == ck::kCkrOk, "the user logs in");
  const auto keys = m.find(session, {classIs(kPrivateKeyClass), ck::attribute(ck::kCkaId, id)});
  if (!h.check(keys.size() == 1, "the private key made by the previous process is on the card")) return;
  h.check(m.attribute(session, keys[0], ck::kCkaModulus) == readFile(work / L"modulus.bin"), "with its modulus");
  const Bytes message{'s', 'e', 'c', 'o', 'n', 'd'};
  ck::Rv rv = 0;
  const auto signature = m.sign(session, keys[0], sha256DigestInfo(message), &rv);
  h.check(
      rv == ck::kCkrOk && writeFile(work / L"message2.bin", message) && writeFile(work / L"signature2.bin", signature),
      "it signs again, in this process");
  const auto certificates = m.find(session, {classIs(kCertificateClass)});
  h.check(certificates.size() == 1 && m.attribute(session, certificates[0], ck::kCkaId) == id,
          "the certificate stored by the previous process is there, with the key's CKA_ID");
  if (!certificates.empty()) {
    h.check(m.f().C_DestroyObject(session, certificates[0]) == ck::kCkrOk, "the certificate is deleted");
    h.check(m.find(session, {classIs(kCertificateClass)}).empty(), "and gone");
  }
}

void checkCardRemoval(Harness& h) {
  MockModule m;
  if (!h.check(m.loaded(), "the mock module loads")) return;
  const auto session = m.openSession(true);
  h.check(m.login(session, ck::kCkuUser, kUserPin) == ck::kCkrOk, "the user logs in");
  h.check(editCard([](mock_card::CardState& card) { card.cardPresent = false; }), "the card is pulled");
  ck::Rv rv = 0;
  m.tokenInfo(&rv);
  h.check(rv == ck::kCkrTokenNotPresent, "C_GetTokenInfo: CKR_TOKEN_NOT_PRESENT");
  ck::SessionInfo info{};
  h.check(m.f().C_GetSessionInfo(session, &info) == ck::kCkrDeviceRemoved, "the open session: CKR_DEVICE_REMOVED");
  ck::SlotId slots[1] = {};
  ck::Ulong count = 1;
  auto getSlotList = functionAs<GetSlotListFunction>(m.f().C_GetSlotList);
  h.check(getSlotList(ck::kTrue, slots, &count) == ck::kCkrOk && count == 0, "no slot with a token");
  count = 1;
  h.check(getSlotList(ck::kFalse, slots, &count) == ck::kCkrOk && count == 1, "the slot itself stays");
  m.openSession(false, &rv);
  h.check(rv == ck::kCkrTokenNotPresent, "C_OpenSession: CKR_TOKEN_NOT_PRESENT");
  h.check(editCard([](mock_card::CardState& card) {
            card.cardPresent = true;
            ++card.insertion;
          }),
          "the card is inserted again");
  h.check(m.f().C_GetSessionInfo(session, &info) == ck::kCkrDeviceRemoved,
          "the session of the earlier insertion stays gone");
  const auto fresh = m.openSession(false, &rv);
  h.check(rv == ck::kCkrOk && m.f().C_GetSessionInfo(fresh, &info) == ck::kCkrOk && info.state == 0,
          "a new session opens, not logged in");
}

}  // namespace certbridge::test
