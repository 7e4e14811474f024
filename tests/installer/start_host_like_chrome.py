#!/usr/bin/env python3
"""Starts the installed certbridge-host.exe the way Chrome does on Windows and asks it for its status.

Chrome reads the manifest's path from the default value of
HKLM|HKCU\\SOFTWARE\\Google\\Chrome\\NativeMessagingHosts\\<name>, reads `path` from the manifest (relative
paths are relative to the manifest's folder), checks that its extension is in `allowed_origins`, and starts
the host through cmd.exe with the extension's origin and --parent-window=0. This does the same under wine
(WINEPREFIX from the environment), sends one framed `status` request and prints the reply.

  start_host_like_chrome.py HKLM|HKCU EXTENSION_ID EXPECTED_VERSION [POLICY_ORIGIN [--policy-problem]]
Exit status 0 when the reply is a successful status of EXPECTED_VERSION; the reason on stderr otherwise.
With POLICY_ORIGIN (an origin that only the installed policy allows), the host is started a second time and
asked for its environment from that origin: the reply must be ok and name "<HKLM|HKCU> policy" as the source
of its allowed origins, which shows that the MSI's ALLOWEDORIGINS reached the host. With --policy-problem,
POLICY_ORIGIN is one the host allows anyway, and the environment must instead report the policy's
AllowedOrigins value as a problem (a mistyped ALLOWEDORIGINS is reported, never fatal).
"""
import json
import ntpath
import subprocess
import sys

from native_messaging_client import HOST_NAME, ask, manifest_problem


def fail(message):
    print(f"start_host_like_chrome: {message}", file=sys.stderr)
    sys.exit(1)


def registry_default(root):
    key = f"{root}\\SOFTWARE\\Google\\Chrome\\NativeMessagingHosts\\{HOST_NAME}"
    out = subprocess.run(["wine", "reg", "query", key, "/ve"], capture_output=True, text=True, check=False)
    for line in out.stdout.splitlines():
        parts = line.strip().split(None, 2)
        if len(parts) == 3 and parts[1] == "REG_SZ":
            return parts[2].strip()
    fail(f"no manifest path in {key}: {out.stdout.strip()} {out.stderr.strip()}")


def unix_path(windows_path):
    out = subprocess.run(["winepath", "-u", windows_path], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def main():
    root, extension_id, expected_version = sys.argv[1:4]
    manifest_path = registry_default(root)
    with open(unix_path(manifest_path), encoding="utf-8") as file:
        manifest = json.load(file)
    problem = manifest_problem(manifest, manifest_path, extension_id)
    if problem:
        fail(problem)
    origin = f"chrome-extension://{extension_id}/"
    host = manifest["path"]
    if not ntpath.isabs(host):
        host = ntpath.join(ntpath.dirname(manifest_path), host)
    status = ask_like_chrome(host, origin, "status", "https://ra.certbridge.example")
    print(json.dumps(status))
    if not status.get("ok") or status["result"]["host"]["version"] != expected_version:
        fail(f"status of {host} is not an ok reply of version {expected_version}")
    if len(sys.argv) > 5 and sys.argv[5] == "--policy-problem":
        check_policy_problem_reported(ask_like_chrome(host, origin, "environment", sys.argv[4]), root)
    elif len(sys.argv) > 4:
        check_policy_reached_host(ask_like_chrome(host, origin, "environment", sys.argv[4]), root, sys.argv[4])


def ask_like_chrome(host, origin, command_name, page_origin):
    # Chrome's command line is cmd.exe /d /s /c ""HOST" ORIGIN --parent-window=0", its pipes as stdin and
    # stdout. wine builds the Windows command line from separate arguments and escapes inner quotes, so the
    # doubled quotes of /s cannot be passed through it: without /s, cmd keeps the quotes around a program
    # path with spaces, which starts the same program with the same arguments.
    reply, status = ask(["wine", "cmd.exe", "/d", "/c", host, origin, "--parent-window=0"], command_name, page_origin)
    if reply is None:
        fail(f"no {command_name} reply from {host} (exit status {status})")
    return reply


def check_policy_reached_host(reply, root, page_origin):
    print(json.dumps(reply))
    if not reply.get("ok"):
        fail(f"environment asked from {page_origin} was refused: the installed policy did not reach the host")
    allowed = reply["result"]["host"].get("policy", {}).get("allowedOrigins", {})
    if page_origin not in allowed.get("value", []) or allowed.get("from", [None])[0] != f"{root} policy":
        fail(f"the host does not name {root} policy as the source of {page_origin}: {allowed}")


def check_policy_problem_reported(reply, root):
    print(json.dumps(reply))
    if not reply.get("ok"):
        fail(f"environment refused: {reply}")
    problems = reply["result"]["host"].get("policy", {}).get("problems", [])
    if not any(p.get("source") == f"{root} policy" and "AllowedOrigins" in p.get("entry", "") for p in problems):
        fail(f"the mistyped {root} policy AllowedOrigins is not reported as a problem: {problems}")


if __name__ == "__main__":
    main()
