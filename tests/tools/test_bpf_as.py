#!/usr/bin/env python3
"""Self-test of tools/bpf/bpf-as.py: every instruction form against its
encoding written out by hand (RFC 9669's fields), programs against the
bytes clang -target bpf emits for the same code, labels, .data files,
errors that name their line, and the command line.

Prints `test <name> ... ok|FAIL <reason>` and `N passed, M failed`; exits 1
if anything failed.
"""
import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.dont_write_bytecode = True      # no tools/__pycache__ in the tree
from testlib import Results  # noqa: E402

BPF_AS = os.path.join(ROOT, "tools", "bpf", "bpf-as.py")
spec = importlib.util.spec_from_file_location("bpf_as", BPF_AS)
bpf_as = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bpf_as)


def I(op, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", op, dst | src << 4, off, imm)


# One line each, by class: (assembly, op, dst, src, off, imm).
FORMS = [
    # ALU64, immediate and register, every operation
    ("add r1, 2", 0x07, 1, 0, 0, 2), ("add r1, r2", 0x0f, 1, 2, 0, 0),
    ("sub r1, -3", 0x17, 1, 0, 0, -3), ("sub r1, r2", 0x1f, 1, 2, 0, 0),
    ("mul r3, 0x10", 0x27, 3, 0, 0, 16), ("mul r3, r4", 0x2f, 3, 4, 0, 0),
    ("div r0, 7", 0x37, 0, 0, 0, 7), ("div r0, r9", 0x3f, 0, 9, 0, 0),
    ("sdiv r0, -7", 0x37, 0, 0, 1, -7), ("sdiv r0, r9", 0x3f, 0, 9, 1, 0),
    ("or r5, 1", 0x47, 5, 0, 0, 1), ("or r5, r6", 0x4f, 5, 6, 0, 0),
    ("and r5, 0xff", 0x57, 5, 0, 0, 255), ("and r5, r6", 0x5f, 5, 6, 0, 0),
    ("lsh r1, 3", 0x67, 1, 0, 0, 3), ("lsh r1, r2", 0x6f, 1, 2, 0, 0),
    ("rsh r1, 3", 0x77, 1, 0, 0, 3), ("rsh r1, r2", 0x7f, 1, 2, 0, 0),
    ("neg r4", 0x87, 4, 0, 0, 0),
    ("mod r2, 10", 0x97, 2, 0, 0, 10), ("mod r2, r3", 0x9f, 2, 3, 0, 0),
    ("smod r2, -10", 0x97, 2, 0, 1, -10), ("smod r2, r3", 0x9f, 2, 3, 1, 0),
    ("xor r7, 0x55", 0xa7, 7, 0, 0, 0x55), ("xor r7, r8", 0xaf, 7, 8, 0, 0),
    ("mov r0, -1", 0xb7, 0, 0, 0, -1), ("mov %r0, %r10", 0xbf, 0, 10, 0, 0),
    ("arsh r1, 63", 0xc7, 1, 0, 0, 63), ("arsh r1, r2", 0xcf, 1, 2, 0, 0),
    ("movsx8 r0, r1", 0xbf, 0, 1, 8, 0), ("movsx16 r0, r1", 0xbf, 0, 1, 16, 0),
    ("movsx32 r0, r1", 0xbf, 0, 1, 32, 0), ("movsx864 r0, r1", 0xbf, 0, 1, 8, 0),
    ("bswap16 r3", 0xd7, 3, 0, 0, 16), ("bswap32 r3", 0xd7, 3, 0, 0, 32),
    ("bswap64 r3", 0xd7, 3, 0, 0, 64),
    # ALU (32-bit)
    ("add32 r1, 2", 0x04, 1, 0, 0, 2), ("add32 r1, r2", 0x0c, 1, 2, 0, 0),
    ("sub32 r1, r2", 0x1c, 1, 2, 0, 0), ("mul32 r1, 3", 0x24, 1, 0, 0, 3),
    ("div32 r1, r2", 0x3c, 1, 2, 0, 0), ("sdiv32 r1, r2", 0x3c, 1, 2, 1, 0),
    ("or32 r1, 8", 0x44, 1, 0, 0, 8), ("and32 r1, r2", 0x5c, 1, 2, 0, 0),
    ("lsh32 r1, 31", 0x64, 1, 0, 0, 31), ("rsh32 r1, r2", 0x7c, 1, 2, 0, 0),
    ("neg32 r1", 0x84, 1, 0, 0, 0), ("mod32 r1, 3", 0x94, 1, 0, 0, 3),
    ("smod32 r1, r2", 0x9c, 1, 2, 1, 0), ("xor32 r1, r2", 0xac, 1, 2, 0, 0),
    ("mov32 r1, 0xffffffff", 0xb4, 1, 0, 0, -1), ("mov32 r1, r2", 0xbc, 1, 2, 0, 0),
    ("arsh32 r1, 5", 0xc4, 1, 0, 0, 5), ("movsx832 r0, r1", 0xbc, 0, 1, 8, 0),
    ("movsx1632 r0, r1", 0xbc, 0, 1, 16, 0),
    ("le16 r2", 0xd4, 2, 0, 0, 16), ("le32 r2", 0xd4, 2, 0, 0, 32), ("le64 r2", 0xd4, 2, 0, 0, 64),
    ("be16 r2", 0xdc, 2, 0, 0, 16), ("be32 r2", 0xdc, 2, 0, 0, 32), ("be64 r2", 0xdc, 2, 0, 0, 64),
    # LDX, sign-extending LDX, ST, STX
    ("ldxb r0, [r1+1]", 0x71, 0, 1, 1, 0), ("ldxh r0, [r1+2]", 0x69, 0, 1, 2, 0),
    ("ldxw r0, [r1+4]", 0x61, 0, 1, 4, 0), ("ldxdw r0, [r10-8]", 0x79, 0, 10, -8, 0),
    ("ldxsb r0, [r1]", 0x91, 0, 1, 0, 0), ("ldxsh r0, [r1+0x10]", 0x89, 0, 1, 16, 0),
    ("ldxsw r0, [%r1 - 4]", 0x81, 0, 1, -4, 0),
    ("stb [r1+1], 0x7f", 0x72, 1, 0, 1, 0x7f), ("sth [r1+2], 5", 0x6a, 1, 0, 2, 5),
    ("stw [r1+2], -5", 0x62, 1, 0, 2, -5), ("stdw [r10-8], 1", 0x7a, 10, 0, -8, 1),
    ("stxb [r1], r2", 0x73, 1, 2, 0, 0), ("stxh [r1+2], r2", 0x6b, 1, 2, 2, 0),
    ("stxw [r1+4], r2", 0x63, 1, 2, 4, 0), ("stxdw [r10-8], r1", 0x7b, 10, 1, -8, 0),
    # atomics
    ("lock add [r10-8], r1", 0xdb, 10, 1, -8, 0x00),
    ("lock add32 [r1+4], r2", 0xc3, 1, 2, 4, 0x00),
    ("lock or [r1], r2", 0xdb, 1, 2, 0, 0x40), ("lock and [r1], r2", 0xdb, 1, 2, 0, 0x50),
    ("lock xor32 [r1], r2", 0xc3, 1, 2, 0, 0xa0),
    ("lock fetch add [r1], r2", 0xdb, 1, 2, 0, 0x01),
    ("lock fetch or32 [r1], r2", 0xc3, 1, 2, 0, 0x41),
    ("lock fetch and [r1], r2", 0xdb, 1, 2, 0, 0x51),
    ("lock fetch xor [r1], r2", 0xdb, 1, 2, 0, 0xa1),
    ("lock xchg [r1], r2", 0xdb, 1, 2, 0, 0xe1), ("lock xchg32 [r1], r2", 0xc3, 1, 2, 0, 0xe1),
    ("lock cmpxchg [r1], r2", 0xdb, 1, 2, 0, 0xf1),
    ("lock cmpxchg32 [r10-8], r1", 0xc3, 10, 1, -8, 0xf1),
    # JMP and JMP32
    ("ja +2", 0x05, 0, 0, 2, 0), ("ja -1", 0x05, 0, 0, -1, 0),
    ("jeq r1, 0, +3", 0x15, 1, 0, 3, 0), ("jeq r1, r2, +3", 0x1d, 1, 2, 3, 0),
    ("jgt r1, 5, +1", 0x25, 1, 0, 1, 5), ("jge r1, r2, +1", 0x3d, 1, 2, 1, 0),
    ("jset r1, 8, +1", 0x45, 1, 0, 1, 8), ("jne r1, r2, -4", 0x5d, 1, 2, -4, 0),
    ("jsgt r1, -1, +1", 0x65, 1, 0, 1, -1), ("jsge r1, r2, +1", 0x7d, 1, 2, 1, 0),
    ("jlt r1, 5, +1", 0xa5, 1, 0, 1, 5), ("jle r1, r2, +1", 0xbd, 1, 2, 1, 0),
    ("jslt r1, 0, +1", 0xc5, 1, 0, 1, 0), ("jsle r1, r2, +1", 0xdd, 1, 2, 1, 0),
    ("jeq32 r1, 1, +1", 0x16, 1, 0, 1, 1), ("jsgt32 r1, r2, +2", 0x6e, 1, 2, 2, 0),
    ("jne32 r1, -1, +1", 0x56, 1, 0, 1, -1), ("jsle32 r3, 4, +1", 0xd6, 3, 0, 1, 4),
    ("ja32 +5", 0x06, 0, 0, 0, 5),
    ("call 2", 0x85, 0, 0, 0, 2), ("call local +3", 0x85, 0, 1, 0, 3),
    ("exit", 0x95, 0, 0, 0, 0),
    (".insn 0xff, 1, 2, -1, 7", 0xff, 1, 2, -1, 7),
]


def check_forms(r):
    bad = []
    for text, *fields in FORMS:
        try:
            got = bpf_as.assemble(text)
        except bpf_as.AsmError as e:
            bad.append("%s: %s" % (text, e))
            continue
        if got != I(*fields):
            bad.append("%s: %s, want %s" % (text, got.hex(), I(*fields).hex()))
    r.result("every_instruction_form_encodes_by_hand", not bad, "; ".join(bad[:5]))
    classes = {f[1] & 7 for f in FORMS}
    r.result("forms_cover_every_class_but_ld", set(range(1, 8)) <= classes,
             "classes %s" % sorted(classes))     # LD (lddw) is check_lddw's


def check_lddw(r):
    got = bpf_as.assemble("lddw r3, 0x1122334455667788")
    want = struct.pack("<BBhI", 0x18, 3, 0, 0x55667788) + struct.pack("<BBhI", 0, 0, 0, 0x11223344)
    r.result("lddw_two_slots", got == want, got.hex())
    got = bpf_as.assemble("lddw r0, -2")
    r.result("lddw_negative", got[4:8] == b"\xfe\xff\xff\xff" and got[12:16] == b"\xff" * 4, got.hex())


def check_labels(r):
    text = """
        mov r0, 0
    top: add r0, 1          ; a label before an instruction
        lddw r2, 5          # two slots: labels count them
        jlt r0, 4, top
        ja32 out
        call local fn
    out:
        exit
    fn:
        exit
    """
    got = bpf_as.assemble(text)
    want = (I(0xb7) + I(0x07, 0, 0, 0, 1) + struct.pack("<BBhI", 0x18, 2, 0, 5) + I(0) +
            I(0xa5, 0, 0, -4, 4) + I(0x06, imm=1) + I(0x85, 0, 1, 0, 1) + I(0x95) + I(0x95))
    r.result("labels_forward_backward_and_over_lddw", got == want, got.hex())


def check_conformance_forms(r):
    """What the bpf_conformance suite's own assembler also takes."""
    cases = [("call_helper", "call helper 3", I(0x85, imm=3)),
             ("call_runtime", "call runtime 4", I(0x85, 0, 2, 0, 4)),
             ("swap32", "swap32 r1", I(0xd7, 1, imm=32)),
             ("register_11", "mov %r11, 1", I(0xb7, 11, imm=1)),
             ("lock_fetch_xchg", "lock fetch xchg [r1], r2", I(0xdb, 1, 2, 0, 0xe1)),
             # `exit` is the first exit unless a label says otherwise
             ("exit_label_first_exit", "ja exit\nmov r0, 1\nexit\nexit",
              I(0x05, off=1) + I(0xb7, imm=1) + I(0x95) * 2),
             ("exit_label_explicit", "ja exit\nexit\nexit:\nexit", I(0x05, off=1) + I(0x95) * 2),
             # a 64-bit immediate that sign-extends from 32 bits loses nothing
             ("imm_sign_extended_64", "jne r6, 0xffffffffffffff80, +0", I(0x55, 6, imm=-128)),
             ("callx_register", "call %r2", I(0x8d, 2)),
             ("callx", "callx r3", I(0x8d, 3))]
    for name, text, want in cases:
        try:
            got = bpf_as.assemble(text)
        except bpf_as.AsmError as e:
            got = str(e).encode()
        r.result("conformance_" + name, got == want, "got %s, want %s" % (got.hex(), want.hex()))
    # --wrap keeps the low 32 bits of a wider immediate, as the suite's assembler does
    bpf_as.WRAP = True
    try:
        got = bpf_as.assemble("mov32 r1, 0x876543210")
    finally:
        bpf_as.WRAP = False
    r.result("conformance_wrap_keeps_low_32_bits", got == I(0xb4, 1, imm=0x76543210), got.hex())


def check_data_file(r):
    text = "# a bpf_conformance test\n-- asm\nmov %r0, 3\nexit\n-- result\n0x3\n-- mem\n00 01\n"
    r.result("conformance_data_file_asm_part", bpf_as.assemble(text) == I(0xb7, imm=3) + I(0x95))


def check_errors(r):
    cases = [("mov r0, 1\nfrob r1\n", "line 2"), ("mov r16, 1", "register"),
             ("ja nowhere", "nowhere"), ("ldxw r0, [r1+40000]", "16 bits"),
             ("mov r0, 0x100000000", "32 bits"), ("mov r0, 0xffffffff7fffffff", "fit in 32"),
             ("a:\na: exit", "twice"),
             ("add r0", "2 operands"), ("lock nand [r1], r2", "atomic"),
             ("ldxsdw r0, [r1]", "ldxsdw")]
    for text, word in cases:
        try:
            bpf_as.assemble(text)
            ok, why = False, "accepted"
        except bpf_as.AsmError as e:
            ok, why = word in str(e), str(e)
        r.result("error_" + word.replace(" ", "_"), ok, why)


# --- against clang ---------------------------------------------------------

CLANG_C = r"""
__attribute__((section("s_filt"))) int filt(unsigned char *p) {
	if (p[12] != 0x08 || p[13] != 0x00) return 0;
	return p[23] == 17 ? 1 : 0;
}
__attribute__((section("s_loop"))) unsigned long long loop(unsigned char *p) {
	unsigned long long s = 0;
#pragma clang loop unroll(disable)
	for (int i = 0; i < 16; i++) s += p[i];
	return s;
}
__attribute__((section("s_stack"))) long stack(unsigned long *p) {
	volatile long a[2]; a[0] = p[0]; a[1] = 7; return a[0] - a[1];
}
static __attribute__((noinline)) int sq(int x) { return x * x; }
int first(int *p) { return sq(p[1]) + 1; }
"""

# The same programs as they should come out, written in bpf-as syntax.
CLANG_ASM = {
    "s_filt": """
        mov r0, 0
        ldxb r2, [r1+12]
        jne r2, 8, done
        ldxb r2, [r1+13]
        jne r2, 0, done
        ldxb r1, [r1+23]
        mov r0, 1
        jeq r1, 17, done
        mov r0, 0
    done:
        exit""",
    "s_loop": """
        mov r2, 0
        mov r0, 0
    again:
        mov r3, r1
        add r3, r2
        ldxb r3, [r3+0]
        add r0, r3
        add r2, 1
        jeq r2, 16, +1
        ja again
        exit""",
    "s_stack": """
        ldxdw r1, [r1]
        stxdw [r10-8], r1
        mov r1, 7
        stxdw [r10-16], r1
        ldxdw r0, [r10-8]
        ldxdw r1, [r10-16]
        sub r0, r1
        exit""",
    ".text": """
        ldxw r1, [r1+4]
        call local sq
        add r0, 1
        exit
    sq: mov r0, r1
        mul r0, r0
        exit""",
}


def elf_sections(data):
    """name -> bytes of each section of an ELF64 little-endian object."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
    hdrs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names = hdrs[shstrndx]
    out = {}
    for h in hdrs:
        start = names[4] + h[0]
        name = data[start:data.index(b"\0", start)].decode()
        out[name] = data[h[4]:h[4] + h[5]]
    return out


def check_clang(r):
    clang = shutil.which("clang")
    if not clang:
        r.result("clang_is_installed", False, "clang is missing: make deps")
        return
    with tempfile.TemporaryDirectory() as tmp:
        src, obj = os.path.join(tmp, "p.c"), os.path.join(tmp, "p.o")
        with open(src, "w") as f:
            f.write(CLANG_C)
        p = subprocess.run([clang, "-target", "bpf", "-O2", "-c", src, "-o", obj],
                           capture_output=True, text=True)
        if p.returncode:
            r.result("clang_compiles", False, p.stderr)
            return
        secs = elf_sections(open(obj, "rb").read())
    for name, text in CLANG_ASM.items():
        got = bpf_as.assemble(text)
        r.result("same_bytes_as_clang_" + name.strip("."), got == secs.get(name),
                 "bpf-as %s, clang %s" % (got.hex(), (secs.get(name) or b"").hex()))


def check_cli(r):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "p.s")
        with open(src, "w") as f:
            f.write("mov r0, 0x2a\nexit\n")
        p = subprocess.run([sys.executable, BPF_AS, src], capture_output=True, text=True)
        r.result("cli_base16", p.returncode == 0 and
                 p.stdout == "b7 00 00 00 2a 00 00 00\n95 00 00 00 00 00 00 00\n", p.stdout + p.stderr)
        out = os.path.join(tmp, "p.bin")
        p = subprocess.run([sys.executable, BPF_AS, src, "-o", out], capture_output=True)
        r.result("cli_raw_to_bin_file", p.returncode == 0 and
                 open(out, "rb").read() == I(0xb7, imm=0x2a) + I(0x95))
        p = subprocess.run([sys.executable, BPF_AS, "--raw"], input=b"exit\n", capture_output=True)
        r.result("cli_raw_stdin", p.returncode == 0 and p.stdout == I(0x95))
        with open(src, "w") as f:
            f.write("exit\nbogus r1\n")
        p = subprocess.run([sys.executable, BPF_AS, src], capture_output=True, text=True)
        r.result("cli_error_names_file_and_line", p.returncode == 1 and p.stdout == "" and
                 "p.s: line 2" in p.stderr, p.stderr)


def main():
    r = Results()
    check_forms(r)
    check_lddw(r)
    check_labels(r)
    check_data_file(r)
    check_conformance_forms(r)
    check_errors(r)
    check_clang(r)
    check_cli(r)
    r.finish()


if __name__ == "__main__":
    main()
