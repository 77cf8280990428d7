#!/usr/bin/env python3
"""Self-test of tools/runtest.py: its verdict on canned serial logs, and a few
whole runs against a fake QEMU (this file, re-run with --fake-qemu).

Prints `test <name> ... ok|FAIL <reason>` and `N passed, M failed`; exits 1
if anything failed.
"""
import io
import os
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
sys.dont_write_bytecode = True      # no tools/__pycache__ in the tree
import runtest  # noqa: E402

SUITE_OK = "boot\r\ntest a ... ok\r\ntest b ... ok\r\ntest c ... ok\r\n" \
           "3 passed, 0 failed\r\n"
PARTIAL = "boot\ntest a ... ok\ntest b ... ok\ntest c ... "


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def expect(v, ok, passed, failed, first=None):
    """Check a Verdict; `first` is the start of the first loud line."""
    check(v.ok == ok, "ok=%s, problems=%s" % (v.ok, v.problems))
    check((v.passed, v.failed) == (passed, failed),
          "counts %d/%d, want %d/%d" % (v.passed, v.failed, passed, failed))
    if first:
        check(v.problems and v.problems[0].startswith(first),
              "problems %s, want first %r" % (v.problems, first))


# --- classify() on canned logs ---------------------------------------------

def test_pass():
    expect(runtest.classify(SUITE_OK, 1, expect_min=3), True, 3, 0)


def test_pass_through_grub_escapes():
    log = "\x1b[H\x1b[J\x1b[1;1HGNU GRUB\r\n\x1b[?25h" + SUITE_OK
    expect(runtest.classify(log, 1), True, 3, 0)


def test_one_fail():
    log = ("test a ... ok\ntest b ... FAIL expected 2, got 3\n"
           "test c ... ok\n2 passed, 1 failed\n")
    v = runtest.classify(log, 3)
    expect(v, False, 2, 1, "FAILED TESTS: b")
    check("expected 2, got 3" in "\n".join(v.problems), "reason not shown")


def test_two_fails_named():
    log = ("test a ... FAIL x\ntest b ... ok\ntest c ... FAIL y\n"
           "1 passed, 2 failed\n")
    expect(runtest.classify(log, 3), False, 1, 2, "FAILED TESTS: a, c")


def test_result_after_test_output():
    # A test that prints something of its own pushes its result to a new line.
    log = "test a ... mapping 4 pages\nok\n1 passed, 0 failed\n"
    expect(runtest.classify(log, 1), True, 1, 0)


def test_panic_mid_test():
    log = PARTIAL + "PANIC: page fault at 0x0\nrip=...\nbacktrace: ...\n"
    expect(runtest.classify(log, None), False, 2, 1,
           "KERNEL PANIC during test c: PANIC: page fault")


def test_panic_own_line():
    log = PARTIAL + "\nPANIC: assertion failed\n"
    expect(runtest.classify(log, 3), False, 2, 1, "KERNEL PANIC during test c")


def test_panic_during_boot():
    expect(runtest.classify("boot\nPANIC: no modules\n", None), False, 0, 1,
           "KERNEL PANIC during boot")


def test_panic_beats_timeout():
    v = runtest.classify(PARTIAL + "PANIC: x\n", None, timed_out=True,
                         timeout=900)
    expect(v, False, 2, 1, "KERNEL PANIC during test c")


def test_triple_fault():
    expect(runtest.classify(PARTIAL, 0), False, 2, 1,
           "TRIPLE FAULT / unexpected reset during test c")


def test_reset_between_tests():
    expect(runtest.classify("test a ... ok\n", 0), False, 1, 1,
           "TRIPLE FAULT / unexpected reset after test a")


def test_timeout():
    v = runtest.classify(PARTIAL, None, timed_out=True, timeout=900)
    expect(v, False, 2, 1, "TIMEOUT after 900s during test c")


def test_too_few_tests():
    expect(runtest.classify(SUITE_OK, 1, expect_min=10), False, 3, 1,
           "TOO FEW TESTS: 3 passed, expected at least 10")


def test_qemu_error():
    # QEMU's own errors exit with 1, the same status as a passing guest.
    v = runtest.classify("", 1, stderr="qemu: could not load kernel 'x'\n")
    expect(v, False, 0, 1, "SUITE DID NOT FINISH")
    check("could not load kernel" in v.problems[0], "stderr not quoted")


