#!/usr/bin/env python3
"""Relay the guest's requests to QEMU's monitor (QMP).

A guest test that needs the host to act on the machine (halt the emulated
DSA through its x-halt property, later hot-plug memory) writes one QMP
command, a JSON object, as one line to its control serial port (ttyS2,
guest/tests/lib.sh: host_qmp).  This relays it to QEMU's QMP socket and
writes QEMU's answer back as one line.  Only the commands tests need are
relayed; anything else gets an error answer.  Exits when QEMU closes the
control socket.

Usage: guest-control.py CONTROL_SOCKET QMP_SOCKET
"""
import json
import socket
import sys
import time

ALLOWED = {"qom-get", "qom-set", "device_add", "device_del",
           "object-add", "object-del"}


def connect(path, timeout=60.0):
    """Connect to a socket QEMU listens on, once QEMU has created it."""
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class QMP:
    def __init__(self, path):
        self.sock = connect(path)
        self.file = self.sock.makefile("rw", encoding="utf-8", newline="\n")
        self.answer()                       # the greeting
        self.command({"execute": "qmp_capabilities"})

    def answer(self):
        """The next line that is not an event."""
        while True:
            line = self.file.readline()
            if not line:
                raise EOFError("QMP socket closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def command(self, cmd):
        self.file.write(json.dumps(cmd) + "\n")
        self.file.flush()
        return self.answer()


def error(desc):
    return {"error": {"class": "GenericError", "desc": desc}}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: guest-control.py CONTROL_SOCKET QMP_SOCKET")
    ctl = connect(sys.argv[1]).makefile("rw", encoding="utf-8",
                                        newline="\n", errors="replace")
    qmp = QMP(sys.argv[2])
    for line in ctl:
        line = line.strip()
        if not line:
            continue
        try:
            cmd = json.loads(line)
        except ValueError:
            answer = error("not a JSON object: %r" % line[:80])
        else:
            if not isinstance(cmd, dict) or cmd.get("execute") not in ALLOWED:
                answer = error("not relayed; allowed: %s" %
                               ", ".join(sorted(ALLOWED)))
            else:
                answer = qmp.command(cmd)
        print("guest-control: %s -> %s" % (line, json.dumps(answer)),
              flush=True)
        ctl.write(json.dumps(answer) + "\n")
        ctl.flush()


if __name__ == "__main__":
    try:
        main()
    except (EOFError, ConnectionError, OSError) as e:
        # QEMU went away; the boot's own checks say whether that was fine.
        print("guest-control: %s" % e, file=sys.stderr)
