// A DLL without C_GetFunctionList: what a user gets when a card profile names the wrong file.

extern "C" __declspec(dllexport) int certbridgeNotAPkcs11Module() {
  return 0;
}
