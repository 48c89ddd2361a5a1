# .bento/metadata: bad files are refused by `bento info` with a message that
# names the file, the line and the problem (status 127); unknown keys and
# groups are warnings; `bento info` describes a good image's app id, command
# and permissions; plain AppImages get a derived app id; the permission
# options of `bento run` and of the runtime are checked, and an argument
# after the first stays the app's.  Nothing here depends on the sandbox.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir APPIMG RUNTIME BENTO BUILDER
command -v mksquashfs >/dev/null || {
	fail "mksquashfs is installed (squashfs-tools)"
	finish
}

# image NAME METADATA: ./NAME.AppImage, an image holding only
# .bento/metadata with the text METADATA (printf format).  Made with
# mksquashfs rather than bento-builder, which may refuse bad metadata.
image() {
	rm -rf "src-$1"
	mkdir -p "src-$1/.bento"
	# shellcheck disable=SC2059 # the metadata is a format on purpose
	printf "$2" >"src-$1/.bento/metadata"
	mksquashfs "src-$1" "$1.sqfs" -quiet -noappend -all-root -no-progress -processors 1 \
		>/dev/null &&
		cat "$RUNTIME" "$1.sqfs" >"$1.AppImage" && chmod 0755 "$1.AppImage"
	rm -rf "src-$1" "$1.sqfs"
}

# refused NAME METADATA MESSAGE: an image ./badN.AppImage that `bento info`
# must refuse with status 127, saying MESSAGE (a fixed string that follows
# the file's name: its line and the problem).  They are checked together by
# check_refused (one user switch for all: the suite must stay fast).
n=0
declare -a bad_what bad_msg
refused() {
	n=$((n + 1))
	bad_what[n]=$1 bad_msg[n]=$3
	image "bad$n" "$2"
}

# check_refused BENTO LABEL [STEP]: runs BENTO info on every STEPth bad
# image, as the user, and checks each one's status, output and message (and
# that no sanitizer reported anything).
check_refused() {
	local i
	urun sh -c 'bento=$1 step=$2 n=$3
		for i in $(seq 1 "$step" "$n"); do
			"$bento" info "./bad$i.AppImage" >"bad$i.out" 2>"bad$i.err"
			echo $? >"bad$i.rc"
		done' sh "$1" "${3:-1}" "$n"
	for i in $(seq 1 "${3:-1}" "$n"); do
		LAST_CMD="$1 info ./bad$i.AppImage" RC=$(cat "bad$i.rc") OUT=$(cat "bad$i.out")
		ERR_FILE=bad$i.err ERR=$(cat "bad$i.err") MS='?'
		[ "$RC" = 127 ] && [ -z "$OUT" ] &&
			grep -qF -- "bento info: ./bad$i.AppImage:.bento/metadata${bad_msg[i]}" <<<"$ERR"
		verdict "$2refused: ${bad_what[i]}" 127
	done
}

# The hostile files (shared with tests/repo/refuse.sh)
. "$(dirname "$0")/lib/bad_metadata.sh"
bad_metadata_rows refused org.example.Hello

A='[Application]\nname=org.example.Hello\n'
long=$(printf 'b%.0s' $(seq 254))
image ok255 "[Application]\nname=a.b.${long:3}\n"
urun "$BENTO" info ./ok255.AppImage
[ "$RC" = 0 ] && grep -qx "App id: a.b.${long:3}" <<<"$OUT"
verdict "an app id of 255 bytes is fine" 0
image ownok "${A}[Session Bus Policy]\norg.example.Hello.Sub=own\norg.mpris.MediaPlayer2.org.example.Hello=own\norg.freedesktop.Notifications=talk\n"
urun "$BENTO" info ./ownok.AppImage
[ "$RC" = 0 ] && grep -qx '  Session bus: may own org.example.Hello.Sub' <<<"$OUT" &&
	grep -qx '  Session bus: may own org.mpris.MediaPlayer2.org.example.Hello' <<<"$OUT"
verdict "own of names below the app's id and of its MPRIS name is fine" 0

check_refused "$BENTO" ""

# ------------------------------------------------------------ warnings

image warn "${A}colour=blue\n[Context]\nshared=network;\nshared=ipc;\nfuture=1\n[X-Future]\nk=v\n"
urun "$BENTO" info ./warn.AppImage
[ "$RC" = 0 ] &&
	grep -qxF './warn.AppImage:.bento/metadata:3: warning: unknown key "colour" in [Application], ignored' <<<"$ERR" &&
	grep -qxF './warn.AppImage:.bento/metadata:7: warning: unknown key "future" in [Context], ignored' <<<"$ERR" &&
	grep -qxF './warn.AppImage:.bento/metadata:8: warning: unknown group [X-Future], ignored' <<<"$ERR" &&
	grep -qF './warn.AppImage:.bento/metadata:5: warning: repeated key "shared" in [Context]' <<<"$ERR" &&
	grep -qx '  Network: no' <<<"$OUT" && grep -qx '  Host IPC (.*): yes' <<<"$OUT"
