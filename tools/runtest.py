#!/usr/bin/env python3
"""Boot Lamina in QEMU, stream the guest's serial output, and decide PASS/FAIL.

The guest prints `test <name> ... ` before each test and `ok` or `FAIL <reason>`
after it, then a final `N passed, M failed`, then writes to isa-debug-exit
(port 0xf4): 0 -> QEMU status 1, 1 -> status 3.  A kernel panic prints a line
starting with `PANIC`; a triple fault under -no-reboot ends QEMU with status 0.

PASS needs all of: the final line, M == 0, N >= --expect-min, no PANIC, and QEMU
status 1.  Anything else names the culprit loudly and exits 1.  The last line is
always `guest: N passed, M failed` so tools/testall.sh can add it up.

Classification is the pure function classify() so tests/tools/test_runtest.py
can check it on canned logs; LAMINA_QEMU replaces the QEMU binary (a command
line, split like a shell would) so the whole runner can be driven by a fake.
"""
import argparse
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

QEMU_BASE = [
    "-cpu", "max", "-smp", "1", "-m", "512M",
    "-display", "none", "-monitor", "none",
    # stdio with stdin from /dev/null: output arrives on our pipe as it is
    # written, and nothing needs a terminal (CI has none).
    "-serial", "stdio",
    "-no-reboot",
    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
]

# After a PANIC the kernel prints registers and a backtrace, then may halt
# forever: wait this long for the rest of the report, then stop QEMU rather
# than sit out the whole timeout.
PANIC_GRACE = 5.0
# After the final summary line QEMU should exit at once (isa-debug-exit).
FINISH_GRACE = 10.0

TEST_RE = re.compile(r"^test (\S+) \.\.\.\s*(.*)$")
FINAL_RE = re.compile(r"^(\d+) passed, (\d+) failed$")
RESULT_RE = re.compile(r"^(ok|FAIL\b.*)$")
# Escape sequences (GRUB's serial terminal emits them before the kernel runs).
ANSI_RE = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")


def clean_lines(text):
    """Split serial output into lines without \\r or terminal escapes."""
    text = ANSI_RE.sub("", text).replace("\r", "")
    return [line.strip() for line in text.split("\n")]


def is_panic(line):
    """A PANIC at the start of a line, or right after an open `test x ... `
    (the test line has no newline yet when the kernel dies)."""
    if line.startswith("PANIC"):
        return True
    m = TEST_RE.match(line)
    return bool(m and m.group(2).startswith("PANIC"))


def is_final(line):
    return bool(FINAL_RE.match(line))


@dataclass
class Verdict:
    ok: bool
    passed: int             # for the `guest:` line
    failed: int
    problems: list = field(default_factory=list)   # loud lines, culprit first


def classify(log, status, timed_out=False, timeout=0, expect_min=0,
             stderr=""):
    """Decide the outcome of one guest run.

    log       -- everything the guest wrote to the serial port (str)
    status    -- QEMU's exit status, or None if we had to kill it
    timed_out -- True if we killed it because --timeout expired
    stderr    -- QEMU's own stderr, quoted when QEMU itself failed
    """
    passed, failed = [], []         # names; failed holds (name, reason)
    open_test = None                # test whose result has not come yet
    panic = None                    # (where, line) of the first PANIC
    final = None                    # (N, M) from the summary line

    def where():
        if open_test:
            return "during test " + open_test
        if final:
            return "after the suite finished"
        done = passed + [n for n, _ in failed]
        return "after test " + done[-1] if done else "during boot"

    def close(name, result):
        if result.startswith("ok"):
            passed.append(name)
        else:
            failed.append((name, result[4:].strip() or "(no reason)"))

    for line in clean_lines(log):
        m = TEST_RE.match(line)
        if m:
            if open_test:   # protocol slip: the previous test never reported
                failed.append((open_test, "no result printed"))
            open_test, rest = m.group(1), m.group(2)
            if rest.startswith("PANIC"):
                panic = panic or (where(), rest)
            elif RESULT_RE.match(rest):
                close(open_test, rest)
                open_test = None
            # else: the test printed output of its own; the result follows
        elif line.startswith("PANIC"):
            panic = panic or (where(), line)
        elif open_test and RESULT_RE.match(line):
            close(open_test, line)
            open_test = None
        elif FINAL_RE.match(line):
            n, f = FINAL_RE.match(line).groups()
            final = (int(n), int(f))

    problems = []
    if failed or (final and final[1]):
        names = ", ".join(n for n, _ in failed) or "(names not in log)"
        problems.append("FAILED TESTS: " + names)
        problems += ["  %s: %s" % (n, r) for n, r in failed]

    # The crash, if any: one culprit, the most specific first.
    if panic:
        problems.insert(0, "KERNEL PANIC %s: %s" % panic)
    elif timed_out:
        problems.insert(0, "TIMEOUT after %gs %s" % (timeout, where()))
    elif status == 0:
        problems.insert(0, "TRIPLE FAULT / unexpected reset %s" % where())
    elif status is None:
        problems.insert(0, "QEMU did not exit %s (no write to port 0xf4?)"
                        % where())
    elif status not in (1, 3):
        what = ("killed by signal %d" % -status if status < 0 else
                "exit status %d (guest wrote %d to port 0xf4?)"
                % (status, status >> 1))
        problems.insert(0, "QEMU %s %s" % (what, where()))
    elif not final:
        # Status 1 is also what QEMU returns for its own errors (bad option,
        # missing file), so quote what it said.
        said = stderr.strip().splitlines()[-3:]
        problems.insert(0, "SUITE DID NOT FINISH: QEMU exited with status %d "
                        "%s%s" % (status, where(),
                                  "; QEMU said: " + " | ".join(said) if said
                                  else ""))
    elif (status == 3) != bool(final[1]):
        problems.append("EXIT STATUS %d disagrees with the summary line "
                        "(%d failed)" % (status, final[1]))

    if final:
        n_pass, n_fail = final
        if n_pass < expect_min:
            problems.append("TOO FEW TESTS: %d passed, expected at least %d"
                            % (n_pass, expect_min))
    else:
        # The suite never finished: count what did, plus the one that died.
        n_pass, n_fail = len(passed), len(failed) + 1

    ok = not problems
    if not ok and n_fail == 0:
        n_fail = 1      # so a summed total can never hide a failed run
    return Verdict(ok, n_pass, n_fail, problems)


