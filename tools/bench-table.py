#!/usr/bin/env python3
"""Lamina vs Linux benchmark table (the last step of `make bench`).

    bench-table.py [--lamina F] [--linux F] [--extra F] [--out DIR] [--no-chart]
        Reads BENCH files (default bench/out/lamina.txt, linux.txt and, if it
        exists, linux-extra.txt: Linux booted with BENCH_LINUX_APPEND), prints
        the table, and writes DIR/results.md and, with gnuplot, DIR/results.svg.
    bench-table.py --compare A B [--tolerance PCT]
        Exits 1, listing them, if any benchmark's cycles (or iters) differ
        between two BENCH files by more than PCT percent (default 0: at all),
        or one has a result the other lacks.  Used to check that icount runs
        are deterministic.
    bench-table.py --check [FILE...]
        Exits 1 if a BENCH file is malformed (default: the files above that
        exist).

A BENCH file holds lines `BENCH <name> cycles=<c> ns=<n> iters=<i>`, and the
counting runs' files (lamina-count.txt from `make bench-count`, linux-count.txt
from BENCH_COUNT=1 tools/bench-linux.sh) lines `COUNT <name> switches=<s>
cr3=<c> flush=<f> flush_full=<a> invlpg=<p> ...` per operation, which add the
switch, CR3 and TLB-flush columns (docs/BENCHMARKS.md); anything else is ignored, except `# linux key=value ...` headers written by
tools/bench-linux.sh, which give the kernel, mode and QEMU version.  A figure
that is missing or printed as n/a shows as n/a, and so does its ratio.

A second table, "Linux programs on both", compares the same static Linux
program, lxbench (bench/linux/lxbench.c), run on Lamina's Linux personality
(default bench/out/lx-lamina.txt, tools/bench-lx-lamina.py) and on Linux
(bench/out/lx-linux.txt, BENCH_LINUX_INIT=lxbench tools/bench-linux.sh),
row by row under the same name (LX_ROWS); it is printed and added to
results.md when either file exists. With --lx-only (`make
bench-linux-personality`), or when neither lamina.txt nor linux.txt exists,
only that table is made.
Standard library only.
"""
import argparse
import datetime
import math
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")

# The rows of BENCHMARKS.md's table, in its order: (row, Lamina name, Linux
# names, counterpart label).  With several Linux names the row shows the
# lowest of them, so Linux is always given its best mechanism.
IPC_LINUX = ["pipe_rtt", "unix_rtt", "unix_dgram_rtt", "futex_rtt"]
ROWS = [
    ("null_syscall", "null_syscall", ["null_syscall"], "syscall(SYS_getppid)"),
    ("ipc_rtt", "ipc_rtt", IPC_LINUX, "best of pipe/unix/futex"),
    # Linux-only rows, so each mechanism behind the ipc_rtt figure is visible.
    ("pipe_rtt", None, ["pipe_rtt"], "pipe, two processes"),
    ("unix_rtt", None, ["unix_rtt"], "AF_UNIX stream socketpair"),
    ("unix_dgram_rtt", None, ["unix_dgram_rtt"], "AF_UNIX datagram socketpair"),
    ("futex_rtt", None, ["futex_rtt"], "futex, two processes"),
    ("ipc_rtt_local", "ipc_rtt_local", ["ipc_rtt_local"], "futex, two threads"),
    ("notify_rtt", "notify_rtt", ["futex_rtt"], "futex_rtt"),
    ("yield_ctxsw", "yield_ctxsw", ["yield_ctxsw"], "sched_yield, per switch"),
    # Undirected: the scheduler picks; Linux's sched_yield is this too.
    ("yield_sched", "yield_sched", ["yield_ctxsw"], "sched_yield, per switch"),
    ("exc_prot", "exc_prot", ["exc_prot"], "SIGSEGV"),
    ("exc_div", "exc_div", ["exc_div"], "SIGFPE"),
    ("exc_ud", "exc_ud", ["exc_ud"], "SIGILL"),
    ("exc_bp", "exc_bp", ["exc_bp"], "SIGTRAP"),
    ("dirty", "dirty", [], "none"),
    ("prot1", "prot1", ["prot1"], "mprotect 1 page"),
    ("unprot1", "unprot1", [], "none"),
    ("prot100", "prot100", ["prot100"], "mprotect 100 pages"),
    ("unprot100", "unprot100", ["unprot100"], "mprotect 100 pages"),
    ("trap", "trap", ["trap"], "SIGSEGV + mprotect"),
    ("appel1", "appel1", ["appel1"], "signals + mprotect"),
    ("appel2", "appel2", ["appel2"], "signals + mprotect, per page"),
    ("pagefault", "pagefault", ["pagefault"], "anonymous first touch"),
    ("map_page", "map_page", [], "none (seL4's map a page: 747)"),
    ("fork_exit", "fork_exit", ["fork_exit"], "fork + _exit + waitpid"),
    ("spawn", "spawn", ["spawn"], "fork + execve + waitpid"),
]
# Lamina-only series: one row per size N that Lamina printed, in numeric
# order, after the table's rows (bpf_load_: the verifier's scaling rows
# and its two worst cases).
SERIES = ["ipc_rtt_len_", "revoke_chain_", "delete_children_", "bpf_load_", "fork_exit_",
          "spawn_", "revoke_abort_"]
