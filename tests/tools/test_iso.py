#!/usr/bin/env python3
"""Build the GRUB ISO (`make iso`) and boot its default entry, which runs the
guest test suite through GRUB's multiboot2 path (the way real hardware boots
Lamina) instead of QEMU's -kernel: once under BIOS (SeaBIOS, QEMU's default)
and once under UEFI (OVMF, Debian's `ovmf`), since the ISO is a hybrid of
both. Needs `make all` first (make test does it), grub-mkrescue with the
i386-pc and x86_64-efi modules, xorriso, mtools and ovmf (tools/deps.sh).
Prints `test <name> ... ok|FAIL why` lines and `N passed, M failed`."""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ISO = os.path.join(ROOT, "build", "lamina.iso")
TIMEOUT = 300
EXPECT_MIN = 80
# Debian 12's ovmf ships this combined image (code and variables in one), which
# QEMU takes read-only through -bios: no writable copy of OVMF_VARS is needed,
# and nothing the firmware writes outlives the run.
OVMF = os.environ.get("LAMINA_OVMF", "/usr/share/ovmf/OVMF.fd")

sys.path.insert(0, os.path.join(ROOT, "tools"))
from testlib import Results  # noqa: E402
from runtest import QEMU_BASE, classify  # noqa: E402

R = Results()
result = R.result


def boot(firmware):
    """Boot the ISO's default entry; return (serial output, QEMU status or
    None if it had to be killed, QEMU's stderr)."""
    cmd = ["qemu-system-x86_64", "-accel", "tcg"] + QEMU_BASE + firmware + ["-cdrom", ISO]
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=TIMEOUT)
        return p.stdout.decode(errors="replace"), p.returncode, \
            p.stderr.decode(errors="replace"), False
    except subprocess.TimeoutExpired as e:
        return (e.stdout or b"").decode(errors="replace"), None, "", True


def check_boot(label, firmware):
    """Two results per firmware: the suite ran and passed, and QEMU saw the
    guest's success through isa-debug-exit (status 1; a reset is 0)."""
    out, status, err, timed_out = boot(firmware)
    v = classify(out, status, timed_out, TIMEOUT, EXPECT_MIN, err)
    tail = out.replace("\r", "")[-400:]
    result("iso_%s_test_entry_runs_the_suite" % label, v.ok and v.passed >= EXPECT_MIN,
           "%s booted from the ISO did not reach a clean result: %s; %d passed, "
           "%d failed; last output: %r" % (label.upper(), "; ".join(v.problems) or "?",
                                            v.passed, v.failed, tail))
    result("iso_%s_test_entry_reports_success_to_qemu" % label, status == 1,
           "%s: QEMU exit status %r (a reset or a hang is not success)"
           % (label.upper(), status))


mk = subprocess.run(["make", "-s", "iso"], cwd=ROOT, capture_output=True, text=True)
built = mk.returncode == 0 and os.path.exists(ISO)
result("iso_builds", built, (mk.stdout + mk.stderr)[-400:])
if built:
    # El Torito lists one boot image per platform: BIOS and UEFI.
    rep = subprocess.run(["xorriso", "-indev", ISO, "-report_el_torito", "plain"],
                         capture_output=True, text=True)
    plats = re.findall(r"^El Torito boot img :\s+\d+\s+(\S+)", rep.stdout, re.M)
    result("iso_is_hybrid_bios_and_uefi", "BIOS" in plats and "UEFI" in plats,
           "El Torito boot images for %r, want BIOS and UEFI: %s"
           % (plats, (rep.stdout + rep.stderr)[-300:]))
    check_boot("bios", [])
    if os.path.isfile(OVMF):
        check_boot("uefi", ["-bios", OVMF])
    else:
        result("iso_uefi_test_entry_runs_the_suite", False,
               "no UEFI firmware at %s: install Debian's ovmf (tools/deps.sh) "
               "or set LAMINA_OVMF" % OVMF)

R.finish()
