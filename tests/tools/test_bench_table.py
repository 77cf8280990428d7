#!/usr/bin/env python3
"""Self-test of tools/bench-table.py on canned BENCH files: parsing, n/a,
ratios, the ipc_rtt/notify_rtt pairings, row order, --compare and --check,
and lxbench's second table (the same program on both systems).

Prints `test <name> ... ok|FAIL <reason>` and `N passed, M failed`; exits 1
if anything failed.
"""
import contextlib
import importlib.util
import io
import os
import re
import shutil
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True      # no tools/__pycache__ in the tree
_spec = importlib.util.spec_from_file_location(
    "bench_table", os.path.join(ROOT, "tools", "bench-table.py"))
bt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bt)

LINUX = """\
# linux kernel=6.1.0-99-cloud-amd64 mode=icount accel=tcg smp=1 qemu=7.2.22 (Debian 1:7.2) seconds=9
# lbench: Linux 6.1.0-99-cloud-amd64, TSC 1.000 GHz, 11 batches of which the median is printed
BENCH null_syscall cycles=326 ns=326 iters=2000\r
BENCH pipe_rtt cycles=10320 ns=10320 iters=64
BENCH unix_rtt cycles=21018 ns=21018 iters=64
BENCH futex_rtt cycles=8854 ns=8854 iters=64
BENCH ipc_rtt_local cycles=6907 ns=6907 iters=64
BENCH prot1 cycles=2707 ns=2707 iters=200
BENCH spawn_posix cycles=261985 ns=261985 iters=3
BENCH-DONE
"""
LAMINA = """\
some boot noise that is not a BENCH line
BENCH null_syscall cycles=163 ns=163 iters=10000
BENCH ipc_rtt cycles=885.4 ns=885.4 iters=1000
BENCH notify_rtt cycles=400 ns=400 iters=1000
BENCH dirty cycles=40 ns=40 iters=100
BENCH prot1 n/a
BENCH ipc_rtt_len_64 cycles=1000 ns=1000 iters=100
BENCH ipc_rtt_len_8 cycles=900 ns=900 iters=100
BENCH revoke_chain_100 cycles=150 ns=150 iters=1000
BENCH revoke_chain_10 cycles=160 ns=160 iters=1000
BENCH linux_getppid cycles=652 ns=652 iters=100
"""


def check(cond, what):
    if not cond:
        raise AssertionError(what)


