#!/usr/bin/env python3
# Drives a command on a pseudo-terminal, as a person at a terminal would: sends each step's
# keys, then waits until the screen text since those keys contains what the step expects
# (ANSI sequences ignored) before the next step. In: a JSON file of steps and the command.
# Out: the raw bytes the terminal received, on stdout. Exit 1 when an expectation times out.
#
#   pty-session.py STEPS.json -- node cli.js -i
#   steps: [{"send": "@x = 5\r", "expect": "bpftrace> ", "delay": 0.2}, ...]
#   "delay": seconds to wait before sending (for keys that must arrive while a command runs)

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
TIMEOUT = 60.0


def main() -> int:
    sep = sys.argv.index("--")
    steps = json.load(open(sys.argv[1]))
    command = sys.argv[sep + 1 :]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    # A fixed window: readline wraps and lists completions by its width.
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    received = bytearray()

    def read_some(deadline: float) -> str:
        """'data', 'timeout' or 'eof' (the program closed the terminal)."""
        wait = max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return "timeout"
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return "eof"
        if not chunk:
            return "eof"
        received.extend(chunk)
        return "data"

    def fail(why: str) -> int:
        sys.stdout.buffer.write(bytes(received))
        sys.stderr.write(f"pty-session: {why}\n")
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return 1

    for step in steps:
        if step.get("delay"):
            end = time.monotonic() + step["delay"]
            while time.monotonic() < end and read_some(end) != "eof":
                pass
        mark = len(received)
        if "send" in step:
            os.write(fd, step["send"].encode())
        expect = step.get("expect")
        if expect is None:
            continue
        deadline = time.monotonic() + TIMEOUT
        while expect.encode() not in ANSI.sub(b"", bytes(received[mark:])):
            got = read_some(deadline)
            if got == "timeout":
                return fail(f"timed out waiting for {expect!r}")
            if got == "eof":
                return fail(f"the program ended before {expect!r}")
    # Everything until the program exits.
    deadline = time.monotonic() + TIMEOUT
    while read_some(deadline) == "data":
        pass
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(bytes(received))
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stderr.write(f"pty-session: exit status {code}\n")
    return 0 if code == 0 else 2


if __name__ == "__main__":
    sys.exit(main())
