#!/usr/bin/env bash
# Installs everything CertBridge needs to build, run the demo and run every test on Debian 12:
# the build toolchain and libraries, the virtual test bed (pcscd, vpcd, vicc, SoftHSM2, openCryptoki),
# the browsers (Chromium, Firefox ESR), fonts for zh-TW screenshots, and the npm packages of package.json.
# Safe to run again: it only asks apt and npm for what is missing. Needs root for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly DEBIAN_PACKAGES=(
  # build
  build-essential cmake pkg-config git
  libssl-dev openssl nlohmann-json3-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
  libpcsclite-dev libp11-dev
  libnss3-dev
  # the certbridge command's support bundle (tar.gz)
  zlib1g-dev
  # virtual test bed: PC/SC service, virtual reader and card, PKCS#11 tokens and tools
  pcscd vsmartcard-vpcd python3 python3-virtualsmartcard python3-pycryptodome
  softhsm2 opensc opencryptoki libnss3-tools util-linux procps
  # browsers for the end-to-end tests and the demo, and fonts so zh-TW text renders
  chromium firefox-esr fonts-noto-cjk
  # their zh-TW user interfaces, so the extension's windows can be tested in the browser's language
  chromium-l10n firefox-esr-l10n-zh-tw
  # the asan preset: clang with its sanitizer runtimes and libFuzzer, and llvm-symbolizer for readable reports
  clang libclang-rt-14-dev llvm
  # packaging (.deb through CPack)
  dpkg-dev file
  # the .deb must pass lintian (-I -E --pedantic) with only its justified overrides
  lintian
  # xmllint: the Group Policy templates (installer/policies/windows/*.admx, *.adml) must be well-formed XML
  libxml2-utils
  # Windows code (certificate registration): mingw-w64 cross compiler (posix threads) and wine to run its tests
  g++-mingw-w64-x86-64-posix wine wine64
  # certbridge.exe's support bundle (.tar.gz): zlib for mingw, linked statically
  libz-mingw-w64-dev
  # Windows installers: the MSIs are built with wixl, their tables read with msiinfo, signed with osslsigncode
  wixl msitools osslsigncode
  # benchmarks: callgrind counts the instructions of a whole process (repeatable on a loaded machine)
  valgrind
)

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-dependencies: missing Debian packages: ${missing[*]}" >&2
    echo "install-dependencies: run this script as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "install-dependencies: installing ${#missing[@]} Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi

# Node.js 20+ comes with the machine (Debian's own nodejs package is older than the tools need).
if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "install-dependencies: Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# npm ci only when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install-dependencies: npm ci"
  npm ci --no-audit --no-fund
fi
