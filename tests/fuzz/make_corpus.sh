#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerates the seed corpora in tests/fuzz/corpus/ (run as root or as a user
# that may set user.* extended attributes in $TMPDIR).
#
#   tests/fuzz/make_corpus.sh BUILDDIR     (a meson build dir with bento-builder)
#
# corpus/image/*: one mode byte (see fuzz_image.c), then
#   0x00 + a SquashFS payload: images made by `bento-builder pack` (the
#        payload after the runtime) and by mksquashfs (gzip, xz, lz4, zstd,
#        uncompressed; xattrs, symlinks, hard links, empty files, devices and
#        fifos, a deep tree, a directory large enough for a directory index,
#        fragment-packed small files, a sparse file large enough for the block
#        index, long names);
#   0x01 + a whole file: the synthetic runtime ELF of fuzz_image.c plus a
#        payload, and broken ELF headers.
# corpus/keyfile/*: metadata, override and desktop files as bento reads them
# (the seeds of fuzz_keyfile and fuzz_metadata).
# corpus/elf/*: small ELF files as a build leaves them (the seeds of fuzz_elf).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: make_corpus.sh BUILDDIR}
builder=$build/builder/bento-builder
out=$here/corpus
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bento-corpus-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=0

rm -rf "$out/image" "$out/keyfile"
mkdir -p "$out/image" "$out/keyfile"

# seed NAME FILE: 0x00 + FILE
seed() {
	{ printf '\000'; cat "$2"; } >"$out/image/$1"
}

# The payload of a packed file: what follows the runtime's ELF part, without
# the padding after the image.
payload() {
	info=$("$build/runtime/cli/bento" info "$1")
	off=$(echo "$info" | sed -n 's/^Offset: //p')
	used=$(echo "$info" | sed -n 's/^Payload size: //p')
	tail -c +$((off + 1)) "$1" | head -c "$used"
}

# ---- an AppDir with what bento reads and what a hostile image might hold ----
app=$tmp/app.AppDir
mkdir -p "$app/usr/bin" "$app/usr/share/doc" "$app/.bento" "$app/usr/lib/deep"
printf '#!/bin/sh\necho hello\n' >"$app/usr/bin/hello"
chmod 755 "$app/usr/bin/hello"
ln -s usr/bin/hello "$app/AppRun"
cat >"$app/hello.desktop" <<'EOF'
[Desktop Entry]
Type=Application
Name=Hello
Exec=hello
Icon=hello
Categories=Utility;
EOF
printf '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n' >"$app/hello.svg"
cat >"$app/.bento/metadata" <<'EOF'
[Application]
name=org.example.Hello
command=usr/bin/hello

[Context]
shared=network;ipc
sockets=x11;wayland
filesystems=xdg-download:ro;~/Music

[Session Bus Policy]
org.freedesktop.Notifications=talk

[Environment]
LANG=C.UTF-8
EOF
: >"$app/usr/share/doc/empty"
printf 'x' >"$app/usr/share/doc/one"
ln "$app/usr/share/doc/one" "$app/usr/share/doc/hardlink"
ln -s ../../bin/hello "$app/usr/share/doc/rel-link"
ln -s /etc/passwd "$app/usr/share/doc/abs-link"
ln -s dangling "$app/usr/share/doc/dangling"
d=$app/usr/lib/deep
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do d=$d/d$i; done
mkdir -p "$d" && printf 'bottom\n' >"$d/f"
seq 1 2000 | awk '{print $1 * 7919 % 10007}' >"$app/usr/lib/text" # > 1 block at 4K

for c in zstd gzip xz lz4; do
	"$builder" pack --compression "$c" --block-size 4K "$app" -o "$tmp/app-$c.AppImage" >/dev/null
	payload "$tmp/app-$c.AppImage" >"$tmp/p"
	seed "bento-$c" "$tmp/p"
done
"$builder" pack "$app" -o "$tmp/app-default.AppImage" >/dev/null
payload "$tmp/app-default.AppImage" >"$tmp/p"
seed "bento-default" "$tmp/p"

