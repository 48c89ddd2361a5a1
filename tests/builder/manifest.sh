#!/bin/bash
# SPDX-License-Identifier: MIT
# The build manifest (builder/manifest/, bento-manifest(5)) through
# `bento-builder check`, run as the unprivileged test user:
#   - a table of invalid manifests, each with the exact error lines (file,
#     line, column, message) and exit status it must give;
#   - the complete example of the man page is valid and gives the summary the
#     man page shows (so the documentation stays true);
#   - nested modules come out in build order; relative paths are resolved
#     against the manifest's directory; the canonical module text;
#   - manifests/hello/hello.yml is valid.
# With a sanitizer build (tests/run BUILD SAN_BUILD) everything runs a second
# time with its bento-builder: any ASan/UBSan/LSan report fails.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BUILDER
MAN=$SRC_DIR/docs/man/bento-manifest.5
[ -f "$MAN" ] || {
	fail "setup" "no $MAN"
	finish
}

# The lines of the man page between `.\" NAME-begin` and `.\" NAME-end`,
# without roff escapes.
from_man() {
	sed -n "/^\.\\\\\" $1-begin\$/,/^\.\\\\\" $1-end\$/p" "$MAN" | sed -e '1d;$d' \
		-e 's/\\-/-/g' -e 's/\\e/\\/g'
}

# ------------------------------------------------------------ bad manifests

# Each case: bad NAME STATUS MANIFEST EXPECTED_STDERR.  In MANIFEST, a line
# @HEAD@ stands for the 5 lines of $HEAD (so the case's own lines start at
# line 6) and @MOD@ for the 4 lines of $MOD.  The manifest is written to
# cases/NAME.yml and checked from cases/, so messages name NAME.yml.
HEAD='id: org.example.Test
name: Test
version: "1.0"
command: test
icon: icon.svg'
MOD='modules:
  - name: test
    buildsystem: simple
    build-commands: [make]'

CASES=$TEST_DIR/cases
mkdir -p "$CASES/src"
: >"$CASES/icon.svg"
declare -a CASE_NAMES=() CASE_STATUS=() CASE_ERR=()