# Lamina-only figures known to come later; their rows follow the series.  linux_getppid is Linux's getppid
# run through Lamina's Linux personality, so Linux's own getppid is its pair.
LAMINA_EXTRA = [
    ("fault_ipc_rtt", "fault_ipc_rtt", [], "none"),
    ("linux_getppid", "linux_getppid", ["null_syscall"], "getppid on Linux"),
    # eBPF (issue 12): Linux's seccomp and test runs are not measured here.
    ("bpf_verify_200", "bpf_verify_200", [], "none"),
    ("bpf_run_interp", "bpf_run_interp", [], "none"),
    ("bpf_run_jit", "bpf_run_jit", [], "none"),
    ("bpf_prog_interp", "bpf_prog_interp", [], "none"),
    ("bpf_prog_jit", "bpf_prog_jit", [], "none"),
    ("bpf_filter_syscall", "bpf_filter_syscall", ["null_syscall"], "getppid, no filter"),
    ("bpf_filter_syscall_run", "bpf_filter_syscall_run", ["null_syscall"], "getppid, no filter"),
    ("bpf_predicate_wake", "bpf_predicate_wake", [], "none"),
    # User-level threads on the scheduling upcalls (issue 13).
    ("uth_yield", "uth_yield", [], "none"),
    ("upcall_preempt", "upcall_preempt", [], "none"),
    # Visible memory revocation (issue 13): the memory manager's request.
    ("revoke_request", "revoke_request", [], "none"),
]

# lxbench's rows: (name, what both systems run). The same binary on both.
LX_ROWS = [
    ("linux_getppid", "getppid (the SYSCALL instruction)"),
    ("linux_pipe_rtt", "8 bytes through a pipe to a forked child and back"),
    ("linux_fork_exit", "fork after writing 1 MiB, _exit, waitpid"),
    ("linux_spawn", "fork, execve of a static program that exits, waitpid"),
    ("linux_open_close", "open + close of a 4 KiB file"),
    ("linux_read_4k", "pread of 4 KiB"),
    ("linux_thread_create", "pthread_create of a thread that returns, pthread_join"),
    ("busybox_script", "busybox sh, a script of 200 applet runs: execve to execve, total"),
]

BENCH_RE = re.compile(r"^BENCH\s+(\S+)(.*)$")
COUNT_RE = re.compile(r"^COUNT\s+([A-Za-z0-9_]+)(.*)$")
# Linux exceptions with no tracepoint to count them (lbench counts system
# calls and page faults): each op's exception adds an entry and the return
# to the signal handler.
LINUX_UNTRACED_SWITCHES = {"exc_div": 2, "exc_ud": 2, "exc_bp": 2}
NAME_RE = re.compile(r"^[A-Za-z0-9_]+$")
FIELD_RE = re.compile(r"(\w+)=(\S+)")
META_RE = re.compile(r"(\w+)=(.*?)(?=\s+\w+=|\s*$)")


def number(text):
    """A figure, or None for n/a or anything unparsable."""
    try:
        v = float(text.replace(",", ""))
    except (AttributeError, ValueError):
        return None
    return v if math.isfinite(v) and v >= 0 else None