class Files:
    """Canned files in a temporary directory."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="bench-table-test.")
        return self

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def __exit__(self, *exc):
        shutil.rmtree(self.dir)


def run(argv):
    """bench-table's main(argv) -> (exit status, stdout + stderr). lxbench's
    files are none unless named, so bench/out/ never leaks in."""
    for opt in ("--lx-lamina", "--lx-linux"):
        if opt not in argv:
            argv = argv + [opt, os.path.join(tempfile.gettempdir(), "bench-table-test-none.txt")]
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        rc = bt.main(argv)
    return rc, buf.getvalue()


def rows_of(lamina_text, linux_text, extra_text=None):
    with Files() as f:
        lam = bt.BenchFile(f.write("lamina.txt", lamina_text))
        lin = bt.BenchFile(f.write("linux.txt", linux_text))
        extra = bt.BenchFile(f.write("extra.txt", extra_text) if extra_text is not None
                             else os.path.join(f.dir, "none.txt"))
        rows = bt.build_rows(lam, lin, extra)
    return {r["name"]: r for r in rows}, [r["name"] for r in rows]


# --- parsing ------------------------------------------------------------------

def test_parse_linux_file():
    with Files() as f:
        bf = bt.BenchFile(f.write("linux.txt", LINUX))
    check(bf.cycles("null_syscall") == 326, "null_syscall %r" % bf.cycles("null_syscall"))
    check(bf.results["pipe_rtt"]["iters"] == "64", "iters")
    check(list(bf.results)[0] == "null_syscall", "file order kept")
    check(bf.meta.get("kernel") == "6.1.0-99-cloud-amd64", "meta kernel %r" % bf.meta)
    check(bf.meta.get("qemu") == "7.2.22 (Debian 1:7.2)", "meta qemu %r" % bf.meta.get("qemu"))
    check(bf.meta.get("mode") == "icount", "meta mode")
    check(not bf.problems, "problems %s" % bf.problems)


def test_parse_fraction_and_na():
    with Files() as f:
        bf = bt.BenchFile(f.write("lamina.txt", LAMINA))
    check(bf.cycles("ipc_rtt") == 885.4, "fractional cycles")
    check("prot1" in bf.results and bf.cycles("prot1") is None, "n/a figure")
    check(bf.problems == ["line 1: not a BENCH line: some boot noise that is not a BENCH line"],
          "problems %s" % bf.problems)


def test_missing_file_is_empty():
    bf = bt.BenchFile("/nonexistent/bench.txt")
    check(not bf.exists and bf.results == {}, "missing file has results")


# --- the table ------------------------------------------------------------------

def test_ratio():
    rows, _ = rows_of(LAMINA, LINUX)
    r = rows["null_syscall"]
    check((r["lamina"], r["linux"]) == (163, 326), "figures %r" % r)
    check(bt.fmt_ratio(r["ratio"]) == "2.00", "ratio %r" % r["ratio"])


def test_na_handling():
    rows, _ = rows_of(LAMINA, LINUX)
    check(rows["prot1"]["lamina"] is None and rows["prot1"]["ratio"] is None, "prot1")
    check(bt.cells(rows["prot1"], False)[1:4] == ["n/a", "2,707", "n/a"],
          "prot1 cells %r" % bt.cells(rows["prot1"], False))
    check(rows["dirty"]["linux"] is None, "dirty has a Linux figure")
    check(bt.cells(rows["dirty"], False)[2:4] == ["n/a", "n/a"], "dirty cells")
    check(rows["spawn"]["lamina"] is None and rows["spawn"]["linux"] is None, "spawn")


def test_ipc_rtt_takes_best_linux():
    rows, _ = rows_of(LAMINA, LINUX)
    r = rows["ipc_rtt"]
    check(r["linux"] == 8854, "ipc_rtt linux %r" % r["linux"])
    check("futex_rtt" in r["counterpart"], "counterpart %r" % r["counterpart"])
    check(abs(r["ratio"] - 8854 / 885.4) < 1e-9, "ratio")
    for n in ("pipe_rtt", "unix_rtt", "futex_rtt"):
        check(rows[n]["lamina"] is None and rows[n]["linux"] is not None, n + " row")


def test_pairings():
    rows, _ = rows_of(LAMINA, LINUX)
    check(rows["notify_rtt"]["linux"] == 8854, "notify_rtt <-> futex_rtt")
    check(rows["ipc_rtt_local"]["linux"] == 6907, "ipc_rtt_local")
    check(rows["linux_getppid"]["linux"] == 326, "linux_getppid <-> getppid")


def test_row_order():
    _, names = rows_of(LAMINA, LINUX)
    want = [r[0] for r in bt.ROWS]
    check(names[:len(want)] == want, "table rows first, in order")
    rest = names[len(want):]
    check(rest.index("ipc_rtt_len_8") < rest.index("ipc_rtt_len_64"), "len rows numeric order")
    check(rest.index("revoke_chain_10") < rest.index("revoke_chain_100"), "series in numeric order")
    check(rest[-1] == "spawn_posix", "Linux-only extra last: %r" % rest)
    check(len(names) == len(set(names)), "duplicate rows")


def test_rows_cover_benchmarks_md():
    """Every benchmark the definitions (../shared/BENCHMARKS.md beside the
    checkout) or, without them, docs/BENCHMARKS.md name has a row."""
    spec = next((p for p in (os.path.join(ROOT, "..", "shared", "BENCHMARKS.md"),
                             os.path.join(ROOT, "docs", "BENCHMARKS.md"))
                 if os.path.exists(p)), None)
    if spec is None:
        return "skipped, no BENCHMARKS.md"
    names = set()
    # The definitions are the file's first table: later tables (figures,
    # scaling) name what they measure in other words.
    seen_table = False
    with open(spec) as f:
        for line in f:
            if not line.startswith("|"):
                if seen_table:
                    break
                continue
            seen_table = True
            m = re.match(r"^\| ([a-z0-9_ /*]+) \|", line)
            if m and m.group(1).strip() not in ("name", "benchmark"):
                for n in (n.strip() for n in m.group(1).split("/")):
                    # "a / _b / _c": each later name shares the first's stem.
                    if n.startswith("_") and names:
                        n = prev.rsplit("_", 1)[0] + n
                    names.add(n)
                    prev = n
    check(names, "no table found in " + spec)
    rows = {r[0] for r in bt.ROWS + bt.LAMINA_EXTRA}
    # Series rows (ipc_rtt_len_N, ...) come from whatever sizes Lamina measured.
    missing = {n for n in names - rows if not n.startswith(tuple(bt.SERIES))}
    check(not missing, "no row for %s in %s" % (sorted(missing), spec))
    return None


def test_extra_column():
    extra = "# linux append=mitigations=off\nBENCH null_syscall cycles=300 ns=300 iters=1\n"
    rows, _ = rows_of(LAMINA, LINUX, extra)
    r = rows["null_syscall"]
    check(r["extra"] == 300 and bt.fmt_ratio(r["extra_ratio"]) == "1.84", "extra %r" % r)


def test_main_writes_markdown():
    with Files() as f:
        lam, lin = f.write("lamina.txt", LAMINA), f.write("linux.txt", LINUX)
        rc, out = run(["--lamina", lam, "--linux", lin, "--extra", os.path.join(f.dir, "x"),
                       "--out", f.dir, "--no-chart"])
        check(rc == 0, "exit %d" % rc)
        check(re.search(r"null_syscall\s+163\s+326\s+2\.00", out), "text row:\n" + out)
        with open(os.path.join(f.dir, "results.md")) as md:
            text = md.read()
    check("| null_syscall | 163 | 326 | 2.00 |" in text, "markdown row")
    check("6.1.0-99-cloud-amd64" in text and "Mode: icount" in text, "markdown header")


def test_main_with_no_lamina_results():
    with Files() as f:
        lin = f.write("linux.txt", LINUX)
        rc, out = run(["--lamina", f.write("lamina.txt", ""), "--linux", lin,
                       "--extra", os.path.join(f.dir, "x"), "--out", f.dir, "--no-chart"])
    check(rc == 0, "exit %d" % rc)
    check(re.search(r"null_syscall\s+n/a\s+326\s+n/a", out), "row:\n" + out)


LX_LAMINA = """\
# lamina mode=icount
BENCH linux_getppid cycles=989 ns=989 iters=2000
BENCH linux_pipe_rtt cycles=9378 ns=9378 iters=64
BENCH busybox_script cycles=700000000 ns=700000000 iters=1
"""
LX_LINUX = """\
# linux kernel=6.1.0-99-cloud-amd64 mode=icount accel=tcg smp=1 qemu=7.2.22 seconds=9
BENCH linux_getppid cycles=326 ns=326 iters=2000
BENCH linux_pipe_rtt cycles=10320 ns=10320 iters=64
BENCH linux_spawn cycles=395187 ns=395187 iters=2
"""


def test_lx_table():
    with Files() as f:
        xl, xx = f.write("lx-lamina.txt", LX_LAMINA), f.write("lx-linux.txt", LX_LINUX)
        none = os.path.join(f.dir, "none.txt")
        rc, out = run(["--lamina", none, "--linux", none, "--lx-lamina", xl, "--lx-linux", xx,
                       "--out", f.dir, "--no-chart"])
        check(rc == 0, "exit %d" % rc)
        check(re.search(r"linux_pipe_rtt\s+9,378\s+10,320\s+1\.10", out), "text row:\n" + out)
        check("null_syscall" not in out, "the main table made without its files:\n" + out)
        with open(os.path.join(f.dir, "results.md")) as md:
            text = md.read()
        check("| linux_getppid | 989 | 326 | 0.33 |" in text, "markdown row:\n" + text)
        check("| linux_spawn | n/a | 395,187 | n/a |" in text, "one side only:\n" + text)
        check(text.index("linux_getppid") < text.index("linux_spawn") <
              text.index("busybox_script"), "LX_ROWS order")
        # with the main files too: both tables, lxbench's after
        lam, lin = f.write("lamina.txt", LAMINA), f.write("linux.txt", LINUX)
        rc, out = run(["--lamina", lam, "--linux", lin, "--extra", none, "--lx-lamina", xl,
                       "--lx-linux", xx, "--out", f.dir, "--no-chart"])
        with open(os.path.join(f.dir, "results.md")) as md:
            text = md.read()
        check(rc == 0 and "| null_syscall | 163 | 326 |" in text and
              text.index("null_syscall") < text.index("## Linux programs on both"),
              "both tables:\n" + text)


def test_chart():
    with Files() as f:
        rows, _ = rows_of(LAMINA, LINUX)
        msg = bt.chart(list(rows.values()), f.dir, "", "icount")
        if not shutil.which("gnuplot"):
            check(msg.startswith("gnuplot not found"), msg)
            return "skipped, no gnuplot"
        check(msg.startswith("chart:"), msg)
        with open(os.path.join(f.dir, "results.svg")) as svg:
            check("<svg" in svg.read(), "not an SVG")
        check(not os.path.exists(os.path.join(f.dir, "results.dat")), "data file left")
    return None


# --- --compare and --check ---------------------------------------------------------

def test_compare_identical():
    with Files() as f:
        a, b = f.write("a.txt", LINUX), f.write("b.txt", LINUX.replace("seconds=9", "seconds=12"))
        rc, out = run(["--compare", a, b])
    check(rc == 0, "exit %d: %s" % (rc, out))
    check("identical" in out, out)


def test_compare_detects_difference():
    with Files() as f:
        a = f.write("a.txt", LINUX)
        b = f.write("b.txt", LINUX.replace("cycles=8854", "cycles=8855"))
        rc, out = run(["--compare", a, b])
    check(rc == 1, "exit %d" % rc)
    check("futex_rtt" in out and "null_syscall" not in out, out)


def test_compare_detects_missing():
    with Files() as f:
        a = f.write("a.txt", LINUX)
        b = f.write("b.txt", LINUX.replace("BENCH prot1 cycles=2707 ns=2707 iters=200\n", ""))
        rc, out = run(["--compare", a, b])
    check(rc == 1 and "prot1: only in" in out, "exit %d: %s" % (rc, out))


def test_compare_tolerance():
    with Files() as f:
        a = f.write("a.txt", LINUX)
        b = f.write("b.txt", LINUX.replace("cycles=8854", "cycles=8900"))
        rc1, _ = run(["--compare", a, b, "--tolerance", "1"])
        rc2, _ = run(["--compare", a, b, "--tolerance", "0.1"])
    check((rc1, rc2) == (0, 1), "exits %d %d" % (rc1, rc2))


def test_check_modes():
    with Files() as f:
        good = f.write("good.txt", LINUX)
        bad = f.write("bad.txt", LINUX + "BENCH pipe_rtt cycles=1 ns=1 iters=1\n"
                      "BENCH broken ns=5\nBENCH noiters cycles=5 ns=5\n")
        rc1, out1 = run(["--check", good])
        rc2, out2 = run(["--check", bad])
    check(rc1 == 0, "good file: %s" % out1)
    check(rc2 == 1, "bad file passed")
    for what in ("duplicate", "no cycles=", "iters="):
        check(what in out2, "%r not reported:\n%s" % (what, out2))


def test_targets():
    with Files() as f:
        p = f.write("t.txt", "BENCH null_syscall cycles=51 ns=1 iters=1\n"
                    "BENCH ipc_rtt cycles=300 ns=1 iters=1\n"
                    "BENCH spawn cycles=1000 ns=1 iters=1\n"
                    "BENCH spawn_2m cycles=2001 ns=1 iters=1\n"
                    "BENCH fork_exit_slots cycles=5 ns=1 iters=1\n")
        rows = {r[0]: r for r in bt.target_rows(bt.BenchFile(p))}
    check(rows["null_syscall"][3] is False, "51 > 50 counted as met")
    check(rows["ipc_rtt"][3] is True, "300 <= 300 not met")
    check(rows["spawn_2m"][3] is False, "2001 > 2 x 1000 counted as met")
    check(rows["fork_exit_slots"][3] is None, "no fork_exit: must be n/a")
    check(rows["trap"][1] is None and rows["trap"][3] is None, "missing row not n/a")
    text = bt.targets_text(list(rows.values()))
    check("2 of %d targets met" % len(bt.TARGETS) in text, text)


def main():
    tests = [(n[5:], f) for n, f in globals().items() if n.startswith("test_") and callable(f)]
    passed = failed = 0
    for name, fn in tests:
        try:
            note = fn()
            print("test %s ... ok%s" % (name, " (%s)" % note if note else ""))
            passed += 1
        except Exception as e:  # noqa: BLE001 - report every failure the same way
            why = str(e) if isinstance(e, AssertionError) else traceback.format_exc().strip()
            print("test %s ... FAIL %s" % (name, why))
            failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
