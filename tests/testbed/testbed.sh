#!/usr/bin/env bash
# The virtual test bed: a private pcscd with the vpcd virtual reader, a vicc card that can be inserted and
# removed, SoftHSM2 tokens in a private directory, and a host configuration whose card profile ties the
# virtual card (by ATR) to the SoftHSM2 token. Nothing outside STATE_DIR is touched, so several test beds
# can run at once. Needs root (pcscd runs in a private mount namespace so it cannot clash with a system
# pcscd over /run/pcscd).
#
#   testbed.sh start DIR [--owner PID] [--no-card] [--opencryptoki]
#                                                     start everything; with --owner, tear down when PID exits
#   testbed.sh insert DIR | remove DIR                put the card in reader 0 / pull it out
#   testbed.sh reset-tokens DIR                       blank SoftHSM2 tokens again (same labels and PINs)
#   testbed.sh stop-pcscd DIR | start-pcscd DIR       stop or restart only the PC/SC service
#   testbed.sh unplug-reader DIR | plug-reader DIR    the PC/SC service without / with the virtual reader
#   testbed.sh stop DIR                               stop everything and delete DIR (idempotent)
#   testbed.sh env DIR                                print the environment clients need (sourceable)
#   testbed.sh exec DIR -- COMMAND [ARG...]           run COMMAND with that environment (inside the
#                                                     openCryptoki namespace when there is one)
#
# After start, DIR/env holds: PCSCLITE_CSOCK_NAME, SOFTHSM2_CONF, CERTBRIDGE_CONFIG, CERTBRIDGE_LOG_DIR,
# CERTBRIDGE_TESTBED_DIR, CERTBRIDGE_TESTBED_READER, CERTBRIDGE_TESTBED_TOKEN, CERTBRIDGE_TESTBED_USER_PIN,
# CERTBRIDGE_TESTBED_SO_PIN.
#
# --opencryptoki adds an openCryptoki software token "CertBridge OCK" (user PIN 123456, SO PIN 87654321,
# PINs 4-8 characters; unlike SoftHSM2 it counts wrong PINs: count low -> final try -> locked after 3).
# openCryptoki keeps its state in /etc/opencryptoki, /var/lib/opencryptoki, /run and shared memory, so it
# runs in a private mount and IPC namespace over DIR/ock, held by its `pkcsslotd -f`. Only processes in
# that namespace can use the token: run them with `testbed.sh exec DIR -- ...` (nsenter). DIR/env then
# also holds CERTBRIDGE_TESTBED_OCK_MODULE, CERTBRIDGE_TESTBED_OCK_TOKEN, CERTBRIDGE_TESTBED_OCK_USER_PIN,
# CERTBRIDGE_TESTBED_OCK_SO_PIN, CERTBRIDGE_TESTBED_OCK_PID (the namespace's pkcsslotd) and
# CERTBRIDGE_CONFIG_OCK: a second host configuration whose card profile ties the virtual card to the
# openCryptoki token instead (point CERTBRIDGE_CONFIG at it to use that token).
set -euo pipefail

readonly VICC_PYTHONPATH=/usr/lib/python3/site-packages/virtualsmartcard
readonly VPCD_DRIVER=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
readonly SOFTHSM_MODULE=/usr/lib/softhsm/libsofthsm2.so
# vicc's iso7816 card answers with this ATR; the card profile below matches it.
readonly VIRTUAL_CARD_ATR="3B 95 13 81 01 80 73 FF 01 00 0B"
readonly READER_NAME="Virtual PCD 00 00"
readonly TOKEN_LABEL="CertBridge Card"
readonly SECOND_TOKEN_LABEL="CertBridge Card 2"
# Test-only secrets of throw-away tokens; they exist only inside DIR. Both fit openCryptoki's 4-8 too.
readonly USER_PIN="123456"
readonly SO_PIN="87654321"
readonly OCK_TOKEN_LABEL="CertBridge OCK"
readonly OCK_STATE=/var/lib/opencryptoki

die() { echo "testbed: $*" >&2; exit 1; }

