#!/usr/bin/env python3
"""bpf-as: assemble eBPF (RFC 9669) in the syntax of the bpf_conformance
suite's .data files (uBPF's assembler syntax), with labels.

    bpf-as.py [--raw] [--wrap] [-o OUT] [FILE]

Reads FILE (or stdin); a bpf_conformance .data file is accepted too (only
its `-- asm` part is read). Writes base16 text, one instruction per line,
as bpf-run reads it, or raw bytes with --raw (the default when OUT ends in
.bin). An error names the line and exits with status 1.

The syntax, one instruction per line; `#` or `;` starts a comment:

    mov r0, 1            64-bit ALU: add sub mul div sdiv mod smod or and xor
    add32 %r1, %r2         lsh rsh arsh mov, with a register or an immediate;
    neg r3                 the 32 suffix is the 32-bit form (neg32, mov32 ...)
    movsx8 r0, r1        sign-extending moves: movsx8/16/32 (64-bit),
    movsx832 r0, r1        movsx832/movsx1632 (32-bit); also movsx864 ...
    be16 r0              le16/32/64, be16/32/64, bswap16/32/64 (or swap16 ..)
    lddw r0, 0x1122334455667788
    ldxw r0, [r1+4]      ldxb ldxh ldxw ldxdw; ldxsb ldxsh ldxsw sign-extend
    stxdw [r10-8], r1    stxb stxh stxw stxdw: store a register
    stw [r1+2], 5        stb sth stw stdw: store an immediate
    lock add [r10-8], r1 atomics: lock add|or|and|xor, lock fetch add|..,
    lock xchg32 [r1], r2   lock xchg, lock cmpxchg; 32 suffix: 32-bit
    ja +2                jumps take +N/-N or a label; the 32 suffix on a
    jeq r1, 0, +3          conditional jump compares 32 bits; ja32 is gotol
    jsgt32 r1, r2, out     (offset in imm)
    call 1               a helper (also `call helper 1`; `call runtime 1`
                           is src 2, a helper by BTF ID)
    call local fn        a local call, to a label or +N/-N
    callx r2             call the address in a register (also `call %r2`);
                           encoded, but Lamina refuses it
    exit
    out:                 a label, alone or before an instruction; the label
                           `exit`, unless defined, is the first exit
    .insn 0x8f, 0, 0, 0, 0   any raw instruction: op, dst, src, off, imm
    .repeat 100 add r0, 1    the instruction 100 times

Registers are r0..r10, with or without %; r11..r15 also encode, for
programs meant to be refused. Numbers are decimal or 0x hex, with an
optional sign. A 32-bit immediate is -2^31..2^32-1 or a 64-bit value that
sign-extends from 32 bits (0xffffffffffffff80); with --wrap any 64-bit
value is cut to its low 32 bits, as the suite's own assembler does.
"""
import re
import struct
import sys


class AsmError(Exception):
    pass


ALU = {"add": 0x00, "sub": 0x10, "mul": 0x20, "div": 0x30, "or": 0x40, "and": 0x50,
       "lsh": 0x60, "rsh": 0x70, "mod": 0x90, "xor": 0xa0, "mov": 0xb0, "arsh": 0xc0,
       "sdiv": 0x30, "smod": 0x90}
SIGNED = {"sdiv", "smod"}          # off 1
JCOND = {"jeq": 0x10, "jgt": 0x20, "jge": 0x30, "jset": 0x40, "jne": 0x50, "jsgt": 0x60,
         "jsge": 0x70, "jlt": 0xa0, "jle": 0xb0, "jslt": 0xc0, "jsle": 0xd0}
SIZES = {"w": 0x00, "h": 0x08, "b": 0x10, "dw": 0x18}
ATOMIC = {"add": 0x00, "or": 0x40, "and": 0x50, "xor": 0xa0}
XCHG, CMPXCHG, FETCH = 0xe1, 0xf1, 0x01
ENDIAN = {"le": 0xd4, "be": 0xdc, "bswap": 0xd7, "swap": 0xd7}
MOVSX = {"8": (0xbf, 8), "16": (0xbf, 16), "32": (0xbf, 32), "864": (0xbf, 8),
         "1664": (0xbf, 16), "3264": (0xbf, 32), "832": (0xbc, 8), "1632": (0xbc, 16)}


