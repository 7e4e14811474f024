#!/usr/bin/env python3
"""certbridge.exe, the Windows build of the help desk's command, under wine, as a help desk runs it.

  cli_wine_test.py WINDOWS_BUILD_DIR REASON_IF_NOT_BUILT

In a private, throw-away wine prefix, with the card TEST DOUBLES (tests/windows/mock_card: wine's winscard.dll
is a stub and there is no card middleware) beside the programs:
- doctor in the failure states a Windows help desk meets: the host not registered for any browser, a
  registration that points at no program or does not name our extension, Group Policy blocking the host
  (HKLM) or the extension (Firefox), the Smart Card service missing or disabled; each with the row's code,
  the exit code, and the texts in zh-TW (the service under the name zh-TW Windows shows, 「智慧卡」);
- the card subcommands against the mock card, with PINs typed at a console that wine runs on a
  pseudo-terminal: never echoed, a wrong current PIN told apart, the PIN changed and changed back;
- the support bundle: the registry's policies and the registration in it, the host asked for its version
  through the relative path of its manifest, and the test PINs 0 times in it (compressed or not).
Exits 77 (skipped, with the reason) without wine or the Windows build; with CI set that is a failure.
"""

import gzip
import io
import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import termios
import time
import unittest

BUILD = os.path.abspath(sys.argv[1])
NOT_BUILT = sys.argv[2] if len(sys.argv) > 2 else "the Windows build was not made"
SKIPPED = 77
CERTBRIDGE = os.path.join(BUILD, "cli", "certbridge.exe")
HOST = os.path.join(BUILD, "host", "certbridge-host.exe")
DOUBLES = os.path.join(BUILD, "tests", "windows", "programs", "card_doubles")
MOCK_CARD_ATR = "3B 95 13 81 01 80 73 FF 01 00 0B"
# The mock card's PINs (tests/windows/mock_card/README.md) and the ones this suite types.
USER_PIN = "123456"
NEW_PIN = "24681357"
WRONG_PIN = "99999999"
FIREFOX_ID = "{5b1309ee-8eca-44d3-9fee-ddedec839aa7}"
CHROME_POLICY = r"HKLM\SOFTWARE\Policies\Google\Chrome"


def skip(reason):
    if os.environ.get("CI"):
        print(f"FAILED: {reason} (CI installs everything: run tests/install-dependencies.sh)")
        sys.exit(1)
    print(f"SKIPPED: {reason}")
    sys.exit(SKIPPED)


def windows_path(path):
    return "Z:" + path.replace("/", "\\")


