# bento override, as the user: changes are stored in
# ${XDG_DATA_HOME:-~/.local/share}/bento/overrides/APPID, merged with the
# earlier ones, shown, reset, and applied by `bento info`; bad app ids, bad
# values and broken override files are refused; a failed write changes nothing.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir APPIMG BENTO BUILDER

ID=org.example.Hello
OV=$USER_HOME/.local/share/bento/overrides/$ID

# An image with metadata for the effect on `bento info`.
rm -rf app && cp -a "$BUILD_DIR/manifests/hello/hello.AppDir" app && mkdir -p app/.bento
printf '[Application]\nname=%s\n[Context]\nshared=network;\nfilesystems=xdg-download:ro;\n' "$ID" \
	>app/.bento/metadata
if ! "$BUILDER" pack app -o Hello.AppImage >pack.log 2>&1; then
	fail "bento-builder packs an AppDir with .bento/metadata" "$(cat pack.log)"
	finish
fi
chmod 0755 Hello.AppImage

urun "$BENTO" override --show "$ID"
expect "--show without an override prints nothing" 0 ""

urun "$BENTO" info ./Hello.AppImage
[ "$RC" = 0 ] && grep -qx '  Network: yes' <<<"$OUT" && ! grep -q '^Your override' <<<"$OUT"
verdict "bento info before any override: the metadata's permissions" 0

# ------------------------------------------------------------ add, merge, show

urun "$BENTO" override "$ID" --unshare=network --nofilesystem=xdg-download \
	'--filesystem=~/Scans:ro' --talk-name=org.example.Service --env=GREETING=hi
[ "$RC" = 0 ] && [ -f "$OV" ] && [ "$(stat -c %u "$OV")" = "$TEST_UID" ] &&
	[ "$(ls -A "$(dirname "$OV")")" = "$ID" ]
verdict "bento override APPID OPTIONS writes ~/.local/share/bento/overrides/APPID (no temporary left)" 0

urun "$BENTO" override --reset=x "$ID"
[ "$RC" = 2 ]
verdict "--reset takes no value (usage error)" 2

urun "$BENTO" override --socket=wayland '--filesystem=~/Scans' --unset-env=DEBUG \
	'--own-name=org.example.Hello.*' "$ID"
[ "$RC" = 0 ]
verdict "a second override (options before APPID) succeeds" 0
urun "$BENTO" override --show "$ID"
want='[Context]
shared=!network;
sockets=wayland;
filesystems=!xdg-download;~/Scans;
unset-environment=DEBUG;

[Session Bus Policy]
org.example.Service=talk
org.example.Hello.*=own

[Environment]
GREETING=hi'
expect "--show: the two overrides merged, the later one winning (~/Scans now rw)" 0 "$want"
[ "$(cat "$OV")" = "$want" ]
ok "  ... which is what the file holds" "$(cat "$OV")"

urun "$BENTO" info ./Hello.AppImage
[ "$RC" = 0 ] && grep -qx '  Network: no' <<<"$OUT" &&
	grep -qx '  Socket: the Wayland display' <<<"$OUT" &&
	grep -qx '  Files: ~/Scans (read/write)' <<<"$OUT" &&
	! grep -q 'Downloads' <<<"$OUT" &&
	grep -qx '  Session bus: may talk to org.example.Service' <<<"$OUT" &&
	grep -qx "Your override (included above): $OV" <<<"$OUT" &&
	grep -qx '  shared=!network;' <<<"$OUT"
verdict "bento info applies the override and shows it" 0

urun XDG_DATA_HOME="$USER_HOME/xdg" "$BENTO" override "$ID" --share=ipc
[ "$RC" = 0 ] && [ "$(cat "$USER_HOME/xdg/bento/overrides/$ID")" = $'[Context]\nshared=ipc;' ]
verdict "XDG_DATA_HOME moves the overrides" 0
urun XDG_DATA_HOME=relative/dir "$BENTO" override --show "$ID"
expect "a relative XDG_DATA_HOME is ignored (the spec's rule)" 0 "$want"

# ------------------------------------------------------------ refusals

before=$(cat "$OV")
for bad in ../evil org/example.Hello .org.example org..example hello -org.x \
	"a.$(printf 'b%.0s' $(seq 254))"; do
	urun "$BENTO" override --share=network -- "$bad"
	[ "$RC" = 2 ] && grep -qF 'bento override: invalid app id' <<<"$ERR" &&
		[ "$(ls -A "$(dirname "$OV")")" = "$ID" ] && [ ! -e "$USER_HOME/.local/share/bento/evil" ]
	verdict "invalid app id ${bad:0:20}: usage error (2), nothing written" 2
