#!/usr/bin/env python3
"""Self-test of build/bpf-run in the bpf_conformance plugin convention:
program as base16 on stdin (or raw bytes with --raw), memory as the first
argument, r0 in lowercase hex on stdout and status 0, or an error on stderr
and a non-zero status. By default the verifier checks the program first; a
refusal is exactly `bpf-run: instruction <N>: <NAME>: <reason>`.

Prints `test <name> ... ok|FAIL <reason>` and `N passed, M failed`; exits 1
if anything failed.
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

BPF_RUN = os.path.join(ROOT, "build", "bpf-run")


def insn(op, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", op, dst | src << 4, off, imm)


def b16(code):
    return " ".join("%02x" % b for b in code)


EXIT = insn(0x95)


def mov(dst, imm):
    return insn(0xb7, dst, imm=imm)


def lddw(dst, v):
    return insn(0x18, dst, imm=struct.unpack("<i", struct.pack("<I", v & 0xffffffff))[0]) + \
        insn(0, imm=struct.unpack("<i", struct.pack("<I", v >> 32))[0])


def runner_b16(code):
    """As the suite's runner writes bytes: two spaces after each, then a newline."""
    return "".join("%02x  " % b for b in code) + "\n"


def ldxh_all():
    """Ten big-endian halfwords 0..9 at r1, each shifted 4 bits further,
    or-ed together (after the suite's ldxh-all test)."""
    code = insn(0xbf, 0, 1)
    for k in range(10):
        reg = 9 - k
        code += insn(0x69, reg, 0, off=2 * k) + insn(0xdc, reg, imm=16) + \
            insn(0x67, reg, imm=4 * k)
    for reg in range(1, 10):
        code += insn(0x4f, 0, reg)
    return code + EXIT