verdict "unknown keys, groups and repeated keys are warnings naming file:line; the last line wins" 0

# ------------------------------------------------------------ a good image

rm -rf app && cp -a "$BUILD_DIR/manifests/hello/hello.AppDir" app && mkdir -p app/.bento
cat >app/.bento/metadata <<'EOF'
# hello, sandboxed
[Application]
name=org.example.Hello
command=usr/bin/hello

[Context]
shared=network;
sockets=wayland;pulseaudio;
devices=dri;
features=devel;
filesystems=xdg-download:ro;~/Music;xdg-documents/Invoices:create;!home;
persistent=.hello;
unset-environment=DEBUG;

[Session Bus Policy]
org.freedesktop.Notifications=talk
org.example.Hello.*=own

[System Bus Policy]
org.freedesktop.UPower=see

[Environment]
GREETING=\shello there
EOF
if ! "$BUILDER" pack app -o Hello.AppImage >pack.log 2>&1; then
	fail "bento-builder packs an AppDir with .bento/metadata" "$(cat pack.log)"
	finish
fi
chmod 0755 Hello.AppImage
urun "$BENTO" info ./Hello.AppImage
want='App id: org.example.Hello
Command: usr/bin/hello
Sandbox: yes (unless run with --no-sandbox)
Permissions:
  Network: yes
  Host IPC (shared memory and System V IPC with host programs): no
  Socket: the Wayland display
  Socket: sound (PulseAudio)
  Device: graphics acceleration (/dev/dri)
  Feature: debugging and profiling (ptrace, perf)
  Files: your Downloads folder (read-only)
  Files: ~/Music (read/write)
  Files: your Documents folder, only Invoices (read/write, created if missing)
  Kept in the app'"'"'s data folder: ~/.hello
  Session bus: may talk to org.freedesktop.Notifications
  Session bus: may own every name in org.example.Hello
  System bus: may see org.freedesktop.UPower
  Environment: DEBUG unset
  Environment: GREETING= hello there'
OUT=$(sed -n '/^App id:/,$p' <<<"$OUT")
expect "bento info describes the app id, command and permissions of .bento/metadata" 0 "$want"
[ -z "$ERR" ]
ok "  ... without a warning" "$ERR"

# The runtime takes the command from the metadata: the app runs as before.
urun ./Hello.AppImage --bento-no-sandbox a
expect "the packed image with metadata runs its command (--bento-no-sandbox)" 0 "$(hello_out a)"

# ------------------------------------------------------------ derived app ids

urun "$BENTO" info ./"$b"
[ "$RC" = 0 ] && grep -qx 'App id: appimage.local.hello (derived: the image has no .bento/metadata)' <<<"$OUT" &&
	grep -qx 'Command: AppRun' <<<"$OUT" &&
	grep -qx 'Sandbox: no, a plain AppImage (unless run with --sandbox)' <<<"$OUT"
verdict "a plain AppImage: app id from hello.desktop (appimage.local.hello), not sandboxed" 0

mkdir -p plain && cp app/hello.desktop plain/org.example.Plain.desktop
mksquashfs plain plain.sqfs -quiet -noappend -all-root -no-progress >/dev/null
cat "$RUNTIME" plain.sqfs >Plain.AppImage
urun "$BENTO" info ./Plain.AppImage
[ "$RC" = 0 ] && grep -qx 'App id: org.example.Plain (derived: .*)' <<<"$OUT"
verdict "org.example.Plain.desktop gives the app id org.example.Plain" 0

rm -rf plain && mkdir -p plain/usr
mksquashfs plain plain.sqfs -quiet -noappend -all-root -no-progress >/dev/null
cat "$RUNTIME" plain.sqfs >'My App-1.2.AppImage'
urun "$BENTO" info './My App-1.2.AppImage'
[ "$RC" = 0 ] && grep -qx 'App id: appimage.local.My_App-1_2 (derived: .*)' <<<"$OUT"
verdict "without a desktop file, the app id comes from the file's name" 0

# ------------------------------------------------------------ bento run options

urun "$BENTO" run --share=bluetooth ./"$b" x
[ "$RC" = 2 ] && grep -qF 'bento run: --share=bluetooth: unknown shared resource "bluetooth"' <<<"$ERR" &&
	[ -z "$OUT" ]
verdict "bento run --share=bluetooth: usage error (2), the app does not run" 2
for bad in --filesystem=/proc --filesystem=home:rx --nofilesystem=home:ro --persist=../x \
	--env=NOVALUE --env=1A=b --unset-env=A=b --talk-name=noDots --own-name=org..x \
	--system-talk-name=org.x. --socket=x12 --nodevice=gpu --allow=everything; do
	urun "$BENTO" run "$bad" ./"$b" x
	[ "$RC" = 2 ] && grep -qF -- "bento run: $bad: " <<<"$ERR" && [ -z "$OUT" ]
	verdict "bento run $bad: usage error naming the option" 2
