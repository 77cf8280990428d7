#!/usr/bin/env python3
"""Lamina's benchmark figures repeat exactly under icount: boot the bench
mode twice (a quick subset) and compare every figure. Needs `make all`
first (make test does it) and QEMU."""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
MODULES = ",".join(f"build/{m}.elf {m}" for m in ("root", "ktest", "hello", "probe", "kbench", "console", "shell"))
SUBSET = "null_syscall,yield_ctxsw,ipc_rtt,notify_rtt"

sys.path.insert(0, os.path.join(ROOT, "tools"))
from testlib import Results  # noqa: E402

R = Results()
result = R.result


def run_once(out):
    env = dict(os.environ, BENCH_ONLY=SUBSET, BENCH_MODE="icount", BENCH_TIMEOUT="120")
    subprocess.run(["bash", "tools/bench-lamina.sh", "build/lamina.elf32", MODULES, out],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        return [l.split() for l in f if l.startswith("BENCH ")]


with tempfile.TemporaryDirectory() as d:
    a, b = os.path.join(d, "a.txt"), os.path.join(d, "b.txt")
    try:
        ra, rb = run_once(a), run_once(b)
    except (subprocess.CalledProcessError, OSError) as e:
        ra = rb = None
        result("bench_lamina_runs", False, str(e))
    if ra is not None:
        names = sorted(r[1] for r in ra)
        result("bench_subset_prints_every_selected_figure", names == sorted(SUBSET.split(",")),
               f"got {names}")
        cmp = subprocess.run([sys.executable, "tools/bench-table.py", "--compare", a, b],
                             cwd=ROOT, capture_output=True, text=True)
        result("bench_icount_figures_repeat_exactly", cmp.returncode == 0 and ra == rb,
               cmp.stdout + cmp.stderr)

R.finish()