def run(args, stdin):
    if isinstance(stdin, str):
        stdin = stdin.encode()
    p = subprocess.run([BPF_RUN] + args, input=stdin, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


# name, memory argument (None: none), extra options, program text, r0 expected.
GOOD = [
    ("mov_imm", None, [], b16(mov(0, 0x2a) + EXIT), "2a"),
    ("zero_prints_0", None, [], b16(mov(0, 0) + EXIT), "0"),
    ("minus_one_is_64_bit", None, [], b16(mov(0, -1) + EXIT), "ffffffffffffffff"),
    ("ldxw_from_memory", "aa bb cc dd", [], b16(insn(0x61, 0, 1) + EXIT), "ddccbbaa"),
    ("memory_without_spaces", "aabbccdd", [], b16(insn(0x61, 0, 1) + EXIT), "ddccbbaa"),
    ("r2_is_the_length", "01 02 03", [], b16(insn(0xbf, 0, 2) + EXIT), "3"),
    ("r1_is_0_without_memory", None, [], b16(insn(0xbf, 0, 1) + EXIT), "0"),
    ("no_verify_runs", None, ["--no-verify"], b16(mov(0, 7) + EXIT), "7"),
    ("whitespace_and_case", None, [], "B7 00 00 00\n 05 00 00 00\n\t95 00 00 00 00 00 00 00\n", "5"),
    # As the conformance suite's div32-by-zero-reg: 1 / 0 = 0.
    ("div32_by_zero_reg", None, [], b16(insn(0xb4, 0, imm=1) + insn(0xb4, 1) +
                                        insn(0x3c, 0, 1) + EXIT), "0"),
    # mod64 by zero keeps the dividend; lddw then be16 swaps the low half.
    ("mod64_by_zero", None, [], b16(mov(0, 9) + insn(0x97, 0) + EXIT), "9"),
    ("lddw_be16", None, [], b16(lddw(0, 0x1122334455667788) + insn(0xdc, 0, imm=16) + EXIT), "8877"),
    ("stack_round_trip", None, [], b16(insn(0x7a, 10, off=-8, imm=-3) +
                                       insn(0x79, 0, 10, off=-8) + EXIT), "fffffffffffffffd"),
    ("local_call", None, [], b16(insn(0x85, src=1, imm=1) + EXIT + mov(0, 0x11) + EXIT), "11"),
    ("runner_spacing", "00  01  02  ", [], runner_b16(insn(0x71, 0, 1, off=2) + EXIT), "2"),
    ("empty_memory_argument", "", [], runner_b16(insn(0xbf, 0, 1) + EXIT), "0"),
    # After the suite's div32-high-divisor: only the divisor's low half counts.
    ("div32_high_divisor", None, [], runner_b16(mov(0, 12) + lddw(1, 0x100000004) +
                                                insn(0x3c, 0, 1) + EXIT), "3"),
    ("ldxh_all", " ".join("00 %02x" % k for k in range(10)), [], runner_b16(ldxh_all()),
     "9876543210"),
    # The kernel's MEM helpers: CSUM (RFC 1071's example sums to ddf2), TICKS reads 0.
    ("helper_csum", "00 01 f2 03 f4 f5 f6 f7", [], b16(mov(3, 0) + insn(0x85, imm=2) + EXIT),
     "ddf2"),
    ("helper_ticks_is_0", None, [], b16(mov(0, 5) + insn(0x85, imm=1) + EXIT), "0"),
]


def check_good(r, name, mem, opts, prog, want):
    rc, out, err = run(([mem] if mem is not None else []) + opts, prog)
    r.result(name, rc == 0 and out == want + "\n" and err == "",
             "rc=%d out=%r err=%r, want %r" % (rc, out, err, want))


def check_bad(r, name, args, prog, words):
    rc, out, err = run(args, prog)
    r.result(name, rc != 0 and out == "" and all(w in err for w in words),
             "rc=%d out=%r err=%r, want an error naming %s" % (rc, out, err, words))


def check_elf(r):
    """--elf: a clang object on stdin (make bpf builds tests/bpf/elf/calls.o)."""
    obj = os.path.join(ROOT, "build", "bpf", "elf", "calls.o")
    if not os.path.exists(obj):
        r.result("elf_object_is_built", False, "%s is missing: run make" % obj)
        return
    data = open(obj, "rb").read()
    iota = " ".join("%02x" % k for k in range(64))
    for name, opts, want in [("elf_first_program", [], "87"),
                             ("elf_section_deep", ["--section", "deep"], "1a9"),
                             ("elf_section_plain", ["--section", "plain"], "2a")]:
        rc, out, err = run([iota, "--elf"] + opts, data)
        r.result(name, rc == 0 and out == want + "\n", "rc=%d out=%r err=%r" % (rc, out, err))
    check_bad(r, "elf_section_missing", [iota, "--elf", "--section", "nope"], data,
              ["ELF", "no program section nope"])
    check_bad(r, "elf_not_an_object", ["--elf"], b16(mov(0, 1) + EXIT), ["ELF", "not"])
    check_bad(r, "elf_cut_short", ["--elf"], data[:100], ["ELF"])


# The exact refusal line a corpus runner parses.
REFUSAL = re.compile(r"^bpf-run: instruction (\d+): ([A-Z_0-9]+): [^\n]+\n$")


def check_refusal(r):
    uninit = b16(mov(0, 0) + insn(0xbf, 0, 3) + EXIT)     # r0 = r3, never written
    for name, args in (("refusal_format", []), ("refusal_format_verify_only", ["--verify-only"])):
        rc, out, err = run(args, uninit)
        m = REFUSAL.match(err)
        r.result(name, rc == 1 and out == "" and m is not None and m.group(1) == "1" and
                 m.group(2) == "UNINIT_REG", "rc=%d out=%r err=%r" % (rc, out, err))
    rc, out, err = run(["--no-verify"], uninit)
    r.result("no_verify_runs_what_the_verifier_refuses", rc == 0 and out == "0\n",
             "rc=%d out=%r err=%r" % (rc, out, err))
    rc, out, err = run(["--verify-only"], b16(mov(0, 7) + EXIT))
    r.result("verify_only_accepts", rc == 0 and out == "ok\n" and err == "",
             "rc=%d out=%r err=%r" % (rc, out, err))
    # The memory is the context: 4 bytes allow a word at 0, not at 1.
    rc, out, err = run(["aa bb cc dd", "--verify-only"], b16(insn(0x61, 0, 1, off=0) + EXIT))
    r.result("verify_only_context_is_the_memory", rc == 0 and out == "ok\n",
             "rc=%d out=%r err=%r" % (rc, out, err))
    rc, out, err = run(["aa bb cc dd", "--verify-only"], b16(insn(0x61, 0, 1, off=1) + EXIT))
    m = REFUSAL.match(err)
    r.result("verify_only_refuses_past_the_context", rc == 1 and m is not None and
             m.group(2) == "OUT_OF_BOUNDS", "rc=%d out=%r err=%r" % (rc, out, err))


def main():
    r = Results()
    if not os.access(BPF_RUN, os.X_OK):
        r.result("bpf_run_is_built", False, "%s is missing: run make" % BPF_RUN)
        r.finish()
    for case in GOOD:
        check_good(r, *case)
    # The same programs as x86-64 code from the JIT: the same r0.
    for name, mem, opts, prog, want in GOOD:
        check_good(r, "jit_" + name, mem, opts + ["--jit"], prog, want)
    check_good(r, "jit_after_no_verify", None, ["--no-verify", "--jit"], b16(mov(0, 5) + EXIT), "5")
    rc, out, err = run(["--raw"], mov(0, 0x33) + EXIT)
    r.result("raw_program", rc == 0 and out == "33\n", "rc=%d out=%r err=%r" % (rc, out, err))
    rc, out, err = run(["--program", b16(mov(0, 4) + EXIT)], "")
    r.result("program_option", rc == 0 and out == "4\n", "rc=%d out=%r err=%r" % (rc, out, err))

    ldx_past = b16(insn(0x61, 0, 1, off=4) + EXIT)
    check_bad(r, "out_of_bounds_load", ["aa bb cc dd"], ldx_past, ["instruction 0", "OUT_OF_BOUNDS"])
    check_bad(r, "out_of_bounds_load_interpreter", ["aa bb cc dd", "--no-verify"], ldx_past,
              ["instruction 0", "outside"])
    check_bad(r, "invalid_opcode_named", [], b16(mov(0, 1) + insn(0xff) + EXIT),
              ["instruction 1", "OPCODE"])
    check_bad(r, "invalid_opcode_interpreter", ["--no-verify"], b16(mov(0, 1) + insn(0xff) + EXIT),
              ["instruction 1", "invalid instruction"])
    check_bad(r, "helper_unknown", [], b16(insn(0x85, imm=99) + EXIT), ["instruction 0", "HELPER"])
    check_bad(r, "helper_unknown_interpreter", ["--no-verify"], b16(insn(0x85, imm=99) + EXIT),
              ["unknown helper"])
    check_bad(r, "endless_loop_budget", ["--no-verify"], b16(mov(0, 0) + insn(0x05, off=-1)),
              ["budget"])
    check_bad(r, "endless_loop_refused", [], b16(mov(0, 0) + insn(0x05, off=-1)),
              ["instruction 1", "LOOP"])
    check_refusal(r)
    check_elf(r)
    # The JIT's checked mode (--no-verify) refuses what the interpreter
    # refuses, naming the same instruction.
    check_bad(r, "jit_out_of_bounds_load", ["aa bb cc dd", "--no-verify", "--jit"], ldx_past,
              ["instruction 0", "outside"])
    check_bad(r, "jit_invalid_opcode_named", ["--no-verify", "--jit"], b16(mov(0, 1) + insn(0xff) + EXIT),
              ["instruction 1", "invalid instruction"])
    check_bad(r, "jit_helper_unknown", ["--no-verify", "--jit"], b16(insn(0x85, imm=99) + EXIT),
              ["unknown helper"])
    check_bad(r, "jit_endless_loop_budget", ["--no-verify", "--jit", "--budget", "1000"],
              b16(insn(0x05, off=-1) + EXIT), ["instruction 0", "budget"])
    check_bad(r, "jit_endless_recursion", ["--no-verify", "--jit"], b16(insn(0x85, src=1, imm=-1) + EXIT),
              ["instruction 0", "too deep"])
    check_bad(r, "jit_runs_off_the_end", ["--no-verify", "--jit"], b16(mov(0, 1)),
              ["instruction 1", "off the end"])
    check_bad(r, "jit_verified_refuses_first", ["aa bb cc dd", "--jit"], ldx_past,
              ["instruction 0", "OUT_OF_BOUNDS"])
    check_bad(r, "unknown_option", ["--bogus"], b16(mov(0, 1) + EXIT), ["--bogus"])
    check_bad(r, "odd_hex_refused", [], "b7 0", ["base16"])
    check_bad(r, "cut_off_program", [], "b7 00 00 00", ["8-byte"])
    check_bad(r, "empty_program", [], "", ["empty"])
    check_bad(r, "bad_memory_hex", ["zz"], b16(mov(0, 1) + EXIT), ["memory"])
    r.finish()


if __name__ == "__main__":
    main()
