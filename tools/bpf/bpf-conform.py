#!/usr/bin/env python3
"""bpf-conform: run a directory of bpf_conformance-style `.data` tests
against build/bpf-run in each of its modes, and report per mode.

    bpf-conform.py [--bpf-run PATH] [--mode NAME]... [-v] DIR

Each test file has sections that start with a `-- name` line: `-- asm`
(the program, assembled by tools/bpf/bpf-as.py --wrap) or `-- raw` (the program
as base16 bytes, or one 0x-prefixed 64-bit number per instruction; it
wins over `-- asm`), `-- mem` (base16 memory, passed as bpf-run's first
argument), `-- result` (r0 in hex, taken modulo 2^64) or `-- error` (the
run must fail). Other sections (`-- c`, comments for other runners) are
ignored (a `-- map` section declares maps, which bpf-run does not have:
such a test fails, as bpf-as does not take its map references).

Modes (all by default): interp (verify, then interpret), no-verify
(interpreter alone), jit (verify, then JIT), jit-checked (--no-verify
--jit), verify-only. A run passes when it prints the expected r0 (or, for
an `-- error` test, fails); in verify-only mode a test passes when the
verifier accepts a program with a `-- result` or refuses one with an
`-- error`. Each failure is printed with its kind: `asm` (bpf-as refused
the text), `refused` (the verifier's error), `error` (a run-time error),
`wrong` (another r0), `accepted` (an `-- error` test that ran). The table
ends with the counts per mode; the exit status is 0 unless some mode had
a failure (use it as a report, not as a gate).
"""
import importlib.util
import os
import re
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODES = {
    "interp": [],
    "no-verify": ["--no-verify"],
    "jit": ["--jit"],
    "jit-checked": ["--no-verify", "--jit"],
    "verify-only": ["--verify-only"],
}


def load_bpf_as():
    spec = importlib.util.spec_from_file_location("bpf_as", os.path.join(HERE, "bpf-as.py"))
    mod = importlib.util.module_from_spec(spec)
    sys.dont_write_bytecode = True
    spec.loader.exec_module(mod)
    mod.WRAP = True         # wide immediates keep their low 32 bits, as in the suite
    return mod


def sections(text):
    """name -> text of each `-- name` section (the first line's rest too)."""
    out, name = {}, None
    for line in text.split("\n"):
        if line.startswith("-- "):
            name = line[3:].strip()
            out.setdefault(name, "")
        elif name is not None:
            out[name] += line + "\n"
    return out


def hexbytes(text):
    """Base16 text (comments after # dropped) -> normalised `aa bb ..`. A
    word written 0x... is one instruction as a 64-bit number (the suite's
    `-- raw` form: 0x5566778800000018 is lddw r0 with imm 0x55667788)."""
    out = []
    for word in " ".join(l.split("#", 1)[0] for l in text.split("\n")).split():
        if word.lower().startswith("0x"):
            out += ["%02x" % b for b in struct.pack("<Q", int(word, 16))]
        else:
            out += [word[i:i + 2].lower() for i in range(0, len(word), 2)]
    return " ".join(out)


def load_test(path, bpf_as):
    """-> dict(prog=base16 or None, asm_error, mem, want=int or None, error=bool)."""
    with open(path) as f:
        sec = sections(f.read())
    t = {"prog": None, "asm_error": None, "mem": None, "want": None,
         "error": "error" in sec}
    if "raw" in sec:
        t["prog"] = hexbytes(sec["raw"])
    else:
        try:
            t["prog"] = bpf_as.base16(bpf_as.assemble(sec.get("asm", "")))
        except bpf_as.AsmError as e:
            t["asm_error"] = str(e)
    if "mem" in sec and sec["mem"].strip():
        t["mem"] = hexbytes(sec["mem"])
    res = sec.get("result", "").split("#", 1)[0].strip()
    if res and not t["error"]:
        t["want"] = int(res, 16) % (1 << 64)
    return t


def run_one(bpf_run, t, flags):
    """-> (passed, kind, detail) for one test in one mode."""
    if t["asm_error"]:
        return t["error"], "asm", t["asm_error"]
    argv = [bpf_run] + ([t["mem"]] if t["mem"] else []) + flags
    try:
        p = subprocess.run(argv, input=t["prog"], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return False, "error", "timed out"
    err = p.stderr.strip().split("\n")[-1] if p.stderr.strip() else ""
    # the verifier's refusals name its error: `instruction 3: OUT_OF_BOUNDS: ...`
    refused = re.match(r"bpf-run: instruction \d+: [A-Z_]+: ", err) is not None
    if "--verify-only" in flags:
        if p.returncode == 0:
            return not t["error"], "accepted" if t["error"] else "ok", ""
        return t["error"], "refused", err
    if p.returncode != 0:
        kind = "refused" if refused else "error"
        return t["error"], kind, err
    if t["error"]:
        return False, "accepted", "r0 " + p.stdout.strip()
    got = int(p.stdout.strip() or "0", 16)
    if got != t["want"]:
        return False, "wrong", "r0 %x, want %x" % (got, t["want"])
    return True, "ok", ""


def main(argv):
    bpf_run = os.path.join(ROOT, "build", "bpf-run")
    modes, verbose, d = [], False, None
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--bpf-run" and args:
            bpf_run = args.pop(0)
        elif a == "--mode" and args:
            modes.append(args.pop(0))
        elif a == "-v":
            verbose = True
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        elif d is None:
            d = a
        else:
            print("usage: bpf-conform.py [--bpf-run PATH] [--mode NAME]... [-v] DIR",
                  file=sys.stderr)
            return 2
    if d is None or any(m not in MODES for m in modes):
        print("usage: bpf-conform.py [--bpf-run PATH] [--mode %s]... [-v] DIR"
              % "|".join(MODES), file=sys.stderr)
        return 2
    bpf_as = load_bpf_as()
    names = sorted(n for n in os.listdir(d) if n.endswith(".data"))
    tests = [(n, load_test(os.path.join(d, n), bpf_as)) for n in names]
    counts = {}
    for m in modes or list(MODES):
        ok = 0
        for n, t in tests:
            passed, kind, detail = run_one(bpf_run, t, MODES[m])
            ok += passed
            if not passed or verbose:
                print("%-12s %-40s %s %s %s" % (m, n, "pass" if passed else "FAIL", kind, detail))
        counts[m] = ok
    print()
    print("%-12s %6s %6s %6s" % ("mode", "tests", "passed", "failed"))
    for m, ok in counts.items():
        print("%-12s %6d %6d %6d" % (m, len(tests), ok, len(tests) - ok))
    return 0 if all(ok == len(tests) for ok in counts.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
