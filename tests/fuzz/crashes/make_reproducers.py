#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the hand-made reproducers of tests/fuzz/crashes/README.md.

    make_reproducers.py OUTDIR [RUNTIME]

Each one is a valid image made by mksquashfs with metadata left uncompressed
(-noI -noD -noF -noX), with one or two fields changed.  OUTDIR/NAME is the
fuzz_image input (a 0 byte, then the SquashFS payload); with RUNTIME (a packed
bento file or a bento runtime), OUTDIR/NAME.AppImage is also written: the
runtime's ELF part followed by the payload, ready to run or to give to
`bento info` / `--appimage-extract`.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

SB = struct.Struct("<IIIIIHHHHHHQQQQQQQQ")  # the 96-byte superblock


class Image:
    """An uncompressed SquashFS image: inodes, directories and their positions
    in the file, so that fields can be changed in place."""

    def __init__(self, data):
        self.b = bytearray(data)
        f = SB.unpack_from(self.b, 0)
        (self.magic, self.inodes, _, self.block_size, self.fragments, self.comp, _, self.flags,
         self.no_ids, _, _, self.root, self.bytes_used, self.id_table, self.xattr_table,
         self.inode_table, self.dir_table, self.frag_table, self.lookup_table) = f
        assert self.magic == 0x73717368

    # Metadata: a reference is (block offset from the table start) << 16 | offset.
    def md_pos(self, table, ref):
        block, off = ref >> 16, ref & 0xFFFF
        pos = table + block
        while True:
            hdr, = struct.unpack_from("<H", self.b, pos)
            assert hdr & 0x8000, "metadata must be uncompressed"
            size = hdr & 0x7FFF
            if off < size:
                return pos + 2 + off
            off -= size
            pos += 2 + size

    def md_bytes(self, table, ref, n):
        """n bytes of metadata from ref on, across blocks: (bytes, [file positions])."""
        block, off = ref >> 16, ref & 0xFFFF
        pos = table + block
        out, where = bytearray(), []
        while len(out) < n:
            hdr, = struct.unpack_from("<H", self.b, pos)
            size = hdr & 0x7FFF
            while off < size and len(out) < n:
                out.append(self.b[pos + 2 + off])
                where.append(pos + 2 + off)
                off += 1
            pos += 2 + size
            off = 0
        return bytes(out), where

    def inode(self, ref):
        raw, where = self.md_bytes(self.inode_table, ref, 64)
        itype, mode = struct.unpack_from("<HH", raw, 0)
        return itype, raw, where

    def listing(self, dir_ref):
        """[(name, type, entry positions, header positions, inode ref)] of a directory."""
        itype, raw, _ = self.inode(dir_ref)
        if itype == 1:
            start, _, size, off, _ = struct.unpack_from("<IIHHI", raw, 16)
        elif itype == 8:
            _, size, start, _, _, off, _ = struct.unpack_from("<IIIIHHI", raw, 16)
        else:
            raise ValueError("not a directory")
        data, where = self.md_bytes(self.dir_table, start << 16 | off, size - 3)
        entries, i = [], 0
        while i < len(data):
            count, hstart, _ = struct.unpack_from("<III", data, i)
            hdr_where = where[i:i + 12]
            i += 12
            for _ in range(count + 1):
                eoff, _, etype, esize = struct.unpack_from("<HhHH", data, i)
                name = data[i + 8:i + 9 + esize].decode()
                entries.append((name, etype, where[i:i + 8], hdr_where, hstart << 16 | eoff))
                i += 9 + esize
        return entries

    def lookup(self, path):
        ref = self.root
        for part in path.split("/"):
            ref = next(e[4] for e in self.listing(ref) if e[0] == part)
        return ref

    def put(self, where, fmt, *values):
        """Writes values (struct format fmt) over the metadata bytes at where."""
        raw = struct.pack(fmt, *values)
        for p, byte in zip(where, raw):
            self.b[p] = byte


def mksquashfs(src, *extra):
    out = src + ".sqfs"
    subprocess.run(["mksquashfs", src, out, "-noappend", "-quiet", "-no-progress", "-nopad",
                    "-all-root", "-noI", "-noD", "-noF", "-noX", *extra],
                   check=True, stdout=subprocess.DEVNULL)
    return Image(open(out, "rb").read())


