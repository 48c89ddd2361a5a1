# bento-builder building a manifest it did not write (issue 12: a CI machine
# building a pull request, a publisher building someone else's manifest), as
# an unprivileged user.  The build steps run in the sandbox, but what they
# leave - symbolic links in their sources and in /app pointing into the
# user's home - the builder works on outside it.  Each row is one attack;
# blocked means the user's files are untouched (and the builder says why);
# its control does the same step the way the builder did before (cp, tar,
# rm, mkdir through the link the build left; the cache entry with a digest
# that matches; --sign; patchelf on the host), where the attack works.
# Alone: BENTO_TEST_FILTER=security/builder tests/run BUILD.
. "$(dirname "$0")/../lib.sh" "$@"
. "$(dirname "$0")/lib/table.sh"

make_test_dir
copy_artifacts
need BUILDER BENTO
cd "$TEST_DIR" || exit 1
RUN_TIMEOUT=300

T=$TEST_DIR
cp "$SRC_DIR/manifests/hello/hello.svg" "$T/icon.svg"
chmod 0644 "$T/icon.svg"
KEY_LINE="ssh-ed25519 AAAAattacker attacker@example.invalid"
printf '%s\n' "$KEY_LINE" >"$T/attacker.pub"

# The user's files a build must not reach.
SSH=$USER_HOME/.ssh
reset_victims() {
	rm -rf "$SSH" "$USER_HOME/docs" "$USER_HOME/meta" "$USER_HOME/app"
	mkdir -p "$SSH" "$USER_HOME/docs/dir" "$USER_HOME/meta" "$USER_HOME/app"
	echo "ssh-ed25519 AAAAlegit user@example.invalid" >"$SSH/authorized_keys"
	echo "keep me" >"$USER_HOME/docs/dir/file"
	echo "precious" >"$USER_HOME/app/precious"
	chown -R "$TEST_UID:$TEST_GID" "$SSH" "$USER_HOME/docs" "$USER_HOME/meta" "$USER_HOME/app"
}
attacker_key_in() { grep -qF "$KEY_LINE" "$1" 2>/dev/null; }
# key_landed: "yes" if ~/.ssh/authorized_keys holds the attacker's key
key_landed() { attacker_key_in "$SSH/authorized_keys" && echo yes || echo no; }

# ---------------------------------------------------------------- manifests

# The module line that makes the app's command.
APP="'mkdir -p /app/bin && printf \"#!/bin/sh\\\\necho ok\\\\n\" >/app/bin/app && chmod +x /app/bin/app'"

# manifest FILE [ID [TOP]]: a manifest whose modules (YAML, indented by two)
# come on stdin; TOP is more of its top level (YAML).
manifest() {
	{
		cat <<EOF
id: ${2:-org.example.Attack}
name: Attack
version: "1"
summary: A manifest that attacks its builder
command: bin/app
icon: $T/icon.svg
${3:-}
modules:
EOF
		cat
	} >"$1"
	chown "$TEST_UID:$TEST_GID" "$1"
}

# build DIR MANIFEST [OPTION...]: bento-builder build as the user (with
# BUILD_ENV), in DIR (made fresh), its state in DIR/.bento-builder (STATE).
BUILD_ENV=()
build() {
	local dir=$T/$1 m=$2
	shift 2
	rm -rf "$dir" && mkdir -p "$dir" && chown "$TEST_UID:$TEST_GID" "$dir"
	STATE=$dir/.bento-builder
	cd "$dir" && urun "${BUILD_ENV[@]}" "$BUILDER" build --output=out.AppImage "$@" "$m"
	cd "$T" || exit 1
}

# ---------------------------------------------------------------- 15: sources written through a link

reset_victims
# What each source puts in place: the attacker's key, as a file, in an
# archive (pkg/authorized_keys) and in a directory.
mkdir -p payload/pkg payload-dir
cp attacker.pub payload/pkg/authorized_keys
cp attacker.pub payload-dir/authorized_keys
tar -C payload -cf payload.tar pkg
chmod -R a+rX payload payload-dir payload.tar

