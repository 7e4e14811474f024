#!/usr/bin/env python3
"""The macOS pkg inputs (installer/macos) that a Mac turns into CertBridge.pkg: every file at its path with
its mode, manifests pointing at the installed host with exactly our extension IDs, Distribution.xml and the
plists well-formed with the right identifiers, a postinstall script that touches only its own paths (run
here against a copy of the payload), and a configuration profile that force-installs the extension with
managed settings the extension's schema accepts.

  macos_pkg_inputs_test.py TREE SOURCE_DIR VERSION HOST_INSTALL_PATH [MACOS_HOST]
"""

import hashlib
import json
import os
import plistlib
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid
import xml.etree.ElementTree as ElementTree

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def main():
    tree, source, version, host_path = sys.argv[1:5]
    macos_host = sys.argv[5] if len(sys.argv) > 5 else ""
    if not os.path.isdir(tree):
        print(f"no pkg inputs at {tree}: build the certbridge_macos_pkg_inputs target", file=sys.stderr)
        return 1
    protocol = json.load(open(os.path.join(source, "extension/shared/protocol.json")))
    schema = json.load(open(os.path.join(source, "extension/src/managed_schema.json")))
    ids = protocol["extensionIds"]
    payload = os.path.join(tree, "payload")
    manifest_name = protocol["nativeHostName"] + ".json"
    bundle = host_path.split("/Contents/MacOS/")[0]

    check_layout(tree, payload, host_path, bundle, manifest_name)
    check_manifests(payload, protocol, host_path, manifest_name)
    check_host(payload, host_path, macos_host)
    check_bundle_and_component(tree, payload, bundle, version)
    check_distribution(tree, version)
    check_scripts(tree)
    check_postinstall(tree, source, payload, host_path, bundle, manifest_name, version)
    check_uninstall(payload, host_path, bundle, manifest_name)
    check_profile(tree, protocol, schema, ids)
    check_readmes(tree, source)

    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    print(f"macOS pkg inputs: {len(failures)} failure(s)")
    return 1 if failures else 0


def uninstaller(bundle):
    return os.path.dirname(bundle) + "/uninstall.sh"


MANIFEST_DIRS = {
    "chrome": "Library/Google/Chrome/NativeMessagingHosts",
    "chromium": "Library/Application Support/Chromium/NativeMessagingHosts",
    "edge": "Library/Microsoft/Edge/NativeMessagingHosts",
    "firefox": "Library/Application Support/Mozilla/NativeMessagingHosts",
}


def check_layout(tree, payload, host_path, bundle, manifest_name):
    expected_files = {
        "CertBridge.mobileconfig": 0o644, "Distribution.xml": 0o644, "README.md": 0o644,
        "certbridge-host.entitlements": 0o644,
        "component.plist": 0o644, "make_pkg.sh": 0o755, "scripts/postinstall": 0o755,
        "payload" + host_path: 0o755, "payload" + bundle + "/Contents/Info.plist": 0o644,
        "payload" + uninstaller(bundle): 0o755,
    }
    for directory in MANIFEST_DIRS.values():
        expected_files[f"payload/{directory}/{manifest_name}"] = 0o644
    expected_dirs = {"payload", "scripts"}
    for path in expected_files:
        parent = os.path.dirname(path)
        while parent:
            expected_dirs.add(parent)
            parent = os.path.dirname(parent)
    found_files, found_dirs = {}, set()
    for directory, dirs, files in os.walk(tree):
        for name in dirs:
            found_dirs.add(os.path.relpath(os.path.join(directory, name), tree))
        for name in files:
            path = os.path.join(directory, name)
            found_files[os.path.relpath(path, tree)] = mode(path)
    check(set(found_files) == set(expected_files),
          f"files: unexpected {sorted(set(found_files) - set(expected_files))}, "
          f"missing {sorted(set(expected_files) - set(found_files))}")
    check(found_dirs == expected_dirs, f"directories: unexpected {sorted(found_dirs - expected_dirs)}, "
          f"missing {sorted(expected_dirs - found_dirs)}")
    for path, expected in expected_files.items():
        if path in found_files:
            check(found_files[path] == expected, f"{path}: mode {oct(found_files[path])}, expected {oct(expected)}")
    for path in found_dirs:
        check(mode(os.path.join(tree, path)) == 0o755, f"{path}/: mode {oct(mode(os.path.join(tree, path)))}")


