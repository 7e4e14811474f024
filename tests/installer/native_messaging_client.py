"""What the installer suites do as a browser does, shared by ask_installed_host.py (Linux) and
start_host_like_chrome.py (Windows under wine): check an installed host's manifest, and start the host with one
framed native-messaging request, reading framed messages until its reply comes."""
import json
import struct
import subprocess

HOST_NAME = "com.certbridge.host"


def manifest_problem(manifest, where, extension_id):
    """Why the browser would not start the host for extension_id, or None."""
    if manifest.get("name") != HOST_NAME or manifest.get("type") != "stdio":
        return f"{where} is not the {HOST_NAME} stdio manifest: {manifest}"
    if f"chrome-extension://{extension_id}/" not in manifest.get("allowed_origins", []):
        return f"chrome-extension://{extension_id}/ is not in allowed_origins of {where}"
    return None


def read_message(stream):
    header = stream.read(4)
    if len(header) != 4:
        return None
    (length,) = struct.unpack("=I", header)
    return json.loads(stream.read(length).decode("utf-8"))


def ask(command_line, command_name, page_origin, env=None):
    """Starts command_line, sends one request, and returns (the reply or None, the host's exit status)."""
    request_id = "installed-" + command_name
    request = json.dumps({"id": request_id, "command": command_name, "origin": page_origin,
                          "params": {}}).encode("utf-8")
    process = subprocess.Popen(command_line, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
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
    return reply, process.returncode