source_through_link() { # NAME SOURCE_YAML CONTROL_CMD
	local name=$1 src=$2 control=$3 blocked=NO ctl=no
	reset_victims
	manifest "$T/$name.yml" <<EOF
  - name: app
    buildsystem: simple
    sources:
      - type: shell
        commands:
          - ln -s $SSH evil
$src
    build-commands:
      - $APP
EOF
	build "$name" "$T/$name.yml"
	! attacker_key_in "$SSH/authorized_keys" && [ "$RC" = 1 ] &&
		[[ $ERR == *"/build/app/evil is a symbolic link"* ]] && [ ! -e "$T/$name/out.AppImage" ] &&
		blocked=yes
	local obs="builder: exit $RC, $(head -c 300 <<<"$ERR"); the key in ~/.ssh: $(key_landed)"
	# The control: the same step through the link the build left.
	as_user sh -c "$control" >/dev/null 2>&1
	attacker_key_in "$SSH/authorized_keys" && ctl=yes
	record "$name" "item 15: source through a link" "$blocked" "$ctl" \
		"$obs; control \`$control\` put the key into ~/.ssh: $ctl"
}

source_through_link file-dest "      - type: file
        path: $T/attacker.pub
        dest: evil
        dest-filename: authorized_keys" \
	"cp $T/attacker.pub $T/file-dest/.bento-builder/build/app/evil/authorized_keys"
source_through_link archive-dest "      - type: archive
        path: $T/payload.tar
        dest: evil" \
	"tar -xf $T/payload.tar --strip-components=1 -C $T/archive-dest/.bento-builder/build/app/evil"
source_through_link dir-dest "      - type: dir
        path: $T/payload-dir
        dest: evil" \
	"cp -a $T/payload-dir/. $T/dir-dest/.bento-builder/build/app/evil/"

# An archive merged where an earlier source left a link to a file: the
# builder used cp -a, which writes through it.
reset_victims
manifest "$T/merge.yml" <<EOF
  - name: app
    buildsystem: simple
    sources:
      - type: shell
        commands:
          - ln -s $SSH/authorized_keys authorized_keys
      - type: archive
        path: $T/payload.tar
    build-commands:
      - $APP
EOF
build merge "$T/merge.yml"
blocked=NO
! attacker_key_in "$SSH/authorized_keys" && [ "$RC" = 0 ] &&
	[ -f merge/.bento-builder/build/app/authorized_keys ] &&
	[ ! -L merge/.bento-builder/build/app/authorized_keys ] && blocked=yes
obs="builder: exit $RC, $(head -c 300 <<<"$ERR"); the key in ~/.ssh: $(key_landed)"
as_user sh -c "mkdir $T/merge/x $T/merge/y && ln -s $SSH/authorized_keys $T/merge/y/authorized_keys &&
	tar -xf $T/payload.tar --strip-components=1 -C $T/merge/x &&
	cp -a --reflink=auto -- $T/merge/x/. $T/merge/y" >/dev/null 2>&1
ctl=no
attacker_key_in "$SSH/authorized_keys" && ctl=yes
record archive-merge "item 15: merge onto a link" "$blocked" "$ctl" \
	"$obs; control: cp -a of the unpacked archive onto the same link wrote ~/.ssh/authorized_keys: $ctl"

# A .deb (its usr/ goes to /app) unpacked where an earlier module left
# /app/authorized_keys -> ~/.ssh/authorized_keys.
reset_victims
mkdir -p debpkg/DEBIAN debpkg/usr
printf 'Package: evil\nVersion: 1\nArchitecture: all\nMaintainer: x <x@example.invalid>\nDescription: x\n' \
	>debpkg/DEBIAN/control