# ---- mksquashfs trees ----
tree=$tmp/tree
mkdir -p "$tree/dir/sub" "$tree/many" "$tree/.bento"
cp "$app/.bento/metadata" "$tree/.bento/metadata"
cp "$app/hello.desktop" "$tree/"
printf 'hello\n' >"$tree/dir/file"
: >"$tree/dir/empty"
ln "$tree/dir/file" "$tree/dir/hard"
ln -s file "$tree/dir/link"
ln -s "$(printf '%0200d' 0)" "$tree/dir/longlink"
touch "$tree/dir/$(printf 'n%.0s' $(seq 1 255))"
for i in $(seq 1 40); do printf 'small %d\n' "$i" >"$tree/many/f$i"; done
setfattr -n user.short -v v "$tree/dir/file"
setfattr -n user.a-much-longer-attribute-name -v value "$tree/dir/file"
setfattr -n trusted.x -v t "$tree/dir/file" 2>/dev/null || true
setfattr -n user.big -v "$(printf '%0300d' 0)" "$tree/dir/sub" 2>/dev/null || true
setfattr -n user.same -v same "$tree/dir/empty"
setfattr -n user.same -v same "$tree/many/f1" # a shared (out-of-line) value
cat >"$tmp/pseudo" <<'EOF'
dir/chr c 644 0 0 1 3
dir/blk b 644 0 0 7 0
dir/fifo i 644 0 0 f
dir/sock i 644 0 0 s
EOF
for c in gzip xz lz4 zstd; do
	mksquashfs "$tree" "$tmp/t.sqfs" -comp "$c" -b 4096 -xattrs -all-root -noappend \
		-pf "$tmp/pseudo" -nopad -quiet -no-progress >/dev/null
	seed "mksquashfs-$c" "$tmp/t.sqfs"
done
# Uncompressed: the structures lie open, so mutations reach them directly.
mksquashfs "$tree" "$tmp/t.sqfs" -noI -noD -noF -noX -b 4096 -xattrs -all-root -noappend \
	-pf "$tmp/pseudo" -nopad -quiet -no-progress >/dev/null
seed "mksquashfs-uncompressed" "$tmp/t.sqfs"
mksquashfs "$tree" "$tmp/t.sqfs" -noI -noD -noF -noX -b 4096 -no-xattrs -all-root -noappend \
	-no-fragments -nopad -quiet -no-progress >/dev/null
seed "mksquashfs-uncompressed-nofrag" "$tmp/t.sqfs"

# Fragment-packed small files, uncompressed, with an export table.
small=$tmp/small
mkdir -p "$small"
for i in $(seq 1 60); do printf '%*d\n' "$((i * 7))" "$i" >"$small/s$i"; done
mksquashfs "$small" "$tmp/t.sqfs" -noI -noD -noF -b 4096 -always-use-fragments -exports \
	-all-root -noappend -nopad -quiet -no-progress >/dev/null
seed "mksquashfs-fragments" "$tmp/t.sqfs"

# A directory with enough entries for a directory index (> 8 KiB of entries).
big=$tmp/bigdir
mkdir -p "$big/d"
for i in $(seq 1 200); do : >"$big/d/$(printf 'entry-with-a-fairly-long-name-%04d' "$i")"; done
mksquashfs "$big" "$tmp/t.sqfs" -noI -b 4096 -all-root -noappend -nopad -quiet -no-progress >/dev/null
seed "mksquashfs-dirindex" "$tmp/t.sqfs"

# A deep tree.
deep=$tmp/deep
d=$deep
for i in $(seq 1 35); do d=$d/$i; done
mkdir -p "$d" && : >"$d/leaf"
mksquashfs "$deep" "$tmp/t.sqfs" -noI -all-root -noappend -nopad -quiet -no-progress >/dev/null
seed "mksquashfs-deep" "$tmp/t.sqfs"

# A sparse file of 12 MiB at 4 KiB blocks: 3072 block sizes, more than one
# metadata block of them, so reads in the middle go through the block index.
sparse=$tmp/sparse
mkdir -p "$sparse"
truncate -s 12M "$sparse/holes"
printf 'tail' >>"$sparse/holes"
mksquashfs "$sparse" "$tmp/t.sqfs" -noI -b 4096 -all-root -noappend -nopad -quiet -no-progress >/dev/null
seed "mksquashfs-sparse" "$tmp/t.sqfs"

# ---- whole files (mode 1): the synthetic runtime ELF + a payload ----
python3 - "$out/image" "$tmp" <<'EOF'
import struct, sys
outdir, tmp = sys.argv[1], sys.argv[2]
def elf():
    names = b"\0.shstrtab\0.upd_info\0.sha256_sig\0"
    upd = b"zsync|https://example.org/x.zs".ljust(32, b"\0")
    p = bytearray(192 + 4 * 64)
    p[0:4] = b"\x7fELF"; p[4] = 2; p[5] = 1; p[6] = 1; p[8:11] = b"AI\x02"
    struct.pack_into("<HHI", p, 16, 2, 62, 1)
    struct.pack_into("<Q", p, 40, 192)
    struct.pack_into("<H", p, 52, 64)
    struct.pack_into("<HHH", p, 58, 64, 4, 1)
    p[64:64 + len(names)] = names
    p[128:160] = upd
    def sh(i, name, typ, off, size):
        struct.pack_into("<II", p, 192 + 64 * i, name, typ)
        struct.pack_into("<QQ", p, 192 + 64 * i + 24, off, size)
    sh(1, 1, 3, 64, len(names)); sh(2, 11, 1, 128, 32); sh(3, 21, 1, 160, 32)
    return bytes(p)
