#!/usr/bin/env python3
"""Starts an installed certbridge-host the way Chrome does on Linux and asks it one question.

Chrome reads the system-wide manifest /etc/opt/chrome/native-messaging-hosts/<name>.json (following a
symbolic link), checks that its extension is in `allowed_origins`, and starts `path` with the extension's
origin as its argument. This does the same inside ROOT (a throw-away root file system: the manifest and its
link are resolved inside it, the host runs under chroot), sends one framed request and prints the reply as
JSON on stdout.

  ask_installed_host.py ROOT EXTENSION_ID COMMAND PAGE_ORIGIN
Exit status 0 when a reply to the request came back (whether ok or not); the reason on stderr otherwise.
"""
import json
import os
import struct
import subprocess
import sys

HOST_NAME = "com.certbridge.host"
MANIFEST = f"/etc/opt/chrome/native-messaging-hosts/{HOST_NAME}.json"


def fail(message):
    print(f"ask_installed_host: {message}", file=sys.stderr)
    sys.exit(1)


def inside(root, path, hops=0):
    """path as seen from inside root: absolute symbolic links are resolved against root, not /."""
    if hops > 8:
        fail(f"too many symbolic links at {path}")
    full = os.path.join(root, path.lstrip("/"))
    if os.path.islink(full):
        target = os.readlink(full)
        if not target.startswith("/"):
            target = os.path.join(os.path.dirname(path), target)
        return inside(root, target, hops + 1)
    return full


def read_message(stream):
    header = stream.read(4)
    if len(header) != 4:
        return None
    (length,) = struct.unpack("=I", header)
    return json.loads(stream.read(length).decode("utf-8"))


def main():
    root, extension_id, command_name, page_origin = sys.argv[1:5]
    try:
        with open(inside(root, MANIFEST), encoding="utf-8") as file:
            manifest = json.load(file)
    except (OSError, ValueError) as error:
        fail(f"cannot read {MANIFEST} in {root}: {error}")
    origin = f"chrome-extension://{extension_id}/"
    if manifest.get("name") != HOST_NAME or manifest.get("type") != "stdio":
        fail(f"{MANIFEST} is not the {HOST_NAME} stdio manifest: {manifest}")
    if origin not in manifest.get("allowed_origins", []):
        fail(f"{origin} is not in allowed_origins of {MANIFEST}")
    request_id = "installed-" + command_name
    request = json.dumps({"id": request_id, "command": command_name, "origin": page_origin,
                          "params": {}}).encode("utf-8")
    # The browser's environment is the user's: a clean one here, with a home inside the root.
    environment = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": os.environ.get("INSTALLED_HOST_HOME", "/root")}
    process = subprocess.Popen(["chroot", root, manifest["path"], origin], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, env=environment)
    reply = None
    try:
        process.stdin.write(struct.pack("=I", len(request)) + request)
        process.stdin.flush()
        while True:
            message = read_message(process.stdout)
            if message is None:
                break
            if message.get("id") == request_id:
                reply = message
                break
    finally:
        process.stdin.close()
        process.wait(timeout=60)
    if reply is None:
        fail(f"no {command_name} reply from {manifest['path']} (exit status {process.returncode})")
    print(json.dumps(reply))


if __name__ == "__main__":
    main()
