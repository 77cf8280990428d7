#!/usr/bin/env python3
"""Run the eBPF corpus (tests/bpf/corpus, format in tests/bpf/README.md)
through build/bpf-run in every mode it has.

Accepted programs (`result:`) must give that r0 in each mode: --no-verify
(the interpreter alone), --verify-only (the verifier accepts), the default
(verifier, then interpreter), --jit and --no-verify --jit. Rejected
programs (`reject: NAME @ PC`) must be refused by the verifier with that
name, and that instruction unless PC is `any`, under --verify-only, the
default and --jit. A mode bpf-run does not have yet (it answers "... yet"
or "unknown option") is skipped with a SKIP line saying so; the
expectations are written for the finished verifier and JIT.

C programs are compiled with clang -target bpf -O2 (and -mcpu=v3 for
*_v3.c) into build/bpf/corpus/ (make bpf does the same) and given to
bpf-run with --elf; .s programs are
assembled with tools/bpf/bpf-as.py.

Prints `test <program>/<mode> ... ok|FAIL <reason>` and `N passed, M
failed`; exits 1 if anything failed. Arguments, if any, are file-name
prefixes: only those programs run.
"""
import importlib.util
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.dont_write_bytecode = True      # no tools/__pycache__ in the tree
from testlib import Results  # noqa: E402

BPF_RUN = os.path.join(ROOT, "build", "bpf-run")
CORPUS = os.path.join(ROOT, "tests", "bpf", "corpus")
OBJDIR = os.path.join(ROOT, "build", "bpf", "corpus")
spec = importlib.util.spec_from_file_location("bpf_as", os.path.join(ROOT, "tools", "bpf", "bpf-as.py"))
bpf_as = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bpf_as)

# bpf-run's options per mode, and for a read-only context.
ACCEPT_MODES = [("interp", ["--no-verify"]), ("verify-only", ["--verify-only"]),
                ("verify+interp", []), ("jit", ["--jit"]), ("jit-noverify", ["--no-verify", "--jit"])]
REJECT_MODES = [("verify-only", ["--verify-only"]), ("verify+interp", []), ("jit", ["--jit"])]
CTX_OPTS = {"writable": [], "readonly": ["--readonly"]}

# The rejections the corpus must hold at least one program for (issue 12).
REQUIRED = {"OUT_OF_BOUNDS", "PTR_ARITH", "LOOP", "UNINIT_REG", "UNINIT_STACK", "HELPER",
            "HELPER_ARG", "TOO_LONG", "JUMP_RANGE", "JUMP_LDDW", "CALL_DEPTH", "STACK_DEPTH",
            "WRITE_R10", "BAD_ACCESS", "PTR_LEAK", "OPCODE", "FALL_OFF"}
HEADER = re.compile(r"^\s*(?:;|#|//)\s*(mem|ctx|result|reject)\s*:\s*(.*?)\s*$")
REFUSAL = re.compile(r"^bpf-run: instruction (\d+): ([A-Z0-9_]+): ", re.M)


def verr_names():
    """LM_BPF_V_* from the ABI header, without the prefix."""
    text = open(os.path.join(ROOT, "include", "lamina", "bpf.h")).read()
    return set(re.findall(r"\bLM_BPF_V_([A-Z0-9_]+)\b", text)) - {"OK", "NERR"}


def parse_mem(words):
    out = bytearray()
    for i, w in enumerate(words):
        if w in ("iota", "zero") and i + 1 < len(words):
            continue
        if i > 0 and words[i - 1] in ("iota", "zero"):
            n = int(w, 0)
            out += bytes(k & 0xff for k in range(n)) if words[i - 1] == "iota" else bytes(n)
        else:
            out.append(int(w, 16))
    return bytes(out)


def parse(path, names):
    """The expectation of one program file; ValueError if malformed."""
    case = {"mem": b"", "ctx": "writable", "result": None, "reject": None}
    mem = []
    for line in open(path):
        m = HEADER.match(line)
        if not m:
            continue
        key, val = m.groups()
        if key == "mem":
            mem += val.split()
        elif key == "ctx":
            if val not in CTX_OPTS:
                raise ValueError("ctx: %r (writable or readonly)" % val)
            case["ctx"] = val
        elif key == "result":
            case["result"] = int(val, 0) & (2**64 - 1)
        else:
            m = re.fullmatch(r"([A-Z0-9_]+)\s*@\s*(any|\d+)", val)
            if not m or m.group(1) not in names:
                raise ValueError("reject: %r (NAME @ PC or NAME @ any, NAME one of "
                                 "enum lm_bpf_verr's)" % val)
            case["reject"] = (m.group(1), None if m.group(2) == "any" else int(m.group(2)))
    if (case["result"] is None) == (case["reject"] is None):
        raise ValueError("needs exactly one of result: and reject:")
    case["mem"] = parse_mem(mem)
    return case


