// A shared library without C_GetFunctionList: what a user gets when a card profile names the wrong file.

extern "C" int certbridgeNotAPkcs11Module() {
  return 0;
}
