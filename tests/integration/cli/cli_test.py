#!/usr/bin/env python3
"""The certbridge command on the virtual test bed (tests/testbed/testbed.sh), as a user or help desk runs it.

  cli_test.py CERTBRIDGE HOST TESTBED_SCRIPT CROSS_CHECK_SCRIPT NODE

- doctor in each failure state the environment-check page tests (no reader, no card, pcscd stopped, card not
  supported, module missing, manifest missing or pointing nowhere): the codes the page shows, the exit code,
  and the page's own rows on the same host answers (environment_cross_check.mjs);
- the card subcommands against SoftHSM2 and openCryptoki with PINs typed through a pseudo-terminal,
  including the PIN lock sequence (wrong PIN three times: tries left shown, then locked);
- the support bundle: its content, mode 0600, and the test PINs 0 times in it (compressed or not).
Needs root and the test bed's packages; exits 77 (skipped) without them.
"""

import gzip
import io
import json
import os
import pty
import select
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest

CERTBRIDGE, HOST, TESTBED, CROSS_CHECK, NODE = (os.path.abspath(arg) for arg in sys.argv[1:6])
# Sanitizer builds keep freed memory unwiped in their quarantine: the memory scan means nothing there.
SANITIZED = len(sys.argv) > 6 and sys.argv[6] not in ("", "0", "OFF", "FALSE")
SKIPPED = 77
# PINs this suite types; none may ever be in a support bundle or on the screen.
NEW_PIN = "24681357"
WRONG_PIN = "99999999"
FIREFOX_ID = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "extension",
                                         "shared", "protocol.json")))["extensionIds"]["firefox"]