class BenchFile:
    """Results of one BENCH file: name -> {cycles, ns, iters} in file order."""

    def __init__(self, path):
        self.path = path
        self.exists = os.path.exists(path)
        self.results = {}
        self.counts = {}  # name -> {switches, cr3, flush_full, invlpg, ...} per op
        self.meta = {}
        self.problems = []  # for --check
        if not self.exists:
            return
        with open(path, encoding="utf-8", errors="replace") as f:
            for lineno, line in enumerate(f, 1):
                self._line(line.rstrip("\r\n"), lineno)

    def _line(self, line, lineno):
        if line.startswith("# linux "):
            self.meta.update(META_RE.findall(line[len("# linux "):]))
            return
        c = COUNT_RE.match(line)
        if c:
            self.counts[c.group(1)] = {k: number(v) for k, v in FIELD_RE.findall(c.group(2))}
            return
        m = BENCH_RE.match(line)
        if not m:
            s = line.strip()
            if s and not s.startswith("#") and s != "BENCH-DONE":
                self.problems.append(f"line {lineno}: not a BENCH line: {s[:60]}")
            return
        name, rest = m.group(1), m.group(2)
        fields = dict(FIELD_RE.findall(rest))
        where = f"line {lineno} ({name})"
        if not NAME_RE.match(name):
            self.problems.append(f"{where}: bad name")
            return
        if name in self.results:
            self.problems.append(f"{where}: duplicate")
        na = "n/a" in rest.split() or fields.get("cycles") == "n/a"
        cycles = number(fields.get("cycles"))
        if cycles is None and not na:
            self.problems.append(f"{where}: no cycles= figure")
        if not na:
            if number(fields.get("ns")) is None:
                self.problems.append(f"{where}: no ns= figure")
            iters = fields.get("iters", "")
            if not iters.isdigit() or int(iters) == 0:
                self.problems.append(f"{where}: iters= is not a positive integer")
        self.results[name] = {
            "cycles": cycles,
            "ns": number(fields.get("ns")),
            "iters": fields.get("iters"),
        }

    def cycles(self, name):
        r = self.results.get(name)
        return r["cycles"] if r else None


def size_of(text):
    """A series row's size: 16, 64k (KiB), 2m (MiB); 0 if not a size."""
    scale = {"k": 1 << 10, "m": 1 << 20}.get(text[-1:].lower(), 1)
    v = number(text[:-1] if scale > 1 else text)
    return v * scale if v is not None else 0


def best(bf, names):
    """(lowest figure, its name) among names in bf, or (None, None)."""
    found = [(bf.cycles(n), n) for n in names if bf.cycles(n) is not None]
    return min(found) if found else (None, None)


def fmt(v):
    if v is None:
        return "n/a"
    return f"{v:,.0f}" if v >= 100 or v == int(v) else f"{v:,.1f}"


def ratio(linux, lamina):
    if linux is None or lamina is None or lamina == 0:
        return None
    return linux / lamina


def fmt_ratio(r):
    return "n/a" if r is None else (f"{r:,.0f}" if r >= 100 else f"{r:.2f}")


def build_rows(lam, lin, extra, lam_count=None, lin_count=None):
    """One dict per table row: name, lamina, linux, ratio, extra, counterpart,
    and the per-op counts of each side (lcount, xcount) where counted."""
    plan = list(ROWS)
    seen_lamina = {r[1] for r in plan if r[1]}
    lens = []
    for prefix in SERIES:
        lens += sorted((n for n in lam.results if n.startswith(prefix)),
                       key=lambda n: (size_of(n[len(prefix):]), n))
    plan += [(n, n, [], "none") for n in lens]
    plan += LAMINA_EXTRA
    seen_lamina |= set(lens) | {r[1] for r in LAMINA_EXTRA}
    # Anything else either side printed, so no figure is silently dropped.
    plan += [(n, n, [], "none") for n in lam.results if n not in seen_lamina]
    shown_linux = {n for r in plan for n in r[2]} | {r[0] for r in plan}
    for bf in (lin, extra):
        for n in bf.results:
            if n not in shown_linux:
                plan.append((n, None, [n], "Linux only"))
                shown_linux.add(n)
    rows = []
    for row, lname, xnames, label in plan:
        lv = lam.cycles(lname) if lname else None
        xv, xname = best(lin, xnames)
        ev, _ = best(extra, xnames)
        if len(xnames) > 1 and xname:
            label = f"{label}: {xname}"
        lc = lam_count.counts.get(lname) if lam_count and lname else None
        xc = None
        if lin_count and xnames:
            xc = lin_count.counts.get(xname or xnames[0])
            if xc and xc.get("switches") is not None:
                xc = dict(xc, switches=xc["switches"] + LINUX_UNTRACED_SWITCHES.get(row, 0))
        rows.append({
            "name": row, "lamina": lv, "linux": xv, "ratio": ratio(xv, lv),
            "extra": ev, "extra_ratio": ratio(ev, lv), "counterpart": label,
            "lcount": lc, "xcount": xc,
        })
    return rows