def check_manifests(payload, protocol, host_path, manifest_name):
    chromium_origins = [f"chrome-extension://{i}/" for i in protocol["extensionIds"]["chromium"]]
    for browser, directory in MANIFEST_DIRS.items():
        file = os.path.join(payload, directory, manifest_name)
        if not check(os.path.isfile(file), f"{browser} manifest missing at /{directory}"):
            continue
        try:
            manifest = json.load(open(file))
        except ValueError as error:
            check(False, f"{browser} manifest is not JSON: {error}")
            continue
        check(manifest.get("name") == protocol["nativeHostName"], f"{browser} manifest name {manifest.get('name')}")
        check(manifest.get("type") == "stdio", f"{browser} manifest type")
        check(manifest.get("path") == host_path, f"{browser} manifest path {manifest.get('path')} != {host_path}")
        if browser == "firefox":
            check(manifest.get("allowed_extensions") == [protocol["extensionIds"]["firefox"]],
                  f"firefox allowed_extensions {manifest.get('allowed_extensions')}")
            check("allowed_origins" not in manifest, "firefox manifest has allowed_origins")
        else:
            check(manifest.get("allowed_origins") == chromium_origins,
                  f"{browser} allowed_origins {manifest.get('allowed_origins')}")
            check("allowed_extensions" not in manifest, f"{browser} manifest has allowed_extensions")
        extra = set(manifest) - {"name", "description", "path", "type", "allowed_origins", "allowed_extensions"}
        check(not extra, f"{browser} manifest has unexpected keys {extra}")


def check_host(payload, host_path, macos_host):
    host = payload + host_path
    content = open(host, "rb").read()
    if macos_host:
        check(content == open(macos_host, "rb").read(), "the payload's host is not CERTBRIDGE_MACOS_HOST")
        return
    check(b"CERTBRIDGE-PLACEHOLDER-NOT-A-MACOS-BINARY" in content, "the host slot holds neither a host nor the marked placeholder")
    run = subprocess.run([host, "--version"], capture_output=True, text=True)
    check(run.returncode != 0 and "placeholder" in run.stderr, "the placeholder must fail loudly when started")


def load_plist(path):
    subprocess.run(["xmllint", "--noout", path], check=True)
    with open(path, "rb") as file:
        return plistlib.load(file)


def check_bundle_and_component(tree, payload, bundle, version):
    info = load_plist(payload + bundle + "/Contents/Info.plist")
    check(info.get("CFBundleIdentifier") == "com.certbridge.host", f"Info.plist CFBundleIdentifier {info.get('CFBundleIdentifier')}")
    check(info.get("CFBundleExecutable") == "certbridge-host", "Info.plist CFBundleExecutable")
    check(info.get("CFBundlePackageType") == "APPL", "Info.plist CFBundlePackageType")
    check(info.get("CFBundleShortVersionString") == version and info.get("CFBundleVersion") == version,
          "Info.plist versions")
    check(info.get("LSBackgroundOnly") is True, "Info.plist LSBackgroundOnly (no Dock icon when a browser starts it)")
    # The hardened runtime refuses libraries of other teams unless told: the card vendor's PKCS#11 module.
    entitlements = load_plist(os.path.join(tree, "certbridge-host.entitlements"))
    check(entitlements == {"com.apple.security.cs.disable-library-validation": True},
          f"entitlements: library validation off and nothing else, not {entitlements}")
    component = load_plist(os.path.join(tree, "component.plist"))
    if not check(isinstance(component, list) and len(component) == 1, "component.plist: one bundle"):
        return
    entry = component[0]
    check(entry.get("RootRelativeBundlePath") == bundle.lstrip("/"), f"component RootRelativeBundlePath {entry}")
    check(entry.get("BundleIsRelocatable") is False, "component BundleIsRelocatable must be false")
    check(entry.get("BundleHasStrictIdentifier") is True, "component BundleHasStrictIdentifier")
    check(entry.get("BundleOverwriteAction") == "upgrade", "component BundleOverwriteAction")
    check(entry.get("BundleIsVersionChecked") is False, "component BundleIsVersionChecked (IT may roll back)")