def start_testbed(directory):
    command = ["bash", TESTBED, "start", directory, "--owner", str(os.getpid()), "--opencryptoki"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0 and "must run as root" not in result.stderr and "missing:" not in result.stderr:
        # Once more after a pause: a busy machine (other test beds starting) can lose a first start.
        print(f"test bed did not start, trying again: {result.stderr.strip()}", file=sys.stderr)
        subprocess.run(["bash", TESTBED, "stop", directory], capture_output=True)
        os.makedirs(directory, exist_ok=True)
        time.sleep(2)
        result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        message = result.stderr.strip()
        if "must run as root" in message or "missing:" in message:
            print(f"SKIPPED: {message}")
            sys.exit(SKIPPED)
        raise RuntimeError(f"test bed did not start: {message}")
    env = {}
    with open(os.path.join(directory, "env")) as lines:
        for line in lines:
            name, _, value = line.strip().removeprefix("export ").partition("=")
            env[name] = value.strip("'")
    return env


class Testbed:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="certbridge-cli-test-")
        self.dir = os.path.join(self.root, "testbed")
        os.mkdir(self.dir)
        try:
            self.env = start_testbed(self.dir)
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise
        self.home = os.path.join(self.root, "home")
        os.mkdir(self.home)

    def run(self, command):
        subprocess.run(["bash", TESTBED, command, self.dir], check=True, capture_output=True)

    def stop(self):
        subprocess.run(["bash", TESTBED, "stop", self.dir], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def command(self, args, config=None, home=None):
        """The command line running certbridge in the test bed (the openCryptoki namespace included)."""
        env = [f"HOME={home or self.home}", "LANG=C.UTF-8"]
        if config:
            env.append(f"CERTBRIDGE_CONFIG={config}")
        return ["bash", TESTBED, "exec", self.dir, "--", "env", *env, CERTBRIDGE, *args]


TESTBED_INSTANCE = None


def testbed():
    return TESTBED_INSTANCE


def run(args, config=None, home=None, stdin=subprocess.DEVNULL):
    return subprocess.run(testbed().command(args, config, home), capture_output=True, text=True, stdin=stdin,
                          timeout=120)


def doctor(config=None, home=None, language="en"):
    result = run(["doctor", "--json", "--lang", language], config, home)
    report = json.loads(result.stdout)
    return result.returncode, report


def codes(report, check):
    return [row["code"] for row in report["rows"] if row["check"] == check]


class Terminal:
    """certbridge on a pseudo-terminal: what a user sees, and what they type (never echoed)."""

    def __init__(self, args, config=None):
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(testbed().command(args, config), stdin=slave, stdout=slave, stderr=slave,
                                        close_fds=True, start_new_session=True)
        os.close(slave)
        self.screen = ""
        self.seen = 0  # what expect() already matched: each prompt is waited for anew

    def expect(self, text, timeout=60):
        deadline = time.monotonic() + timeout
        while text not in self.screen[self.seen:]:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {text!r}; screen:\n{self.screen}")
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"ended before {text!r}; screen:\n{self.screen}")
                self.screen += chunk.decode("utf-8", "replace")
        self.seen = self.screen.index(text, self.seen) + len(text)
        return self.screen

    def type(self, line):
        os.write(self.master, (line + "\n").encode())

    def finish(self, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            ready, _, _ = select.select([self.master], [], [], max(0, deadline - time.monotonic()))
            try:
                chunk = os.read(self.master, 4096) if ready else b""
            except OSError:
                chunk = b""
            if not chunk:
                break
            self.screen += chunk.decode("utf-8", "replace")
        code = self.process.wait(timeout=max(1, deadline - time.monotonic()))
        os.close(self.master)
        return code


def install_manifests(home):
    subprocess.run(["env", f"HOME={home}", HOST, "install", "--user", "--host-path", HOST], check=True,
                   capture_output=True)


def memory_count(pid, needle):
    """How often needle occurs in the readable memory of a process (what a core file would hold)."""
    count = 0
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", buffering=0) as memory:
        for line in maps:
            addresses, permissions = line.split()[:2]
            if not permissions.startswith("r"):
                continue
            start, end = (int(value, 16) for value in addresses.split("-"))
            try:
                memory.seek(start)
                count += memory.read(end - start).count(needle)
            except (OSError, ValueError, OverflowError):
                continue  # [vvar] and guard pages cannot be read
    return count


def put_certificate_on_card():
    """A key pair made on the SoftHSM2 card and a certificate for it from a throw-away CA, written beside it."""
    work = tempfile.mkdtemp(dir=testbed().root)
    env = dict(os.environ, SOFTHSM2_CONF=testbed().env["SOFTHSM2_CONF"])
    module = ["pkcs11-tool", "--module", "/usr/lib/softhsm/libsofthsm2.so"]
    # pkcs11-tool's --token-label matches a prefix ("CertBridge Card 2" too): pick the slot by the exact label.
    slot = None
    for line in subprocess.run(module + ["-L"], capture_output=True, text=True, env=env, check=True).stdout.splitlines():
        if line.startswith("Slot "):
            current = line.split("(")[1].split(")")[0]
        elif line.split(":", 1)[0].strip() == "token label" and \
                line.split(":", 1)[1].strip() == testbed().env["CERTBRIDGE_TESTBED_TOKEN"]:
            slot = current
    token = module + ["--slot", slot, "--login", "--pin", testbed().env["CERTBRIDGE_TESTBED_USER_PIN"]]
    path = lambda name: os.path.join(work, name)
    steps = [
        token + ["--keypairgen", "--key-type", "rsa:2048", "--id", "c1", "--label", "cli-test"],
        token + ["--read-object", "--type", "pubkey", "--id", "c1", "-o", path("public.der")],
        ["openssl", "pkey", "-pubin", "-inform", "DER", "-in", path("public.der"), "-out", path("public.pem")],
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("ca.key"), "-subj", "/CN=CLI Test CA",
         "-days", "3650", "-out", path("ca.pem")],
        ["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", path("any.key"), "-subj",
         "/CN=CLI Test User", "-out", path("user.csr")],
        ["openssl", "x509", "-req", "-in", path("user.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
         "-force_pubkey", path("public.pem"), "-days", "400", "-outform", "DER", "-out", path("user.der")],
        token + ["--write-object", path("user.der"), "--type", "cert", "--id", "c1", "--label", "cli-test"],
    ]
    for step in steps:
        subprocess.run(step, check=True, capture_output=True, env=env)


def config_with(change):
    """A copy of the test bed's configuration with its card profile changed."""
    with open(testbed().env["CERTBRIDGE_CONFIG"]) as source:
        config = json.load(source)
    change(config["cardProfiles"][0])
    path = os.path.join(testbed().root, f"config-{len(os.listdir(testbed().root))}.json")
    with open(path, "w") as out:
        json.dump(config, out)
    return path


class DoctorTest(unittest.TestCase):
    """Each failure state of the environment check, as doctor tells it, and the page on the same answer."""

    answers = []

    @classmethod
    def setUpClass(cls):
        install_manifests(testbed().home)

    def keep(self, name, report):
        path = os.path.join(testbed().root, f"answer-{name}.json")
        with open(path, "w") as out:
            json.dump(report["environment"], out)
        DoctorTest.answers.append(path)

    def test_all_well_exits_0(self):
        code, report = doctor()
        self.keep("all-well", report)
        # What only a browser knows (browser, page library, extension) is "unknown" here, and no verdict.
        browser_only = {"browser", "pageLibrary", "extension"}
        self.assertEqual({row["check"] for row in report["rows"] if row["status"] == "unknown"}, browser_only)
        problems = [row for row in report["rows"] if row["status"] != "ok" and row["check"] not in browser_only]
        self.assertEqual(problems, [], "every row OK on a working test bed")
        self.assertEqual(code, 0)
        self.assertIn("manifest", [row["check"] for row in report["rows"]])

    def test_no_card(self):
        testbed().run("remove")
        try:
            code, report = doctor()
        finally:
            testbed().run("insert")
        self.keep("no-card", report)
        self.assertEqual(codes(report, "card"), ["NO_CARD"])
        self.assertEqual(code, 2)

    def test_no_reader(self):
        testbed().run("unplug-reader")
        try:
            code, report = doctor()
        finally:
            testbed().run("plug-reader")
        self.keep("no-reader", report)
        self.assertEqual(codes(report, "readers"), ["NO_READER"])
        self.assertEqual(code, 2)

    def test_pcscd_stopped(self):
        testbed().run("stop-pcscd")
        try:
            code, report = doctor()
        finally:
            testbed().run("start-pcscd")
        self.keep("pcscd-stopped", report)
        self.assertEqual(codes(report, "pcsc"), ["PCSC_UNAVAILABLE"])
        self.assertEqual(codes(report, "pcscService"), ["PCSC_UNAVAILABLE"])
        self.assertEqual(code, 2)

    def test_card_not_supported(self):
        config = config_with(lambda profile: profile.update(atr="3B 00 00 00", atrMask="FF FF FF FF"))
        code, report = doctor(config)
        self.keep("card-not-supported", report)
        reader = [row for row in report["rows"] if row["check"] == "reader"][0]
        self.assertEqual(reader["code"], "CARD_NOT_SUPPORTED")
        self.assertNotEqual(code, 0)

    def test_module_missing(self):
        config = config_with(lambda profile: profile.update(module="/usr/lib/certbridge-test/missing-pkcs11.so"))
        code, report = doctor(config)
        self.keep("module-missing", report)
        self.assertIn("PKCS11_MODULE_UNAVAILABLE", codes(report, "module"))
        self.assertEqual(codes(report, "cardProfiles"), ["PKCS11_MODULE_UNAVAILABLE"])
        self.assertEqual(code, 2)

    def test_manifest_missing(self):
        empty_home = os.path.join(testbed().root, "home-without-manifests")
        os.makedirs(empty_home, exist_ok=True)
        code, report = doctor(home=empty_home)
        manifests = [row for row in report["rows"] if row["check"] == "manifest"]
        self.assertEqual(len(manifests), 4)
        system_wide = [row for row in manifests if row["status"] == "ok"]
        if not system_wide:
            self.assertEqual({row["code"] for row in manifests}, {"NATIVE_UNAVAILABLE"})
            self.assertEqual(code, 2)

    def test_manifest_pointing_nowhere(self):
        home = os.path.join(testbed().root, "home-broken-manifest")
        os.makedirs(home, exist_ok=True)
        install_manifests(home)
        manifest = os.path.join(home, ".mozilla", "native-messaging-hosts", "com.certbridge.host.json")
        with open(manifest) as source:
            content = json.load(source)
        content["path"] = "/opt/certbridge-removed/certbridge-host"
        with open(manifest, "w") as out:
            json.dump(content, out)
        code, report = doctor(home=home)
        firefox = [row for row in report["rows"] if row["check"] == "manifest" and row["subject"] == "Firefox"][0]
        self.assertEqual(firefox["status"], "error")
        self.assertEqual(firefox["code"], "NATIVE_UNAVAILABLE")
        self.assertIn("/opt/certbridge-removed/certbridge-host", "\n".join(firefox["text"]["lines"]))
        self.assertEqual(code, 2)

    def test_browser_policy_blocking(self):
        # The policy files IT writes, in a staging tree (--destdir): Chrome's with a comment (Chromium reads
        # them so), blocking every native host; Firefox's blocking the add-on.
        tree = tempfile.mkdtemp(dir=testbed().root)
        chrome = os.path.join(tree, "etc/opt/chrome/policies/managed")
        firefox = os.path.join(tree, "etc/firefox/policies")
        os.makedirs(chrome)
        os.makedirs(firefox)
        with open(os.path.join(chrome, "native-hosts.json"), "w") as out:
            out.write('// IT: no native hosts\n{"NativeMessagingBlocklist": ["*"]}\n')
        with open(os.path.join(firefox, "policies.json"), "w") as out:
            json.dump({"policies": {"ExtensionSettings": {FIREFOX_ID: {"installation_mode": "blocked"}}}}, out)
        result = run(["doctor", "--json", "--lang", "en", "--destdir", tree])
        report = json.loads(result.stdout)
        rows = {row["subject"]: row for row in report["rows"] if row["check"] == "browserPolicy"}
        self.assertEqual((rows["Google Chrome"]["status"], rows["Google Chrome"]["error"]["cause"]), ("error", "policy"))
        self.assertIn("envCheck.value.policyBlocksHost", [d["key"] for d in rows["Google Chrome"]["details"]])
        self.assertIn("envCheck.value.policyBlocksExtension", [d["key"] for d in rows["Firefox"]["details"]])
        self.assertEqual(result.returncode, 2)
        # IT allows our host by name: Chrome's row is OK again.
        with open(os.path.join(chrome, "allow.json"), "w") as out:
            json.dump({"NativeMessagingAllowlist": ["com.certbridge.host"]}, out)
        report = json.loads(run(["doctor", "--json", "--lang", "en", "--destdir", tree]).stdout)
        chrome_rows = [row for row in report["rows"] if row["check"] == "browserPolicy" and row["subject"] == "Google Chrome"]
        self.assertEqual([row["status"] for row in chrome_rows], ["ok", "ok"])

    def test_zh_tw_text(self):
        result = run(["doctor", "--lang", "zh-TW"])
        self.assertIn("\nlanguage: zh-TW\n", result.stdout)
        self.assertIn("OK | 智慧卡服務", result.stdout)

    def test_zz_page_rows_on_the_same_answers(self):
        # Last (zz): the answers the real host gave in the tests above.
        self.assertGreaterEqual(len(DoctorTest.answers), 5)
        result = subprocess.run([NODE, CROSS_CHECK, CERTBRIDGE, *DoctorTest.answers], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


class CardCommandTest(unittest.TestCase):
    """The card subcommands, PINs typed at a pseudo-terminal."""

    def test_list_and_certificates(self):
        result = run(["card", "list"])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn(testbed().env["CERTBRIDGE_TESTBED_TOKEN"], result.stdout)
        result = run(["card", "certificates"])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn(testbed().env["CERTBRIDGE_TESTBED_READER"], result.stdout)

    def test_change_pin_refuses_without_terminal(self):
        result = run(["card", "change-pin", "--yes"])
        self.assertEqual(result.returncode, 1)
        self.assertIn("--pin-fd", result.stderr)

    def test_change_pin_softhsm_and_back(self):
        user_pin = testbed().env["CERTBRIDGE_TESTBED_USER_PIN"]
        for current, new in ((user_pin, NEW_PIN), (NEW_PIN, user_pin)):
            terminal = Terminal(["card", "change-pin"])
            terminal.expect("Card: ")
            terminal.expect("Go on?")
            terminal.type("y")
            terminal.expect("New PIN: ")
            terminal.type(new)
            terminal.expect("New PIN again: ")
            terminal.type(new)
            terminal.expect("Current PIN: ")
            terminal.type(current)
            code = terminal.finish()
            self.assertEqual(code, 0, terminal.screen)
            self.assertIn("The PIN was changed.", terminal.screen)
            self.assertNotIn(new, terminal.screen, "a typed PIN must not be echoed")
            self.assertNotIn(current, terminal.screen)

    def test_pin_rules_before_the_card(self):
        terminal = Terminal(["card", "change-pin", "--yes"])
        terminal.expect("New PIN: ")
        terminal.type("1")
        terminal.expect("must be 6 to")
        os.kill(terminal.process.pid, 15)
        terminal.finish()

    def test_a_refused_pin_is_not_kept_in_memory(self):
        if SANITIZED:
            self.skipTest("sanitizer builds keep freed memory in their quarantine")
        wrong = "Qz7-wrong-5531x"  # no library, table or test data holds it by chance
        terminal = Terminal(["card", "change-pin", "--yes"])
        terminal.expect("New PIN: ")
        terminal.type(NEW_PIN)
        terminal.expect("New PIN again: ")
        terminal.type(NEW_PIN)
        terminal.expect("Current PIN: ")
        terminal.type(wrong)
        terminal.expect("incorrect")
        terminal.expect("Current PIN: ")
        # The command is waiting for the PIN again: the refused one went through JSON, libp11 and the token
        # module, and must be nowhere in its memory now.
        pids = subprocess.run(["pgrep", "-s", str(terminal.process.pid), "-x", "certbridge"], capture_output=True,
                              text=True).stdout.split()
        self.assertEqual(len(pids), 1, pids)
        self.assertEqual(memory_count(int(pids[0]), wrong.encode()), 0)
        # The scan sees what is there: the new PIN is still held (it is sent again with the next try).
        self.assertGreater(memory_count(int(pids[0]), NEW_PIN.encode()), 0)
        os.killpg(terminal.process.pid, 15)
        terminal.finish()

    def test_interrupted_prompt_gives_the_echo_back(self):
        import signal
        import termios
        terminal = Terminal(["card", "change-pin", "--yes"])
        terminal.expect("New PIN: ")
        self.assertFalse(termios.tcgetattr(terminal.master)[3] & termios.ECHO, "echo is off while a PIN is typed")
        os.killpg(terminal.process.pid, signal.SIGINT)
        terminal.process.wait(timeout=30)
        self.assertTrue(termios.tcgetattr(terminal.master)[3] & termios.ECHO, "Ctrl-C must give the echo back")
        os.close(terminal.master)

    def test_register_and_unregister(self):
        # A card without certificates: the host's NO_CERTIFICATES_ON_CARD, told the catalogue's way.
        result = run(["card", "register", "--yes"])
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("NO_CERTIFICATES_ON_CARD", result.stderr)
        put_certificate_on_card()
        result = run(["card", "certificates"])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("Subject: CN=CLI Test User", result.stdout)
        self.assertIn("Its private key is on the card", result.stdout)
        result = run(["card", "register", "--yes"])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("Subject: CN=CLI Test User", result.stdout)  # what will be registered, said first
        self.assertIn("The card's certificates are registered.", result.stdout)
        nssdb = os.path.join(testbed().home, ".pki", "nssdb")
        listed = subprocess.run(["modutil", "-list", "-dbdir", f"sql:{nssdb}"], capture_output=True, text=True).stdout
        self.assertIn("CertBridge:", listed)
        result = run(["card", "unregister", "--yes"])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        listed = subprocess.run(["modutil", "-list", "-dbdir", f"sql:{nssdb}"], capture_output=True, text=True).stdout
        self.assertNotIn("CertBridge:", listed)

    def test_unblock_request_prints_the_request(self):
        terminal = Terminal(["card", "unblock-request"])
        terminal.expect("Paste the authorization")
        terminal.type("")
        code = terminal.finish()
        self.assertEqual(code, 1)
        self.assertIn('"requestId"', terminal.screen)
        self.assertIn('"hostPublicKey"', terminal.screen)
        self.assertIn("nothing was changed", terminal.screen)

    def test_zz_opencryptoki_pin_lock_sequence(self):
        # Last (zz): it locks the openCryptoki token for good.
        config = testbed().env["CERTBRIDGE_CONFIG_OCK"]
        terminal = Terminal(["card", "change-pin", "--yes"], config)
        terminal.expect("PIN: 4 to 8 characters")
        terminal.expect("New PIN: ")
        terminal.type(NEW_PIN)
        terminal.expect("New PIN again: ")
        terminal.type(NEW_PIN)
        terminal.expect("Current PIN: ")
        terminal.type(WRONG_PIN)
        terminal.expect("tries left")
        shown_after_first = terminal.screen
        terminal.expect("Current PIN: ")
        terminal.type(WRONG_PIN)
        terminal.expect("Only one try left")
        terminal.expect("Current PIN: ")
        terminal.type(WRONG_PIN)
        code = terminal.finish()
        self.assertEqual(code, 1, terminal.screen)
        self.assertIn("PIN_LOCKED", terminal.screen)
        self.assertIn("incorrect: 2 tries left", shown_after_first)
        self.assertNotIn(WRONG_PIN, terminal.screen)
        # Locked: said before anything is asked, and nothing is asked.
        result = run(["card", "change-pin", "--yes"], config)
        self.assertEqual(result.returncode, 1)
        self.assertIn("locked", result.stdout)
        self.assertIn("PIN_LOCKED", result.stderr)
        result = run(["card", "list"], config)
        self.assertIn("PIN_LOCKED", result.stdout)
        self.unblock(config)

    def unblock(self, config):
        """What the old tool's "unlock" did: the request for the RA, the RA's authorization pasted, a new PIN."""
        terminal = Terminal(["card", "unblock-request"], config)
        screen = terminal.expect("Paste the authorization")
        request = json.loads(screen[screen.index("{"):screen.rindex("}") + 1])
        # The RA's side, as the demo portal's RA does it (tests/demo-portal/ra-verification.mjs).
        seal = ("const {sealUnblockAuthorization} = await import(process.argv[1]);"
                "const r = JSON.parse(process.argv[2]);"
                "console.log(JSON.stringify(sealUnblockAuthorization({requestId: r.requestId, hostPublicKey: r.hostPublicKey,"
                " serialNumber: r.token.serialNumber, pinGroup: r.pinGroup, soPin: process.argv[3]})));")
        ra = os.path.join(os.path.dirname(CROSS_CHECK), "..", "..", "demo-portal", "ra-verification.mjs")
        authorization = subprocess.run(
            [NODE, "--input-type=module", "-e", seal, "file://" + os.path.abspath(ra), json.dumps(request),
             testbed().env["CERTBRIDGE_TESTBED_OCK_SO_PIN"]], capture_output=True, text=True, check=True).stdout.strip()
        terminal.type(authorization)
        user_pin = testbed().env["CERTBRIDGE_TESTBED_OCK_USER_PIN"]
        terminal.expect("New PIN: ")
        terminal.type(user_pin)
        terminal.expect("New PIN again: ")
        terminal.type(user_pin)
        code = terminal.finish()
        self.assertEqual(code, 0, terminal.screen)
        self.assertIn("The PIN was reset and unlocked.", terminal.screen)
        self.assertNotIn(user_pin, terminal.screen)
        result = run(["card", "list"], config)
        self.assertNotIn("PIN_LOCKED", result.stdout)

    def test_change_pin_from_a_descriptor(self):
        # Scripts: PINs one per line on a descriptor the caller opened (here a pipe), never an argument.
        user_pin = testbed().env["CERTBRIDGE_TESTBED_USER_PIN"]
        read_end, write_end = os.pipe()
        os.write(write_end, f"{NEW_PIN}\n{NEW_PIN}\n{user_pin}\n{user_pin}\n{user_pin}\n{NEW_PIN}\n".encode())
        os.close(write_end)
        try:
            for _ in range(2):
                result = subprocess.run(testbed().command(["card", "change-pin", "--yes", "--pin-fd", str(read_end)]),
                                        capture_output=True, text=True, pass_fds=(read_end,), timeout=120)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                self.assertIn("The PIN was changed.", result.stdout)
        finally:
            os.close(read_end)


class SupportBundleTest(unittest.TestCase):
    def test_zzz_bundle_content_and_no_secret(self):
        # After the card tests (zzz): their PINs went through this host's log folder.
        bundle = os.path.join(testbed().root, "bundle.tar.gz")
        result = run(["support-bundle", bundle])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(bundle).st_mode), 0o600)
        with open(bundle, "rb") as archive:
            compressed = archive.read()
        decompressed = gzip.decompress(compressed)
        with tarfile.open(fileobj=io.BytesIO(decompressed)) as archive:
            members = {member.name: archive.extractfile(member).read() for member in archive.getmembers()}
        for name in ("doctor.txt", "doctor.json", "version.txt", "config/in-force.json"):
            self.assertIn(name, members)
        self.assertTrue(any(name.startswith("manifests/") for name in members), list(members))
        self.assertTrue(any(name.startswith("log/") for name in members), list(members))
        self.assertTrue(any(name.startswith("config/") and name != "config/in-force.json" for name in members))
        self.assertIn(f"{HOST}: certbridge-host ".encode(), members["version.txt"])  # the host the manifests start
        self.assertTrue(members["doctor.txt"].startswith(b"CertBridge environment report, format 1\n"))
        self.assertIn(b"command=changePin", members["log/certbridge-host.log"])
        # The help desk re-reads the bundle's report in its own language: the same rows, the same codes.
        saved = os.path.join(testbed().root, "doctor-from-bundle.json")
        with open(saved, "wb") as out:
            out.write(members["doctor.json"])
        again = subprocess.run([CERTBRIDGE, "doctor", "--json", "--lang", "zh-TW", "--from-environment", saved],
                               capture_output=True, text=True)
        original = json.loads(members["doctor.json"])
        reread = json.loads(again.stdout)
        identity = lambda rows: [(row["check"], row["subject"], row["status"], row["code"]) for row in rows]
        self.assertEqual(identity(reread["rows"]), identity(original["rows"]))
        self.assertEqual(reread["checkedAt"], original["checkedAt"])
        self.assertIn("language: zh-TW", subprocess.run([CERTBRIDGE, "doctor", "--lang", "zh-TW", "--from-environment", saved],
                                             capture_output=True, text=True).stdout)
        secrets = [testbed().env["CERTBRIDGE_TESTBED_USER_PIN"], testbed().env["CERTBRIDGE_TESTBED_SO_PIN"], NEW_PIN,
                   WRONG_PIN]
        for secret in secrets:
            for where, data in [("the archive", compressed), ("the tar", decompressed), *members.items()]:
                self.assertEqual(data.count(secret.encode()), 0, f"{secret} found in {where}")


def main():
    global TESTBED_INSTANCE
    TESTBED_INSTANCE = Testbed()
    try:
        program = unittest.main(argv=[sys.argv[0], "-v"], exit=False)
        return 0 if program.result.wasSuccessful() else 1
    finally:
        TESTBED_INSTANCE.stop()


if __name__ == "__main__":
    sys.exit(main())