def lx_rows(lam, lin):
    """The Linux-programs table: lxbench's figures on each system."""
    names = [n for n, _ in LX_ROWS]
    plan = list(LX_ROWS) + [(n, "") for bf in (lam, lin) for n in bf.results if n not in names]
    rows, seen = [], set()
    for name, what in plan:
        if name in seen:
            continue
        seen.add(name)
        lv, xv = lam.cycles(name), lin.cycles(name)
        rows.append({"name": name, "lamina": lv, "linux": xv, "ratio": ratio(xv, lv),
                     "counterpart": what})
    return rows


def lx_header():
    return ["program", "Lamina personality", "Linux", "Linux/Lamina", "operation"]


def lx_cells(r):
    return [r["name"], fmt(r["lamina"]), fmt(r["linux"]), fmt_ratio(r["ratio"]), r["counterpart"]]


def lx_text(rows):
    h = lx_header()
    body = [lx_cells(r) for r in rows]
    widths = [max(len(x[i]) for x in [h] + body) for i in range(len(h))]
    left = {0, len(h) - 1}

    def line(c):
        return "  ".join(x.ljust(w) if i in left else x.rjust(w)
                         for i, (x, w) in enumerate(zip(c, widths))).rstrip()
    return "\n".join([line(h), line(["-" * w for w in widths])] + [line(c) for c in body])


def lx_markdown(rows, lam, lin):
    h = lx_header()
    out = ["## Linux programs on both (lxbench)", "",
           "The same static musl program, `bench/linux/lxbench.c`, as /bin/lxbench under "
           "Lamina's Linux personality and as /init under Linux "
           f"({lin.meta.get('kernel', 'n/a')}); Linux/Lamina above 1 means it ran faster on "
           "Lamina.", "",
           "| " + " | ".join(h) + " |", "|---|---:|---:|---:|---|"]
    out += ["| " + " | ".join(lx_cells(r)) + " |" for r in rows]
    for bf, what in ((lam, "Lamina"), (lin, "Linux")):
        if not bf.results:
            out.append(f"\n{what}: no results in {os.path.relpath(bf.path, ROOT)}.")
    return "\n".join(out + [""])


def fmt_count(v):
    if v is None:
        return "n/a"
    return f"{v:,.0f}" if v == int(v) else f"{v:,.2f}"


def count_cells(c):
    """switches, CR3 writes, TLB flushes (full + pages) of one side."""
    if not c:
        return ["", "", ""]
    full, pages = c.get("flush_full"), c.get("invlpg")
    if full is None or pages is None:
        flush = "n/a"
    elif pages:
        flush = f"{fmt_count(full)} + {fmt_count(pages)} pg"
    else:
        flush = fmt_count(full)
    return [fmt_count(c.get("switches")), fmt_count(c.get("cr3")), flush]


COUNT_HEADER = ["Lamina switches", "CR3", "TLB flushes", "Linux switches", "CR3", "TLB flushes"]


def header(extra_label, with_counts=False):
    h = ["benchmark", "Lamina", "Linux", "Linux/Lamina"]
    if extra_label:
        h += [f"Linux {extra_label}", "ratio"]
    if with_counts:
        h += COUNT_HEADER
    return h + ["Linux counterpart"]


def cells(r, with_extra, with_counts=False):
    c = [r["name"], fmt(r["lamina"]), fmt(r["linux"]), fmt_ratio(r["ratio"])]
    if with_extra:
        c += [fmt(r["extra"]), fmt_ratio(r["extra_ratio"])]
    if with_counts:
        c += count_cells(r.get("lcount")) + count_cells(r.get("xcount"))
    return c + [r["counterpart"]]


def has_counts(rows):
    return any(r.get("lcount") or r.get("xcount") for r in rows)


