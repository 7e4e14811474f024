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
import sys

from native_messaging_client import HOST_NAME, ask, manifest_problem
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


def main():
    root, extension_id, command_name, page_origin = sys.argv[1:5]
    try:
        with open(inside(root, MANIFEST), encoding="utf-8") as file:
            manifest = json.load(file)
    except (OSError, ValueError) as error:
        fail(f"cannot read {MANIFEST} in {root}: {error}")
    problem = manifest_problem(manifest, MANIFEST, extension_id)
    if problem:
        fail(problem)
    # The browser's environment is the user's: a clean one here, with a home inside the root.
    environment = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": os.environ.get("INSTALLED_HOST_HOME", "/root")}
    reply, status = ask(["chroot", root, manifest["path"], f"chrome-extension://{extension_id}/"], command_name,
                        page_origin, environment)
    if reply is None:
        fail(f"no {command_name} reply from {manifest['path']} (exit status {status})")
    print(json.dumps(reply))


if __name__ == "__main__":
    main()