def check_distribution(tree, version):
    path = os.path.join(tree, "Distribution.xml")
    subprocess.run(["xmllint", "--noout", path], check=True)
    root = ElementTree.parse(path).getroot()
    check(root.tag == "installer-gui-script" and root.get("minSpecVersion") == "2", "Distribution root")
    domains = root.find("domains")
    check(domains is not None and domains.get("enable_localSystem") == "true"
          and domains.get("enable_anywhere") == "false" and domains.get("enable_currentUserHome") == "false",
          "Distribution: system volume only (the manifests name /Library paths)")
    options = root.find("options")
    archs = set((options.get("hostArchitectures") or "").split(",")) if options is not None else set()
    check({"arm64", "x86_64"} <= archs, f"Distribution hostArchitectures {archs}")
    check(root.find("volume-check/allowed-os-versions/os-version") is not None, "Distribution minimum macOS")
    refs = [r for r in root.iter("pkg-ref") if r.text and r.text.strip()]
    check(len(refs) == 1 and refs[0].get("id") == "com.certbridge.host" and refs[0].get("version") == version
          and refs[0].text.strip() == "certbridge-host-component.pkg", "Distribution pkg-ref")
    choice_refs = [r.get("id") for c in root.iter("choice") for r in c.iter("pkg-ref")]
    check(choice_refs == ["com.certbridge.host"], f"Distribution choice refs {choice_refs}")
    product = root.find("product")
    check(product is not None and product.get("version") == version, "Distribution product version")
    make_pkg = open(os.path.join(tree, "make_pkg.sh")).read()
    check('readonly pkg_id="com.certbridge.host"' in make_pkg, "make_pkg.sh builds the component Distribution.xml names")
    check('readonly component_pkg="certbridge-host-component.pkg"' in make_pkg, "make_pkg.sh component file name")


def check_scripts(tree):
    for script in ("scripts/postinstall", "make_pkg.sh",
                   "payload/Library/Application Support/CertBridge/uninstall.sh"):
        path = os.path.join(tree, script)
        check(subprocess.run(["bash", "-n", path]).returncode == 0, f"{script}: bash -n")
        if shutil.which("shellcheck"):
            run = subprocess.run(["shellcheck", path], capture_output=True, text=True)
            check(run.returncode == 0, f"{script}: shellcheck\n{run.stdout}")
        text = open(path).read()
        check(not re.search(r"@[A-Z_]+@", text), f"{script}: unsubstituted template variable")
    postinstall = open(os.path.join(tree, "scripts/postinstall")).read()
    for registering in ("launchctl", "defaults ", "profiles ", "pkgutil", "security ", "rm ", "ln ", "HOME"):
        check(registering not in postinstall, f"postinstall uses {registering.strip()}: it registers nothing")
    run = subprocess.run(["bash", os.path.join(tree, "make_pkg.sh"), "--host", "/nonexistent", "--app-identity", "A",
                          "--installer-identity", "I"], capture_output=True, text=True)
    check(run.returncode == 1 and "macOS" in run.stderr, f"make_pkg.sh off a Mac: {run.returncode} {run.stderr}")


def snapshot(root):
    state = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            digest = hashlib.sha256(open(path, "rb").read()).hexdigest() if stat.S_ISREG(info.st_mode) else ""
            state["/" + os.path.relpath(path, root)] = (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid, digest)
    return state


