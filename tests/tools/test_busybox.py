#!/usr/bin/env python3
"""The busybox suite: run every case of a case file under Lamina's Linux
personality and on the host, with the same /bin/busybox, and compare
stdout, stderr and the exit status byte for byte.

    tests/tools/test_busybox.py [CASES...]   (default tests/linux/busybox.cases,
                                              busybox-files.cases,
                                              busybox-exec.cases, busybox-pipes.cases,
                                              busybox-trees.cases, busybox-proc.cases
                                              and more.cases;
                                              `make linux-check CASES=path`)

A case file is plain text, one command line per line (the words after
`busybox`, split as sh would: quotes and backslashes), blank lines and
lines starting with # ignored. The expected output is never written down:
each case runs on the host at test time, as `busybox WORDS...` with
argv[0] = "busybox", the personality's default environment, stdin from
/dev/null and stdout/stderr to pipes; in the guest as
`linux -x busybox WORDS...` typed at the shell of one boot (all cases in
one boot), where -x makes the personality frame both streams and the status
(linux/console.c).

The C tests of tests/linux/calls*.c (musl, static and static-pie) run in the
same boot: `linux -x calls` and `linux -x calls-pie` must exit 0 with
nothing on stderr, `linux -x calls alarm` (alarm(1), then sleep(10)) must end
with status 142, and `linux -x calls crash` (a store to page 0) must end
with status 139 and the personality's fault report. execve's chain
(tests/linux/exec.c) runs as `linux -x exec-test`, from the file tree (no
boot module), and must exit 0 with nothing on stderr. `linux -x calls
sigill-blocked` (ud2 with SIGILL blocked) must end with 132 and the
report, `linux -x calls kill-self` (SIGUSR1's default action) with 138,
and `linux -x calls segv-in-handler` (a fault in its own SIGSEGV
handler) with 139. `linux -x lxbench --quick` (bench/linux/lxbench.c, one
small batch of each benchmark) must exit 0 and print every figure.
`linux -x procs`, `linux -x threads`, `linux -x jobs` and `linux -x gaps`
(tests/linux/procs.c, threads.c, jobs.c, gaps.c) must exit 0 with nothing
on stderr.

Prints `test <name> ... ok|FAIL why` per case and `N passed, M failed`.
"""
import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_shell as ts  # noqa: E402  (the QEMU guest driven through the serial shell)

ROOT = ts.ROOT
BUSYBOX = "/bin/busybox"
# The personality's default environment (linux/loader.c).
ENV = {"PATH": "/bin:/usr/bin:/sbin:/usr/sbin", "HOME": "/", "TERM": "vt100"}
LINE_MAX = 127           # the shell cuts longer lines
CASE_WAIT = 120.0
# make linux-fuzz HOSTILE="ROUNDS REQUESTS SEED": hostile_srv after the fuzzer
HOSTILE = os.environ.get("HOSTILE", "")
SAFE = re.compile(r"^[A-Za-z0-9_./:=+,@%^-]+$")

FRAME = re.compile(r"@@LX-OUT (\d+) ([0-9a-f]*)\n@@LX-ERR (\d+) ([0-9a-f]*)\n"
                   r"(@@LX-TRUNCATED\n)?@@LX-STATUS (\d+)\n")