done
urun "$BENTO" override "$ID" --filesystem=/proc/self
[ "$RC" = 2 ] && grep -qF -- '--filesystem=/proc/self: filesystem location "/proc/self" is reserved' <<<"$ERR"
verdict "a bad permission value: usage error (2) naming it" 2
urun "$BENTO" override "$ID"
[ "$RC" = 2 ]
verdict "no change at all: usage error (2)" 2
urun "$BENTO" override --show --share=network "$ID"
[ "$RC" = 2 ]
verdict "--show with permissions: usage error (2)" 2
urun "$BENTO" override --share=network
[ "$RC" = 2 ]
verdict "no APPID: usage error (2)" 2
[ "$(cat "$OV")" = "$before" ]
ok "the refusals left the override alone"

# a failed write: exit 1, the old file intact, no temporary file
chmod 0555 "$(dirname "$OV")"
urun "$BENTO" override "$ID" --share=network
[ "$RC" = 1 ] && grep -qF "cannot create a file beside $OV" <<<"$ERR" &&
	[ "$(cat "$OV")" = "$before" ] && [ "$(ls -A "$(dirname "$OV")")" = "$ID" ]
verdict "an unwritable overrides directory: exit 1, the override unchanged" 1
chmod 0755 "$(dirname "$OV")"

# a broken override file (the user's own, but checked as strictly)
cp "$OV" good-override
printf '[Context]\nshared=network;\nsockets=telepathy;\n' >"$OV"
urun "$BENTO" info ./Hello.AppImage
[ "$RC" = 127 ] && [ -z "$OUT" ] &&
	grep -qF "bento info: $OV:3: sockets: unknown socket \"telepathy\"" <<<"$ERR"
verdict "bento info with a broken override: 127 naming its line" 127
urun "$BENTO" override --show "$ID"
[ "$RC" = 1 ] && grep -qF "bento override: $OV:3: sockets: unknown socket" <<<"$ERR"
verdict "bento override --show with a broken override: 1 naming its line" 1
printf '[Context]\nshared=network;\ncolour=blue\n' >"$OV"
urun "$BENTO" override --show "$ID"
[ "$RC" = 0 ] && [ "$OUT" = $'[Context]\nshared=network;' ] &&
	grep -qF "$OV:3: warning: unknown key \"colour\" in [Context], ignored" <<<"$ERR"
verdict "an unknown key in an override is a warning" 0
cp good-override "$OV"

# ------------------------------------------------------------ reset

urun "$BENTO" override --reset "$ID"
[ "$RC" = 0 ] && [ ! -e "$OV" ]
verdict "--reset removes the override" 0
urun "$BENTO" override --reset "$ID"
expect "--reset without an override is fine" 0 ""
urun "$BENTO" info ./Hello.AppImage
[ "$RC" = 0 ] && grep -qx '  Network: yes' <<<"$OUT" && ! grep -q '^Your override' <<<"$OUT"
verdict "after --reset, bento info shows the metadata's permissions again" 0

urun "$BENTO" override --help
[ "$RC" = 0 ] && grep -q -- '--reset' <<<"$OUT" && grep -q -- '--nofilesystem' <<<"$OUT"
verdict "bento override --help describes --show, --reset and the permissions" 0

# the plain AppImage: its derived id takes overrides too
urun "$BENTO" override appimage.local.hello --share=network
urun "$BENTO" info ./"$b"
[ "$RC" = 0 ] && grep -qx '  Network: yes' <<<"$OUT" && grep -q '^Permissions when sandboxed:' <<<"$OUT"
verdict "a plain AppImage's derived app id takes an override too" 0

# ------------------------------------------------------------ with the sanitizers

if [ -n "${BENTO_SAN_BUILD:-}" ]; then
	mkdir -p san && chmod 0755 san
	copy_artifacts "$BENTO_SAN_BUILD" san
	if [ -z "$BENTO" ]; then
		skip "overrides with the sanitizer build" "no bento in $BENTO_SAN_BUILD"
	else
		urun "$BENTO" override "$ID" --unshare=network '--filesystem=~/x:create' \
			--env=A=' b\c ' --unset-env=B --system-see-name=org.a.B --no-talk-name=org.a.C
		[ "$RC" = 0 ]
		verdict "sanitizer build: bento override writes an override" 0
		urun "$BENTO" override --show "$ID"
		[ "$RC" = 0 ] && grep -qx 'A=\\sb\\\\c\\s' <<<"$OUT"
		verdict "sanitizer build: --show escapes the value as a key file needs" 0
		urun "$BENTO" info ./Hello.AppImage
		[ "$RC" = 0 ] && grep -qx '  Environment: A= b\\c ' <<<"$OUT"
		verdict "sanitizer build: bento info reads it back" 0
		urun "$BENTO" override --reset "$ID"
		[ "$RC" = 0 ] && [ ! -e "$OV" ]
		verdict "sanitizer build: --reset" 0
	fi
fi

finish
