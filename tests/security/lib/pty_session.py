#!/usr/bin/python3
# pty_session.py SCRIPT COMMAND...: runs COMMAND on a new pseudo-terminal (its
# controlling terminal, as a terminal emulator would) and plays SCRIPT on it,
# one step a line:
#     send TEXT      types TEXT (backslash escapes: \n, \x1a for Ctrl-Z ...)
#     expect REGEX   waits (10 s at most) until the terminal shows REGEX
#                    after what the previous expect matched
#     sleep SECONDS
#     mark NAME      prints "reached: NAME" (every step before it went well)
# Status 0 if every step went well; 1 at the first expect that timed out
# (it says which, and what the terminal showed).  The whole transcript
# follows a line "--- transcript".  The tests use it for job control
# (tests/security/process.sh).
import codecs
import os
import pty
import re
import select
import signal
import sys
import time


def main():
    if len(sys.argv) < 3:
        print("usage: pty_session.py SCRIPT COMMAND...", file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        steps = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[2], sys.argv[2:])
    seen = b""
    pos = 0
    status = 0
    for n, step in enumerate(steps, 1):
        verb, _, arg = step.partition(" ")
        if verb == "send":
            os.write(fd, codecs.decode(arg, "unicode_escape").encode())
        elif verb == "sleep":
            time.sleep(float(arg))
        elif verb == "mark":
            print("reached: " + arg, flush=True)
        elif verb == "expect":
            pattern = re.compile(arg.encode())
            deadline = time.time() + 10
            while True:
                m = pattern.search(seen, pos)
                if m:
                    pos = m.end()
                    break
                left = deadline - time.time()
                ready = select.select([fd], [], [], max(left, 0))[0] if left > 0 else []
                data = b""
                if ready:
                    try:
                        data = os.read(fd, 4096)
                    except OSError:
                        pass
                if not data:
                    print("timed out at step %d (expect %s); the terminal showed after "
                          "the last match: %r" % (n, arg, seen[pos:].decode(errors="replace")),
                          flush=True)
                    status = 1
                    break
                seen += data
            if status:
                break
        else:
            print("pty_session.py: unknown step: " + step, file=sys.stderr)
            status = 2
            break
    os.close(fd)  # (a hangup: the shell ends, and so do its jobs)
    reaped = False
    for sig in (signal.SIGHUP, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
        deadline = time.time() + 3
        while not reaped and time.time() < deadline:
            reaped = os.waitpid(pid, os.WNOHANG) != (0, 0)
            time.sleep(0 if reaped else 0.05)
        if reaped:
            break
    print("--- transcript")
    print(seen.decode(errors="replace").replace("\r", ""))
    return status


sys.exit(main())