cp attacker.pub debpkg/usr/authorized_keys
chmod -R a+rX debpkg
dpkg-deb --root-owner-group -b debpkg evil.deb >/dev/null 2>&1
chmod 0644 evil.deb
manifest "$T/deb.yml" <<EOF
  - name: first
    buildsystem: simple
    build-commands:
      - $APP
      - ln -s $SSH/authorized_keys /app/authorized_keys
  - name: second
    buildsystem: simple
    sources:
      - type: deb
        path: $T/evil.deb
    build-commands:
      - "true"
EOF
build deb "$T/deb.yml"
blocked=NO
! attacker_key_in "$SSH/authorized_keys" && [ "$RC" = 0 ] &&
	[ -f deb/.bento-builder/app/authorized_keys ] && [ ! -L deb/.bento-builder/app/authorized_keys ] &&
	blocked=yes
obs="builder: exit $RC, $(head -c 300 <<<"$ERR"); the key in ~/.ssh: $(key_landed); /app/authorized_keys: $(stat -c %F deb/.bento-builder/app/authorized_keys 2>&1)"
as_user sh -c "mkdir $T/deb/y && ln -s $SSH/authorized_keys $T/deb/y/authorized_keys &&
	cp -a --reflink=auto -- $T/debpkg/usr/. $T/deb/y" >/dev/null 2>&1
ctl=no
attacker_key_in "$SSH/authorized_keys" && ctl=yes
record deb-into-app "item 15: .deb onto a link in /app" "$blocked" "$ctl" \
	"$obs; control: cp -a of the package's usr/ onto the same link wrote ~/.ssh/authorized_keys: $ctl"

# ---------------------------------------------------------------- 16: cleanup through a link

reset_victims
manifest "$T/cleanup.yml" <<EOF
  - name: app
    buildsystem: simple
    cleanup:
      - /evil/dir
    build-commands:
      - $APP
      - ln -s $USER_HOME/docs /app/evil
EOF
build cleanup "$T/cleanup.yml"
blocked=NO
[ -f "$USER_HOME/docs/dir/file" ] && [ "$RC" = 1 ] &&
	[[ $ERR == *"cleanup /evil/dir: /app/evil is a symbolic link"* ]] && blocked=yes
obs="builder: exit $RC, $(head -c 300 <<<"$ERR"); ~/docs/dir there: $([ -d "$USER_HOME/docs/dir" ] && echo yes || echo no)"
as_user rm -rf "$T/cleanup/.bento-builder/appdir/evil/dir" >/dev/null 2>&1
ctl=no
[ ! -e "$USER_HOME/docs/dir" ] && ctl=yes
record cleanup-link "item 16: cleanup through a link" "$blocked" "$ctl" \
	"$obs; control: rm -rf APPDIR/evil/dir removed ~/docs/dir: $ctl"

# ---------------------------------------------------------------- 17: desktop integration through a link

integration_through_link() { # NAME LINK_IN_APP WRITTEN_NAME
	local name=$1 link=$2 written=$3 blocked=NO ctl=no
	reset_victims
	# (the metadata holds what the manifest chooses, e.g. its env)
	manifest "$T/$name.yml" org.example.Attack "permissions:
  env:
    EVIL: chosen-by-the-manifest" <<EOF
  - name: app
    buildsystem: simple
    build-commands:
      - $APP
      - mkdir -p /app/share && ln -s $USER_HOME/meta /app/$link
EOF
	build "$name" "$T/$name.yml"
	[ -z "$(ls -A "$USER_HOME/meta")" ] && [ "$RC" = 1 ] &&
		[[ $ERR == *"appdir/$link is a symbolic link"* ]] && blocked=yes
	local obs="builder: exit $RC, $(head -c 300 <<<"$ERR"); in ~/meta: $(ls -A "$USER_HOME/meta" | tr '\n' ' ')"
	as_user sh -c "mkdir -p $T/$name/.bento-builder/appdir/$link &&
		echo written >$T/$name/.bento-builder/appdir/$link/$written" >/dev/null 2>&1
	[ -f "$USER_HOME/meta/$written" ] && ctl=yes
	record "$name" "item 17: integration through a link" "$blocked" "$ctl" \
		"$obs; control: mkdir -p and a write of APPDIR/$link/$written put it into ~/meta: $ctl"
}
integration_through_link metainfo-link share/metainfo org.example.Attack.metainfo.xml
integration_through_link metadata-link .bento metadata

