#!/bin/bash
# SPDX-License-Identifier: MIT
# Checks `bento-builder bundle`: the libraries a program needs are copied into
# the AppDir (transitively), those on the exclude list are not, $ORIGIN
# RPATHs are honoured, RUNPATHs make the copies found (the program runs with
# the host's copies made unusable), the output is reproducible, a missing
# library is named, and hostile ELF files get a clear message.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BUILDER
command -v gcc >/dev/null && command -v patchelf >/dev/null && command -v readelf >/dev/null || {
	fail "setup: gcc, patchelf and readelf (binutils) are needed"
	finish
}
MA=$(gcc -print-multiarch)
HOSTLIB=/usr/lib/$MA

# ---------------------------------------------------------------- the app

# A program that needs libzstd (not excluded), libelf (not excluded, needs
# libz: a transitive dependency) and libm and libc (excluded); a private
# library found through an $ORIGIN RPATH, itself needing libzstd.
mkdir -p src A/bin A/private A/share
cat >src/prog.c <<'EOF'
#include <gelf.h>
#include <math.h>
#include <stdio.h>
#include <zstd.h>
int main(int argc, char **argv)
{
	(void)argv;
	printf("zstd %s, libelf %u, sqrt %.1f\n", ZSTD_versionString(), elf_version(EV_CURRENT),
	       sqrt(4.0 * argc));
	return 0;
}
EOF
cat >src/priv.c <<'EOF'
#include <zstd.h>
unsigned priv_version(void) { return ZSTD_versionNumber(); }
EOF
cat >src/prog2.c <<'EOF'
#include <stdio.h>
unsigned priv_version(void);
int main(void) { printf("priv %u\n", priv_version()); return 0; }
EOF
cat >src/gone.c <<'EOF'
int gone(void) { return 1; }
EOF
cat >src/prog3.c <<'EOF'
int gone(void);
int main(void) { return gone(); }
EOF
gcc -O1 -o A/bin/prog src/prog.c -lzstd -lelf -lm &&
	gcc -O1 -shared -fPIC -Wl,-soname,libpriv.so.1 -o A/private/libpriv.so.1 src/priv.c -lzstd &&
	gcc -O1 -o A/bin/prog2 src/prog2.c -LA/private -l:libpriv.so.1 -Wl,-rpath,'$ORIGIN/../private' &&
	gcc -O1 -static -o A/bin/static src/prog3.c src/gone.c &&
	gcc -O1 -c -o A/share/object.o src/gone.c
ok "test programs built" || finish
printf '#!/bin/sh\necho script\n' >A/bin/script
chmod 0755 A/bin/script
echo 'not an ELF file' >A/share/data.txt
ln -s prog A/bin/prog-link
cp -a A ORIG
chown -R "$TEST_UID:$TEST_GID" "$TEST_DIR"

# The mode of the real file behind a host library.
host_mode() { stat -c %a "$(readlink -f "$HOSTLIB/$1")"; }
runpath() { readelf -d "$1" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]$/\1/p'; }

# ---------------------------------------------------------------- bundling

urun "$BUILDER" bundle A
[ "$RC" = 0 ]
verdict "bundle: the AppDir is bundled"

# same_code FILE HOST_FILE: the same machine code (.text) — all that is left
# of "the same bytes" once patchelf has set a RUNPATH (libelf's, below)
same_code() {
	objcopy -O binary -j .text "$1" "$TEST_DIR/code.copy" &&
		objcopy -O binary -j .text "$2" "$TEST_DIR/code.host" &&
		cmp -s "$TEST_DIR/code.copy" "$TEST_DIR/code.host"
}
for l in libzstd.so.1 libelf.so.1 libz.so.1; do
	same="cmp -s"
	[ $l = libelf.so.1 ] && same=same_code
	[ -f "A/lib/$l" ] && [ ! -L "A/lib/$l" ] && $same "A/lib/$l" "$HOSTLIB/$l" &&
		[ "$(stat -c %a "A/lib/$l")" = "$(host_mode "$l")" ]
	ok "bundle: lib/$l is a copy of the host's real file, same mode" "$(ls -l A/lib)"
