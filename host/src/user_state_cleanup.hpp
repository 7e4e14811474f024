#pragma once
// The per-user state the host leaves behind besides its manifests, and its removal by
// `certbridge-host uninstall --user` (a package removes system files only: it cannot reach every home).
//   - the host's log files (certbridge-host.log and its rotated copies) in platform::logFolder(), and that
//     folder when it is the default one and ends up empty;
//   - Linux: the PKCS#11 modules registerCertificates added to the user's NSS databases (~/.pki/nssdb and
//     each Firefox profile), every one named "CertBridge: ...".
// Left alone on purpose: the NSS databases themselves and everything else in them (the user's own modules,
// software certificates and keys, which are the user's data), and the card lock files, which live in
// $XDG_RUNTIME_DIR/certbridge or /tmp/certbridge-<uid> (gone at logout or reboot) and may be held by a
// running host.

#include <ostream>

namespace certbridge::host {

/// Removes the state above for the user whose environment (HOME, XDG_*, CERTBRIDGE_LOG_DIR) this process
/// has. Writes a line per item to out and each failure to err; false when something could not be removed.
bool removeUserState(std::ostream& out, std::ostream& err);

}  // namespace certbridge::host