# ---------------------------------------------------------------- 18: the module cache

# The victim's manifest, and the same with the trojan built in (for the
# control: the digest its cache entry records is that of a poisoned tree).
TROJAN="'mkdir -p /app/bin && printf \"#!/bin/sh\\\\necho TROJANED\\\\n\" >/app/bin/app && chmod +x /app/bin/app'"
manifest "$T/victim.yml" org.example.Victim <<EOF
  - name: app
    buildsystem: simple
    build-commands:
      - $APP
EOF
manifest "$T/trojan.yml" org.example.Victim <<EOF
  - name: app
    buildsystem: simple
    build-commands:
      - $TROJAN
EOF
poison() { # the victim's cache entry of module app gets the trojan
	local entry
	entry=$(find "$T/victim/.bento-builder/cache" -mindepth 1 -maxdepth 1 -type d ! -name '.*')
	as_user sh -c "printf '#!/bin/sh\necho TROJANED\n' >$entry/bin/app"
	ENTRY=$entry
}
# (unsandboxed: the builds are different files of one app id, which belongs
# to the first one run sandboxed; what matters is what the program prints)
run_output() { urun "$T/$1/out.AppImage" --bento-no-sandbox; printf '%s' "$OUT"; }

build victim "$T/victim.yml"
first_rc=$RC
poison
cd "$T/victim" && urun "$BUILDER" build --output=out.AppImage "$T/victim.yml"
cd "$T" || exit 1
rebuild_err=$ERR rebuild_out=$OUT rebuild_rc=$RC
ran=$(run_output victim)
blocked=NO
[ "$first_rc" = 0 ] && [ "$rebuild_rc" = 0 ] && [ "$ran" = ok ] &&
	[[ $rebuild_out == *"module app: building"* ]] &&
	[[ $rebuild_err == *"was changed since it was made"* ]] && blocked=yes
obs="rebuild: exit $rebuild_rc, stderr: $(head -c 200 <<<"$rebuild_err"); the file prints: $ran"
# The control: the trojan built by a manifest of its own records the digest
# of exactly the poisoned tree; with that record the entry is used.
build trojan "$T/trojan.yml"
record_file=$(find "$T/trojan/.bento-builder/cache" -maxdepth 1 -name '*.digest')
poison
cp "$record_file" "$ENTRY.digest" && chown "$TEST_UID:$TEST_GID" "$ENTRY.digest"
cd "$T/victim" && urun "$BUILDER" build --output=out.AppImage "$T/victim.yml"
cd "$T" || exit 1
ctl_out=$OUT
ran=$(run_output victim)
ctl=no
[[ $ctl_out == *"module app: from the cache"* ]] && [ "$ran" = TROJANED ] && ctl=yes
record cache-poisoned "item 18: a poisoned cache entry" "$blocked" "$ctl" \
	"$obs; control (the entry's record matching the poisoned tree): taken from the cache, prints $ran"

# A state directory a repository brings along: the default one is not taken
# through a link (the builder would empty ~/app, ~/build/NAME ...).
reset_victims
mkdir -p "$T/checkout" && ln -s "$USER_HOME" "$T/checkout/.bento-builder"
chown -R -h "$TEST_UID:$TEST_GID" "$T/checkout"
cd "$T/checkout" && urun "$BUILDER" build --output=out.AppImage "$T/victim.yml"
cd "$T" || exit 1
blocked=NO
[ "$RC" = 1 ] && [ -f "$USER_HOME/app/precious" ] && [[ $ERR == *".bento-builder is a symbolic link"* ]] &&
	blocked=yes