def run_postinstall(tree, target):
    environment = dict(os.environ)
    if os.geteuid() != 0:
        # Only root may give files to root: without it, chown is a no-op and ownership goes unchecked.
        shim = os.path.join(os.path.dirname(target), "bin")
        os.makedirs(shim, exist_ok=True)
        with open(os.path.join(shim, "chown"), "w") as file:
            file.write("#!/bin/sh\nexit 0\n")
        os.chmod(os.path.join(shim, "chown"), 0o755)
        environment["PATH"] = shim + os.pathsep + environment["PATH"]
    return subprocess.run(["bash", os.path.join(tree, "scripts/postinstall"), "/tmp/CertBridge.pkg", "/", target, "/"],
                          capture_output=True, text=True, env=environment)


def check_postinstall(tree, source, payload, host_path, bundle, manifest_name, version):
    as_root = os.geteuid() == 0
    with tempfile.TemporaryDirectory() as work:
        target = os.path.join(work, "volume")
        shutil.copytree(payload, target, symlinks=True)
        stub = target + host_path  # the payload's placeholder cannot run; a Mac's host would
        with open(stub, "w") as file:
            file.write(f"#!/bin/sh\necho certbridge-host {version}\n")
        chrome_dir = "/" + MANIFEST_DIRS["chrome"]
        chrome_manifest = f"{chrome_dir}/{manifest_name}"
        # What a Mac may already have: a loosely-permitted browser directory, another vendor's manifest, the
        # admin's host configuration.
        os.chmod(target + chrome_manifest, 0o666)
        os.chmod(target + chrome_dir, 0o777)
        os.chmod(target + "/Library/Google", 0o777)
        os.chmod(stub, 0o777)
        os.chmod(target + "/Library/Application Support", 0o775)
        neighbour = f"{chrome_dir}/com.other.host.json"
        with open(target + neighbour, "w") as file:
            file.write("{}")
        os.chmod(target + neighbour, 0o666)
        config = "/Library/Application Support/CertBridge/config.json"
        with open(target + config, "w") as file:
            file.write('{"cardProfiles": []}')
        os.chmod(target + config, 0o640)
        os.makedirs(target + "/Library/Preferences")
        if as_root:
            os.chown(target + chrome_manifest, 501, 20)
            os.chown(target + chrome_dir, 501, 20)
            os.chown(target + neighbour, 1234, 20)
            os.chown(target + config, 0, 80)
        before = snapshot(target)
        run = run_postinstall(tree, target)
        check(run.returncode == 0, f"postinstall failed: {run.returncode} {run.stderr}")
        check(f"certbridge-host {version}" in run.stdout, f"postinstall reports the installed host: {run.stdout}")
        after = snapshot(target)

        check(set(before) == set(after), f"postinstall created or removed {sorted(set(before) ^ set(after))}")
        allowed = {host_path, bundle, os.path.dirname(bundle), uninstaller(bundle)}
        allowed |= {p for p in before if p.startswith(bundle + "/")}
        for directory in MANIFEST_DIRS.values():
            allowed.add(f"/{directory}/{manifest_name}")
            parent = "/" + directory
            while parent not in ("/Library", "/Library/Application Support"):
                allowed.add(parent)
                parent = os.path.dirname(parent)
        changed = {p for p in before if p in after and before[p] != after[p]}
        check(changed <= allowed, f"postinstall changed paths it does not own: {sorted(changed - allowed)}")
        check(after[chrome_manifest][0] == 0o644, f"manifest mode after postinstall {oct(after[chrome_manifest][0])}")
        check(after[chrome_dir][0] & 0o022 == 0 and after["/Library/Google"][0] & 0o022 == 0,
              "browser directories stay writable by others")
        check(after[host_path][0] == 0o755, "host mode after postinstall")
        check(after[neighbour] == before[neighbour], "another vendor's manifest was changed")
        check(after[config] == before[config], "the admin's config.json was changed")
        check(after["/Library/Application Support"] == before["/Library/Application Support"],
              "/Library/Application Support was changed")
        if as_root:
            check(after[chrome_manifest][1:3] == (0, 0) and after[chrome_dir][1] == 0,
                  "manifest and its directory not owned by root after postinstall")

        # Refusals: the placeholder host, a missing manifest.
        shutil.copy(os.path.join(source, "installer/macos/placeholder-host.sh"), stub)
        run = run_postinstall(tree, target)
        check(run.returncode != 0 and "placeholder" in run.stderr, f"postinstall accepted the placeholder: {run.stderr}")
        with open(stub, "w") as file:
            file.write(f"#!/bin/sh\necho certbridge-host {version}\n")
        os.remove(target + chrome_manifest)
        run = run_postinstall(tree, target)
        check(run.returncode != 0 and "missing" in run.stderr, "postinstall accepted a missing manifest")