done
[ ! -e A/lib/libm.so.6 ] && [ ! -e A/lib/libc.so.6 ] && [ ! -e A/lib/ld-linux-x86-64.so.2 ]
ok "bundle: excluded libraries (libm, libc, ld.so) are not copied" "$(ls A/lib)"
[ "$(ls A/lib | wc -l)" = 3 ]
ok "bundle: nothing else is copied (the \$ORIGIN library stays where it is)" "$(ls -la A/lib)"
[ "$(runpath A/bin/prog)" = '$ORIGIN/../lib' ]
ok "bundle: bin/prog gets RUNPATH \$ORIGIN/../lib" "$(readelf -d A/bin/prog)"
[ "$(runpath A/private/libpriv.so.1)" = '$ORIGIN/../lib' ]
ok "bundle: the private library gets a RUNPATH to its own needs" "$(readelf -d A/private/libpriv.so.1)"
[ "$(runpath A/lib/libelf.so.1)" = '$ORIGIN' ]
ok "bundle: a copied library that needs another gets RUNPATH \$ORIGIN" "$(readelf -d A/lib/libelf.so.1)"
# (gcc writes -rpath as a DT_RUNPATH here: --enable-new-dtags is Debian's default)
cmp -s A/bin/prog2 ORIG/bin/prog2 && [ "$(runpath A/bin/prog2)" = '$ORIGIN/../private' ]
ok "bundle: an \$ORIGIN RPATH that finds everything is left alone" "$(readelf -d A/bin/prog2)"
cmp -s A/bin/static ORIG/bin/static && cmp -s A/bin/script ORIG/bin/script &&
	cmp -s A/share/object.o ORIG/share/object.o
ok "bundle: static programs, scripts and object files are left alone"
grep -q '^bundled lib/libzstd.so.1 (from ' "$OUT_FILE" && grep -q '^checked .* every library is found' "$OUT_FILE"
ok "bundle: it says what it copied and that the check passed" "$OUT"

# ---------------------------------------------------------------- running

# The host's own copies of the bundled libraries made unusable (an empty
# file bound over each) in a private mount namespace: the bundled program
# must still run, the unbundled one must not.
hidden_run() {
	local binds="" l
	for l in libzstd.so.1 libelf.so.1 libz.so.1; do
		binds+="mount --bind /dev/null $(readlink -f "$HOSTLIB/$l") && "
	done
	unshare -m --propagation private sh -c "$binds exec \"\$@\"" sh "$@"
}
out=$(hidden_run A/bin/prog 2>&1)
[ "$out" = "zstd $(pkg-config --modversion libzstd), libelf 1, sqrt 2.0" ]
ok "run: the bundled program runs with the host's libraries hidden" "$out"
out=$(hidden_run A/bin/prog2 2>&1)
[[ $out == "priv "[0-9]* ]]
ok "run: so does the one with the \$ORIGIN private library" "$out"
out=$(hidden_run ORIG/bin/prog 2>&1)
[ $? -ne 0 ]
ok "run: the unbundled program fails there (the hiding works)" "$out"

# ---------------------------------------------------------------- reproducible

cp -a ORIG B
chown -R "$TEST_UID:$TEST_GID" B
urun "$BUILDER" bundle -q B
[ "$RC" = 0 ] && [ -z "$OUT" ] && diff -r A B >/dev/null &&
	[ "$(cd A && find . -printf '%P %y %m %s %l\n' | sort)" = "$(cd B && find . -printf '%P %y %m %s %l\n' | sort)" ]
verdict "reproducible: two bundles of one AppDir are identical (bytes, modes, links)"
sums=$(cd A && find . -type f -exec sha256sum {} + | sort)
urun "$BUILDER" bundle A
[ "$RC" = 0 ] && ! grep -q '^bundled' "$OUT_FILE" && [ "$sums" = "$(cd A && find . -type f -exec sha256sum {} + | sort)" ]
verdict "reproducible: bundling a bundled AppDir changes nothing"

# A file with another name outside the AppDir: patchelf must not change that one.
cp -a ORIG L
cp ORIG/bin/prog outside-prog
ln -f outside-prog L/bin/prog
chown -R "$TEST_UID:$TEST_GID" L outside-prog
urun "$BUILDER" bundle -q L
[ "$RC" = 0 ] && cmp -s outside-prog ORIG/bin/prog && [ "$(stat -c %h outside-prog)" = 1 ] &&
	[ "$(runpath L/bin/prog)" = '$ORIGIN/../lib' ]
verdict "hard link: the file is copied before its RUNPATH is set, the other name is untouched"

# ---------------------------------------------------------------- checks

urun "$BUILDER" bundle --check A
[ "$RC" = 0 ]
verdict "check: a bundled AppDir passes"
cp -a ORIG C
chown -R "$TEST_UID:$TEST_GID" C
urun "$BUILDER" bundle --check C
[ "$RC" = 1 ] && grep -q 'bin/prog needs libzstd.so.1' "$ERR_FILE" &&
	grep -q 'private/libpriv.so.1 needs libzstd.so.1' "$ERR_FILE" && [ ! -e C/lib ]