obs="builder: exit $RC, $(head -c 200 <<<"$ERR"); ~/app/precious there: $([ -f "$USER_HOME/app/precious" ] && echo yes || echo no)"
cd "$T/checkout" && urun "$BUILDER" build --state-dir=.bento-builder --output=out.AppImage "$T/victim.yml"
cd "$T" || exit 1
ctl=no
[ ! -e "$USER_HOME/app/precious" ] && ctl=yes
record state-dir-link "item 18: a state directory through a link" "$blocked" "$ctl" \
	"$obs; control: with --state-dir=.bento-builder (asked for) the build emptied ~/app: $ctl (exit $RC)"

# ---------------------------------------------------------------- 21: bundling, signing, patchelf

# A private library in the user's home, and an app whose RUNPATH names it.
PRIV=$USER_HOME/private
MARK=HOST-PRIVATE-LIBRARY-$$
mkdir -p "$PRIV"
printf 'const char *marker = "%s"; int secret(void) { return 0; }\n' "$MARK" >priv.c
cc -shared -fPIC -Wl,-soname,libsecret.so.1 -o "$PRIV/libsecret.so.1" priv.c
chown -R "$TEST_UID:$TEST_GID" "$PRIV"
STUB="'printf \"int secret(void) { return 0; }\\\\n\" >s.c && cc -shared -fPIC -Wl,-soname,libsecret.so.1 -o libsecret.so.1 s.c && ln -sf libsecret.so.1 libsecret.so'"
runpath_row() { # NAME RUNPATH
	local name=$1 rp=$2 blocked=NO ctl=no found
	manifest "$T/$name.yml" <<EOF
  - name: app
    buildsystem: simple
    build-commands:
      - $STUB
      - printf 'int secret(void); int main(void) { return secret(); }\n' >m.c
      - mkdir -p /app/bin && cc -o /app/bin/app m.c -L. -lsecret '-Wl,--enable-new-dtags,-rpath,$rp'
EOF
	build "$name" "$T/$name.yml"
	found=$(grep -rl "$MARK" "$STATE" 2>/dev/null | head -n 3)
	[ "$RC" = 1 ] && [ -z "$found" ] && [ ! -e "$T/$name/out.AppImage" ] &&
		[[ $ERR == *"bin/app needs libsecret.so.1"* ]] && blocked=yes
	local obs="builder: exit $RC, $(head -c 300 <<<"$ERR"); the private library in the state: ${found:-no}"
	# The control: the host's loader, following the RUNPATH the build
	# wrote, finds the private library (where the bundler searched too).
	found=$(as_user ldd "$STATE/app/bin/app" 2>/dev/null | awk '$1 == "libsecret.so.1" {print $3}')
	[ -n "$found" ] && [ "$(realpath "$found")" = "$PRIV/libsecret.so.1" ] && ctl=yes
	record "$name" "item 21: RUNPATH to a host directory" "$blocked" "$ctl" \
		"$obs; control: ldd of the built file finds $PRIV/libsecret.so.1: $ctl"
}
runpath_row runpath-host "$PRIV"
# $ORIGIN/.. out of the AppDir (APPDIR/bin, then up to the root and down).
up=$(realpath -m --relative-to="$T/runpath-origin/.bento-builder/appdir/bin" "$PRIV")
runpath_row runpath-origin "\$ORIGIN/$up"

# A manifest's sign-key, without --sign.
export GNUPGHOME=$T/gnupg
mkdir -m 0700 "$GNUPGHOME" && chown "$TEST_UID:$TEST_GID" "$GNUPGHOME"
as_user env GNUPGHOME="$GNUPGHOME" gpg --batch --quiet --passphrase '' \
	--quick-gen-key "Publisher <publisher@example.invalid>" ed25519 sign never 2>/dev/null
