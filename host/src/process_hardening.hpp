#pragma once
// What the host process does about its own memory before it reads anything from the browser: PINs and
// passwords pass through it, so no crash may write that memory to a file or a crash report, and no other
// process of the user may read it.

namespace certbridge::host {

/// Linux: the process is made non-dumpable (no core file, and other processes of the user cannot ptrace it
/// or read /proc/<pid>/mem) and its core size limit set to 0. macOS: core size 0. Windows: no Windows Error
/// Reporting dialog, no heap in a crash report, and the executable excluded from Windows Error Reporting for
/// the user. Best effort: a step the system refuses is logged and the others still apply. Call first thing in
/// main, before any thread starts.
void hardenProcess();

}  // namespace certbridge::host