def check_uninstall(payload, host_path, bundle, manifest_name):
    """uninstall.sh removes exactly the package's files; --purge also the admin's config.json."""
    config = os.path.dirname(bundle) + "/config.json"
    chrome_dir = "/" + MANIFEST_DIRS["chrome"]
    for purge in (False, True):
        with tempfile.TemporaryDirectory() as work:
            target = os.path.join(work, "volume")
            shutil.copytree(payload, target, symlinks=True)
            installed = {p for p in snapshot(target) if os.path.isfile(target + p)}
            for extra in (config, f"{chrome_dir}/com.other.host.json", "/Library/Preferences/com.other.plist"):
                os.makedirs(os.path.dirname(target + extra), exist_ok=True)
                with open(target + extra, "w") as file:
                    file.write("{}")
            before = snapshot(target)
            args = ["bash", target + uninstaller(bundle), "--target-volume", target] + (["--purge"] if purge else [])
            run = subprocess.run(args, capture_output=True, text=True)
            check(run.returncode == 0, f"uninstall.sh failed: {run.stderr}")
            after = snapshot(target)
            removed = set(before) - set(after)
            expected = installed | {bundle, bundle + "/Contents", bundle + "/Contents/MacOS"}
            if purge:
                expected |= {config, os.path.dirname(bundle)}
            check(removed == expected, f"uninstall.sh{' --purge' if purge else ''} removed {sorted(removed ^ expected)} "
                  "more or less than the package's files")
            check(all(after[p] == before[p] for p in after), "uninstall.sh changed a file it left")
            check(os.path.isdir(target + chrome_dir), "uninstall.sh removed a browser's manifest directory")
    run = subprocess.run(["bash", payload + uninstaller(bundle), "--bogus"], capture_output=True, text=True)
    check(run.returncode == 2 and "sudo" in run.stderr, f"uninstall.sh with a bad option: {run.returncode} {run.stderr}")


def check_managed_settings(where, settings, schema):
    properties = schema["properties"]
    check(set(settings) <= set(properties), f"{where}: keys outside managed_schema.json {set(settings) - set(properties)}")
    for key, value in settings.items():
        spec = properties.get(key, {})
        if spec.get("type") == "array":
            check(isinstance(value, list) and all(isinstance(v, str) for v in value), f"{where}.{key}: list of strings")
        elif spec.get("type") == "boolean":
            check(isinstance(value, bool), f"{where}.{key}: boolean")
        elif spec.get("type") == "string":
            check(isinstance(value, str) and value in spec.get("enum", [value]), f"{where}.{key}: {value}")
    check(bool(settings.get("allowedOrigins")), f"{where}: no allowedOrigins")