payload = open(tmp + "/p", "rb").read()  # bento-default
e = elf()
open(outdir + "/whole-synthetic", "wb").write(b"\x01" + e + payload)
bad = bytearray(e); struct.pack_into("<H", bad, 60, 0)  # no section headers
open(outdir + "/whole-no-sections", "wb").write(b"\x01" + bytes(bad) + payload)
bad = bytearray(e); struct.pack_into("<Q", bad, 192 + 64 * 2 + 32, 1 << 40)  # huge section
open(outdir + "/whole-huge-section", "wb").write(b"\x01" + bytes(bad) + payload)
bad = bytearray(e); bad[8:11] = b"AI\x01"  # type 1 magic
open(outdir + "/whole-type1", "wb").write(b"\x01" + bytes(bad) + payload)
open(outdir + "/whole-elf-only", "wb").write(b"\x01" + e)
EOF

# ---- key files ----
cp "$app/.bento/metadata" "$out/keyfile/metadata"
cp "$app/hello.desktop" "$out/keyfile/desktop"
printf '[A]\r\nk = v \r\n\n# c\n[B]\nk=\n=v\n' >"$out/keyfile/crlf-and-errors"
printf '[Desktop Entry]\nName[de]=Hallo\nName=Hello\nExec=a "b c" %%U\n[X-Other]\nName=x' \
	>"$out/keyfile/no-final-newline"
printf 'k=v\n' >"$out/keyfile/outside-group"
printf '[]\n' >"$out/keyfile/empty-group"
# every key, value kind and escape of bento-metadata(5), and an override
cat >"$out/keyfile/metadata-full" <<'EOF'
[Application]
name=org.example.Full
command=usr/bin/full
[Context]
shared=network;!ipc;
sockets=x11;wayland;fallback-x11;pulseaudio;session-bus;system-bus;ssh-auth;cups;pcsc;
devices=dri;kvm;input;shm;!all;
features=devel;multiarch;
filesystems=home;!host;host-os:ro;host-etc;xdg-download/a\;b:create;xdg-run/pipewire-0;~/x:ro;/srv/data:rw;
persistent=.full;\sspaced;
unset-environment=DEBUG;
[Session Bus Policy]
org.example.Full.*=own
org.freedesktop.Notifications=talk
org.a.b=see
org.a.c=none
[System Bus Policy]
org.freedesktop.UPower=talk
[Environment]
A=\s x\ty\n\\;z\s
[X-Unknown]
k=v
EOF
printf '[Context]\nshared=!network;\nfilesystems=!home;~/Scans:ro;\n' >"$out/keyfile/override"
printf -- '--share=network --nofilesystem=host --filesystem=~/a:ro --env=A=b' \
	>"$out/keyfile/permission-words"

# corpus/elf/*: small ELF files of the kinds a build leaves in /app (the seeds
# of fuzz_elf): a library with a SONAME and a DT_RPATH, executables needing
# it through a DT_RUNPATH ($ORIGIN, /app and a host directory) or a DT_RPATH.
rm -rf "$out/elf"
mkdir -p "$out/elf"
printf 'int foo(void) { return 0; }\n' >"$tmp/f.c"
printf 'int foo(void); int main(void) { return foo(); }\n' >"$tmp/m.c"
cc -shared -fPIC -Os -Wl,-soname,libfuzz.so.1 -Wl,--disable-new-dtags,-rpath,'$ORIGIN' \
	-o "$out/elf/lib-rpath" "$tmp/f.c"
cc -Os -o "$out/elf/exe-runpath" "$tmp/m.c" "$out/elf/lib-rpath" \
	-Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib:/app/lib:/host/dir'
cc -Os -o "$out/elf/exe-rpath" "$tmp/m.c" "$out/elf/lib-rpath" \
	-Wl,--disable-new-dtags,-rpath,'${ORIGIN}/../lib'
strip -s "$out/elf/lib-rpath" "$out/elf/exe-runpath" "$out/elf/exe-rpath"

du -sh "$out/image" "$out/keyfile" "$out/elf"