def qemu_command(args):
    qemu = shlex.split(os.environ.get("LAMINA_QEMU", "qemu-system-x86_64"))
    accel = os.environ.get("ACCEL") or "tcg"
    cmd = qemu + ["-accel", accel] + QEMU_BASE
    if args.iso:
        return cmd + ["-cdrom", args.iso, "-boot", "d"]
    cmd += ["-kernel", args.kernel, "-append", args.append]
    if args.modules:
        cmd += ["-initrd", args.modules]
    return cmd


def kill_group(proc):
    """Kill QEMU and anything it started (LAMINA_QEMU may be a script)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:  # it exited on its own meanwhile
        pass


def run(cmd, timeout, log_file):
    """Run QEMU, echoing its output as it comes.

    Returns (serial_text, stderr_text, status or None if killed, timed_out).
    """
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)   # so we can kill it all
    out, err = bytearray(), bytearray()
    streams = {proc.stdout.fileno(): (out, sys.stdout.buffer, log_file),
               proc.stderr.fileno(): (err, sys.stderr.buffer, None)}
    deadline = time.monotonic() + timeout
    shortened = timed_out = killed = False
    scanned = 0                 # bytes of `out` already checked for events
    try:
        while streams:
            left = deadline - time.monotonic()
            if left <= 0 and not killed:
                timed_out = not shortened
                kill_group(proc)
                killed = True
            ready, _, _ = select.select(list(streams), [], [],
                                        max(left, 0) if not killed else None)
            for fd in ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    del streams[fd]
                    continue
                buf, echo, log = streams[fd]
                buf += chunk
                echo.write(chunk)
                echo.flush()
                if log:
                    log.write(chunk)
                    log.flush()
            # Shorten the wait once the guest has panicked or finished.
            end = out.rfind(b"\n") + 1
            if end > scanned:
                for line in clean_lines(out[scanned:end].decode("utf-8",
                                                               "replace")):
                    grace = (PANIC_GRACE if is_panic(line) else
                             FINISH_GRACE if is_final(line) else None)
                    if grace and time.monotonic() + grace < deadline:
                        deadline = time.monotonic() + grace
                        shortened = True
                scanned = end
        status = proc.wait()
    finally:
        if proc.poll() is None:
            kill_group(proc)
            proc.wait()
    return (out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
            None if killed else status, timed_out)


def report(verdict):
    bar = "=" * 72
    if verdict.ok:
        print("\nGUEST TESTS PASSED")
    else:
        print("\n" + bar + "\nGUEST TESTS FAILED")
        for line in verdict.problems:
            print(line)
        print(bar)
    print("guest: %d passed, %d failed" % (verdict.passed, verdict.failed))
    sys.stdout.flush()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--kernel", help="multiboot1 kernel for -kernel")
    src.add_argument("--iso", help="boot this ISO with -cdrom instead")
    p.add_argument("--modules", default="",
                   help='comma list of "path name", e.g. '
                        '"build/root.elf root,build/ktest.elf ktest"')
    p.add_argument("--append", default="test", help="kernel command line")
    p.add_argument("--timeout", type=float, default=900)
    p.add_argument("--expect-min", type=int, default=1,
                   help="fail unless at least this many tests passed")
    p.add_argument("--log", help="also save the serial output here")
    args = p.parse_args(argv)

    # Each module is exactly "path name" (QEMU passes that string as its
    # multiboot cmdline); a space-joined list would silently become one
    # module whose cmdline names all the others.
    mods = [m.split() for m in args.modules.split(",") if m.strip()]
    bad = [" ".join(m) for m in mods if len(m) != 2]
    files = [args.iso or args.kernel] + [m[0] for m in mods]
    missing = [f for f in files if not os.path.isfile(f)]
    if bad or missing:
        problems = ["BAD MODULE LIST: %r is not \"path name\" (separate "
                    "modules with commas)" % b for b in bad]
        problems += ["MISSING FILE: " + f for f in missing]
        report(Verdict(False, 0, 1, problems))
        return 1

    # CI stops jobs with SIGTERM: turn it into an exception so the finally in
    # run() still kills QEMU.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    cmd = qemu_command(args)
    print("runtest: " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    log_file = open(args.log, "wb") if args.log else None
    try:
        out, err, status, timed_out = run(cmd, args.timeout, log_file)
    finally:
        if log_file:
            log_file.close()
    verdict = classify(out, status, timed_out, args.timeout, args.expect_min,
                       err)
    report(verdict)
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