def check_profile(tree, protocol, schema, ids):
    profile = load_plist(os.path.join(tree, "CertBridge.mobileconfig"))
    check(profile.get("PayloadType") == "Configuration" and profile.get("PayloadScope") == "System",
          "profile: a system Configuration profile")
    payloads = profile.get("PayloadContent", [])
    uuids = [profile.get("PayloadUUID")] + [p.get("PayloadUUID") for p in payloads]
    identifiers = [profile.get("PayloadIdentifier")] + [p.get("PayloadIdentifier") for p in payloads]
    for value in uuids:
        try:
            uuid.UUID(value)
        except (TypeError, ValueError):
            check(False, f"profile: not a UUID: {value}")
    check(len(set(uuids)) == len(uuids) and len(set(identifiers)) == len(identifiers), "profile: UUIDs and identifiers unique")
    check(all(p.get("PayloadVersion") == 1 for p in payloads), "profile: PayloadVersion 1")
    by_type = {p.get("PayloadType"): p for p in payloads}
    expected = {"com.google.Chrome", "com.microsoft.Edge", "org.mozilla.firefox"}
    expected |= {f"{b}.extensions.{i}" for b in ("com.google.Chrome", "com.microsoft.Edge") for i in ids["chromium"]}
    check(set(by_type) == expected and len(payloads) == len(expected), f"profile payload types {sorted(by_type)}")
    for browser, store in (("com.google.Chrome", "chromeWebStore"), ("com.microsoft.Edge", "edgeAddons")):
        policy = by_type.get(browser, {})
        store_id = ids["stores"][store]["chromiumId"]
        settings = policy.get("ExtensionSettings", {}).get(store_id, {})
        check(settings.get("installation_mode") == "force_installed", f"{browser}: force-install {store_id}")
        check(settings.get("update_url") == ids["stores"][store]["updateUrl"], f"{browser}: update_url")
        check(settings.get("runtime_blocked_hosts") == ["*://*"] and settings.get("runtime_allowed_hosts"),
              f"{browser}: content script narrowed to the portal")
        check(policy.get("NativeMessagingAllowlist") == [protocol["nativeHostName"]], f"{browser}: NativeMessagingAllowlist")
        for extension_id in ids["chromium"]:
            managed = {k: v for k, v in by_type.get(f"{browser}.extensions.{extension_id}", {}).items()
                       if not k.startswith("Payload")}
            check_managed_settings(f"{browser}.extensions.{extension_id}", managed, schema)
            hosts = {re.sub(r":(\d+|\*)$", "", o) for o in managed.get("allowedOrigins", [])}
            check(set(settings.get("runtime_allowed_hosts", [])) == hosts,
                  f"{browser}: runtime_allowed_hosts {settings.get('runtime_allowed_hosts')} != allowed origins' hosts {hosts}")
    firefox = by_type.get("org.mozilla.firefox", {})
    check(firefox.get("EnterprisePoliciesEnabled") is True, "firefox: EnterprisePoliciesEnabled")
    addon = firefox.get("ExtensionSettings", {}).get(ids["firefox"], {})
    check(addon.get("installation_mode") == "force_installed"
          and addon.get("install_url") == ids["stores"]["firefoxAddons"]["installUrl"], f"firefox: force-install {addon}")
    managed = firefox.get("3rdparty", {}).get("Extensions", {}).get(ids["firefox"], {})
    check_managed_settings("firefox 3rdparty", managed, schema)
    hosts = {re.sub(r":(\d+|\*)$", "", o) for o in managed.get("allowedOrigins", [])}
    check(addon.get("runtime_blocked_hosts") == ["*://*"] and set(addon.get("runtime_allowed_hosts", [])) == hosts,
          f"firefox: content script narrowed to the portal {addon}")


def check_readmes(tree, source):
    for readme in (os.path.join(tree, "README.md"), os.path.join(source, "README.md")):
        text = open(readme).read()
        check(re.search(r"no macOS binary is built here", text, re.IGNORECASE), f"{readme}: must say no macOS binary is built here")
    text = open(os.path.join(tree, "README.md")).read()
    for command in ("pkgbuild", "productbuild", "productsign", "notarytool", "stapler", "pkgutil --check-signature",
                    "spctl", "profiles"):
        check(command in text, f"pkg inputs README: no `{command}`")


if __name__ == "__main__":
    sys.exit(main())