FPR=$(as_user env GNUPGHOME="$GNUPGHOME" gpg --batch --with-colons --list-secret-keys 2>/dev/null |
	awk -F: '$1 == "fpr" {print $10; exit}')
manifest "$T/sign.yml" org.example.Attack "bundle:
  sign-key: $FPR" <<EOF
  - name: app
    buildsystem: simple
    build-commands:
      - $APP
EOF
# (the key is there for the builder to use: GNUPGHOME is the publisher's)
BUILD_ENV=(GNUPGHOME="$GNUPGHOME")
build sign "$T/sign.yml"
sign_rc=$RC sign_err=$ERR
urun GNUPGHOME="$GNUPGHOME" "$BENTO" verify "$T/sign/out.AppImage"
blocked=NO
[ "$sign_rc" = 0 ] && [ "$RC" != 0 ] && [ -x "$T/sign/out.AppImage" ] &&
	[[ $sign_err == *"not signing: the manifest names the key $FPR"*"used only with --sign"* ]] && blocked=yes
obs="builder: exit $sign_rc, stderr: $(head -c 200 <<<"$sign_err"); bento verify: exit $RC"
build sign "$T/sign.yml" --sign
BUILD_ENV=()
urun GNUPGHOME="$GNUPGHOME" "$BENTO" verify "$T/sign/out.AppImage"
ctl=no
[ "$RC" = 0 ] && ctl=yes
record sign-key-manifest "item 21: the manifest picks the signing key" "$blocked" "$ctl" \
	"$obs; control: with --sign the file is signed with that key (bento verify: exit $RC)"
as_user env GNUPGHOME="$GNUPGHOME" gpgconf --kill all 2>/dev/null

# patchelf on the files the build made.  A stand-in for patchelf (bound over
# /usr/bin/patchelf in a mount namespace of the builder's own) does what a
# crafted ELF file could make a vulnerable patchelf do: write into the home.
PWNED=$USER_HOME/pwned-by-patchelf
cat >"$T/patchelf-stand-in" <<EOF
#!/bin/sh
n=\$(ls -A "$USER_HOME" 2>/dev/null | wc -l)
echo "patchelf ran here" >"$PWNED" 2>/dev/null
echo "patchelf stand-in ran, seeing \$n entries in $USER_HOME"
exit 1
EOF
chmod 0755 "$T/patchelf-stand-in"
manifest "$T/patchelf.yml" <<EOF
  - name: app
    buildsystem: simple
    build-commands:
      - printf 'int foo(void) { return 0; }\n' >f.c && mkdir -p /app/lib /app/bin
      - cc -shared -fPIC -Wl,-soname,libfoo.so.1 -o /app/lib/libfoo.so.1 f.c
      - printf 'int foo(void); int main(void) { return foo(); }\n' >m.c && cc -o /app/bin/app m.c /app/lib/libfoo.so.1
EOF
AS_USER_PREFIX=(unshare -m --propagation private sh -c 'mount --bind "$0" /usr/bin/patchelf && exec "$@"' "$T/patchelf-stand-in")
build patchelf "$T/patchelf.yml"
blocked=NO
[ "$RC" = 1 ] && [ ! -e "$PWNED" ] && [[ $ERR == *"patchelf stand-in ran"* ]] && blocked=yes
obs="builder: exit $RC, $(head -c 300 <<<"$ERR")"
# The control: `bento-builder bundle`, which runs patchelf on the host, on
# the AppDir that build left.
urun "$BUILDER" bundle "$STATE/appdir"
AS_USER_PREFIX=()
ctl=no
[ -e "$PWNED" ] && ctl=yes
record patchelf-host "item 21: patchelf on the build's files" "$blocked" "$ctl" \
	"$obs; control: bento-builder bundle (patchelf on the host) on that AppDir wrote $PWNED: $ctl"

# ---------------------------------------------------------------- local files outside the repository