METADATA = b"[Application]\nname=org.example.Repro\ncommand=AppRun\n"


def app_tree(root, extra=None):
    os.makedirs(root + "/.bento")
    os.makedirs(root + "/usr/bin")
    with open(root + "/AppRun", "w") as f:
        # What an app may do to its own files through the FUSE mount.
        f.write("#!/bin/sh\n"
                "d=$(dirname \"$0\")\n"
                "ls -la \"$d\" \"$d/usr/bin\" >/dev/null\n"
                "getfattr -n user.a \"$d/usr/bin/data\" 2>/dev/null\n"
                "od -An -c \"$d/usr/bin/data\" | tail -n 4\n"
                "echo reproducer app ran\n")
    os.chmod(root + "/AppRun", 0o755)
    with open(root + "/repro.desktop", "w") as f:
        f.write("[Desktop Entry]\nType=Application\nName=Repro\nExec=AppRun\nIcon=repro\n")
    with open(root + "/.bento/metadata", "wb") as f:
        f.write(METADATA)
    with open(root + "/usr/bin/data", "wb") as f:
        f.write(bytes(range(256)) * 20)
    if extra:
        extra(root)


def main():
    outdir = sys.argv[1]
    runtime = None
    if len(sys.argv) > 2:
        rt = open(sys.argv[2], "rb").read()
        shoff, = struct.unpack_from("<Q", rt, 40)
        shentsize, shnum = struct.unpack_from("<HH", rt, 58)
        end = shoff + shnum * shentsize
        for i in range(shnum):
            typ, = struct.unpack_from("<I", rt, shoff + i * 64 + 4)
            off, size = struct.unpack_from("<QQ", rt, shoff + i * 64 + 24)
            if typ != 8:
                end = max(end, off + size)
        runtime = rt[:end]
    os.makedirs(outdir, exist_ok=True)
    tmp = tempfile.mkdtemp()
    made = []

    def emit(name, img):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(b"\0" + bytes(img.b))
        if runtime:
            p = os.path.join(outdir, name + ".AppImage")
            with open(p, "wb") as f:
                f.write(runtime + bytes(img.b))
            os.chmod(p, 0o755)
        made.append(name)

    def fresh(name, extra=None, *opts):
        d = os.path.join(tmp, name)
        app_tree(d, extra)
        return mksquashfs(d, *opts)

    # 1. getxattr of a short name on a file whose attribute of the same
    #    prefix has a longer name: sqfs_xattr_find() copies the stored name
    #    into a malloc(strlen(asked)) buffer.  The image is valid as made.
    def long_xattr(root):
        os.setxattr(root + "/usr/bin/data", "user." + "A" * 250, b"x")
    emit("xattr-find-heap-overflow", fresh("xa", long_xattr, "-xattrs"))

    # 2. A directory entry whose name claims 65536 bytes: sqfs_dir_next()
    #    copies the name into the caller's 257-byte sqfs_name (on the stack in
    #    extract.c, serve.c, info.c and inside sqfs_lookup_path()): the rest
    #    of the 8 KiB metadata block, hence the many other entries.
    def many(root):
        for i in range(300):
            open(root + "/entry-with-a-fairly-long-name-%04d" % i, "w").close()
    img = fresh("dn", many)
    for name, _, ew, _, _ in img.listing(img.root):
        if name == ".bento":
            img.put(ew[6:8], "<H", 0xFFFF)
    emit("dirent-name-stack-overflow", img)

    # 3. The same through a directory index: the root holds enough entries to
    #    get one, and its first index entry claims a 4 GiB name;
    #    sqfs_dir_lookup() (so sqfs_lookup_path(".bento/metadata") at every
    #    launch) copies it into a 257-byte stack buffer.
    img = fresh("di", many)
    itype, raw, where = img.inode(img.root)
    assert itype == 8, "the root should have a directory index"
    img.put(where[40 + 8:40 + 12], "<I", 0xFFFFFFF0)  # first index entry's size
    emit("dirindex-name-stack-overflow", img)

    # 4. The root inode reference points 0xFFF0 bytes into its metadata block,
    #    past its end: sqfs_md_read() computes block->size - offset, which
    #    wraps, and copies from beyond the 8 KiB block (heap over-read).
    img = fresh("md")
    root = (img.root & ~0xFFFF) | 0xFFF0
    struct.pack_into("<Q", img.b, 32, root)
    emit("inode-offset-heap-overread", img)

    # 5. A file's data at image offset 0: the data cache is keyed by offset
    #    and 0 marks an empty slot, so sqfs_cache_get() returns an unfilled
    #    entry and sqfs_read_range() dereferences its NULL block (after other
    #    reads: a freed one).  Here .bento/metadata, read at every launch.
    img = fresh("c0", None, "-no-fragments")
    _, raw, where = img.inode(img.lookup(".bento/metadata"))
    img.put(where[16:20], "<I", 0)  # reg inode start_block
    emit("cache-key0-null-block", img)

    # 6. A fragment index far beyond the fragment table: sqfs_table_get()
    #    indexes table->blocks[] with it (wild read, SEGV).
    img = fresh("fi")
    _, raw, where = img.inode(img.lookup(".bento/metadata"))
    img.put(where[20:24], "<I", 0x7FFFFFFF)
    emit("fragment-index-wild-read", img)

    # 7. A fragment offset past the end of the fragment block: sqfs_read_range()
    #    copies file_size % block_size bytes from block + offset (heap
    #    over-read: the app reads the FUSE server's heap).  A small overshoot
    #    for a quiet leak, a large one for a crash.
    for label, off in (("leak", 4096 - 16), ("crash", 0x7FFFFF00)):
        img = fresh("fo-" + label, None, "-b", "4096", "-always-use-fragments")
        _, raw, where = img.inode(img.lookup("usr/bin/data"))
        _, frag, foff, fsize = struct.unpack_from("<IIII", raw, 16)
        assert frag != 0xFFFFFFFF
        img.put(where[24:28], "<I", off)
        emit("fragment-offset-heap-overread-" + label, img)

    # 8. A symlink that claims to be 4 GiB long: serve.c op_readlink() and
    #    extract.c write_symlink() xcalloc(symlink_size + 2).
    img = fresh("sl")
    _, raw, where = img.inode(img.lookup("AppRun"))
    assert struct.unpack_from("<H", raw, 0)[0] == 2
    d = os.path.join(tmp, "sl2")
    app_tree(d)
    os.remove(d + "/AppRun")
    os.symlink("usr/bin/data", d + "/AppRun")
    img = mksquashfs(d)
    _, raw, where = img.inode(img.lookup("AppRun"))
    assert struct.unpack_from("<H", raw, 0)[0] == 3
    img.put(where[20:24], "<I", 0xFFFFFFFF)
    emit("symlink-size-4GiB", img)

    # 9. A chain of 40 directories, each holding "x" (the next one) and "y",
    #    made to be the same directory as "x": no cycle, nothing deeper than
    #    40, but 2^40 paths.  bento_extract() walks (and creates) every one of
    #    them: --appimage-extract, `bento extract` and the extract strategy
    #    never finish and fill the disk with directories.  A cycle, by
    #    contrast, is stopped by MAX_DEPTH.
    def chain(root):
        d = root
        for _ in range(40):
            os.mkdir(d + "/y")
            d += "/x"
            os.mkdir(d)
    img = fresh("dag", chain)
    ref = img.root
    for _ in range(40):
        entries = {e[0]: e for e in img.listing(ref)}
        x, y = entries["x"], entries["y"]
        assert x[4] >> 16 == y[4] >> 16, "x and y must share an inode block"
        hdr_y = bytes(img.b[p] for p in y[3])
        assert struct.unpack_from("<I", hdr_y, 4)[0] == x[4] >> 16
        img.put(y[2][0:2], "<H", x[4] & 0xFFFF)
        ref = x[4]
    emit("extract-exponential-tree", img)

    shutil.rmtree(tmp)
    print("\n".join(made))


if __name__ == "__main__":
    main()