bad() {
	local text=${3//@HEAD@/$HEAD}
	text=${text//@MOD@/$MOD}
	printf '%s\n' "$text" >"$CASES/$1.yml"
	CASE_NAMES+=("$1")
	CASE_STATUS+=("$2")
	CASE_ERR+=("$4")
}

H="bento-builder"
bad unknown-top-key 1 '@HEAD@
permisions: {}
@MOD@' "$H: unknown-top-key.yml: invalid manifest (1 error)
unknown-top-key.yml:6:1: unknown key \"permisions\" at the top level (did you mean \"permissions\"?)"

bad module-key-typo 1 '@HEAD@
modules:
  - name: hello
    buildsytem: meson' "$H: module-key-typo.yml: invalid manifest (2 errors)
module-key-typo.yml:7:5: module \"hello\" has no \"buildsystem\" (one of simple, autotools, cmake, cmake-ninja, meson)
module-key-typo.yml:8:5: unknown key \"buildsytem\" in module \"hello\" (did you mean \"buildsystem\"?)"

bad version-sequence 1 'id: org.example.Test
name: Test
version: [1, 2]
command: test
icon: icon.svg
@MOD@' "$H: version-sequence.yml: invalid manifest (1 error)
version-sequence.yml:3:10: \"version\" must be a string, found a sequence"

bad module-without-name 1 '@HEAD@
@MOD@
  - buildsystem: meson' "$H: module-without-name.yml: invalid manifest (1 error)
module-without-name.yml:10:5: module 2 has no \"name\""

bad missing-keys 1 'id: org.example.Test
summary: only an id' "$H: missing-keys.yml: invalid manifest (5 errors)
missing-keys.yml:1:1: the manifest has no \"name\"
missing-keys.yml:1:1: the manifest has no \"version\"
missing-keys.yml:1:1: the manifest has no \"command\"
missing-keys.yml:1:1: the manifest has no \"icon\" (only an app with \"terminal: true\" may go without one)
missing-keys.yml:1:1: the manifest has no \"modules\""

bad yaml-syntax 1 '@HEAD@
@MOD@
    config-opts: [a, b' "$H: yaml-syntax.yml: invalid manifest (1 error)
yaml-syntax.yml:11:1: flow sequence without a closing bracket"

bad duplicate-key 1 '@HEAD@
version: "2.0"
@MOD@' "$H: duplicate-key.yml: invalid manifest (1 error)
duplicate-key.yml:6:1: key \"version\" is given twice at the top level (first at line 3)"

bad duplicate-module 1 '@HEAD@
@MOD@
    modules:
      - name: test
        buildsystem: meson' "$H: duplicate-module.yml: invalid manifest (1 error)
duplicate-module.yml:11:15: duplicate module name \"test\" (module names must be unique; the first is at line 7)"

bad bad-sha256 1 '@HEAD@
@MOD@
    sources:
      - type: archive
        url: https://example.org/a.tar.gz
        sha256: 0123abcd' "$H: bad-sha256.yml: invalid manifest (1 error)
bad-sha256.yml:13:17: \"sha256\" of source 1 of module \"test\" must be 64 hexadecimal digits (the SHA-256 of the file), found \"0123abcd\""

bad unknown-buildsystem 1 '@HEAD@
modules:
  - name: test
    buildsystem: mesonn' "$H: unknown-buildsystem.yml: invalid manifest (1 error)
unknown-buildsystem.yml:8:18: \"buildsystem\" of module \"test\" must be one of simple, autotools, cmake, cmake-ninja, meson, found \"mesonn\" (did you mean \"meson\"?)"

bad unknown-source-type 1 '@HEAD@
@MOD@
    sources:
      - type: git
        url: https://example.org/a.git' "$H: unknown-source-type.yml: invalid manifest (1 error)
unknown-source-type.yml:11:15: \"type\" of source 1 of module \"test\" must be one of archive, file, dir, patch, deb, shell, apt, found \"git\""

bad id-with-slash 1 'id: org.example/Test
name: Test
version: "1.0"
command: test
icon: icon.svg
@MOD@' "$H: id-with-slash.yml: invalid manifest (1 error)
id-with-slash.yml:1:5: \"id\" must be a reverse-DNS app id such as org.example.Hello (1 to 255 bytes; three or more elements of letters, digits, \"_\" and \"-\" separated by dots, not under a prefix of the desktop's own services), found \"org.example/Test\": it contains '/'"

bad id-dotdot 1 'id: org..Test
name: Test
version: "1.0"
command: test
icon: icon.svg
@MOD@' "$H: id-dotdot.yml: invalid manifest (1 error)
id-dotdot.yml:1:5: \"id\" must be a reverse-DNS app id such as org.example.Hello (1 to 255 bytes; three or more elements of letters, digits, \"_\" and \"-\" separated by dots, not under a prefix of the desktop's own services), found \"org..Test\": it contains \"..\""

# An app owns its id on the session bus: not under the desktop's own
# prefixes, no other names (the runtime refuses them too).
bad id-reserved 1 'id: org.freedesktop.portal.Desktop
name: Test
version: "1.0"
command: test
icon: icon.svg
@MOD@' "$H: id-reserved.yml: invalid manifest (1 error)
id-reserved.yml:1:5: \"id\" must be a reverse-DNS app id such as org.example.Hello (1 to 255 bytes; three or more elements of letters, digits, \"_\" and \"-\" separated by dots, not under a prefix of the desktop's own services), found \"org.freedesktop.portal.Desktop\": it starts with a prefix reserved for the desktop's own services (org.freedesktop., org.gnome., org.kde., org.gtk., com.canonical. ...)"

bad own-names-other 1 '@HEAD@
permissions:
  own-names: [org.example.Test.Player, org.freedesktop.secrets]
@MOD@' "$H: own-names-other.yml: invalid manifest (1 error)
own-names-other.yml:7:40: \"permissions.own-names\": \"org.freedesktop.secrets\": an app may own only its id, names below it and org.mpris.MediaPlayer2.ID (org.example.Test)"

bad url-scheme 1 '@HEAD@
@MOD@
    sources:
      - type: file
        url: ftp://example.org/data.bin
        sha256: 0000000000000000000000000000000000000000000000000000000000000000' "$H: url-scheme.yml: invalid manifest (1 error)
url-scheme.yml:12:14: \"url\" of source 1 of module \"test\": \"ftp://example.org/data.bin\": the URL scheme must be http, https or file, found \"ftp\""

bad url-without-sha256 1 '@HEAD@
@MOD@
    sources:
      - type: archive
        url: https://example.org/a.tar.gz' "$H: url-without-sha256.yml: invalid manifest (1 error)
url-without-sha256.yml:11:9: source 1 of module \"test\" has no \"sha256\" (required with \"url\": the SHA-256 of the download)"

bad dest-escapes 1 '@HEAD@
@MOD@
    sources:
      - type: dir
        path: src
        dest: ../outside' "$H: dest-escapes.yml: invalid manifest (1 error)
dest-escapes.yml:13:15: \"dest\" of source 1 of module \"test\" must be a relative path that stays inside (no leading \"/\", no \".\", \"..\" or empty elements), found \"../outside\""

bad subdir-absolute 1 '@HEAD@
@MOD@
    subdir: /usr/src' "$H: subdir-absolute.yml: invalid manifest (1 error)
subdir-absolute.yml:10:13: \"subdir\" of module \"test\" must be a relative path that stays inside (no leading \"/\", no \".\", \"..\" or empty elements), found \"/usr/src\""

bad dest-filename-slash 1 '@HEAD@
@MOD@
    sources:
      - type: file
        path: icon.svg
        dest-filename: a/b' "$H: dest-filename-slash.yml: invalid manifest (1 error)
dest-filename-slash.yml:13:24: \"dest-filename\" of source 1 of module \"test\" must be a file name (no \"/\", not \".\" or \"..\"), found \"a/b\""

bad cleanup-escapes 1 '@HEAD@
@MOD@
    cleanup: ["*.la", /include, /../etc, lib/x]' "$H: cleanup-escapes.yml: invalid manifest (2 errors)
cleanup-escapes.yml:10:33: item of \"cleanup\" of module \"test\" must be \"/path\" (below the prefix) or a file name pattern without \"/\" (matched at any depth), with no \".\", \"..\" or empty elements, found \"/../etc\"
cleanup-escapes.yml:10:42: item of \"cleanup\" of module \"test\" must be \"/path\" (below the prefix) or a file name pattern without \"/\" (matched at any depth), with no \".\", \"..\" or empty elements, found \"lib/x\""

bad unknown-socket 1 '@HEAD@
permissions:
  sockets: [wayland, x12]
@MOD@' "$H: unknown-socket.yml: invalid manifest (1 error)
unknown-socket.yml:7:22: \"permissions.sockets\": unknown value \"x12\" (did you mean \"x11\"?) (known: x11, wayland, fallback-x11, pulseaudio, session-bus, system-bus, ssh-auth, cups, pcsc)"

bad filesystem-escapes 1 '@HEAD@
permissions:
  filesystems: [home, "~/../etc:rw", /media:rx]
@MOD@' "$H: filesystem-escapes.yml: invalid manifest (2 errors)
filesystem-escapes.yml:7:24: \"permissions.filesystems\": \"~/../etc:rw\" is not a filesystem permission (home, host, host-os, host-etc, xdg-DIR[/path], ~/path or /path, optionally followed by :ro, :rw or :create; no \".\", \"..\" or empty elements)
filesystem-escapes.yml:7:38: \"permissions.filesystems\": \"/media:rx\" is not a filesystem permission (home, host, host-os, host-etc, xdg-DIR[/path], ~/path or /path, optionally followed by :ro, :rw or :create; no \".\", \"..\" or empty elements)"

bad bus-name 1 '@HEAD@
permissions:
  talk-names: [org.freedesktop.Notifications, notifications]
@MOD@' "$H: bus-name.yml: invalid manifest (1 error)
bus-name.yml:7:47: \"permissions.talk-names\": \"notifications\" is not a D-Bus name (two or more dot-separated elements of letters, digits, \"_\" and \"-\", not starting with a digit, optionally ending in \".*\")"

bad bundle-values 1 '@HEAD@
bundle:
  compression: lz4
  compression-level: 9
  block-size: 100000
  update-information: "zsync|ftp://example.org/x.zsync"
@MOD@' "$H: bundle-values.yml: invalid manifest (3 errors)
bundle-values.yml:8:22: \"bundle.compression-level\": lz4 has no levels
bundle-values.yml:9:15: \"bundle.block-size\" must be a power of two from 4096 to 1048576 bytes, found 100000
bundle-values.yml:10:24: \"bundle.update-information\": \"ftp://example.org/x.zsync\": the URL scheme must be http, https or file, found \"ftp\""

bad network-not-bool 1 '@HEAD@
@MOD@
    build-options:
      network: yes' "$H: network-not-bool.yml: invalid manifest (1 error)
network-not-bool.yml:11:16: \"build-options.network\" of module \"test\" must be true or false, found \"yes\""

bad alias 1 'id: &id org.example.Test
name: *id
version: "1.0"
command: test
icon: icon.svg
@MOD@' "$H: alias.yml: invalid manifest (1 error)
alias.yml:2:8: \"name\" must be a string, found an alias (aliases are not supported)"

bad two-documents 1 '@HEAD@
@MOD@
---
id: org.example.Other' "$H: two-documents.yml: invalid manifest (1 error)
two-documents.yml:11:1: a second YAML document: the manifest must be one document"

bad missing-path 1 '@HEAD@
@MOD@
    sources:
      - type: dir
        path: nowhere' "$H: missing-path.yml: invalid manifest (1 error)
missing-path.yml:12:15: \"path\" of source 1 of module \"test\": cannot use $CASES/nowhere: No such file or directory"

bad key-of-other-type 1 '@HEAD@
@MOD@
    sources:
      - type: dir
        path: src
        strip-components: 2' "$H: key-of-other-type.yml: invalid manifest (1 error)
key-of-other-type.yml:13:9: key \"strip-components\" does not apply to dir sources (its keys: type, path, dest)"

bad simple-config-opts 1 '@HEAD@
@MOD@
    config-opts: [--enable-x]' "$H: simple-config-opts.yml: invalid manifest (1 error)
simple-config-opts.yml:10:18: \"config-opts\" of module \"test\" does not apply to buildsystem simple (its build is \"build-commands\" alone)"

bad url-and-path 1 '@HEAD@
@MOD@
    sources:
      - type: file
        path: icon.svg
        url: https://example.org/icon.svg
        sha256: 0000000000000000000000000000000000000000000000000000000000000000' "$H: url-and-path.yml: invalid manifest (1 error)
url-and-path.yml:11:9: source 1 of module \"test\" has both \"url\" and \"path\": give one of them"

bad root-sequence 1 '- id: org.example.Test' "$H: root-sequence.yml: invalid manifest (1 error)
root-sequence.yml:1:1: the manifest must be a mapping of keys to values, found a sequence"

bad empty 1 '# nothing but a comment' "$H: empty.yml: invalid manifest (1 error)
empty.yml: the manifest is empty"

bad no-modules 1 '@HEAD@
modules: []' "$H: no-modules.yml: invalid manifest (1 error)
no-modules.yml:6:10: \"modules\" is empty: the manifest needs a module"

bad command-escapes 1 'id: org.example.Test
name: Test
version: "1.0"
command: ../bin/sh
icon: icon.svg
@MOD@' "$H: command-escapes.yml: invalid manifest (1 error)
command-escapes.yml:4:10: \"command\" must be a path relative to /app (bin/hello) or a name in /app/bin (hello), with no \".\", \"..\" or empty elements, found \"../bin/sh\""

bad icon-extension 1 'id: org.example.Test
name: Test
version: "1.0"
command: test
icon: icon.jpg
@MOD@' "$H: icon-extension.yml: invalid manifest (1 error)
icon-extension.yml:5:7: \"icon\" must name a file ending in .png, .svg, .svgz, .xpm, found \"icon.jpg\""

bad duplicates 1 '@HEAD@
permissions:
  sockets: [x11, wayland, x11]
  env: {A: "1", A: "2"}
@MOD@
    buildsystem: meson' "$H: duplicates.yml: invalid manifest (3 errors)
duplicates.yml:7:27: \"x11\" is listed twice in \"permissions.sockets\"
duplicates.yml:8:17: \"permissions.env\": variable A is given twice
duplicates.yml:13:5: key \"buildsystem\" is given twice in module \"test\" (first at line 11)"

bad control-characters 1 'id: org.example.Test
name: "Te\0st"
version: "1.0"
summary: "two\nlines"
command: test
icon: icon.svg
@MOD@' "$H: control-characters.yml: invalid manifest (2 errors)
control-characters.yml:2:8: \"name\" must not contain control characters (NUL), found \"Te\\x00st\"
control-characters.yml:4:11: \"summary\" must not contain control characters or line breaks, found \"two\\x0alines\""

bad env-name 1 '@HEAD@
permissions:
  env:
    GOOD: "1"
    2BAD: x
@MOD@' "$H: env-name.yml: invalid manifest (1 error)
env-name.yml:9:5: \"permissions.env\": \"2BAD\" is not a variable name (letters, digits and \"_\", not starting with a digit)"

# Everything at once: every error of a file is reported, in file order.
bad many 1 'id: bad
name: Test
version: "1.0 beta"
command: test
icon: icon.svg
modules:
  - name: a
    buildsystem: simple
    build-commands: [make]
    sources:
      - type: archive
        url: https://example.org/a.tar.gz
      - type: patch
        path: nowhere.patch
  - name: a
    buildsystem: cmake
    build-options: {cflag: -O2}' "$H: many.yml: invalid manifest (6 errors)
many.yml:1:5: \"id\" must be a reverse-DNS app id such as org.example.Hello (1 to 255 bytes; three or more elements of letters, digits, \"_\" and \"-\" separated by dots, not under a prefix of the desktop's own services), found \"bad\": it is not a reverse-DNS name (three or more elements separated by dots, each of letters, digits, '_' and '-', not starting with a digit)
many.yml:3:11: \"version\" must be 1 to 128 letters, digits, \".\", \"+\", \"~\", \"_\" or \"-\", starting with a letter or digit, found \"1.0 beta\"
many.yml:11:9: source 1 of module \"a\" has no \"sha256\" (required with \"url\": the SHA-256 of the download)
many.yml:14:15: \"path\" of source 2 of module \"a\": cannot use $CASES/nowhere.patch: No such file or directory
many.yml:15:11: duplicate module name \"a\" (module names must be unique; the first is at line 7)
many.yml:17:21: unknown key \"cflag\" in \"build-options\" of module \"a\" (did you mean \"cflags\"?)"

# Hostile input: a NUL byte, nesting, size, too many errors.
printf 'id: org.example.Test\nname: "a\0b"\n' >"$CASES/nul.yml"
CASE_NAMES+=(nul) CASE_STATUS+=(1)
CASE_ERR+=("$H: nul.yml: invalid manifest (1 error)
nul.yml:2:9: a NUL byte: a manifest is text")

{
	printf 'id: org.example.Test\nname: '
	printf '[%.0s' $(seq 100)
	printf ']%.0s' $(seq 100)
	printf '\n'
} >"$CASES/deep-yaml.yml"
CASE_NAMES+=(deep-yaml) CASE_STATUS+=(1)
CASE_ERR+=("$H: deep-yaml.yml: invalid manifest (1 error)
deep-yaml.yml:2:69: Max depth (64) exceeded")

{
	printf '%s\n' "$HEAD" "modules:"
	ind=""
	for i in $(seq 1 17); do
		printf '%s  - name: m%d\n%s    buildsystem: meson\n%s    modules:\n' "$ind" "$i" "$ind" "$ind"
		ind+="    "
	done
	printf '%s  - name: last\n%s    buildsystem: meson\n' "$ind" "$ind"
} >"$CASES/deep-modules.yml"
CASE_NAMES+=(deep-modules) CASE_STATUS+=(1)
CASE_ERR+=("$H: deep-modules.yml: invalid manifest (1 error)
deep-modules.yml:55:67: modules are nested more than 16 deep (in module \"m16\")")

{
	printf '# padding\n%.0s' $(seq 1 110000)
	printf '%s\n%s\n' "$HEAD" "$MOD"
} >"$CASES/too-big.yml"
CASE_NAMES+=(too-big) CASE_STATUS+=(1)
CASE_ERR+=("$H: too-big.yml is not a regular file of at most 1048576 bytes")

{
	printf '%s\n%s\n' "$HEAD" "$MOD"
	for i in $(seq 1 150); do
		printf 'unknown-%d: x\n' "$i"
	done
} >"$CASES/too-many.yml"
CASE_NAMES+=(too-many) CASE_STATUS+=(1)
CASE_ERR+=("$(printf '%s\n' "$H: too-many.yml: invalid manifest (100 errors, then too many to list)"
	for i in $(seq 1 100); do
		printf 'too-many.yml:%d:1: unknown key "unknown-%d" at the top level\n' $((i + 9)) "$i"
	done)")

CASE_NAMES+=(not-there) CASE_STATUS+=(1)
CASE_ERR+=("$H: cannot read not-there.yml: No such file or directory")

chown -R "$TEST_UID:$TEST_GID" "$CASES"

# check_bad BUILDER LABEL: runs every case.
check_bad() {
	local bb=$1 label=$2 i name
	cd "$CASES" || exit 1
	for i in "${!CASE_NAMES[@]}"; do
		name=${CASE_NAMES[$i]}
		urun "$bb" check "$name.yml"
		if [ "$RC" = "${CASE_STATUS[$i]}" ] && [ -z "$OUT" ] &&
			[ "$ERR" = "${CASE_ERR[$i]}" ] && ! _sanitizer_report; then
			pass "$label: $name: exit ${CASE_STATUS[$i]} and the expected errors"
		else
			fail "$label: $name: exit ${CASE_STATUS[$i]} and the expected errors" \
				"$(describe_run "${CASE_STATUS[$i]}")"$'\n'"stderr (diff expected -> got):"$'\n'"$(diff <(printf '%s\n' "${CASE_ERR[$i]}") "$ERR_FILE")"
		fi
	done
	# usage errors
	urun "$bb" check
	[ "$RC" = 2 ] && [[ $ERR == *"no manifest given"* ]]
	verdict "$label: check without a manifest: exit 2" 2
	urun "$bb" check a.yml b.yml
	[ "$RC" = 2 ] && [[ $ERR == *"only one manifest at a time"* ]]
	verdict "$label: check with two manifests: exit 2" 2
	urun "$bb" check --frobnicate a.yml
	[ "$RC" = 2 ] && [[ $ERR == *"unknown option '--frobnicate'"* ]]
	verdict "$label: check with an unknown option: exit 2" 2
	urun "$bb" check --help
	[ "$RC" = 0 ] && [[ $OUT == *"Usage: bento-builder check"* ]] && [[ $OUT == *"Exit status"* ]]
	verdict "$label: check --help" 0
	urun "$bb" --help
	[ "$RC" = 0 ] && [[ $OUT == *"  check "* ]]
	verdict "$label: bento-builder --help lists check" 0
	cd "$TEST_DIR" || exit 1
}

# ------------------------------------------------------------ valid manifests

# The man page's example, with the files it names.
EX=$TEST_DIR/example
mkdir -p "$EX/data" "$EX/src" "$EX/patches" "$EX/dictionaries" "$EX/vendor"
for f in data/org.example.Notes.desktop data/org.example.Notes.svg \
	data/org.example.Notes.metainfo.xml patches/no-telemetry.patch dictionaries/en_US.dic \
	vendor/spelling-extras-1.4.tar.xz; do
	: >"$EX/$f"
done
from_man example >"$EX/notes.yml"
from_man summary | sed "s|DIR/|$EX/|g" >"$EX/expected"

# Nested modules: a(b(c, d), e), f(g) builds c d b e a g f.
NEST=$TEST_DIR/nest
mkdir -p "$NEST"
: >"$NEST/icon.svg"
cat >"$NEST/nest.yml" <<'EOF'
id: org.example.Nest
name: Nest
version: "1"
command: bin/nest
icon: icon.svg
modules:
  - name: a
    buildsystem: meson
    modules:
      - name: b
        buildsystem: cmake
        modules:
          - name: c
            buildsystem: autotools
          - name: d
            buildsystem: cmake-ninja
      - name: e
        buildsystem: meson
  - name: f
    buildsystem: meson
    modules:
      - name: g
        buildsystem: simple
        build-commands: ["true"]
EOF
NEST_ORDER='   1. c (autotools), for b
   2. d (cmake-ninja), for b
   3. b (cmake), for a
   4. e (meson), for a
   5. a (meson)
   6. g (simple), for f
   7. f (meson)'

# Relative paths: resolved against the manifest's directory, whatever the
# current directory; "." and empty elements are dropped, ".." is kept.
# (project/ is a repository: its files are the ones the manifest may name.)
REL=$TEST_DIR/rel
mkdir -p "$REL/project/app/data" "$REL/project/shared/src" "$REL/elsewhere" "$REL/project/.git"
: >"$REL/project/app/data/icon.png"
: >"$REL/project/app/app.desktop"
: >"$REL/project/shared/src/fix.patch"
: >"$REL/elsewhere/secret"
ln -s ../../elsewhere "$REL/project/app/link"
cat >"$REL/project/app/app.yml" <<'EOF'
id: org.example.Rel
name: Rel
version: "1"
command: libexec/rel/start
icon: ./data//icon.png
desktop: app.desktop
modules:
  - name: rel
    buildsystem: meson
    sources:
      - type: dir
        path: ../shared/src
        dest: vendor/shared
      - type: patch
        path: ../shared/src/fix.patch
EOF
REL_EXPECTED="id: org.example.Rel
name: Rel
version: 1
command: /app/libexec/rel/start
permissions: none
desktop: $REL/project/app/app.desktop
icon: $REL/project/app/data/icon.png
appstream: generated
bundle: zstd, 131072-byte blocks
sign-key: none (unsigned)
modules, in build order:
   1. rel (meson)
       dir $REL/project/app/../shared/src -> vendor/shared
       patch $REL/project/app/../shared/src/fix.patch"

# The canonical text: escapes, defaults filled in, nested modules left out.
CAN=$TEST_DIR/canonical
mkdir -p "$CAN"
: >"$CAN/icon.svg"
: >"$CAN/notes.txt"
cat >"$CAN/can.yml" <<'EOF'
id: org.example.Canonical
name: Canonical
version: "1"
command: can
icon: icon.svg
modules:
  - name: outer
    buildsystem: autotools
    config-opts: [--with-x=a\b]
    build-commands:
      - |
        printf 'two\n'
        echo lines
    cleanup: ["*.a"]
    build-options:
      cflags: -O2
      env: {A: "1", B: "x=y"}
      network: true
    sources:
      - type: archive
        url: https://example.org/outer-1.0.tar.gz
        sha256: 00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff
      - type: file
        path: notes.txt
        dest: doc
      - type: shell
        commands: ["touch stamp"]
    modules:
      - name: inner
        buildsystem: simple
        build-commands: [make install]
EOF
CAN_EXPECTED="bento-module 1
name inner
buildsystem simple
build-commands make install
build-options.prefix /app
build-options.network false

bento-module 1
name outer
buildsystem autotools
config-opts --with-x=a\\\\b
build-commands printf 'two\\\\n'\\necho lines\\n
cleanup *.a
build-options.cflags -O2
build-options.prefix /app
build-options.env A=1
build-options.env B=x=y
build-options.network true
source archive
source.url https://example.org/outer-1.0.tar.gz
source.sha256 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
source.strip-components 1
source file
source.path $CAN/notes.txt
source.dest doc
source.dest-filename notes.txt
source shell
source.commands touch stamp"

# The example app's manifest, with the files next to it.
cp -r "$SRC_DIR/manifests/hello" "$TEST_DIR/hello-manifest"
chown -R "$TEST_UID:$TEST_GID" "$EX" "$NEST" "$REL" "$CAN" "$TEST_DIR/hello-manifest"

check_good() {
	local bb=$1 label=$2 n
	n=$(wc -l <"$EX/notes.yml")
	[ "$n" -ge 60 ] && grep -q '^modules:$' "$EX/notes.yml" && [ -s "$EX/expected" ]
	ok "$label: the man page has the example manifest and its summary" "example: $n lines"
	urun "$bb" check "$EX/notes.yml"
	expect "$label: the man page's example is valid and its summary is the man page's" 0 \
		"$(cat "$EX/expected")"

	urun "$bb" check "$NEST/nest.yml"
	[ "$RC" = 0 ] && [ "$(printf '%s\n' "$OUT" | grep -E '^ +[0-9]+\. ')" = "$NEST_ORDER" ]
	verdict "$label: nested modules in build order (depth first, children first)" 0

	cd "$REL/elsewhere" || exit 1
	urun "$bb" check ../project/app/app.yml
	expect "$label: relative paths resolved against the manifest's directory" 0 "$REL_EXPECTED"
	# Outside the repository: refused, by "..", by an absolute path, by a
	# symlink in it (a pull request must not publish the builder's files);
	# --source-root names a wider directory.
	for p in ../../elsewhere/secret /${REL#/}/elsewhere/secret link/secret; do
		sed "s|path: ../shared/src/fix.patch|path: $p|" "$REL/project/app/app.yml" \
			>"$REL/project/app/out.yml"
		urun "$bb" check ../project/app/out.yml
		[ "$RC" = 1 ] &&
			grep -qF "is outside $REL/project, the directory the manifest's files must be in" <<<"$ERR"
		verdict "$label: a source path outside the manifest's repository is refused ($p)" 1
	done
	urun "$bb" check --source-root="$REL" ../project/app/out.yml
	[ "$RC" = 0 ]
	verdict "$label: --source-root allows a wider directory" 0
	cd "$TEST_DIR" || exit 1

	urun "$bb" check --canonical "$CAN/can.yml"
	expect "$label: canonical module text" 0 "$CAN_EXPECTED"

	urun "$bb" check "$TEST_DIR/hello-manifest/hello.yml"
	[ "$RC" = 0 ] && [[ $OUT == *"id: org.bento.Hello"* ]] &&
		[[ $OUT == *"command: /app/bin/hello"* ]] &&
		[[ $OUT == *"   1. hello (meson)"$'\n'"       dir $TEST_DIR/hello-manifest/src"* ]] &&
		[ -f "$TEST_DIR/hello-manifest/src/meson.build" ]
	verdict "$label: manifests/hello/hello.yml is valid" 0
}

check_bad "$BUILDER" release
check_good "$BUILDER" release

if [ -n "${BENTO_SAN_BUILD:-}" ]; then
	SAN=$TEST_DIR/san
	mkdir -p "$SAN"
	chown "$TEST_UID:$TEST_GID" "$SAN"
	copy_artifacts "$BENTO_SAN_BUILD" "$SAN"
	if [ -n "$BUILDER" ]; then
		check_bad "$BUILDER" sanitizer
		check_good "$BUILDER" sanitizer
	else
		skip "manifests with the sanitizer build" "no bento-builder in $BENTO_SAN_BUILD"
	fi
fi

finish