class Wine:
    """A private prefix, the programs and the doubles in one folder, and the host's configuration."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="certbridge-cli-wine-")
        self.programs = os.path.join(self.root, "CertBridge")
        os.mkdir(self.programs)
        for program in (CERTBRIDGE, HOST):
            shutil.copy(program, self.programs)
        # winscard.dll beside the program that imports it, and "winscard=n" below: the double, not wine's stub.
        for double in ("winscard.dll", "certbridge-mock-pkcs11.dll"):
            shutil.copy(os.path.join(DOUBLES, double), self.programs)
        self.card_state = os.path.join(self.root, "card.state")
        open(self.card_state, "w").close()
        self.config = os.path.join(self.root, "config.json")
        with open(self.config, "w") as out:
            json.dump({
                "allowedOrigins": ["https://ra.example"],
                "cardProfiles": [{
                    "id": "certbridge-mock", "displayName": "CertBridge mock card (wine tests)", "atr": MOCK_CARD_ATR,
                    "module": windows_path(os.path.join(self.programs, "certbridge-mock-pkcs11.dll")),
                    "pins": [{"name": "PIN", "minLength": 6, "maxLength": 16, "maxTries": 3}],
                    "keySizes": [2048],
                    "windows": {"provider": "Microsoft Smart Card Key Storage Provider", "container": "{keyId}"}}],
            }, out)
        self.env = dict(os.environ, WINEPREFIX=os.path.join(self.root, "prefix"), WINEDEBUG="-all",
                        WINEDLLOVERRIDES="mscoree,mshtml=;winscard=n", CERTBRIDGE_CONFIG=windows_path(self.config),
                        CERTBRIDGE_MOCK_CARD_STATE=windows_path(self.card_state), LANG="C.UTF-8")
        self.env.pop("DISPLAY", None)
        self.env.pop("WAYLAND_DISPLAY", None)
        subprocess.run(["wine", "wineboot", "--init"], env=self.env, capture_output=True, timeout=300)
        self.settle()

    def settle(self):
        """Waits for the wine server to write the registry, as a later process reads it."""
        subprocess.run(["wineserver", "-w"], env=self.env, capture_output=True, timeout=120)

    def wine(self, args, stdin=subprocess.DEVNULL):
        return subprocess.run(["wine", *args], env=self.env, cwd=self.programs, capture_output=True, stdin=stdin,
                              timeout=180)

    def reg(self, *args):
        result = self.wine(["reg", *args])
        self.settle()
        return result

    def certbridge(self, args, stdin=subprocess.DEVNULL):
        result = self.wine([os.path.join(self.programs, "certbridge.exe"), *args], stdin)
        return result.returncode, result.stdout.decode("utf-8", "replace").replace("\r", ""), \
            result.stderr.decode("utf-8", "replace").replace("\r", "")

    def stop(self):
        self.settle()
        subprocess.run(["wineserver", "-k"], env=self.env, capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


WINE = None


def doctor(language="en"):
    code, out, err = WINE.certbridge(["doctor", "--json", "--lang", language])
    try:
        return code, json.loads(out)
    except json.JSONDecodeError:
        raise AssertionError(f"doctor --json printed no report (exit {code}): {out}{err}")


def rows(report, check, subject=None):
    return [row for row in report["rows"] if row["check"] == check and (subject is None or row["subject"] == subject)]


def detail_keys(row):
    return [detail["key"] for detail in row["details"]]


class Console:
    """certbridge.exe in a console that wine runs on a pseudo-terminal: what the user sees and types."""

    ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

    def __init__(self, args):
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(["wine", os.path.join(WINE.programs, "certbridge.exe"), *args], env=WINE.env,
                                        cwd=WINE.programs, stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                                        start_new_session=True)
        os.close(slave)
        self.raw = ""
        self.seen = 0

    @property
    def screen(self):
        # wine draws its console with cursor movements: a step right is a space on the screen.
        return self.ESCAPES.sub(lambda m: " " if m.group(0).endswith("C") else "", self.raw)

    def read(self, timeout):
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 4096)
        except OSError:
            chunk = b""
        self.raw += chunk.decode("utf-8", "replace")
        return bool(chunk)

    def expect(self, text, timeout=90):
        deadline = time.monotonic() + timeout
        while text not in self.screen[self.seen:]:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise AssertionError(f"timed out waiting for {text!r}; screen:\n{self.screen}")
            if not self.read(remaining):
                self.kill()
                raise AssertionError(f"ended before {text!r}; screen:\n{self.screen}")
        self.seen = self.screen.index(text, self.seen) + len(text)

    def type(self, line):
        # wine's console takes the terminal into raw mode when the program first reads; typed earlier, the
        # terminal itself would turn Enter into a line feed, which the console does not take as Enter.
        deadline = time.monotonic() + 30
        while termios.tcgetattr(self.master)[3] & termios.ICANON and time.monotonic() < deadline:
            time.sleep(0.05)
        os.write(self.master, (line + "\r").encode())

    def kill(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def finish(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.read(0.5) and self.process.poll() is None:
            pass
        while self.read(0.2):
            pass
        code = self.process.wait(timeout=max(1, deadline - time.monotonic()))
        os.close(self.master)
        return code


class Doctor(unittest.TestCase):
    def test_a_nothing_registered(self):
        code, report = doctor()
        self.assertNotEqual(code, 0)
        for browser in ("Google Chrome", "Chromium", "Microsoft Edge", "Firefox"):
            (row,) = rows(report, "manifest", browser)
            self.assertEqual((row["status"], row["code"]), ("error", "NATIVE_UNAVAILABLE"), browser)
        (chrome,) = rows(report, "manifest", "Google Chrome")
        looked = chrome["details"][0]["params"]["paths"]
        self.assertIn(r"HKCU\SOFTWARE\Google\Chrome\NativeMessagingHosts\com.certbridge.host", looked)
        self.assertIn(r"HKLM\SOFTWARE\Google\Chrome\NativeMessagingHosts\com.certbridge.host", looked)
        # The host's own rows come through the same command layer: the mock card is seen.
        self.assertIn("CertBridge Mock Card", json.dumps(report["rows"]))

    def test_b_registered_for_chrome(self):
        result = WINE.wine([os.path.join(WINE.programs, "certbridge-host.exe"), "install", "--user", "--browser",
                            "chrome"])
        WINE.settle()
        self.assertEqual(result.returncode, 0, result.stderr)
        _, report = doctor()
        (chrome,) = rows(report, "manifest", "Google Chrome")
        self.assertEqual(chrome["status"], "ok", chrome)
        self.assertIn("envCheck.value.manifestRegisteredAt", detail_keys(chrome))
        self.assertTrue(chrome["details"][-1]["params"]["path"].endswith(r"\certbridge-host.exe"))
        # The other browsers are not wrong now: the user may not have them.
        self.assertEqual(rows(report, "manifest", "Firefox")[0]["status"], "warning")

    def test_c_registration_pointing_nowhere_or_not_naming_us(self):
        manifests = os.path.join(WINE.root, "manifests")
        os.makedirs(manifests, exist_ok=True)
        cases = {
            "Microsoft Edge": ("Microsoft\\Edge", {"path": "no-such-host.exe", "allowed_origins": []},
                               "envCheck.value.manifestHostMissing", None),
            "Chromium": ("Chromium", {"path": windows_path(os.path.join(WINE.programs, "certbridge-host.exe")),
                                      "allowed_origins": ["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"]},
                         "envCheck.value.manifestExtensionMissing", "forbidden"),
        }
        for browser, (vendor, fields, key, cause) in cases.items():
            manifest = os.path.join(manifests, vendor.replace("\\", "-") + ".json")
            with open(manifest, "w") as out:
                json.dump({"name": "com.certbridge.host", "type": "stdio", **fields}, out)
            WINE.reg("add", rf"HKCU\SOFTWARE\{vendor}\NativeMessagingHosts\com.certbridge.host", "/ve", "/d",
                     windows_path(manifest), "/f")
        _, report = doctor()
        for browser, (_, _, key, cause) in cases.items():
            (row,) = rows(report, "manifest", browser)
            self.assertEqual((row["status"], row["code"]), ("error", "NATIVE_UNAVAILABLE"), row)
            self.assertIn(key, detail_keys(row))
            self.assertEqual((row["error"] or {}).get("cause"), cause, row)
        for vendor in ("Microsoft\\Edge", "Chromium"):
            WINE.reg("delete", rf"HKCU\SOFTWARE\{vendor}\NativeMessagingHosts\com.certbridge.host", "/f")

    def test_d_group_policy_blocking(self):
        _, report = doctor()
        self.assertEqual(detail_keys(rows(report, "browserPolicy")[0]), ["envCheck.value.policyNoneRegistry"])
        WINE.reg("add", CHROME_POLICY + r"\NativeMessagingBlocklist", "/v", "1", "/d", "*", "/f")
        WINE.reg("add", rf"HKLM\SOFTWARE\Policies\Mozilla\Firefox\ExtensionSettings\{FIREFOX_ID}", "/v",
                 "installation_mode", "/d", "blocked", "/f")
        code, report = doctor()
        self.assertNotEqual(code, 0)
        (chrome,) = rows(report, "browserPolicy", "Google Chrome")
        self.assertEqual((chrome["status"], chrome["code"], chrome["error"].get("cause")),
                         ("error", "NATIVE_UNAVAILABLE", "policy"))
        self.assertEqual(chrome["details"][0]["params"]["path"], CHROME_POLICY)
        (firefox,) = rows(report, "browserPolicy", "Firefox")
        self.assertIn("envCheck.value.policyBlocksExtension", detail_keys(firefox))
        # IT allows our host by name: no longer blocked.
        WINE.reg("add", CHROME_POLICY + r"\NativeMessagingAllowlist", "/v", "1", "/d", "com.certbridge.host", "/f")
        _, report = doctor()
        self.assertEqual(rows(report, "browserPolicy", "Google Chrome")[0]["status"], "ok")

    def test_e_smart_card_service(self):
        _, report = doctor()
        (service,) = rows(report, "pcscService")
        self.assertEqual((service["status"], service["code"]), ("error", "PCSC_UNAVAILABLE"))
        self.assertIn("envCheck.value.windowsServiceMissing", detail_keys(service))
        WINE.wine(["sc", "create", "SCardSvr", "binpath=", r"C:\windows\system32\svchost.exe", "start=", "demand"])
        WINE.settle()
        _, report = doctor()
        (service,) = rows(report, "pcscService")
        self.assertEqual(service["status"], "ok", service)
        self.assertIn("envCheck.value.windowsServiceStopped", detail_keys(service))
        # wine's sc cannot change the start type: the service manager reads it from the registry when it starts.
        WINE.reg("add", r"HKLM\System\CurrentControlSet\Services\SCardSvr", "/v", "Start", "/t", "REG_DWORD", "/d",
                 "4", "/f")
        _, report = doctor()
        (service,) = rows(report, "pcscService")
        self.assertEqual((service["status"], service["code"]), ("error", "PCSC_UNAVAILABLE"))
        self.assertIn("envCheck.value.windowsServiceDisabled", detail_keys(service))
        code, text, _ = WINE.certbridge(["doctor", "--lang", "zh-TW"])
        self.assertNotEqual(code, 0)
        self.assertIn("「智慧卡」服務已停用", text)
        self.assertIn("請啟動 Windows 的「智慧卡」服務（SCardSvr）", text)


class CardCommands(unittest.TestCase):
    def test_list_and_certificates(self):
        code, out, err = WINE.certbridge(["card", "list", "--lang", "en"])
        self.assertEqual(code, 0, out + err)
        self.assertIn("Mock Reader 0", out)
        self.assertIn("CertBridge Mock Card", out)
        code, out, err = WINE.certbridge(["card", "certificates", "--lang", "en"])
        self.assertEqual(code, 0, out + err)
        self.assertIn("The card holds no certificates", out)

    def test_register_names_the_windows_store_and_says_the_card_has_no_certificate(self):
        code, out, err = WINE.certbridge(["card", "register", "--yes", "--lang", "en"])
        self.assertEqual(code, 1, out + err)
        self.assertIn('The Windows "Personal" store', out)
        self.assertNotIn("NSS", out)
        self.assertIn("NO_CERTIFICATES_ON_CARD", err)

    def test_change_pin_refuses_without_a_console(self):
        code, out, err = WINE.certbridge(["card", "change-pin", "--lang", "en"])
        self.assertNotEqual(code, 0)
        self.assertNotIn("PIN changed", out)

    def change_pin(self, current, new, wrong_first=False):
        console = Console(["card", "change-pin", "--lang", "en"])
        console.expect("Go on? Type y and Enter:")
        console.type("y")
        console.expect("New PIN:")
        console.type(new)
        console.expect("New PIN again:")
        console.type(new)
        console.expect("Current PIN:")
        if wrong_first:
            console.type(WRONG_PIN)
            console.expect("incorrect")
            console.expect("Current PIN:")
        console.type(current)
        console.expect("The PIN was changed.")
        code = console.finish()
        self.assertEqual(code, 0, console.screen)
        for pin in (current, new, WRONG_PIN):
            self.assertNotIn(pin, console.raw, "a PIN was echoed")
        return console

    def test_zz_change_pin_at_the_console_and_back(self):
        self.change_pin(USER_PIN, NEW_PIN, wrong_first=True)
        self.change_pin(NEW_PIN, USER_PIN)


class SupportBundle(unittest.TestCase):
    def test_zzz_content_and_no_secret(self):
        bundle = os.path.join(WINE.root, "bundle.tar.gz")
        code, out, err = WINE.certbridge(["support-bundle", windows_path(bundle), "--lang", "en"])
        self.assertEqual(code, 0, out + err)
        with open(bundle, "rb") as raw:
            compressed = raw.read()
        plain = gzip.decompress(compressed)
        with tarfile.open(fileobj=io.BytesIO(compressed)) as archive:
            names = archive.getnames()
            text = {name: archive.extractfile(name).read().decode("utf-8", "replace") for name in names}
        for needed in ("doctor.txt", "doctor.json", "version.txt", "config/in-force.json"):
            self.assertIn(needed, names)
        self.assertTrue(any(name.startswith("manifests/") and name.endswith("com.certbridge.host.chrome.json")
                            for name in names), names)
        self.assertIn("browser-policies/HKLM_SOFTWARE_Policies_Google_Chrome", names)
        self.assertIn("NativeMessagingBlocklist", text["browser-policies/HKLM_SOFTWARE_Policies_Google_Chrome"])
        self.assertTrue(any(name.startswith("log/") for name in names), names)
        # The host, found through its manifest's relative path, answered for itself.
        self.assertRegex(text["version.txt"], r"certbridge-host\.exe: certbridge-host \d+\.\d+\.\d+")
        for pin in (USER_PIN, NEW_PIN, WRONG_PIN):
            self.assertEqual(plain.count(pin.encode()), 0, f"PIN {pin} in the bundle")
            self.assertEqual(compressed.count(pin.encode()), 0, f"PIN {pin} in the compressed bundle")


def main():
    global WINE
    if shutil.which("wine") is None or shutil.which("wineserver") is None:
        skip("wine not found (Debian packages wine, wine64)")
    for needed in (CERTBRIDGE, HOST, os.path.join(DOUBLES, "winscard.dll")):
        if not os.path.isfile(needed):
            skip(NOT_BUILT)
    started = time.monotonic()
    WINE = Wine()
    try:
        program = unittest.main(argv=[sys.argv[0], "-v"], exit=False)
    finally:
        WINE.stop()
    print(f"({time.monotonic() - started:.0f} s)")
    result = program.result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
