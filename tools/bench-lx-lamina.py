#!/usr/bin/env python3
"""The Lamina half of `make bench-linux-personality`: boot Lamina normally
(the shell on the serial console) under the benchmark QEMU configuration,
type `linux lxbench` at the shell, and keep the BENCH lines that
/bin/lxbench (bench/linux/lxbench.c, from the root file system) prints.

    tools/bench-lx-lamina.py OUT.txt

Same environment as tools/bench-lamina.sh: BENCH_MODE=icount (default;
-icount shift=0,sleep=off, so rdtsc counts guest instructions) or tcg,
BENCH_QEMU_ARGS (tools/bench.sh's default: the CPU and clock Linux gets
too), BENCH_TIMEOUT (seconds for the whole boot, default 1800),
LXBENCH_ARGS (lxbench's arguments: --quick, benchmark names).
Exits 1 if the program did not end with BENCH-DONE and status 0.
"""
import os
import re
import shlex
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests", "tools"))
import test_shell as ts  # noqa: E402  (the QEMU guest driven through the serial shell)


def main():
    if len(sys.argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    out = sys.argv[1]
    timeout = float(os.environ.get("BENCH_TIMEOUT", "1800"))
    args = []
    if os.environ.get("BENCH_MODE", "icount") == "icount":
        args += ["-icount", "shift=0,sleep=off"]
    args += shlex.split(os.environ.get(
        "BENCH_QEMU_ARGS", "-cpu max,-rdrand,-rdseed -rtc base=2020-01-01,clock=vm"))
    ts.TOTAL = timeout
    g = ts.Guest(args)
    try:
        g.wait_for(re.escape(ts.PROMPT), timeout)
        text = g.command(("linux lxbench " + os.environ.get("LXBENCH_ARGS", "")).strip(), timeout)
    except (TimeoutError, EOFError, OSError) as e:
        print("bench-lx-lamina: %s" % e, file=sys.stderr)
        text = g.buf
    finally:
        g.kill()
    lines = [ln for ln in text.splitlines() if re.match(r"^(BENCH [A-Za-z0-9_]+ |# lxbench)", ln)]
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        f.write("# lamina mode=%s\n" % os.environ.get("BENCH_MODE", "icount"))
        f.writelines(ln + "\n" for ln in lines)
    done = "BENCH-DONE" in text and "exited with code 0" in text
    print("bench-lx-lamina: %d results -> %s" % (sum(ln.startswith("BENCH ") for ln in lines), out),
          file=sys.stderr)
    if not done:
        print("bench-lx-lamina: lxbench did not finish cleanly; the end of its output:\n%s"
              % text[-1500:], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