def insn(op, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", op, dst | src << 4, off, imm)


def number(text, what):
    m = re.fullmatch(r"([+-]?)\s*(0[xX][0-9a-fA-F]+|\d+)", text.strip())
    if not m:
        raise AsmError("%s: not a number: %r" % (what, text))
    v = int(m.group(2), 0)
    return -v if m.group(1) == "-" else v


# --wrap: keep the low 32 bits of any 64-bit immediate, as the
# bpf_conformance suite's own assembler does (its lock_cmpxchg32 test writes
# `mov32 r1, 0x876543210`); by default such a value is an error.
WRAP = False


def imm32(text):
    """A 32-bit immediate: -2^31..2^32-1, or a 64-bit value that is the sign
    extension of one (0xffffffffffffff80 is -128), so nothing is lost."""
    v = number(text, "immediate")
    if 2**64 - 2**31 <= v < 2**64:
        v -= 2**64
    elif WRAP and -2**63 <= v < 2**64:
        v &= 2**32 - 1
    if not -2**31 <= v < 2**32:
        raise AsmError("immediate %s does not fit in 32 bits" % text)
    return v - 2**32 if v >= 2**31 else v


def off16(v, what="offset"):
    if not -2**15 <= v < 2**15:
        raise AsmError("%s %d does not fit in 16 bits" % (what, v))
    return v


def reg(text):
    m = re.fullmatch(r"%?r(\d+)", text.strip())
    if not m or int(m.group(1)) > 15:
        raise AsmError("not a register: %r" % text)
    return int(m.group(1))


def is_reg(text):
    return re.fullmatch(r"%?r\d+", text.strip()) is not None


def mem(text):
    """[rN+off] -> (reg, off)."""
    m = re.fullmatch(r"\[\s*(%?r\d+)\s*(?:([+-])\s*(0[xX][0-9a-fA-F]+|\d+))?\s*\]", text.strip())
    if not m:
        raise AsmError("not a memory operand [rN+off]: %r" % text)
    off = int(m.group(3), 0) if m.group(3) else 0
    return reg(m.group(1)), off16(-off if m.group(2) == "-" else off)


def split_args(rest):
    """Operands separated by commas (none inside [..])."""
    return [a.strip() for a in rest.split(",")] if rest.strip() else []


def want(args, n, mnem):
    if len(args) != n:
        raise AsmError("%s takes %d operand%s, not %d" % (mnem, n, "" if n == 1 else "s", len(args)))


class Target:
    """A jump target not yet known: resolved once every label is."""

    def __init__(self, text):
        self.text = text.strip()

    def resolve(self, labels, here, line):
        if re.fullmatch(r"[+-]\s*(0[xX][0-9a-fA-F]+|\d+)", self.text):
            return number(self.text, "offset")
        if self.text not in labels:
            raise AsmError("line %d: no label %r" % (line, self.text))
        return labels[self.text] - (here + 1)


def alu(mnem, args):
    is32 = mnem.endswith("32") and mnem[:-2] in ALU
    base = mnem[:-2] if is32 else mnem
    cls = 0x04 if is32 else 0x07
    want(args, 2, mnem)
    off = 1 if base in SIGNED else 0
    if is_reg(args[1]):
        return [insn(cls | ALU[base] | 0x08, reg(args[0]), reg(args[1]), off)]
    return [insn(cls | ALU[base], reg(args[0]), 0, off, imm32(args[1]))]


def jcond(mnem, args):
    is32 = mnem.endswith("32")
    base = mnem[:-2] if is32 else mnem
    cls = 0x06 if is32 else 0x05
    want(args, 3, mnem)
    tgt = Target(args[2])
    if is_reg(args[1]):
        return [(cls | JCOND[base] | 0x08, reg(args[0]), reg(args[1]), tgt, 0)]
    return [(cls | JCOND[base], reg(args[0]), 0, tgt, imm32(args[1]))]


def atomic(words, args):
    """lock [fetch] OP[32] [mem], reg."""
    fetch = words[0] == "fetch"
    if fetch:
        words = words[1:]
    if len(words) != 1:
        raise AsmError("lock: expected lock [fetch] OP [rN+off], rM")
    op = words[0]
    size = 0x00 if op.endswith("32") else 0x18
    op = op[:-2] if op.endswith("32") else op
    if op in ATOMIC:
        code = ATOMIC[op] | (FETCH if fetch else 0)
    elif op in ("xchg", "cmpxchg"):         # always fetch; `fetch` may be said
        code = XCHG if op == "xchg" else CMPXCHG
    else:
        raise AsmError("lock: unknown atomic operation %r" % words[0])
    want(args, 2, "lock " + words[0])
    base, off = mem(args[0])
    return [insn(0xc3 | size, base, reg(args[1]), off, code)]


def one(mnem, rest):
    """The instructions for one line: bytes, or tuples whose offset (or,
    for ja32, imm) is a Target."""
    args = split_args(rest)
    if mnem == "exit":
        want(args, 0, mnem)
        return [insn(0x95)]
    if mnem == "lock":
        head, bracket, tail = rest.partition("[")
        return atomic(head.split(), split_args(bracket + tail))
    if mnem == ".insn":
        want(args, 5, mnem)
        v = [number(a, ".insn field") for a in args]
        return [struct.pack("<BBhI", v[0] & 0xff, (v[1] & 0xf) | (v[2] & 0xf) << 4,
                            off16(v[3]), v[4] & 0xffffffff)]
    if mnem == "lddw":
        want(args, 2, mnem)
        v = number(args[1], "lddw immediate")
        if not -2**63 <= v < 2**64:
            raise AsmError("lddw immediate does not fit in 64 bits")
        v &= 2**64 - 1
        lo, hi = v & 0xffffffff, v >> 32
        return [struct.pack("<BBhI", 0x18, reg(args[0]), 0, lo), struct.pack("<BBhI", 0, 0, 0, hi)]
    if mnem in ("neg", "neg32"):
        want(args, 1, mnem)
        return [insn(0x84 if mnem == "neg32" else 0x87, reg(args[0]))]
    if mnem.startswith("movsx") and mnem[5:] in MOVSX:
        want(args, 2, mnem)
        op, bits = MOVSX[mnem[5:]]
        return [insn(op, reg(args[0]), reg(args[1]), bits)]
    m = re.fullmatch(r"(le|be|bswap|swap)(16|32|64)", mnem)
    if m:
        want(args, 1, mnem)
        return [insn(ENDIAN[m.group(1)], reg(args[0]), 0, 0, int(m.group(2)))]
    if mnem in ALU or (mnem.endswith("32") and mnem[:-2] in ALU):
        return alu(mnem, args)
    m = re.fullmatch(r"(ldxs?|stx|st)(dw|w|h|b)", mnem)
    if m:
        kind, size = m.group(1), SIZES[m.group(2)]
        want(args, 2, mnem)
        if kind == "ldx":
            base, off = mem(args[1])
            return [insn(0x61 | size, reg(args[0]), base, off)]
        if kind == "ldxs":
            if m.group(2) == "dw":
                raise AsmError("ldxsdw does not exist")
            base, off = mem(args[1])
            return [insn(0x81 | size, reg(args[0]), base, off)]
        base, off = mem(args[0])
        if kind == "stx":
            return [insn(0x63 | size, base, reg(args[1]), off)]
        return [insn(0x62 | size, base, 0, off, imm32(args[1]))]
    if mnem in JCOND or (mnem.endswith("32") and mnem[:-2] in JCOND):
        return jcond(mnem, args)
    if mnem == "ja":
        want(args, 1, mnem)
        return [(0x05, 0, 0, Target(args[0]), 0)]
    if mnem == "ja32":
        want(args, 1, mnem)
        return [(0x06, 0, 0, 0, Target(args[0]))]
    if mnem == "call":
        words = rest.split()
        if words and words[0] == "local":
            return [(0x85, 0, 1, 0, Target(" ".join(words[1:])))]
        src = {"helper": 0, "runtime": 2}.get(words[0] if words else "", -1)
        if src >= 0:
            args = split_args(rest.split(None, 1)[1] if len(words) > 1 else "")
        want(args, 1, mnem)
        if is_reg(args[0]) and src < 0:         # call %rN: callx, below
            return [insn(0x8d, reg(args[0]))]
        return [insn(0x85, 0, max(src, 0), 0, imm32(args[0]))]
    if mnem == "callx":                         # the target's address in dst;
        want(args, 1, mnem)                     # Lamina refuses it (docs/API.md)
        return [insn(0x8d, reg(args[0]))]
    raise AsmError("unknown instruction %r" % mnem)


def asm_part(text):
    """The `-- asm` part of a bpf_conformance .data file, or all of text."""
    lines = text.split("\n")
    if not any(l.strip() == "-- asm" for l in lines):
        return lines
    out, inside = [], False
    for l in lines:
        if l.startswith("-- "):
            inside = l.strip() == "-- asm"
            out.append("")
        else:
            out.append(l if inside else "")
    return out


def assemble(text):
    """Assembly text -> the program's bytes; AsmError names the line."""
    labels, items = {}, []          # items: (line, bytes or tuple)
    implicit_exit = False
    for n, line in enumerate(asm_part(text), 1):
        line = re.split(r"[#;]", line, 1)[0].strip()
        m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)\s*:(.*)", line)
        if m:
            name = m.group(1)
            if name in labels and not (name == "exit" and implicit_exit):
                raise AsmError("line %d: label %r defined twice" % (n, name))
            implicit_exit = implicit_exit and name != "exit"    # an explicit one wins
            labels[name] = len(items)
            line = m.group(2).strip()
        if not line:
            continue
        if re.match(r"exit\b", line) and "exit" not in labels:
            labels["exit"] = len(items)     # the implicit label (bpf_conformance's)
            implicit_exit = True
        mnem, _, rest = line.partition(" ")
        times = 1
        if mnem == ".repeat":
            count, _, line = rest.strip().partition(" ")
            times = number(count, ".repeat count") if count.isdigit() else -1
            if not 0 <= times <= 1 << 20:
                raise AsmError("line %d: .repeat wants a count from 0 to %d" % (n, 1 << 20))
            mnem, _, rest = line.strip().partition(" ")
        try:
            items += [(n, x) for x in one(mnem.lower(), rest.strip())] * times
        except AsmError as e:
            raise AsmError("line %d: %s" % (n, e)) from None
    out = b""
    for here, (n, x) in enumerate(items):
        if isinstance(x, tuple):
            op, dst, src, off, imm = x
            try:
                if isinstance(off, Target):
                    off = off16(off.resolve(labels, here, n), "jump offset")
                if isinstance(imm, Target):
                    imm = imm32(str(imm.resolve(labels, here, n)))
            except AsmError as e:
                raise AsmError(str(e) if str(e).startswith("line") else
                               "line %d: %s" % (n, e)) from None
            x = insn(op, dst, src, off, imm)
        out += x
    return out


def base16(code):
    return "".join(" ".join("%02x" % b for b in code[i:i + 8]) + "\n"
                   for i in range(0, len(code), 8))


def main(argv):
    global WRAP
    raw, out, src = False, None, None
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--raw":
            raw = True
        elif a == "--wrap":
            WRAP = True
        elif a == "-o" and args:
            out = args.pop(0)
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        elif src is None and not a.startswith("-"):
            src = a
        else:
            sys.stderr.write("usage: bpf-as.py [--raw] [--wrap] [-o OUT] [FILE]\n")
            return 1
    try:
        text = open(src).read() if src else sys.stdin.read()
        code = assemble(text)
    except (AsmError, OSError) as e:
        sys.stderr.write("bpf-as: %s%s\n" % (src + ": " if src else "", e))
        return 1
    raw = raw or (out or "").endswith(".bin")
    data = code if raw else base16(code).encode()
    if out:
        with open(out, "wb") as f:
            f.write(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
