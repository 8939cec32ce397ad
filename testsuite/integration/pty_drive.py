#!/usr/bin/env python3
"""Run a command on a pseudo-terminal and type into it, like a user at a shell.

    pty_drive.py [--timeout S] [--log FILE] ACTION... -- COMMAND [ARGS...]

Actions, done in order:
    --expect REGEX   wait until the terminal output (since the start) matches REGEX
    --send TEXT      type TEXT and Enter
    --ctrl-c         type Ctrl-C (the terminal sends SIGINT to the foreground job)
    --sleep S        wait S seconds
Then waits for COMMAND to exit. Everything the terminal printed goes to stdout (and to
FILE). Exit code: COMMAND's (128+N if killed by signal N); 124 if an --expect or the end
did not come within the timeout (COMMAND's process group is killed then).
"""
import os
import pty
import re
import select
import signal
import sys
import time


def main(argv):
    timeout = 60.0
    log_path = None
    actions = []
    i = 0
    while i < len(argv) and argv[i] != "--":
        a = argv[i]
        if a == "--timeout":
            timeout = float(argv[i + 1]); i += 2
        elif a == "--log":
            log_path = argv[i + 1]; i += 2
        elif a in ("--expect", "--send", "--sleep"):
            actions.append((a, argv[i + 1])); i += 2
        elif a == "--ctrl-c":
            actions.append((a, None)); i += 1
        else:
            sys.stderr.write("pty_drive: unknown argument %r\n" % a)
            return 2
    cmd = argv[i + 1:]
    if not cmd:
        sys.stderr.write("pty_drive: no command\n")
        return 2

    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "dumb"
        os.execvp(cmd[0], cmd)

    out = bytearray()
    deadline = time.monotonic() + timeout
    log = open(log_path, "wb") if log_path else None

    def pump(wait):
        """Reads what the terminal has within `wait` seconds; False at EOF."""
        r, _, _ = select.select([fd], [], [], max(0.0, wait))
        if not r:
            return True
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        out.extend(data)
        if log:
            log.write(data)
            log.flush()
        return True

    def give_up(what):
        sys.stdout.write(out.decode("utf-8", "replace"))
        sys.stdout.write("\npty_drive: timed out waiting for %s\n" % what)
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        return 124

    alive = True
    for kind, arg in actions:
        if kind == "--expect":
            rx = re.compile(arg.encode(), re.M)
            while not rx.search(out):
                if time.monotonic() > deadline or not alive:
                    return give_up(repr(arg))
                alive = pump(0.1)
        elif kind == "--send":
            os.write(fd, arg.encode() + b"\r")
        elif kind == "--ctrl-c":
            os.write(fd, b"\x03")
        elif kind == "--sleep":
            end = time.monotonic() + float(arg)
            while alive and time.monotonic() < end:
                alive = pump(end - time.monotonic())

    status = None
    while status is None:
        if time.monotonic() > deadline:
            return give_up("the command to exit")
        if alive:
            alive = pump(0.1)
        else:
            time.sleep(0.05)
        wpid, st = os.waitpid(pid, os.WNOHANG)
        if wpid == pid:
            status = st
    while alive and pump(0.2):  # the rest of the output
        pass
    sys.stdout.write(out.decode("utf-8", "replace"))
    sys.stdout.flush()
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
