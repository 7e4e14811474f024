// A DLL that answers C_GetFunctionList with a function list whose C_Initialize refuses (CKR_GENERAL_ERROR): what
// a user gets from middleware that is installed but broken or misconfigured. Nothing else of PKCS#11 is in it; it
// is no PKCS#11 module, only that one failure.

#include "pkcs11_raw.hpp"

namespace {

namespace ck = certbridge::card::detail::ck;

constexpr ck::Rv kCkrGeneralError = 0x005;

ck::Rv refuseToInitialize(ck::InitializeArgs* /*args*/) {
  return kCkrGeneralError;
}

ck::FunctionList refusingList() {
  ck::FunctionList list{};
  list.version = {2, 40};
  list.C_Initialize = refuseToInitialize;
  return list;
}

ck::FunctionList functionList = refusingList();

}  // namespace

extern "C" __declspec(dllexport) ck::Rv C_GetFunctionList(ck::FunctionList** list) {
  *list = &functionList;
  return 0;
}
