#!/usr/bin/env python3
"""Self-test of tools/bpf/bpf-conform.py, the runner of bpf_conformance-style
`.data` directories against build/bpf-run: on a directory of small tests
written here (our own, in the suite's format), it must count per mode, pass
what should pass and name the kind of each failure.

Prints `test <name> ... ok|FAIL <reason>` and `N passed, M failed`.
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.dont_write_bytecode = True
from testlib import Results  # noqa: E402

CONFORM = os.path.join(ROOT, "tools", "bpf", "bpf-conform.py")

TESTS = {
    # r0 = 40 + 2, from the assembler
    "asm.data": "# a comment\n-- asm\nmov r0, 40\nadd r0, 2\nexit\n-- result\n0x2a\n",
    # the same from raw 64-bit words: mov r0, 7 (0xb7, imm 7); exit
    "raw.data": "-- raw\n0x00000007000000b7\n0x0000000000000095\n-- result\n0x7\n",
    # memory: the second little-endian halfword, and r2 is the length
    "mem.data": "-- asm\nldxh r0, [r1+2]\nadd r0, r2\nexit\n-- mem\n00 00 34 12\n-- result\n0x1238\n",
    # the suite's truncation of a wide immediate (low 32 bits kept)
    "wrap.data": "-- asm\nmov32 r0, 0x100000005\nexit\n-- result\n0x5\n",
    # a helper Lamina does not have: an error everywhere, as expected
    "error.data": "-- asm\ncall 99\nexit\n-- result\n0x0\n-- error\n",
    # an 8-byte store that reaches above r10: refused, or stopped at run time
    "oob.data": "-- asm\nstdw [r10-4], 1\nmov r0, 0\nexit\n-- result\n0x0\n",
    # a result that is not what the program returns
    "wrong.data": "-- asm\nmov r0, 1\nexit\n-- result\n0x2\n",
    # text bpf-as does not take
    "asm_error.data": "-- asm\nfrobnicate r0\nexit\n-- result\n0x0\n",
}


def run(d, *args):
    p = subprocess.run([sys.executable, CONFORM, *args, d], capture_output=True, text=True,
                       timeout=300)
    return p.returncode, p.stdout


def table(out):
    """mode -> (tests, passed, failed) from the closing table."""
    rows = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[1].isdigit():
            rows[f[0]] = tuple(int(x) for x in f[1:])
    return rows


def main():
    r = Results()
    with tempfile.TemporaryDirectory() as d:
        for name, text in TESTS.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        rc, out = run(d)
        rows = table(out)
        r.result("every_mode_reported", sorted(rows) == sorted(
            ["interp", "no-verify", "jit", "jit-checked", "verify-only"]), out)
        # 8 tests; asm, raw, mem, wrap, error pass; oob, wrong, asm_error fail
        for mode in ("interp", "no-verify", "jit", "jit-checked"):
            r.result("counts_" + mode, rows.get(mode) == (8, 5, 3), str(rows.get(mode)))
        # verify-only: only accepted-or-refused matters, so wrong.data passes
        r.result("counts_verify-only", rows.get("verify-only") == (8, 6, 2),
                 str(rows.get("verify-only")))
        r.result("exit_status_1_on_failure", rc == 1, str(rc))
        fails = {(l.split()[0], l.split()[1]): l.split()[3] for l in out.splitlines()
                 if len(l.split()) > 3 and l.split()[2] == "FAIL"}
        r.result("oob_refused_by_verifier", fails.get(("interp", "oob.data")) == "refused",
                 str(fails))
        r.result("oob_stopped_by_interpreter", fails.get(("no-verify", "oob.data")) == "error",
                 str(fails))
        r.result("wrong_result_named", fails.get(("jit", "wrong.data")) == "wrong", str(fails))
        r.result("asm_error_named", fails.get(("jit-checked", "asm_error.data")) == "asm",
                 str(fails))
        for name in ("asm.data", "raw.data", "mem.data", "wrap.data", "error.data"):
            r.result("passes_" + name[:-5], not any(k[1] == name for k in fails), str(fails))
        rc, out = run(d, "--mode", "jit", "-v")
        r.result("one_mode_verbose", list(table(out)) == ["jit"] and " pass ok" in out, out)
        for name in ("oob.data", "wrong.data", "asm_error.data"):
            os.remove(os.path.join(d, name))
        rc, out = run(d)
        r.result("exit_status_0_when_all_pass", rc == 0, out)
    r.finish()


if __name__ == "__main__":
    main()
