#pragma once
// The PC/SC seam: every PC/SC function the card library calls goes through one table, the pcsc-lite functions
// on Linux and macOS (pcsc_functions_pcsclite.cpp), WinSCard's on Windows (pcsc_functions_winscard.cpp). Unit
// tests install a table of their own (ScopedPcscFunctions) and drive readers, cards and the service without
// pcscd or a reader. Private to the card library.
//
// The types are the platform's own: DWORD and SCARDCONTEXT are 8 bytes with pcsc-lite on 64-bit Linux and 4
// (DWORD) with WinSCard. Entries are named after the PC/SC functions they stand for, so CERTBRIDGE_PCSC_CALL
// reports the function's name. On Windows the library calls the narrow (ANSI) functions whatever UNICODE says.

#if defined(_WIN32)
#include <windows.h>
#include <winscard.h>
#include <winsmcrd.h>
#define CERTBRIDGE_PCSC_API WINAPI
#else
#include <reader.h>
#include <winscard.h>
#define CERTBRIDGE_PCSC_API
#endif

#include <cstdint>

namespace certbridge::card::detail {

#if defined(_WIN32)
/// One reader's state in SCardGetStatusChange, with its name as a narrow string.
using PcscReaderState = SCARD_READERSTATEA;
/// PC/SC part 10: the IOCTL that lists a reader's features (WinSCard has no reader.h), and the pin-pad feature.
inline constexpr DWORD kGetFeatureRequest = SCARD_CTL_CODE(3400);
#else
using PcscReaderState = SCARD_READERSTATE;
inline constexpr DWORD kGetFeatureRequest = CM_IOCTL_GET_FEATURE_REQUEST;
#endif
inline constexpr std::uint8_t kFeatureVerifyPinDirect = 0x06;

/// The PC/SC functions the library uses, with the signatures both pcsc-lite and WinSCard (narrow) give them.
struct PcscFunctions {
  LONG(CERTBRIDGE_PCSC_API* SCardEstablishContext)
  (DWORD scope, LPCVOID reserved1, LPCVOID reserved2, LPSCARDCONTEXT context);
  LONG(CERTBRIDGE_PCSC_API* SCardReleaseContext)(SCARDCONTEXT context);
  LONG(CERTBRIDGE_PCSC_API* SCardListReaders)(SCARDCONTEXT context, LPCSTR groups, LPSTR readers, LPDWORD size);
  LONG(CERTBRIDGE_PCSC_API* SCardGetStatusChange)
  (SCARDCONTEXT context, DWORD timeoutMs, PcscReaderState* states, DWORD count);
  LONG(CERTBRIDGE_PCSC_API* SCardCancel)(SCARDCONTEXT context);
  LONG(CERTBRIDGE_PCSC_API* SCardConnect)
  (SCARDCONTEXT context, LPCSTR reader, DWORD shareMode, DWORD protocols, LPSCARDHANDLE card, LPDWORD activeProtocol);
  LONG(CERTBRIDGE_PCSC_API* SCardDisconnect)(SCARDHANDLE card, DWORD disposition);
  LONG(CERTBRIDGE_PCSC_API* SCardControl)
  (SCARDHANDLE card, DWORD controlCode, LPCVOID in, DWORD inSize, LPVOID out, DWORD outSize, LPDWORD returned);
};

/// The platform's PC/SC service: pcsc-lite or WinSCard.
const PcscFunctions& systemPcscFunctions() noexcept;

/// The table in use: the platform's, unless a test installed its own.
const PcscFunctions& pcscFunctions() noexcept;

/// Makes the library call functions instead of the platform's PC/SC service until destroyed (tests). Install it
/// before any PC/SC context or reader watch is made, and destroy it after they are gone. Not nestable.
class ScopedPcscFunctions {
 public:
  explicit ScopedPcscFunctions(const PcscFunctions& functions) noexcept;
  ~ScopedPcscFunctions();
  ScopedPcscFunctions(const ScopedPcscFunctions&) = delete;
  ScopedPcscFunctions& operator=(const ScopedPcscFunctions&) = delete;
};

}  // namespace certbridge::card::detail
