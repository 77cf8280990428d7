#!/usr/bin/env python3
"""eBPF fuzzing as one test of `make test`: build/fuzz-bpf/bpf_fuzz
(tests/fuzz/bpf_fuzz.c, libFuzzer) for FUZZ_SECONDS (default 60) on the
corpus in build/fuzz-bpf/corpus, seeded with a few valid programs. It passes
if libFuzzer found nothing: no interpreter/JIT difference, no sanitizer
report, no crash. A finding is saved as build/fuzz-bpf/crash-* (replay it
with `build/fuzz-bpf/bpf_fuzz FILE`).

Prints `test <name> ... ok|FAIL <reason>` and `N passed, M failed`.
"""
import os
import re
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.dont_write_bytecode = True      # no tools/__pycache__ in the tree
from testlib import Results  # noqa: E402

DIR = os.path.join(ROOT, "build", "fuzz-bpf")
FUZZ = os.path.join(DIR, "bpf_fuzz")
CORPUS = os.path.join(DIR, "corpus")


def insn(op, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", op, dst | src << 4, off, imm)


EXIT = insn(0x95)

# Seeds: memory length byte, memory, program (the fuzz target's format).
SEEDS = {
    "mov_exit": b"\x00" + insn(0xb7, 0, imm=7) + EXIT,
    "load_store": b"\x08" + bytes(range(8)) + insn(0x61, 0, 1) + insn(0x63, 1, 0, off=4) + EXIT,
    "loop": b"\x00" + insn(0xb7, 1, imm=5) + insn(0x07, 0, imm=3) + insn(0x07, 1, imm=-1) +
            insn(0x55, 1, off=-3) + EXIT,
    "call": b"\x00" + insn(0x85, src=1, imm=1) + EXIT + insn(0x7a, 10, off=-8, imm=1) +
            insn(0x79, 0, 10, off=-8) + EXIT,
    "atomic": b"\x10" + bytes(16) + insn(0xb7, 2, imm=3) + insn(0xdb, 1, 2, imm=0x41) +
              insn(0xbf, 0, 2) + EXIT,
    "divmod": b"\x00" + insn(0xb7, 0, imm=-7) + insn(0x37, 0, off=1, imm=2) +
              insn(0x97, 0, off=1, imm=0) + EXIT,
    "helper": b"\x04abcd" + insn(0xb7, 2, imm=4) + insn(0xb7, 3) + insn(0x85, imm=2) + EXIT,
    # found by CI: a loop of about 131,000 steps (r0 += 3 until r1 & r0 is
    # 0); with the verifier's default work bound it passed, and the
    # interpreter stopped it for its budget where the verified JIT ran on
    "long_loop": b"\x00" + insn(0xb7, 0, imm=5) + insn(0x07, 0, imm=3) +
                 insn(0x07, 1, imm=-131073) + insn(0x4d, 1, 0, off=-3) + EXIT,
}


def main():
    r = Results()
    seconds = int(os.environ.get("FUZZ_SECONDS", "60"))
    name = "bpf_fuzz_%ds_interpreter_and_jit_agree" % seconds
    if not os.access(FUZZ, os.X_OK):
        r.result(name, False, "%s is missing: run make %s" % (FUZZ, os.path.relpath(FUZZ, ROOT)))
        r.finish()
    os.makedirs(CORPUS, exist_ok=True)
    for seed, data in SEEDS.items():
        with open(os.path.join(CORPUS, "seed-" + seed), "wb") as f:
            f.write(data)
    cmd = [FUZZ, "-max_total_time=%d" % seconds, "-max_len=1024", "-timeout=20",
           "-rss_limit_mb=2048", "-print_final_stats=1", "-artifact_prefix=" + DIR + "/", CORPUS]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    except subprocess.TimeoutExpired:
        r.result(name, False, "libFuzzer did not stop within %d s" % (seconds + 120))
        r.finish()
    runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", p.stderr)
    if p.returncode == 0 and runs:
        print("(%s inputs in %d s)" % (runs.group(1), seconds))
        r.result(name, True)
    else:
        tail = "\n".join(p.stderr.splitlines()[-25:])
        print(tail)
        r.result(name, False, "libFuzzer exit status %d (see above)" % p.returncode)
    r.finish()


if __name__ == "__main__":
    main()