# A pull request's manifest names a file of the builder's by a relative
# path that climbs out of its repository: the key would be published in
# the image.  Control: with --source-root=/ the same build does.
PR=$T/pr
mkdir -p "$PR/.git" "$SSH"
echo "PRIVATE KEY of the builder" >"$SSH/id_rsa"
cp "$T/icon.svg" "$PR/icon.svg"
chown -R "$TEST_UID:$TEST_GID" "$PR" "$SSH"
rel=$(python3 -c 'import os, sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' "$SSH/id_rsa" "$PR")
manifest "$PR/steal.yml" org.example.Steal "" <<EOF
  - name: app
    buildsystem: simple
    sources:
      - type: file
        path: $rel
    build-commands:
      - $APP
      - cp id_rsa /app/bin/stolen
EOF
sed -i "s|^icon: .*|icon: icon.svg|" "$PR/steal.yml"
image_has_key() { # DIR: the file built there holds the builder's key
	local f=$T/$1/out.AppImage
	[ -f "$f" ] && unsquashfs -q -o "$(urun "$f" --appimage-offset && echo "$OUT")" -cat "$f" \
		bin/stolen 2>/dev/null | grep -q "PRIVATE KEY"
}
build steal "$PR/steal.yml"
blocked=NO
[ "$RC" = 1 ] && [[ $ERR == *"is outside $PR, the directory the manifest's files must be in"* ]] &&
	! image_has_key steal && blocked=yes
obs="builder: exit $RC, $(head -c 300 <<<"$ERR")"
build steal-control "$PR/steal.yml" --source-root=/
ctl=no
image_has_key steal-control && ctl=yes
record "a manifest's path: climbs out of its repository to the builder's ~/.ssh/id_rsa" \
	"manifest paths" "$blocked" "$ctl" "$obs; control (--source-root=/): the key in the image: $ctl"

print_table

# The sanitizer build walks the same trees: the blocked attacks again, each
# with the same outcome and no sanitizer report.
if [ -n "${BENTO_SAN_BUILD:-}" ] && [ -f "$BENTO_SAN_BUILD/builder/bento-builder" ]; then
	mkdir -p san && cp "$BENTO_SAN_BUILD/builder/bento-builder" san/ && chmod 0755 san/bento-builder
	FAST=$BUILDER BUILDER=$T/san/bento-builder
	reset_victims
	build san-file "$T/file-dest.yml"
	[ "$RC" = 1 ] && [[ $ERR == *"evil is a symbolic link"* ]] && ! attacker_key_in "$SSH/authorized_keys"
	verdict "sanitizer build: a file source through a link is refused" 1
	build san-merge "$T/merge.yml"
	[ "$RC" = 0 ] && ! attacker_key_in "$SSH/authorized_keys"
	verdict "sanitizer build: an archive merged onto a link replaces it" 0
	build san-cleanup "$T/cleanup.yml"
	[ "$RC" = 1 ] && [ -f "$USER_HOME/docs/dir/file" ]
	verdict "sanitizer build: cleanup through a link is refused" 1
	build san-meta "$T/metadata-link.yml"
	[ "$RC" = 1 ] && [ -z "$(ls -A "$USER_HOME/meta")" ]
	verdict "sanitizer build: .bento through a link is refused" 1
	build san-victim "$T/victim.yml"
	as_user sh -c "printf '#!/bin/sh\necho TROJANED\n' >$(find "$STATE/cache" -mindepth 1 -maxdepth 1 -type d ! -name '.*')/bin/app"
	cd "$T/san-victim" && urun "$BUILDER" build --output=out.AppImage "$T/victim.yml"
	cd "$T" || exit 1
	[ "$RC" = 0 ] && [[ $ERR == *"was changed since it was made"* ]] && [ "$(run_output san-victim)" = ok ]
	verdict "sanitizer build: a poisoned cache entry is built again" 0
	BUILDER=$FAST
fi
no_leaks "the builds leave no process or mount behind"
finish