verdict "check: an unbundled AppDir fails, naming each file and library" 1
# A RUNPATH removed after bundling: the check notices.
cp -a A D
patchelf --remove-rpath D/bin/prog
urun "$BUILDER" bundle --check D
[ "$RC" = 1 ] && grep -q 'bin/prog needs libelf.so.1' "$ERR_FILE" && ! grep -q 'libm' "$ERR_FILE"
verdict "check: a library in the AppDir but not on the RUNPATH is not found" 1

# ---------------------------------------------------------------- missing

cp -a ORIG E
gcc -O1 -shared -fPIC -Wl,-soname,libgone.so.1 -o src/libgone.so.1 src/gone.c &&
	gcc -O1 -o E/bin/prog3 src/prog3.c src/libgone.so.1 && rm src/libgone.so.1
chown -R "$TEST_UID:$TEST_GID" E
urun "$BUILDER" bundle E
[ "$RC" = 1 ] && grep -q 'E: 1 library cannot be found' "$ERR_FILE" &&
	grep -q 'bin/prog3 needs libgone.so.1' "$ERR_FILE" && [ ! -e E/lib ] &&
	cmp -s E/bin/prog ORIG/bin/prog
verdict "missing: the library is named, nothing is copied or changed" 1

# ---------------------------------------------------------------- the loader's check

# bento_bundle_check_in_sandbox, with bwrap standing in for the builder's sandbox
# (the AppDir at /app, the host's /usr): the dynamic loader itself resolves.
LC=$BUILD_DIR/tests/loadercheck
if [ -x "$LC" ] && command -v bwrap >/dev/null; then
	out=$("$LC" A 2>&1)
	ok "loader check: the bundled AppDir passes" "$out"
	out=$("$LC" E 2>&1)
	[ $? = 1 ] && [[ $out == *"E: 1 library cannot be found by the dynamic loader in the sandbox:"* ]] &&
		[[ $out == *"bin/prog3 needs libgone.so.1"* ]]
	ok "loader check: a missing library is named" "$out"
else
	fail "loader check: tests/loadercheck (or bwrap) is missing"
fi

# ---------------------------------------------------------------- exclude list

urun "$BUILDER" bundle --print-exclude-list
[ "$RC" = 0 ] && grep -qx 'libc.so.6' "$OUT_FILE" && grep -qx 'libGL.so.1' "$OUT_FILE" &&
	grep -qx 'libxcb.so.1' "$OUT_FILE" && ! grep -q 'libzstd' "$OUT_FILE"
verdict "exclude list: the built-in list is printed"
cp -a ORIG F
{ cat "$OUT_FILE"; printf '# mine\n  libzstd.so.*  \n'; } >list.txt
chown -R "$TEST_UID:$TEST_GID" F list.txt
urun "$BUILDER" bundle --exclude-list list.txt F
[ "$RC" = 0 ] && [ ! -e F/lib/libzstd.so.1 ] && [ -f F/lib/libelf.so.1 ]
verdict "exclude list: a pattern of --exclude-list keeps libzstd out"

# ---------------------------------------------------------------- hostile ELF

# Patches a 64-bit little-endian ELF file in place: PROGRAM_HEADER_FIELD or
# DYNAMIC_TAG value.
elf_patch() { # FILE (phdr TYPE FIELD_OFFSET | dyn TAG) VALUE
	python3 - "$@" <<'EOF'
import struct, sys
path, kind = sys.argv[1], sys.argv[2]
data = bytearray(open(path, 'rb').read())
phoff, = struct.unpack_from('<Q', data, 32)
phentsize, phnum = struct.unpack_from('<HH', data, 54)
for i in range(phnum):
    off = phoff + i * phentsize
    p_type, = struct.unpack_from('<I', data, off)
    if p_type != 2:  # PT_DYNAMIC
        continue
    if kind == 'phdr':
        struct.pack_into('<Q', data, off + int(sys.argv[3]), int(sys.argv[4], 0))
    else:
        dyn, = struct.unpack_from('<Q', data, off + 8)
        tag = int(sys.argv[3])
        while True:
            t, v = struct.unpack_from('<qQ', data, dyn)
            if t == 0:
                sys.exit('tag not found')
            if t == tag:
                struct.pack_into('<Q', data, dyn + 8, int(sys.argv[4], 0))
                break
            dyn += 16
open(path, 'wb').write(data)
EOF
}

