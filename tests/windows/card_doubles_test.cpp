// The card test doubles' program: loads the mock PKCS#11 module, drives it through the card library's raw
// declarations, and runs one phase per process (run_card_doubles_tests.sh runs them in order):
//   card_doubles_test.exe fresh|pins|keys|persisted|removal|pulled|readers|concurrent WORK_FOLDER

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string_view>

#include "card_doubles_test.hpp"

namespace certbridge::test {

MockModule::MockModule() {
  library_ = LoadLibraryW((programFolder() / L"certbridge-mock-pkcs11.dll").c_str());
  if (library_ == nullptr) return;
  auto getFunctionList = functionAs<ck::GetFunctionList>(GetProcAddress(library_, "C_GetFunctionList"));
  ck::FunctionList* list = nullptr;
  if (getFunctionList == nullptr || getFunctionList(&list) != ck::kCkrOk || list == nullptr) return;
  if (functionAs<InitializeFunction>(list->C_Initialize)(nullptr) != ck::kCkrOk) return;
  functions_ = list;
}

MockModule::~MockModule() {
  if (functions_ != nullptr) functionAs<FinalizeFunction>(functions_->C_Finalize)(nullptr);
  if (library_ != nullptr) FreeLibrary(library_);
}

ck::TokenInfo MockModule::tokenInfo(ck::Rv* rv) const {
  ck::TokenInfo info{};
  const ck::Rv result = f().C_GetTokenInfo(0, &info);
  if (rv != nullptr) *rv = result;
  return info;
}

ck::SessionHandle MockModule::openSession(bool readWrite, ck::Rv* rv) const {
  ck::SessionHandle session = 0;
  const ck::Flags flags = ck::kCkfSerialSession | (readWrite ? ck::kCkfRwSession : 0);
  const ck::Rv result = f().C_OpenSession(0, flags, nullptr, nullptr, &session);
  if (rv != nullptr) *rv = result;
  return session;
}

ck::Rv MockModule::login(ck::SessionHandle session, ck::Ulong user, const std::string& pin) const {
  return f().C_Login(session, user, reinterpret_cast<const ck::Byte*>(pin.data()), static_cast<ck::Ulong>(pin.size()));
}

std::vector<ck::ObjectHandle> MockModule::find(ck::SessionHandle session, std::vector<ck::Attribute> pattern) const {
  std::vector<ck::ObjectHandle> found;
  if (f().C_FindObjectsInit(session, pattern.data(), static_cast<ck::Ulong>(pattern.size())) != ck::kCkrOk)
    return found;
  for (;;) {
    ck::ObjectHandle batch[2];  // small batches, so that continuing a search is exercised too
    ck::Ulong count = 0;
    if (f().C_FindObjects(session, batch, 2, &count) != ck::kCkrOk || count == 0) break;
    found.insert(found.end(), batch, batch + count);
  }
  f().C_FindObjectsFinal(session);
  return found;
}

Bytes MockModule::attribute(ck::SessionHandle session, ck::ObjectHandle object, ck::AttributeType type,
                            ck::Rv* rv) const {
  ck::Attribute query{type, nullptr, 0};
  ck::Rv result = f().C_GetAttributeValue(session, object, &query, 1);
  Bytes value;
  if (result == ck::kCkrOk) {
    value.resize(query.valueLength);
    ck::Attribute read{type, value.data(), static_cast<ck::Ulong>(value.size())};
    result = f().C_GetAttributeValue(session, object, &read, 1);
    value.resize(result == ck::kCkrOk ? read.valueLength : 0);
  }
  if (rv != nullptr) *rv = result;
  return value;
}

Bytes MockModule::sign(ck::SessionHandle session, ck::ObjectHandle key, const Bytes& digestInfo, ck::Rv* rv) const {
  ck::Mechanism mechanism{ck::kCkmRsaPkcs, nullptr, 0};
  ck::Rv result = f().C_SignInit(session, &mechanism, key);
  Bytes signature;
  if (result == ck::kCkrOk) {
    ck::Ulong length = 0;
    result = f().C_Sign(session, digestInfo.data(), static_cast<ck::Ulong>(digestInfo.size()), nullptr, &length);
    if (result == ck::kCkrOk) {
      signature.resize(length);
      result =
          f().C_Sign(session, digestInfo.data(), static_cast<ck::Ulong>(digestInfo.size()), signature.data(), &length);
      signature.resize(result == ck::kCkrOk ? length : 0);
    }
  }
  if (rv != nullptr) *rv = result;
  return signature;
}

std::filesystem::path programFolder() {
  std::wstring path(MAX_PATH, L'\0');
  const DWORD length = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
  path.resize(length);
  return std::filesystem::path(path).parent_path();
}

Bytes readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool writeFile(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

bool editCard(const std::function<void(mock_card::CardState&)>& change) {
  mock_card::StateFile file;
  if (!file.ok()) return false;
  change(file.card());
  return file.save();
}

Bytes sha256DigestInfo(const Bytes& data) {
  Bytes digestInfo{0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                   0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
  const Bytes hash = mock_card::sha256(data.data(), data.size(), nullptr, 0);
  digestInfo.insert(digestInfo.end(), hash.begin(), hash.end());
  return digestInfo;
}

ck::Rv generateKeyPair(const MockModule& module, ck::SessionHandle session, ck::Ulong bits, const Bytes& id,
                       const std::string& label, ck::ObjectHandle& publicKey, ck::ObjectHandle& privateKey,
                       bool sensitive) {
  const Bytes publicExponent{0x01, 0x00, 0x01};
  const ck::Bool isSensitive = sensitive ? ck::kTrue : ck::kFalse;
  const ck::Bool isExtractable = sensitive ? ck::kFalse : ck::kTrue;
  std::vector<ck::Attribute> publicTemplate{ck::attribute(ck::kCkaToken, ck::kTrue),
                                            ck::attribute(ck::kCkaPrivate, ck::kFalse),
                                            ck::attribute(ck::kCkaVerify, ck::kTrue),
                                            ck::attribute(ck::kCkaEncrypt, ck::kTrue),
                                            ck::attribute(ck::kCkaWrap, ck::kTrue),
                                            ck::attribute(ck::kCkaModulusBits, bits),
                                            ck::attribute(ck::kCkaPublicExponent, publicExponent),
                                            ck::attribute(ck::kCkaId, id),
                                            ck::attribute(ck::kCkaLabel, label)};
  std::vector<ck::Attribute> privateTemplate{ck::attribute(ck::kCkaToken, ck::kTrue),
                                             ck::attribute(ck::kCkaPrivate, ck::kTrue),
                                             ck::attribute(ck::kCkaSensitive, isSensitive),
                                             ck::attribute(ck::kCkaExtractable, isExtractable),
                                             ck::attribute(ck::kCkaSign, ck::kTrue),
                                             ck::attribute(ck::kCkaDecrypt, ck::kTrue),
                                             ck::attribute(ck::kCkaUnwrap, ck::kTrue),
                                             ck::attribute(ck::kCkaId, id),
                                             ck::attribute(ck::kCkaLabel, label)};
  ck::Mechanism mechanism{ck::kCkmRsaPkcsKeyPairGen, nullptr, 0};
  return module.f().C_GenerateKeyPair(session, &mechanism, publicTemplate.data(),
                                      static_cast<ck::Ulong>(publicTemplate.size()), privateTemplate.data(),
                                      static_cast<ck::Ulong>(privateTemplate.size()), &publicKey, &privateKey);
}

}  // namespace certbridge::test

int wmain(int argc, wchar_t** argv) {
  using namespace certbridge::test;
  if (argc != 3) {
    std::fprintf(stderr,
                 "usage: card_doubles_test fresh|pins|keys|persisted|removal|pulled|readers|concurrent WORK_FOLDER\n");
    return 2;
  }
  const std::wstring_view phase = argv[1];
  const std::filesystem::path work = argv[2];
  Harness h;
  if (phase == L"fresh") {
    checkFreshCard(h);
  } else if (phase == L"pins") {
    checkPinSequence(h);
  } else if (phase == L"keys") {
    checkKeysAndSigning(h, work);
  } else if (phase == L"persisted") {
    checkPersistedCard(h, work);
  } else if (phase == L"removal") {
    checkCardRemoval(h);
  } else if (phase == L"pulled") {
    checkPulledCard(h);
  } else if (phase == L"readers") {
    checkReaders(h);
  } else if (phase == L"concurrent") {
    checkConcurrentUse(h);
  } else {
    std::fprintf(stderr, "unknown phase\n");
    return 2;
  }
  return h.finish();
}
