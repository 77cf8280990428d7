#!/usr/bin/env python3
"""Build the GRUB ISO (`make iso`) and boot its default entry, which runs the
guest test suite through GRUB's multiboot2 path (the way real hardware boots
Lamina) instead of QEMU's -kernel. Needs `make all` first (make test does
it), grub-mkrescue, xorriso and mtools (tools/deps.sh). Prints `test <name>
... ok|FAIL why` lines and `N passed, M failed`."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ISO = os.path.join(ROOT, "build", "lamina.iso")
TIMEOUT = 300

sys.path.insert(0, os.path.join(ROOT, "tools"))
from testlib import Results  # noqa: E402

R = Results()
result = R.result


mk = subprocess.run(["make", "-s", "iso"], cwd=ROOT, capture_output=True, text=True)
result("iso_builds", mk.returncode == 0 and os.path.exists(ISO),
       (mk.stdout + mk.stderr)[-400:])
if mk.returncode == 0:
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "512M",
           "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-cdrom", ISO]
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=TIMEOUT)
        out, status = p.stdout.decode(errors="replace").replace("\r", ""), p.returncode
    except subprocess.TimeoutExpired as e:
        out, status = (e.stdout or b"").decode(errors="replace"), None
    m = re.findall(r"^(\d+) passed, (\d+) failed$", out, re.M)
    ok = bool(m) and int(m[-1][1]) == 0 and int(m[-1][0]) > 0
    result("iso_test_entry_runs_the_suite", ok,
           "no clean summary; last output: %r" % out[-600:])
    # isa-debug-exit: QEMU exits with (value << 1) | 1; root writes 0 on success.
    result("iso_test_entry_reports_success_to_qemu", status == 1,
           "QEMU exit status %r (a reset or a hang is not success)" % status)

R.finish()