hostile() { # NAME EXPECTED_MESSAGE SETUP...
	local name=$1 msg=$2 d=$TEST_DIR/H
	shift 2
	rm -rf "$d"
	mkdir -p "$d/bin"
	"$@" "$d/bin/bad" || { fail "hostile ELF: $name (setup)"; return; }
	chown -R "$TEST_UID:$TEST_GID" "$d"
	urun "$BB" bundle "$d"
	[ "$RC" = 1 ] && grep -qF "H: bin/bad: malformed ELF file: $msg" "$ERR_FILE" && [ ! -e "$d/lib" ]
	verdict "hostile ELF ($BBNAME): $name" 1
}
truncated() { head -c 300 ORIG/bin/prog >"$1"; }
truncated_header() { head -c 40 ORIG/bin/prog >"$1"; }
dyn_beyond() { cp ORIG/bin/prog "$1" && elf_patch "$1" phdr 8 0x7fffffff00; }
dyn_huge() { cp ORIG/bin/prog "$1" && elf_patch "$1" phdr 32 0x7fffffffffff; }
strtab_outside() { cp ORIG/bin/prog "$1" && elf_patch "$1" dyn 5 0xdeadbeef000; }
strsz_huge() { cp ORIG/bin/prog "$1" && elf_patch "$1" dyn 10 0xffffffffffffff; }
needed_outside() { cp ORIG/bin/prog "$1" && elf_patch "$1" dyn 1 0x7fffffff; }
# Noise (reproducible) over a real program from byte FROM on.
noise() { # SEED FROM FILE
	python3 - "$@" <<'EOF'
import random, sys
seed, start, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
data = bytearray(open('ORIG/bin/prog', 'rb').read())
random.seed(seed)
data[start:] = random.randbytes(len(data) - start)
open(path, 'wb').write(data)
EOF
}

# noisy NAME FROM: with several seeds, either a clean bundle (the noise hid
# the needs) or a clear message, never a crash.
noisy() {
	local name=$1 from=$2 seed bad="" d=$TEST_DIR/N
	for seed in 1 2 3; do
		rm -rf "$d"
		mkdir -p "$d/bin"
		noise $seed "$from" "$d/bin/bad"
		chown -R "$TEST_UID:$TEST_GID" "$d"
		urun "$BB" bundle -q "$d"
		if ! { [ "$RC" = 0 ] || { [ "$RC" = 1 ] && grep -q 'N: bin/bad: malformed ELF file: ' "$ERR_FILE"; }; } ||
			_sanitizer_report; then
			bad+="seed $seed: $(describe_run)"$'\n'
		fi
	done
	[ -z "$bad" ]
	ok "hostile ELF ($BBNAME): $name" "$bad"
}

for BB in "$BUILDER" ${BENTO_SAN_BUILD:+"$TEST_DIR/san/bento-builder"}; do
	BBNAME=build
	if [ "$BB" != "$BUILDER" ]; then
		BBNAME="sanitizer build"
		mkdir -p san && cp "$BENTO_SAN_BUILD/builder/bento-builder" san/ && chmod 0755 san/bento-builder || continue
	fi
	hostile "truncated program headers" "the program headers lie beyond the end of the file" truncated
	hostile "truncated ELF header" "truncated ELF header" truncated_header
	hostile "dynamic section beyond the end" "the dynamic section lies beyond the end of the file" dyn_beyond
	hostile "dynamic section of absurd size" "the dynamic section is implausibly large" dyn_huge
	hostile "string table outside the segments" "the dynamic string table lies outside the file's segments" strtab_outside
	hostile "string table of absurd size" "the dynamic string table is implausibly large" strsz_huge
	hostile "DT_NEEDED outside the string table" "a DT_NEEDED name is outside the string table" needed_outside
	# (with the sanitizer build only, when there is one: it sees more)
	if [ -z "${BENTO_SAN_BUILD:-}" ] || [ "$BB" != "$BUILDER" ]; then
		noisy "noise after the ELF header" 64
		noisy "noise after the program headers" 1024
		noisy "noise after the first page" 4096
	fi
done

# ---------------------------------------------------------------- usage

urun "$BUILDER" bundle
[ "$RC" = 2 ] && grep -q 'APPDIR is missing' "$ERR_FILE"
verdict "usage: no APPDIR is a usage error" 2
urun "$BUILDER" bundle "$TEST_DIR/nonexistent"
[ "$RC" = 1 ] && grep -q 'nonexistent: cannot open the AppDir' "$ERR_FILE"
verdict "usage: a missing AppDir is named" 1

finish
