#!/usr/bin/env python3
"""Pack the Linux personality's root file system into one boot module.

    tools/mkrootfs.py OUT SRC_DIR BUSYBOX [NAME=FILE ...]

The archive is "newc" cpio (the format servers/fs/image.c reads): the tree
under SRC_DIR (files, directories, symbolic links; files named .keep are
left out, they only keep empty directories in git), /bin/busybox from
BUSYBOX with a symbolic link to it for every applet in APPLETS, and each
NAME=FILE (test programs) at /NAME. Directories come before what they hold;
every entry is owned by root; modification times are fixed (MTIME) so that
the image is the same from one build to the next. With --tree DIR the same
tree is also written out as files (the busybox suite runs the host's
busybox in it, chrooted).
"""
import os
import shutil
import stat
import sys

MTIME = 1700000000  # 2023-11-14
APPLETS = ("sh ash cat ls cp mv rm ln mkdir rmdir touch echo printf head tail wc sort "
           "uniq grep sed awk find stat md5sum sha256sum cut tr tee test true false "
           "env pwd basename dirname readlink realpath chmod du df date uname id "
           "seq expr yes sleep xargs diff cmp od hexdump dd truncate sync ps top free uptime pidof "
           "mkfifo mknod flock").split()


def entries(src, busybox, extra):
    """(path, mode, data) in archive order, paths relative to the root."""
    out = [(".", stat.S_IFDIR | 0o755, b"")]
    have = set()
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        rel = os.path.relpath(dirpath, src)
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            path = os.path.normpath(os.path.join(rel, name))
            if name == ".keep":
                continue
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                out.append((path, stat.S_IFLNK | 0o777, os.readlink(full).encode()))
            elif stat.S_ISDIR(st.st_mode):
                out.append((path, stat.S_IFDIR | 0o755, b""))
            else:
                mode = 0o755 if st.st_mode & 0o100 else 0o644
                out.append((path, stat.S_IFREG | mode, open(full, "rb").read()))
            have.add(path)
    for d in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc", "tmp"):
        if d not in have:
            out.append((d, stat.S_IFDIR | (0o1777 if d == "tmp" else 0o755), b""))
            have.add(d)
    out.append(("bin/busybox", stat.S_IFREG | 0o755, open(busybox, "rb").read()))
    for a in APPLETS:
        out.append(("bin/" + a, stat.S_IFLNK | 0o777, b"busybox"))
    for spec in extra:
        name, path = spec.split("=", 1)
        out.append((name.strip("/"), stat.S_IFREG | 0o755, open(path, "rb").read()))
    # a directory before its contents: sort by path components
    out[1:] = sorted(out[1:], key=lambda e: e[0].split("/"))
    return out


def cpio(items):
    blob = bytearray()

    def pad4():
        while len(blob) % 4:
            blob.append(0)

    for n, (path, mode, data) in enumerate(items + [("TRAILER!!!", 0, b"")], 1):
        name = path.encode() + b"\0"
        nlink = 2 if stat.S_ISDIR(mode) else 1
        fields = (n, mode, 0, 0, nlink, MTIME, len(data), 0, 0, 0, 0, len(name), 0)
        blob += b"070701" + b"".join(b"%08x" % f for f in fields)
        blob += name
        pad4()
        blob += data
        pad4()
    return bytes(blob)


def write_tree(items, root):
    if os.path.exists(root):
        shutil.rmtree(root)
    for path, mode, data in items:
        full = os.path.join(root, path)
        if stat.S_ISDIR(mode):
            os.makedirs(full, exist_ok=True)
            os.chmod(full, mode & 0o7777)
        elif stat.S_ISLNK(mode):
            os.symlink(data.decode(), full)
        else:
            with open(full, "wb") as f:
                f.write(data)
            os.chmod(full, mode & 0o7777)
    for path, mode, data in reversed(items):
        full = os.path.join(root, path)
        os.utime(full, (MTIME, MTIME), follow_symlinks=False)
    for d in ("dev",):
        full = os.path.join(root, d)
        for name in ("null", "zero", "urandom", "random", "tty"):
            open(os.path.join(full, name), "w").close()


def main(argv):
    tree = None
    if len(argv) > 2 and argv[1] == "--tree":
        tree = argv[2]
        argv = argv[:1] + argv[3:]
    if len(argv) < 4:
        sys.exit(__doc__)
    items = entries(argv[2], argv[3], argv[4:])
    with open(argv[1], "wb") as f:
        f.write(cpio(items))
    if tree:
        write_tree(items, tree)


if __name__ == "__main__":
    main(sys.argv)