def quote(word):
    """A word as the Lamina shell reads it back (apps/shell.c split)."""
    if SAFE.match(word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


def read_cases(path):
    cases = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cases.append((n, line, shlex.split(line)))
    return cases


# The host runs each case chrooted in a copy of the guest's root file system
# (build/rootfs-tree, written by tools/mkrootfs.py beside the image), so
# that absolute paths and the changes earlier cases made agree: the cases
# run in the same order on both sides, each tree starting as the image.
TREE = os.path.join(ROOT, "build/rootfs-tree")
DEVICES = {"null": (1, 3), "zero": (1, 5), "random": (1, 8), "urandom": (1, 9),
           "tty": (5, 0)}
host_root = None


def host_tree():
    """A fresh copy of the tree, with /dev's devices; its path."""
    import shutil
    import tempfile
    d = tempfile.mkdtemp(prefix="lamina-rootfs-")
    root = os.path.join(d, "root")
    shutil.copytree(TREE, root, symlinks=True)
    for name, (major, minor) in DEVICES.items():
        path = os.path.join(root, "dev", name)
        if os.path.exists(path):
            os.unlink(path)
        os.mknod(path, 0o20666, os.makedev(major, minor))
    # the host's /proc inside the tree, for the /proc cases
    # (busybox-proc.cases); unmounted before the tree goes
    os.makedirs(os.path.join(root, "proc"), exist_ok=True)
    subprocess.run(["mount", "-t", "proc", "proc", os.path.join(root, "proc")],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return root


def host_run(words):
    p = subprocess.run(["busybox"] + words, executable="/bin/busybox", env=ENV,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30,
                       preexec_fn=lambda: (os.chroot(host_root), os.chdir("/")))
    # killed by signal s: subprocess says -s; the guest reports the
    # status a shell shows, 128 + s (the personality cannot tell the
    # difference to its shell yet)
    return p.stdout, p.stderr, 128 - p.returncode if p.returncode < 0 else p.returncode


def guest_run(g, prog, words, wait=CASE_WAIT):
    """Type one `linux -x` command; (stdout, stderr, status, why)."""
    line = "linux -x %s %s" % (prog, " ".join(quote(w) for w in words))
    if len(line) > LINE_MAX:
        return None, None, None, "command line longer than the shell's %d" % LINE_MAX
    out = g.command(line.rstrip(), wait)
    m = FRAME.search(out)
    if not m:
        return None, None, None, "no framed result in %r" % out[-400:]
    so, se = bytes.fromhex(m.group(2)), bytes.fromhex(m.group(4))
    if len(so) != int(m.group(1)) or len(se) != int(m.group(3)):
        return None, None, None, "framed lengths disagree: %r" % m.group(0)[:200]
    if m.group(5):
        return None, None, None, "output over the capture buffer"
    status = int(m.group(6))
    if "exited with code %d" % status not in out[m.end():]:
        return None, None, None, "the shell reported another end: %r" % out[m.end():][-200:]
    return so, se, status, None


def compare(case, host, guest):
    what = []
    for name, h, g in zip(("stdout", "stderr", "status"), host, guest):
        if h != g:
            what.append("%s: host %r, guest %r" % (name, h if name == "status" else h[:200],
                                                   g if name == "status" else g[:200]))
    return "; ".join(what) or None


def fuzz_seconds(calls, seeds):
    """A bound on a fuzzing run: 50 ms a call (most take far less)."""
    n = 0
    for r in seeds:
        a, _, b = r.partition("-")
        n += int(b or a) - int(a) + 1
    return n * calls / 20.0


def printing_test(g, prog, words, wait=CASE_WAIT):
    """A C test that prints a summary (the fuzzer, hostile_srv): shown;
    it passes if it exits 0 with nothing on stderr and no FUZZ-FAIL line."""
    def f():
        so, se, st, why = guest_run(g, prog, words, wait=wait)
        if why:
            return why
        print(so.decode("latin-1").rstrip())
        if st != 0 or se or b"FUZZ-FAIL" in so:
            return "exit %d, stderr %r, stdout:\n%s" % (st, se[-2000:].decode("latin-1"),
                                                     so.decode("latin-1"))
        return None
    return f


def fuzz_check(g, calls, seeds, flags=()):
    """tests/linux/fuzz.c: every seed's child comes back and the system
    stays intact."""
    return printing_test(g, "fuzz", list(flags) + [str(calls)] + seeds,
                         wait=CASE_WAIT + fuzz_seconds(calls, seeds))


def main():
    fuzz = None
    if sys.argv[1:2] == ["--fuzz"]:
        # make linux-fuzz CALLS=n SEEDS=...: the fuzzer alone
        fuzz = (int(sys.argv[2]), sys.argv[3:])
        del sys.argv[1:]
    # default: the suite without files, then the file cases (in that order:
    # the file cases change the tree, which the first suite never looks at)
    paths = sys.argv[1:] or [os.path.join(ROOT, "tests/linux/busybox.cases"),
                             os.path.join(ROOT, "tests/linux/busybox-files.cases"),
                             os.path.join(ROOT, "tests/linux/busybox-exec.cases"),
                             os.path.join(ROOT, "tests/linux/busybox-pipes.cases"),
                             os.path.join(ROOT, "tests/linux/busybox-trees.cases"),
                             os.path.join(ROOT, "tests/linux/busybox-proc.cases"),
                             os.path.join(ROOT, "tests/linux/more.cases")]
    cases = []
    for path in paths if not fuzz else []:
        tag = os.path.basename(path).replace(".cases", "").replace("-", "_")
        cases += [(tag, n, line, words) for n, line, words in read_cases(path)]
    if not os.access(BUSYBOX, os.X_OK):
        print("test busybox_on_the_host ... FAIL no %s (package busybox-static)" % BUSYBOX)
        print("0 passed, 1 failed")
        return 1
    ts.TOTAL = 120.0 + 30.0 * len(cases)   # one boot for everything
    ts.TOTAL += 600.0 + (fuzz_seconds(*fuzz) if fuzz else fuzz_seconds(2000, ["1-4"]))
    global host_root
    if os.geteuid() != 0 or not os.path.isdir(TREE):
        print("test busybox_host_root_tree ... FAIL the host runs need root (chroot) and %s" % TREE)
        print("0 passed, 1 failed")
        return 1
    host_root = host_tree()
    results = []

    def check(name, fn):
        sys.stdout.write("test %s ... " % name)
        sys.stdout.flush()
        try:
            why = fn()
        except (TimeoutError, EOFError, OSError, subprocess.SubprocessError) as e:
            why = str(e)
        print("FAIL %s" % why if why else "ok")
        results.append(not why)

    g = ts.Guest()
    try:
        check("busybox_guest_boots_to_the_shell", lambda: None if g.wait_for(
            re.escape(ts.PROMPT)) is not None else "no prompt")
        if not results[-1]:
            raise SystemExit
        def c_test(prog, words=()):
            def f():
                so, se, st, why = guest_run(g, prog, list(words))
                if why:
                    return why
                if st != 0 or se:
                    return "exit %d, stderr %r, stdout %r" % (st, se[-600:], so[-300:])
                return None
            return f
        if fuzz:
            check("linux_fuzz_%d_calls_seeds_%s" % (fuzz[0], "_".join(fuzz[1])),
                  fuzz_check(g, fuzz[0], fuzz[1], ["-v"]))
            if HOSTILE:
                check("linux_hostile_requests_%s" % HOSTILE.replace(" ", "_"),
                      printing_test(g, "hostile_srv", HOSTILE.split(), wait=3600))
            raise SystemExit

        check("linux_calls_static_musl", c_test("calls"))
        check("linux_calls_static_pie_musl", c_test("calls-pie"))
        # execve's chain (tests/linux/exec.c), started from the file tree
        check("linux_execve_chain_from_the_tree", c_test("exec-test"))
        check("linux_procs_fork_wait_kill_orphans_limit", c_test("procs"))
        check("linux_threads_pthreads_futex_tgkill_exit_group", c_test("threads"))
        check("linux_jobs_stop_continue_wait_sigchld", c_test("jobs"))
        # visible revocation: a child's chunks taken, SIGBUS where lost
        check("linux_revoke_taken_pages_sigbus_the_rest_intact", printing_test(g, "revoke", []))
        # tests/linux/gaps.c: shared futex bitsets, SIGCHLD's si_utime,
        # pending signals across execve, thread ids
        check("linux_gaps_futex_bitsets_sigchld_times_exec_pending_tids", c_test("gaps"))
        # the system-call fuzzer, four fixed seeds (make linux-fuzz: more)
        check("linux_fuzz_4_seeds_2000_calls_system_intact", fuzz_check(g, 2000, ["1-4"]))
        # garbage requests straight to the servers (tests/linux/hostile_srv.c)
        check("linux_hostile_requests_to_the_servers", printing_test(g, "hostile_srv", []))

        def lxbench_quick():
            # the benchmark program (make bench-linux-personality), one
            # small batch of each: it runs, every figure is printed
            so, se, st, why = guest_run(g, "lxbench", ["--quick"])
            if why:
                return why
            names = re.findall(r"^BENCH (\w+) cycles=\d+ ", so.decode("latin-1"), re.M)
            want = ["linux_getppid", "linux_pipe_rtt", "linux_fork_exit", "linux_spawn",
                    "linux_open_close", "linux_read_4k", "linux_thread_create", "busybox_script"]
            if st != 0 or se or names != want or not so.endswith(b"BENCH-DONE\n"):
                return "exit %d, stderr %r, stdout %r" % (st, se[-300:], so[-600:])
            return None
        check("linux_lxbench_quick_runs_every_benchmark", lxbench_quick)

        def crash():
            so, se, st, why = guest_run(g, "calls", ["crash"])
            if why:
                return why
            if st != 139 or so != b"calls: storing to address 16\n":
                return "exit %d, stdout %r" % (st, so)
            if not re.search(r"linux: fault \(vector 14\) at rip 0x[0-9a-f]+, address 0x10: killed",
                             g.buf[-2000:]):
                return "no fault report: %r" % g.buf[-600:]
            return None
        check("linux_program_fault_ends_it_with_status_139", crash)

        def alarm():
            # alarm(1) then a 10 s sleep, no handler: SIGALRM's default
            # action ends the program during the sleep (the timer server
            # wakes it), with status 128 + 14
            so, se, st, why = guest_run(g, "calls", ["alarm"])
            if why:
                return why
            return None if st == 142 and not so and not se else "exit %d, stdout %r" % (st, so)
        check("linux_alarm_ends_a_sleeping_program_with_sigalrm", alarm)

        def killed(arg, status, out, report):
            def f():
                so, se, st, why = guest_run(g, "calls", [arg])
                if why:
                    return why
                if st != status or so != out:
                    return "exit %d, stdout %r" % (st, so)
                if report and not re.search(report, g.buf[-2000:]):
                    return "no fault report: %r" % g.buf[-600:]
                return None
            return f
        check("linux_fault_with_its_signal_blocked_kills_with_status_132",
              killed("sigill-blocked", 132, b"calls: ud2 with SIGILL blocked\n",
                     r"linux: fault \(vector 6\) at rip 0x[0-9a-f]+, address 0x0: killed"))
        check("linux_signal_default_action_kills_with_status_138",
              killed("kill-self", 138, b"calls: SIGUSR1 to itself\n", None))
        check("linux_fault_in_its_own_handler_kills_with_status_139",
              killed("segv-in-handler", 139, b"calls: SIGSEGV in its handler\n",
                     r"linux: fault \(vector 14\) at rip 0x[0-9a-f]+, address 0x10: killed"))

        def nosuch():
            out = g.command("linux nosuch", CASE_WAIT)
            return None if "no such Linux program: nosuch" in out else "said %r" % out[-300:]
        check("linux_unknown_program_is_refused", nosuch)

        for tag, n, line, words in cases:
            def f(words=words, line=line):
                so, se, st, why = guest_run(g, "busybox", words)
                if not why:
                    why = compare(line, host_run(words), (so, se, st))
                return "[%s] %s" % (line, why) if why else None
            check("%s_line_%d" % (tag, n), f)
    except SystemExit:
        pass
    finally:
        g.kill()
        import shutil
        subprocess.run(["umount", os.path.join(host_root, "proc")],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if os.path.ismount(os.path.join(host_root, "proc")):
            print("test busybox_host_tree_unmounts_proc ... FAIL %s/proc still mounted" % host_root)
            return 1
        shutil.rmtree(os.path.dirname(host_root), ignore_errors=True)
    return ts.report(results, g)


if __name__ == "__main__":
    sys.exit(main())