def build(path):
    """(options, stdin bytes) that give bpf-run this program."""
    if path.endswith(".s"):
        code = bpf_as.assemble(open(path).read())
        return [], bpf_as.base16(code).encode()
    obj = os.path.join(OBJDIR, os.path.basename(path)[:-2] + ".o")
    deps = [path] + [os.path.join(CORPUS, f) for f in os.listdir(CORPUS) if f.endswith(".h")]
    if not os.path.exists(obj) or any(os.path.getmtime(d) > os.path.getmtime(obj) for d in deps):
        clang = shutil.which("clang")
        if not clang:
            raise RuntimeError("clang is missing (make deps)")
        os.makedirs(OBJDIR, exist_ok=True)
        v3 = ["-mcpu=v3"] if path.endswith("_v3.c") else []    # as the Makefile does
        p = subprocess.run([clang, "-target", "bpf", "-O2", "-Wall", "-Werror"] + v3 +
                           ["-I", os.path.join(ROOT, "include"), "-c", path, "-o", obj],
                           capture_output=True, text=True)
        if p.returncode:
            raise RuntimeError("clang: " + p.stderr.strip())
    return ["--elf"], open(obj, "rb").read()


def bpf_run(args, stdin):
    p = subprocess.run([BPF_RUN] + args, input=stdin, capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def unavailable(opts):
    """None if bpf-run runs with these options, else its reason."""
    prog = b"b7 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00"
    rc, out, err = bpf_run(opts, prog)
    if rc == 0 and out in ("0\n", "ok\n"):     # --verify-only prints ok
        return None
    return err.strip().splitlines()[0] if err.strip() else "exit status %d" % rc


def check_accept(r, name, mode, opts, case):
    rc, out, err = bpf_run(opts, case["stdin"])
    if mode == "verify-only":
        r.result(name, rc == 0, "rc=%d err=%r: the verifier refused it" % (rc, err.strip()))
        return
    want = "%x\n" % case["result"]
    r.result(name, rc == 0 and out == want, "rc=%d out=%r err=%r, want %r" %
             (rc, out, err.strip(), want))


def check_reject(r, name, opts, case):
    rc, out, err = bpf_run(opts, case["stdin"])
    want, pc = case["reject"]
    m = REFUSAL.search(err)
    ok = rc == 1 and out == "" and m is not None and m.group(2) == want and \
        (pc is None or int(m.group(1)) == pc)
    r.result(name, ok, "rc=%d out=%r err=%r, want %s @ %s" %
             (rc, out, err.strip(), want, "any" if pc is None else pc))


def main():
    r = Results()
    if not os.access(BPF_RUN, os.X_OK):
        r.result("bpf_run_is_built", False, "%s is missing: run make" % BPF_RUN)
        r.finish()
    names = verr_names()
    files = sorted(f for f in os.listdir(CORPUS) if f.endswith((".s", ".c")))
    only = sys.argv[1:]
    cases, seen = {}, set()
    for f in files:
        try:
            cases[f] = parse(os.path.join(CORPUS, f), names)
        except ValueError as e:
            r.result(f + "/header", False, str(e))
            continue
        if cases[f]["reject"]:
            seen.add(cases[f]["reject"][0])
    if not only:
        r.result("corpus_has_80_programs", len(files) >= 80, "%d programs" % len(files))
        r.result("corpus_covers_each_required_rejection", REQUIRED <= seen,
                 "missing %s" % sorted(REQUIRED - seen))

    # Which modes bpf-run has, and whether it can make the context read-only.
    missing = {}
    for mode, opts in ACCEPT_MODES:
        why = unavailable(opts)
        if why:
            missing[mode] = why
            print("SKIP mode %s: bpf-run %s: %s" % (mode, " ".join(opts), why))
    ro_missing = unavailable(CTX_OPTS["readonly"])
    if ro_missing:
        print("SKIP read-only contexts outside --no-verify: bpf-run %s: %s" %
              (" ".join(CTX_OPTS["readonly"]), ro_missing))
    verifier = "verify-only" not in missing
    if not verifier:
        print("SKIP every rejected program: no verifier in bpf-run yet")

    for f, case in cases.items():
        if only and not any(f.startswith(p) for p in only):
            continue
        try:
            opts, case["stdin"] = build(os.path.join(CORPUS, f))
        except (RuntimeError, bpf_as.AsmError, OSError) as e:
            r.result(f + "/build", False, str(e))
            continue
        mem = [" ".join("%02x" % b for b in case["mem"])]
        ctx = CTX_OPTS[case["ctx"]]
        if case["reject"]:
            for mode, mopts in REJECT_MODES if verifier and not (ctx and ro_missing) else []:
                if mode not in missing:
                    check_reject(r, "%s/%s" % (f, mode), mem + mopts + ctx + opts, case)
            continue
        for mode, mopts in ACCEPT_MODES:
            if mode in missing:
                continue
            if ctx and ro_missing:
                if mode != "interp":
                    continue
                ctx_now = []        # the interpreter alone writes nothing it need not
            else:
                ctx_now = ctx
            check_accept(r, "%s/%s" % (f, mode), mode, mem + mopts + ctx_now + opts, case)
    r.finish()


if __name__ == "__main__":
    main()
