#pragma once
// Running the NSS command-line tools (modutil, certutil from libnss3-tools) as child processes.
//
// Why the tools and not the NSS C API in the host process: NSS keeps one module database per process
// (NSS_Init* and SECMOD_AddNewModule act on process-wide state), while the host must change several
// databases in one call (Chrome's ~/.pki/nssdb and every Firefox profile); and adding a module makes NSS
// load it and call C_Initialize, in a process where libp11 has already initialized the same module for the
// card commands (CKR_CRYPTOKI_ALREADY_INITIALIZED, and a C_Finalize at NSS_Shutdown under libp11's feet).
// A child process per database step has neither problem, and modutil is the tool NSS documents for it.

#include <chrono>
#include <string>
#include <vector>

namespace certbridge::host::os_store {

struct ToolResult {
  int exitCode = -1;   ///< -1 when it did not exit normally (killed, timed out).
  std::string output;  ///< stdout and stderr together, cut at a few KiB (for logs and error reasons).
};

/// Runs program (looked up in PATH) with args, stdin from /dev/null and the host's environment (so a
/// module's own settings, such as SOFTHSM2_CONF, reach it). Kills it after timeout. Throws std::runtime_error
/// when the program cannot be found or started.
ToolResult runTool(const std::string& program, const std::vector<std::string>& args,
                   std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// Whether program is on PATH (and executable).
bool toolAvailable(const std::string& program);

}  // namespace certbridge::host::os_store