done
urun "$BENTO" run --no-sandbox --share=network --unshare=ipc --socket=wayland --nosocket=x11 \
	--device=dri --nodevice=kvm --allow=devel --disallow=multiarch --filesystem=home:ro \
	--nofilesystem=host --filesystem=xdg-download/x:create --persist=.x --env=A=b \
	--unset-env=C --talk-name=org.a.B --no-talk-name=org.a.C '--own-name=org.a.D.*' \
	--see-name=org.a.E --system-talk-name=org.a.F --system-no-talk-name=org.a.G \
	--system-own-name=org.a.H ./"$b" x --share=bluetooth
expect "bento run accepts every permission option; options end at FILE" 0 \
	"$(hello_out x --share=bluetooth)"
urun "$BENTO" run --help
[ "$RC" = 0 ] && grep -q -- '--sandbox' <<<"$OUT" && grep -q -- '--system-own-name' <<<"$OUT"
verdict "bento run --help lists --sandbox and the permission options" 0

# ------------------------------------------------------------ the runtime's options

urun ./"$b" x --bento-no-sandbox
expect "an argument after the first stays the app's (x --bento-no-sandbox)" 0 \
	"$(hello_out x --bento-no-sandbox)"
urun ./"$b" x --bento-sandbox '--bento-permissions=--share=network'
expect "  ... so do --bento-sandbox and --bento-permissions= in later positions" 0 \
	"$(hello_out x --bento-sandbox --bento-permissions=--share=network)"
urun ./"$b" --bento-no-sandbox --bento-sandbox y
expect "--bento-no-sandbox as the first argument is the runtime's, the rest the app's" 0 \
	"$(hello_out --bento-sandbox y)"
urun ./"$b" '--bento-permissions=--share=network --filesystem=/proc' x
[ "$RC" = 127 ] && grep -qF 'bento-runtime: --filesystem=/proc: filesystem location "/proc" is reserved' <<<"$ERR" &&
	[ -z "$OUT" ]
verdict "--bento-permissions= with a bad value: 127 naming it, the app does not run" 127
urun ./"$b" '--bento-permissions=--share=network --frobnicate=1' x
[ "$RC" = 127 ] && grep -qF 'bento-runtime: --frobnicate: not a permission option' <<<"$ERR"
verdict "--bento-permissions= with an unknown option: 127 naming it" 127
urun ./"$b" '--bento-permissions=share=network' x
[ "$RC" = 127 ] && grep -qF '"share=network": expected --OPTION=VALUE' <<<"$ERR"
verdict "--bento-permissions= with a word that is no option: 127" 127
urun ./"$b" --bento-share=bluetooth x
[ "$RC" = 127 ] && grep -qF 'bento-runtime: --share=bluetooth: unknown shared resource' <<<"$ERR"
verdict "--bento-share=bluetooth: 127 naming it" 127
urun ./"$b" --bento-frobnicate=1 x
[ "$RC" = 127 ] && grep -qF 'unknown option --bento-frobnicate=1' <<<"$ERR"
verdict "--bento-frobnicate=1: unknown runtime option (127)" 127
urun ./"$b" --bento-help
[ "$RC" = 0 ] && grep -q -- '--bento-no-sandbox' <<<"$OUT" && grep -q -- '--bento-permissions=' <<<"$OUT"
verdict "--bento-help lists --bento-sandbox, --bento-no-sandbox and --bento-permissions=" 0

# ------------------------------------------------------------ with the sanitizers

# The same files through the sanitizer build's bento: the same refusals and
# descriptions, and no ASan/UBSan report (verdict checks it).  One refusal in
# three, to keep the suite fast (tests/fuzz/fuzz_metadata covers the parser
# under the sanitizers at length).
if [ -n "${BENTO_SAN_BUILD:-}" ]; then
	mkdir -p san && chmod 0755 san
	BENTO_PLAIN=$BENTO
	copy_artifacts "$BENTO_SAN_BUILD" san
	if [ -z "$BENTO" ]; then
		skip "metadata with the sanitizer build" "no bento in $BENTO_SAN_BUILD"
	else
		check_refused "$BENTO" "sanitizer build: " 3
		for f in warn Hello Plain "$b"; do
			urun "$BENTO" info "./${f%.AppImage}.AppImage"
			want=$(as_user "$BENTO_PLAIN" info "./${f%.AppImage}.AppImage" 2>/dev/null)
			expect "sanitizer build: bento info $f describes it as the normal build does" 0 "$want"
		done
		urun "$BENTO" run --no-sandbox --share=network '--filesystem=~/a:ro' --env=A=b \
			'--own-name=org.a.B.*' ./"$b" x
		expect "sanitizer build: bento run with permission options" 0 "$(hello_out x)"
		urun "$BENTO" run --filesystem=/a/../b ./"$b" x
		[ "$RC" = 2 ]
		verdict "sanitizer build: bento run with a bad permission value: 2" 2
	fi
fi

finish