def text_table(rows, extra_label):
    wc = has_counts(rows)
    h = header(extra_label, wc)
    body = [cells(r, bool(extra_label), wc) for r in rows]
    widths = [max(len(x[i]) for x in [h] + body) for i in range(len(h))]
    left = {0, len(h) - 1}  # names left-aligned, figures right-aligned

    def line(c):
        return "  ".join(x.ljust(w) if i in left else x.rjust(w)
                         for i, (x, w) in enumerate(zip(c, widths))).rstrip()
    return "\n".join([line(h), line(["-" * w for w in widths])] + [line(c) for c in body])


def md_table(rows, extra_label):
    wc = has_counts(rows)
    h = header(extra_label, wc)
    align = ["---"] + ["---:"] * (len(h) - 2) + ["---"]
    out = ["| " + " | ".join(h) + " |", "|" + "|".join(align) + "|"]
    for r in rows:
        out.append("| " + " | ".join(cells(r, bool(extra_label), wc)) + " |")
    return "\n".join(out)


def shown(path):
    """path relative to the working directory when it is below it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def qemu_version():
    try:
        p = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True)
        return p.stdout.splitlines()[0].replace("QEMU emulator version ", "")
    except (OSError, IndexError):
        return "unknown"


def host_cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def unit(mode):
    if mode == "icount":
        return "guest instructions per operation (QEMU -icount shift=0: rdtsc counts instructions)"
    return "TSC cycles per operation (emulated or real time, not instruction counts)"


# Issue 14's targets (docs/BENCHMARKS.md), Lamina's figures per operation
# under icount: (benchmark, bound, of): at most bound, or with `of` at most
# bound times that benchmark's figure.
TARGETS = [
    ("null_syscall", 50, None), ("ipc_rtt", 300, None), ("ipc_rtt_len_16", 600, None),
    ("ipc_rtt_len_64", 900, None), ("notify_rtt", 500, None), ("yield_ctxsw", 200, None),
    ("yield_sched", 300, None), ("map_page", 300, None), ("exc_prot", 150, None),
    ("exc_div", 150, None), ("exc_ud", 150, None), ("exc_bp", 150, None), ("trap", 400, None),
    ("prot1", 200, None), ("pagefault", 1000, None), ("fault_ipc_rtt", 500, None),
    ("fork_exit", 64000, None), ("spawn", 76000, None), ("spawn_2m", 2, "spawn"),
    ("fork_exit_slots", 1.1, "fork_exit"),
]


def target_rows(lam):
    """(name, figure, target text, met: True/False/None for n/a) per target."""
    rows = []
    for name, bound, of in TARGETS:
        v = lam.cycles(name)
        limit = bound if of is None else (None if lam.cycles(of) is None else bound * lam.cycles(of))
        text = f"<= {fmt(bound)}" if of is None else f"<= {bound:g} x {of}"
        rows.append((name, v, text, None if v is None or limit is None else v <= limit))
    return rows


def targets_text(rows):
    met = sum(1 for r in rows if r[3])
    lines = [f"{'target':<18} {'Lamina':>10}  {'bound':<20} met"]
    for name, v, text, ok in rows:
        lines.append(f"{name:<18} {fmt(v):>10}  {text:<20} {'n/a' if ok is None else 'yes' if ok else 'NO'}")
    lines.append(f"{met} of {len(rows)} targets met")
    return "\n".join(lines)


def markdown(rows, lam, lin, extra_label):
    mode = lin.meta.get("mode") or os.environ.get("BENCH_MODE", "icount")
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Lamina vs Linux benchmarks",
        "",
        f"- Date: {now}",
        f"- Mode: {mode}; figures are {unit(mode)}",
        f"- QEMU: {lin.meta.get('qemu') or qemu_version()}, -cpu max, -smp {lin.meta.get('smp', '1')}, -m 512M",
        f"- Host CPU: {host_cpu()}",
        f"- Linux: {lin.meta.get('kernel', 'n/a')} (Debian linux-image-cloud-amd64, default configuration)",
    ]
    if extra_label:
        lines.append(f"- Extra column: the same kernel booted with `{extra_label}`")
    if not lam.results:
        lines.append(f"- Lamina: no results in {os.path.relpath(lam.path, ROOT)}")
    lines += [
        "",
        "Linux/Lamina above 1 means Lamina is faster. n/a: no figure (not run, not yet "
        "implemented, or no counterpart).",
        "",
        md_table(rows, extra_label),
        "",
    ]
    if has_counts(rows):
        lines += [
            "Switches, CR3 writes and TLB flushes are per operation, counted in separate "
            "counting boots: Lamina's kernel built with LM_COUNT_EVENTS (`make bench-count`), "
            "Linux with perf tracepoint counters (`lbench.count`). Switches are entries to the "
            "kernel from user mode and returns to it; a TLB flush is a full one (a CR3 write "
            "without PCID, which this CPU lacks) plus `pg`, INVLPG pages (Linux: range flushes). "
            "Linux's exc_div/exc_ud/exc_bp add the 2 switches of the exception itself, which "
            "has no tracepoint. Blank: not counted. docs/BENCHMARKS.md says how each is reasoned.",
            "",
        ]
    return "\n".join(lines)


def chart(rows, out_dir, extra_label, mode):
    """Grouped bars on a log axis; rows with no figure at all are left out."""
    gp = shutil.which("gnuplot")
    if not gp:
        return "gnuplot not found: no chart (apt-get install gnuplot-nox)"
    plotted = [r for r in rows if any(r[k] is not None for k in ("lamina", "linux", "extra"))]
    if not plotted:
        return "no figures: no chart"
    dat = os.path.join(out_dir, "results.dat")
    svg = os.path.join(out_dir, "results.svg")

    def v(x):
        return "NaN" if x is None else f"{x:.0f}"
    with open(dat, "w") as f:
        for r in plotted:
            f.write(f"{r['name']} {v(r['lamina'])} {v(r['linux'])} {v(r['extra'])}\n")
    series = [(2, "Lamina", "#2a7ab0"), (3, "Linux", "#d95f02")]
    if extra_label:
        series.append((4, f"Linux {extra_label}", "#7570b3"))
    plots = ", ".join(
        f"'{dat}' using {col}{':xtic(1)' if i == 0 else ''} title '{title}' lc rgb '{color}'"
        for i, (col, title, color) in enumerate(series))
    ylabel = "instructions per operation" if mode == "icount" else "cycles per operation"
    script = f"""