def test_no_exit_after_suite():
    expect(runtest.classify(SUITE_OK, None), False, 3, 1,
           "QEMU did not exit after the suite finished")


def test_status_disagrees():
    expect(runtest.classify(SUITE_OK, 3), False, 3, 1, "EXIT STATUS 3")


def test_missing_result():
    log = "test a ... \ntest b ... ok\n1 passed, 0 failed\n"
    expect(runtest.classify(log, 1), False, 1, 1, "FAILED TESTS: a")


# --- whole runs against a fake QEMU ----------------------------------------

def fake_qemu(log_path, status, hang):
    """Stand-in for QEMU: print a canned serial log, maybe hang, then exit."""
    with open(log_path, "rb") as f:
        sys.stdout.buffer.write(f.read())
    sys.stdout.flush()
    if hang:
        time.sleep(3600)
    sys.exit(status)


def run_fake(log, status, hang=False, extra=()):
    """Run runtest.main() with a fake QEMU; return (exit code, output)."""
    with tempfile.TemporaryDirectory() as tmp:
        canned = os.path.join(tmp, "canned")
        saved = os.path.join(tmp, "serial.log")
        with open(canned, "w") as f:
            f.write(log)
        os.environ["LAMINA_QEMU"] = "%s %s --fake-qemu %s %d %d" % (
            sys.executable, os.path.abspath(__file__), canned, status, hang)
        real_stdout, sys.stdout = sys.stdout, io.TextIOWrapper(io.BytesIO())
        try:
            rc = runtest.main(["--kernel", __file__, "--modules",
                               __file__ + " root", "--log", saved] +
                              list(extra))
            sys.stdout.flush()
            out = sys.stdout.buffer.getvalue().decode()
        finally:
            sys.stdout = real_stdout
            del os.environ["LAMINA_QEMU"]
        with open(saved, "rb") as f:
            check(f.read() == log.encode(),
                  "--log did not save the serial output")
    check(out.rstrip().splitlines()[-1].startswith("guest: "),
          "last line is not the guest: summary")
    return rc, out


def test_run_pass():
    rc, out = run_fake(SUITE_OK, 1)
    check(rc == 0, "exit %d" % rc)
    check(out.rstrip().endswith("guest: 3 passed, 0 failed"), out)


def test_run_fail():
    rc, out = run_fake("test a ... FAIL no\n0 passed, 1 failed\n", 3)
    check(rc == 1 and "FAILED TESTS: a" in out, out)
    check(out.rstrip().endswith("guest: 0 passed, 1 failed"), out)


def test_run_timeout_kills_qemu():
    start = time.monotonic()
    rc, out = run_fake(PARTIAL, 1, hang=True, extra=["--timeout", "1"])
    check(time.monotonic() - start < 10, "runner did not stop QEMU")
    check(rc == 1 and "TIMEOUT after 1s during test c" in out, out)
    check(out.rstrip().endswith("guest: 2 passed, 1 failed"), out)


def test_run_panic_stops_early():
    grace, runtest.PANIC_GRACE = runtest.PANIC_GRACE, 0.5
    try:
        start = time.monotonic()
        rc, out = run_fake(PARTIAL + "PANIC: x\n", 1, hang=True)
    finally:
        runtest.PANIC_GRACE = grace
    check(time.monotonic() - start < 10, "did not stop after the panic")
    check(rc == 1 and "KERNEL PANIC during test c" in out, out)


def test_run_triple_fault():
    rc, out = run_fake(PARTIAL, 0)
    check(rc == 1 and "TRIPLE FAULT / unexpected reset during test c" in out,
          out)


def main():
    tests = [(n[5:], f) for n, f in globals().items() if n.startswith("test_")]
    passed = failed = 0
    for name, fn in tests:
        print("test %s ... " % name, end="", flush=True)
        try:
            fn()
        except Exception as e:  # report and go on to the next test
            failed += 1
            # The reason stays on the result line; a crash's traceback goes
            # to stderr so it cannot be mistaken for protocol lines.
            print("FAIL " + " | ".join(str(e).strip().splitlines()))
            if not isinstance(e, AssertionError):
                traceback.print_exc()
        else:
            passed += 1
            print("ok")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fake-qemu"]:
        fake_qemu(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    sys.exit(main())