require_tools() {
  local missing=()
  for tool in pcscd unshare softhsm2-util /usr/bin/python3; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ -f "$VPCD_DRIVER" ] || missing+=("vsmartcard-vpcd ($VPCD_DRIVER)")
  [ -f "$SOFTHSM_MODULE" ] || missing+=("softhsm2 ($SOFTHSM_MODULE)")
  [ -d "$VICC_PYTHONPATH" ] || missing+=("python3-virtualsmartcard")
  [ -d /usr/lib/python3/dist-packages/Cryptodome ] || missing+=("python3-pycryptodome")
  [ ${#missing[@]} -eq 0 ] || die "missing: ${missing[*]} (run tests/install-dependencies.sh)"
  [ "$(id -u)" -eq 0 ] || die "must run as root (pcscd needs a private mount namespace)"
}

# An openCryptoki library (module or token library), wherever the multiarch directory is.
ock_library() { compgen -G "/usr/lib/*/opencryptoki/$1" | head -n 1 || true; }

require_ock_tools() {
  local missing=()
  for tool in pkcsslotd nsenter pkcs11-tool; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ -n "$(ock_library libopencryptoki.so.0)" ] || missing+=("opencryptoki (libopencryptoki.so.0)")
  [ -n "$(ock_library stdll/libpkcs11_sw.so)" ] || missing+=("opencryptoki (libpkcs11_sw.so)")
  [ -d "$OCK_STATE" ] || missing+=("opencryptoki ($OCK_STATE)")
  getent group pkcs11 >/dev/null || missing+=("opencryptoki (group pkcs11)")
  [ ${#missing[@]} -eq 0 ] || die "missing: ${missing[*]} (run tests/install-dependencies.sh)"
}

free_port_pair() {
  # vpcd listens on PORT (reader 0) and PORT+1 (reader 1): find two free consecutive ports.
  /usr/bin/python3 - <<'EOF'
import random, socket
for _ in range(200):
    port = random.randrange(20000, 60000, 2)
    try:
        for p in (port, port + 1):
            s = socket.socket(); s.bind(("127.0.0.1", p)); s.close()
        print(port); break
    except OSError:
        continue
EOF
}

wait_for() {  # wait_for SECONDS COMMAND...: poll until COMMAND succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

# A process counts as gone once it is a zombie: in containers nobody may reap our orphans.
process_alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
pid_alive() { [ -f "$1" ] && process_alive "$(cat "$1")"; }

kill_pidfile() {
  local file=$1
  if pid_alive "$file"; then
    local pid; pid=$(cat "$file")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do process_alive "$pid" || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

start_pcscd() {  # start_pcscd DIR [READER_CONFIG_DIR]
  local dir=$1 readers=${2:-$1/readers}
  mkdir -p "$dir/run/pcscd"
  rm -f "$dir/run/pcscd/pcscd.comm" "$dir/run/pcscd/pcscd.pid"
  # pcscd ignores PCSCLITE_CSOCK_NAME and always serves /run/pcscd: give it a private /run.
  setsid unshare -m sh -c "mount --bind '$dir/run' /run && exec pcscd --foreground -c '$readers'" \
    >>"$dir/pcscd.log" 2>&1 </dev/null &
  echo $! >"$dir/pcscd.pid"
  wait_for 10 test -S "$dir/run/pcscd/pcscd.comm" || die "pcscd did not start (see $dir/pcscd.log)"
}

stop_pcscd() {
  local dir=$1
  kill_pidfile "$dir/pcscd.pid"
  rm -f "$dir/run/pcscd/pcscd.comm"
}

reader_has_card() {  # reader_has_card DIR yes|no
  local out
  out=$(PCSCLITE_CSOCK_NAME="$1/run/pcscd/pcscd.comm" /usr/bin/python3 "$1/card_state.py" 2>/dev/null) || return 1
  [ "$out" = "$2" ]
}

insert_card() {
  local dir=$1 port
  port=$(cat "$dir/vpcd.port")
  touch "$dir/card.inserted"
  pid_alive "$dir/vicc.pid" && return 0
  PYTHONPATH="$VICC_PYTHONPATH:$dir/python" setsid /usr/bin/python3 "$dir/vicc.py" "$port" \
    >>"$dir/vicc.log" 2>&1 </dev/null &
  echo $! >"$dir/vicc.pid"
  wait_for 10 reader_has_card "$dir" yes || die "the virtual card did not appear (see $dir/vicc.log)"
}

remove_card() {
  local dir=$1
  rm -f "$dir/card.inserted"
  kill_pidfile "$dir/vicc.pid"
  if pid_alive "$dir/pcscd.pid"; then
    wait_for 10 reader_has_card "$dir" no || die "the virtual card did not go away"
  fi
}

write_support_files() {
  local dir=$1 port=$2
  mkdir -p "$dir/readers" "$dir/python" "$dir/softhsm/tokens" "$dir/logs"
  # A private runtime directory: the host's per-card lock files stay inside this test bed.
  mkdir -m 0700 -p "$dir/runtime"
  cat >"$dir/readers/vpcd" <<EOF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$port
LIBPATH      $VPCD_DRIVER
CHANNELID    $port
EOF
  # Debian's vicc imports Crypto; Debian ships the same library as Cryptodome.
  ln -sfn /usr/lib/python3/dist-packages/Cryptodome "$dir/python/Crypto"
  cat >"$dir/vicc.py" <<'EOF'
import logging, sys
from virtualsmartcard.VirtualSmartcard import VirtualICC
VirtualICC(None, "iso7816", "localhost", int(sys.argv[1]), logginglevel=logging.WARNING).run()
EOF
  # Asks pcscd through libpcsclite whether reader 0 holds a card (prints yes/no).
  cat >"$dir/card_state.py" <<EOF
import ctypes, sys
lib = ctypes.CDLL("libpcsclite.so.1")
ctx = ctypes.c_long()
if lib.SCardEstablishContext(2, None, None, ctypes.byref(ctx)) != 0: sys.exit(1)
class State(ctypes.Structure):
    _fields_ = [("reader", ctypes.c_char_p), ("user", ctypes.c_void_p), ("current", ctypes.c_ulong),
                ("event", ctypes.c_ulong), ("atrlen", ctypes.c_ulong), ("atr", ctypes.c_ubyte * 33)]
st = State(b"$READER_NAME", None, 0, 0, 0)
rv = lib.SCardGetStatusChange(ctx, ctypes.c_ulong(0), ctypes.byref(st), ctypes.c_ulong(1))
lib.SCardReleaseContext(ctx)
if rv not in (0, 0x8010000A): sys.exit(1)
print("yes" if st.event & 0x20 else "no")
EOF
  cat >"$dir/softhsm2.conf" <<EOF
directories.tokendir = $dir/softhsm/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
EOF
  cat >"$dir/certbridge-config.json" <<EOF
{
  "allowedOrigins": ["http://127.0.0.1:*", "http://localhost:*"],
  "cardProfiles": [
    {
      "id": "certbridge-virtual",
      "displayName": "CertBridge virtual test card",
      "atr": "$VIRTUAL_CARD_ATR",
      "module": "$SOFTHSM_MODULE",
      "tokenLabel": "$TOKEN_LABEL",
      "pins": [{"name": "PIN", "minLength": 6, "maxLength": 16, "maxTries": 3}],
      "keySizes": [2048, 3072, 4096]
    }
  ]
}
EOF
}

init_tokens() {
  local dir=$1
  SOFTHSM2_CONF="$dir/softhsm2.conf" softhsm2-util --init-token --free --label "$TOKEN_LABEL" \
    --so-pin "$SO_PIN" --pin "$USER_PIN" >>"$dir/softhsm.log" 2>&1 || die "softhsm2-util failed (see $dir/softhsm.log)"
  SOFTHSM2_CONF="$dir/softhsm2.conf" softhsm2-util --init-token --free --label "$SECOND_TOKEN_LABEL" \
    --so-pin "$SO_PIN" --pin "$USER_PIN" >>"$dir/softhsm.log" 2>&1 || die "softhsm2-util failed (see $dir/softhsm.log)"
}

# Runs a command in the test bed's openCryptoki namespace (mount + IPC), in the current directory.
in_ock() {
  local dir=$1; shift
  nsenter --target "$(cat "$dir/ock.pid")" --mount --ipc --wd="$PWD" -- "$@"
}

start_opencryptoki() {
  local dir=$1 ock=$1/ock module
  [ -n "$dir" ] && [ -d "$dir" ] || die "start_opencryptoki: no test bed directory"
  module=$(ock_library libopencryptoki.so.0)
  mkdir -p "$ock/etc" "$ock/var" "$ock/run" "$ock/shm"
  printf 'version opencryptoki-3.1\nslot 0\n{\nstdll = libpkcs11_sw.so\ntokname = swtok\n}\n' \
    >"$ock/etc/opencryptoki.conf"
  # The package's state directories (with their pkcs11 group and modes), and a blank software token.
  cp -a "$OCK_STATE/." "$ock/var/"
  rm -rf "$ock/var/swtok"
  mkdir -p "$ock/var/swtok/TOK_OBJ"
  chmod 770 "$ock/var/swtok" "$ock/var/swtok/TOK_OBJ"
  chgrp -R pkcs11 "$ock"
  # The namespace lives as long as its pkcsslotd (-f: in the foreground, so its PID is known and it is the
  # one process to stop). /run holds pkcsslotd's socket and the token's lock directory.
  setsid unshare -m -i sh -c "mount --bind '$ock/etc' /etc/opencryptoki && mount --bind '$ock/var' '$OCK_STATE' \
    && mount --bind '$ock/run' /run && mount --bind '$ock/shm' /dev/shm \
    && mkdir -p /run/opencryptoki /run/lock/opencryptoki/swtok && chgrp -R pkcs11 /run/opencryptoki /run/lock \
    && chmod 770 /run/opencryptoki /run/lock/opencryptoki /run/lock/opencryptoki/swtok && exec pkcsslotd -f" \
    >>"$dir/pkcsslotd.log" 2>&1 </dev/null &
  echo $! >"$dir/ock.pid"
  wait_for 10 test -S "$ock/run/pkcsslotd.socket" || die "pkcsslotd did not start (see $dir/pkcsslotd.log)"
  in_ock "$dir" pkcs11-tool --module "$module" --init-token --label "$OCK_TOKEN_LABEL" --so-pin "$SO_PIN" \
    >>"$dir/opencryptoki.log" 2>&1 || die "openCryptoki token setup failed (see $dir/opencryptoki.log)"
  in_ock "$dir" pkcs11-tool --module "$module" --init-pin --login --so-pin "$SO_PIN" --pin "$USER_PIN" \
    >>"$dir/opencryptoki.log" 2>&1 || die "openCryptoki PIN setup failed (see $dir/opencryptoki.log)"
  cat >"$dir/certbridge-config-ock.json" <<JSON
{
  "allowedOrigins": ["http://127.0.0.1:*", "http://localhost:*"],
  "cardProfiles": [
    {
      "id": "certbridge-virtual-ock",
      "displayName": "CertBridge virtual test card (openCryptoki)",
      "atr": "$VIRTUAL_CARD_ATR",
      "module": "$module",
      "tokenLabel": "$OCK_TOKEN_LABEL",
      "pins": [{"name": "PIN", "minLength": 4, "maxLength": 8, "maxTries": 3}],
      "keySizes": [2048]
    }
  ]
}
JSON
}

write_env() {
  local dir=$1
  cat >"$dir/env" <<EOF
export PCSCLITE_CSOCK_NAME='$dir/run/pcscd/pcscd.comm'
export SOFTHSM2_CONF='$dir/softhsm2.conf'
export CERTBRIDGE_CONFIG='$dir/certbridge-config.json'
export CERTBRIDGE_LOG_DIR='$dir/logs'
export XDG_RUNTIME_DIR='$dir/runtime'
export CERTBRIDGE_TESTBED_DIR='$dir'
export CERTBRIDGE_TESTBED_READER='$READER_NAME'
export CERTBRIDGE_TESTBED_TOKEN='$TOKEN_LABEL'
export CERTBRIDGE_TESTBED_USER_PIN='$USER_PIN'
export CERTBRIDGE_TESTBED_SO_PIN='$SO_PIN'
EOF
  if [ -f "$dir/ock.pid" ]; then
    cat >>"$dir/env" <<EOF
export CERTBRIDGE_TESTBED_OCK_MODULE='$(ock_library libopencryptoki.so.0)'
export CERTBRIDGE_TESTBED_OCK_TOKEN='$OCK_TOKEN_LABEL'
export CERTBRIDGE_TESTBED_OCK_USER_PIN='$USER_PIN'
export CERTBRIDGE_TESTBED_OCK_SO_PIN='$SO_PIN'
export CERTBRIDGE_TESTBED_OCK_PID='$(cat "$dir/ock.pid")'
export CERTBRIDGE_CONFIG_OCK='$dir/certbridge-config-ock.json'
EOF
  fi
}

stop_all() {
  local dir=$1
  [ -d "$dir" ] || return 0
  [ -f "$dir/.certbridge-testbed" ] || die "$dir is not a test bed directory; refusing to delete it"
  kill_pidfile "$dir/watchdog.pid"
  kill_pidfile "$dir/vicc.pid"
  # The openCryptoki namespace, and its mounts, end with its last process: pkcsslotd.
  kill_pidfile "$dir/ock.pid"
  stop_pcscd "$dir"
  rm -rf "$dir"
}

start_watchdog() {  # tear down when the owner process exits, even if it crashed
  local dir=$1 owner=$2 self
  self=$(readlink -f "$0")
  setsid bash -c "while kill -0 $owner 2>/dev/null && ! grep -q ' Z ' /proc/$owner/stat 2>/dev/null && [ -d '$dir' ]; do sleep 0.5; done; rm -f '$dir/watchdog.pid'; '$self' stop '$dir'" \
    >/dev/null 2>&1 </dev/null &
  echo $! >"$dir/watchdog.pid"
}

main() {
  local cmd=${1:-} dir=${2:-}
  [ -n "$cmd" ] && [ -n "$dir" ] ||
    die "usage: testbed.sh start|stop|insert|remove|reset-tokens|stop-pcscd|start-pcscd|unplug-reader|plug-reader|env DIR | exec DIR -- COMMAND..."
  shift 2
  case "$cmd" in
    start)
      local owner="" card=yes ock=no
      while [ $# -gt 0 ]; do
        case "$1" in
          --owner) owner=$2; shift 2 ;;
          --no-card) card=no; shift ;;
          --opencryptoki) ock=yes; shift ;;
          *) die "unknown option $1" ;;
        esac
      done
      require_tools
      [ "$ock" = no ] || require_ock_tools
      mkdir -p "$dir"
      dir=$(cd "$dir" && pwd)
      [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
      touch "$dir/.certbridge-testbed"
      local port; port=$(free_port_pair)
      echo "$port" >"$dir/vpcd.port"
      # From here on, a failure tears down what was started.
      trap 'stop_all "$dir"' ERR
      [ -z "$owner" ] || start_watchdog "$dir" "$owner"
      write_support_files "$dir" "$port"
      init_tokens "$dir"
      start_pcscd "$dir"
      [ "$card" = no ] || insert_card "$dir"
      [ "$ock" = no ] || start_opencryptoki "$dir"
      write_env "$dir"
      trap - ERR
      echo "$dir/env"
      ;;
    insert) insert_card "$dir" ;;
    reset-tokens)
      # Blank SoftHSM2 tokens again (same labels and PINs), for tests that must start from an empty card.
      # No process may hold a session on them: stop hosts first.
      rm -rf "$dir/softhsm/tokens" && mkdir -p "$dir/softhsm/tokens"
      init_tokens "$dir"
      ;;
    remove) remove_card "$dir" ;;
    stop-pcscd) stop_pcscd "$dir" ;;
    start-pcscd)
      start_pcscd "$dir"
      # A running vicc was talking to the old pcscd: reconnect it so the card shows again.
      if [ -f "$dir/card.inserted" ]; then kill_pidfile "$dir/vicc.pid"; insert_card "$dir"; fi
      ;;
    unplug-reader)
      # The virtual reader is a configured pcscd driver, not a USB device: pcscd started without its
      # configuration has no reader at all, as a PC with the reader unplugged.
      stop_pcscd "$dir"
      mkdir -p "$dir/no-readers"
      start_pcscd "$dir" "$dir/no-readers"
      ;;
    plug-reader)
      stop_pcscd "$dir"
      start_pcscd "$dir"
      if [ -f "$dir/card.inserted" ]; then kill_pidfile "$dir/vicc.pid"; insert_card "$dir"; fi
      ;;
    stop) stop_all "$dir" ;;
    env) cat "$dir/env" ;;
    exec)
      [ "${1:-}" != "--" ] || shift
      [ $# -gt 0 ] || die "usage: testbed.sh exec DIR -- COMMAND [ARG...]"
      [ -f "$dir/env" ] || die "$dir is not a running test bed"
      # shellcheck source=/dev/null
      . "$dir/env"
      if pid_alive "$dir/ock.pid"; then in_ock "$dir" "$@"; else "$@"; fi
      ;;
    *) die "unknown command $cmd" ;;
  esac
}

main "$@"
