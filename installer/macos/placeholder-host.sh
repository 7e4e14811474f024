#!/bin/sh
# CERTBRIDGE-PLACEHOLDER-NOT-A-MACOS-BINARY
# This file holds the place of certbridge-host in the macOS pkg payload made on Linux, where no macOS
# binary can be built. Replace it with a universal (arm64 + x86_64) certbridge-host built on a Mac
# (make_pkg.sh --host PATH); make_pkg.sh and the pkg's postinstall script refuse it.
echo "certbridge-host: this is a placeholder, not the CertBridge host: no macOS binary was built into this package" >&2
exit 78
