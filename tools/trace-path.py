#!/usr/bin/env python3
"""Where the instructions of one operation go: boot a benchmark under QEMU
with its gdb stub, stop at START after SKIP hits (past the warm-up), then
single-step until START comes round again and print the instructions spent
in each function, in order, kernel and user alike.

  tools/trace-path.py BENCH START [SKIP] [--user ELF]

BENCH is a kbench name (bench.only=BENCH), START a kernel or user symbol
that the operation passes once per round (fastpath_call for ipc_rtt,
trap_user for exc_prot, sys_thread_yield_to for yield_ctxsw). --user names
the ELF whose symbols user addresses resolve to (default build/kbench.elf).
Needs `make all` and gdb; runs without icount (step counts do not depend on
it). One gdb stepi is one guest instruction, as icount counts them, but
for a string instruction (one step per iteration under gdb) and an
instruction that faults (its step lands at the handler).
"""
import argparse, bisect, collections, os, subprocess, sys, tempfile

ap = argparse.ArgumentParser()
ap.add_argument("bench"); ap.add_argument("start")
ap.add_argument("skip", nargs="?", type=int, default=300)
ap.add_argument("--user", default="build/kbench.elf")
ap.add_argument("--max", type=int, default=6000)
ap.add_argument("--listing", action="store_true", help="every kernel instruction, disassembled")
a = ap.parse_args()

mods = subprocess.run(["make", "-s", "--eval", "pm: ; @echo $(QEMU_MODULES)", "pm"],
                      capture_output=True, text=True, check=True).stdout.strip()
tmp = tempfile.mkdtemp(prefix="trace-path.")
pcs_file = os.path.join(tmp, "pcs")
script = os.path.join(tmp, "trace.gdb.py")
open(script, "w").write(f"""
import gdb
gdb.execute("set pagination off"); gdb.execute("set confirm off")
gdb.execute("set architecture i386:x86-64")
gdb.execute("target remote :{os.getpid() % 20000 + 20000}")
gdb.execute("hbreak *(long){a.start}")
gdb.execute("ignore 1 {a.skip}")
gdb.execute("continue")
gdb.execute("delete")
start = int(gdb.parse_and_eval("(long){a.start}")) & 0xffffffffffffffff
out = open("{pcs_file}", "w")
for n in range({a.max}):
    pc = int(gdb.parse_and_eval("$pc")) & 0xffffffffffffffff
    out.write("%x\\n" % pc)
    if n and pc == start:
        break
    gdb.execute("stepi", to_string=True)
out.close()
gdb.execute("kill")
""")
port = os.getpid() % 20000 + 20000
qemu = subprocess.Popen(["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-smp", "1",
    "-m", "512M", "-display", "none", "-monitor", "none", "-serial", "file:" + os.path.join(tmp, "serial"),
    "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
    "-kernel", "build/lamina.elf32", "-initrd", mods,
    "-append", "bench bench.only=" + a.bench, "-gdb", "tcp::%d" % port, "-S"],
    stdin=subprocess.DEVNULL)
try:
    subprocess.run(["gdb", "-q", "-batch", "-x", script, "build/lamina.elf"],
                   capture_output=True, timeout=900)
finally:
    qemu.kill()
    qemu.wait()

def symbols(elf):
    out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True).stdout
    s = [(int(p[0], 16), p[2]) for p in (l.split() for l in out.splitlines())
         if len(p) == 3 and p[1] in "tTwW"]
    return [x[0] for x in s], [x[1] for x in s]

ksyms, usyms = symbols("build/lamina.elf"), symbols(a.user)
def name(pc):
    addrs, names = ksyms if pc >> 63 else usyms
    i = bisect.bisect_right(addrs, pc) - 1
    return names[i] if i >= 0 else "?"

pcs = [int(l, 16) for l in open(pcs_file)] if os.path.exists(pcs_file) else []
if len(pcs) < 2 or pcs[-1] != pcs[0]:
    sys.exit("trace-path: %s not reached twice (%d steps); see %s" % (a.start, len(pcs), tmp))
runs = []
for pc in pcs[:-1]:
    n = name(pc)
    if runs and runs[-1][0] == n:
        runs[-1][1] += 1
    else:
        runs.append([n, 1])
if a.listing:
    dis = {}
    for l in subprocess.run(["objdump", "-d", "--no-show-raw-insn", "build/lamina.elf"],
                            capture_output=True, text=True).stdout.splitlines():
        p = l.split(":", 1)
        if len(p) == 2 and p[0].startswith("ffffffff") and " " not in p[0].strip():
            dis[int(p[0], 16)] = p[1].strip()
    for pc in pcs[:-1]:
        print("%x  %-24s %s" % (pc, name(pc), dis.get(pc, "")))
for n, c in runs:
    print("%6d  %s" % (c, n))
print("%6d  total, of it %d in the kernel" % (len(pcs) - 1, sum(1 for pc in pcs[:-1] if pc >> 63)))