set terminal svg size {max(800, 60 * len(plotted))},560 dynamic noenhanced font 'sans,11' background rgb 'white'
set output '{svg}'
set title 'Lamina vs Linux ({mode}; lower is better)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [10:*]
set format y '%.0f'
set grid ytics
set ylabel '{ylabel} (log scale)'
set xtics rotate by -40 scale 0
set key top left
set datafile missing 'NaN'
plot {plots}
"""
    p = subprocess.run([gp], input=script, capture_output=True, text=True)
    if p.returncode != 0:
        return "gnuplot failed: " + p.stderr.strip()[:300]
    os.remove(dat)
    return f"chart: {shown(svg)}"


def differs(x, y, tolerance):
    if x is None or y is None:
        return x != y
    return abs(x - y) > tolerance / 100.0 * max(x, y)


def compare(a_path, b_path, tolerance=0.0):
    a, b = BenchFile(a_path), BenchFile(b_path)
    for bf in (a, b):
        if not bf.exists:
            print(f"{bf.path}: no such file", file=sys.stderr)
            return 2
    diffs = []
    for name in list(a.results) + [n for n in b.results if n not in a.results]:
        ra, rb = a.results.get(name), b.results.get(name)
        if ra is None or rb is None:
            diffs.append(f"{name}: only in {a_path if ra else b_path}")
        elif differs(ra["cycles"], rb["cycles"], tolerance) or ra["iters"] != rb["iters"]:
            diffs.append(f"{name}: cycles {fmt(ra['cycles'])} vs {fmt(rb['cycles'])}"
                         f" (iters {ra['iters']} vs {rb['iters']})")
    if diffs:
        print(f"{len(diffs)} of {len(set(a.results) | set(b.results))} benchmarks differ:")
        print("\n".join("  " + d for d in diffs))
        return 1
    same = f"the same within {tolerance:g}%" if tolerance else "identical"
    print(f"{same}: {len(a.results)} benchmarks")
    return 0


def check(paths):
    bad = 0
    for p in paths:
        bf = BenchFile(p)
        if not bf.exists:
            print(f"{p}: no such file")
            bad += 1
            continue
        for prob in bf.problems:
            print(f"{p}: {prob}")
        bad += bool(bf.problems)
        if not bf.problems:
            print(f"{p}: ok, {len(bf.results)} results")
    return 1 if bad else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lamina", default=os.path.join(OUT, "lamina.txt"))
    ap.add_argument("--linux", default=os.path.join(OUT, "linux.txt"))
    ap.add_argument("--extra", default=os.path.join(OUT, "linux-extra.txt"),
                    help="Linux booted with BENCH_LINUX_APPEND (used if it exists)")
    ap.add_argument("--lamina-count", default=os.path.join(OUT, "lamina-count.txt"),
                    help="COUNT lines of the counting kernel (used if it exists)")
    ap.add_argument("--linux-count", default=os.path.join(OUT, "linux-count.txt"),
                    help="COUNT lines of Linux's counting boot (used if it exists)")
    ap.add_argument("--lx-lamina", default=os.path.join(OUT, "lx-lamina.txt"),
                    help="lxbench on Lamina's Linux personality (used if it exists)")
    ap.add_argument("--lx-linux", default=os.path.join(OUT, "lx-linux.txt"),
                    help="lxbench on Linux (used if it exists)")
    ap.add_argument("--lx-only", action="store_true",
                    help="only the lxbench table (results.md holds only it)")
    ap.add_argument("--out", default=OUT, help="where results.md and results.svg go")
    ap.add_argument("--no-chart", action="store_true")
    ap.add_argument("--compare", nargs=2, metavar=("A", "B"))
    ap.add_argument("--tolerance", type=float, default=0.0, metavar="PCT",
                    help="--compare: allowed difference in percent")
    ap.add_argument("--check", nargs="*", metavar="FILE")
    args = ap.parse_args(argv)

    if args.compare:
        return compare(*args.compare, tolerance=args.tolerance)
    if args.check is not None:
        paths = args.check or [p for p in (args.lamina, args.linux, args.extra) if os.path.exists(p)]
        return check(paths)

    lam, lin, extra = BenchFile(args.lamina), BenchFile(args.linux), BenchFile(args.extra)
    lxl, lxx = BenchFile(args.lx_lamina), BenchFile(args.lx_linux)
    with_lx = lxl.exists or lxx.exists
    if args.lx_only or (with_lx and not lam.exists and not lin.exists):
        # `make bench-linux-personality` alone: its table only
        rows = lx_rows(lxl, lxx)
        print("Linux programs on Lamina's personality and on Linux; Linux/Lamina > 1: "
              "faster on Lamina")
        print(lx_text(rows))
        os.makedirs(args.out, exist_ok=True)
        md = os.path.join(args.out, "results.md")
        with open(md, "w") as f:
            f.write("# Lamina vs Linux benchmarks\n\n" + lx_markdown(rows, lxl, lxx))
        print(f"table: {shown(md)}")
        return 0
    extra_label = (extra.meta.get("append") or "(extra)") if extra.exists else ""
    for bf, what in ((lam, "Lamina"), (lin, "Linux")):
        if not bf.results:
            print(f"note: no {what} results in {bf.path}: its figures are n/a", file=sys.stderr)
    rows = build_rows(lam, lin, extra, BenchFile(args.lamina_count), BenchFile(args.linux_count))
    mode = lin.meta.get("mode") or os.environ.get("BENCH_MODE", "icount")
    print(f"Lamina vs Linux, {unit(mode)}; Linux/Lamina > 1: Lamina is faster")
    print(text_table(rows, extra_label))
    targets = target_rows(lam) if lam.results else None
    if targets:
        print()
        print("Issue 14's targets (Lamina, instructions per operation)")
        print(targets_text(targets))
    lx = lx_rows(lxl, lxx) if with_lx else None
    if lx:
        print()
        print("Linux programs on Lamina's personality and on Linux (lxbench)")
        print(lx_text(lx))

    os.makedirs(args.out, exist_ok=True)
    md = os.path.join(args.out, "results.md")
    with open(md, "w") as f:
        f.write(markdown(rows, lam, lin, extra_label))
        if targets:
            f.write("\n## Issue 14's targets\n\n```\n" + targets_text(targets) + "\n```\n")
        if lx:
            f.write("\n" + lx_markdown(lx, lxl, lxx))
    print(f"table: {shown(md)}")
    if not args.no_chart:
        print(chart(rows, args.out, extra_label, mode))
    return 0


if __name__ == "__main__":
    sys.exit(main())
