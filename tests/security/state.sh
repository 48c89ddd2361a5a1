# Who an app id belongs to, and bento's own state (issue 12, items 1, 2,
# 5-9, 14): each attack of the review as a row of the escape table, run by
# the app of a bento file (uid 65534), by a second local user (uid 65533)
# or on the user's host, beside a control that shows the attack works where
# the defence is lifted: the user handing the id over (bento trust), a
# grant of a directory that is not bento's, the planted file run directly.
#   1  a file claiming another app's id (unsigned, signed by another key,
#      Flatpak's data directory)
#   2  bus names: an id that covers the desktop's services, an own rule
#   5  the sandbox's own root through a grant (xdg-cache, home, xdg-run)
#   6  the extraction cache poisoned through a grant, or on the host
#   7  bento's overrides through a narrow grant (xdg-data/bento:create)
#   8  another user's $TMPDIR/appimage_extracted_KEY; a changed one of ours
#   9  another user's $TMPDIR/bento-UID (the D-Bus proxy's sockets)
#  14  the file's host path in /proc/1/cmdline, /.flatpak-info, the
#      environment, mountinfo
. "$(dirname "$0")/../lib.sh" "$@"
. "$(dirname "$0")/lib/table.sh"
. "$(dirname "$0")/lib/verdict.sh"

in_test_dir BENTO BUILDER RUNTIME
RUN_TIMEOUT=30
MARK=bento-state-$$-$RANDOM
OTHER_UID=65533
IMG=$TEST_DIR/img
mkdir -p "$IMG" "$TEST_DIR/appdirs"
chown "$TEST_UID:$TEST_GID" "$IMG"
chmod 0755 "$IMG"

# Where a desktop session keeps its sockets.
XDG_RT=$TEST_DIR/xdg-runtime
install -d -m 0700 -o "$TEST_UID" -g "$TEST_GID" "$XDG_RT"
SESSION=(XDG_RUNTIME_DIR="$XDG_RT")

# ---------------------------------------------------------------- images

# make_image NAME METADATA [PACK-OPTION...]: an image whose AppRun runs its
# arguments (`./NAME.AppImage sh -c '...'`), with METADATA as .bento/metadata
# (none if empty).
make_image() {
	local name=$1 md=$2 d=$TEST_DIR/appdirs/$1 out
	shift 2
	mkdir -p "$d"
	printf '#!/bin/sh\n[ "$1" = --genuine ] && { echo "genuine $0"; exit 0; }\nexec "$@"\n' >"$d/AppRun"
	chmod 0755 "$d/AppRun"
	printf '[Desktop Entry]\nType=Application\nName=State\nExec=state\nIcon=state\nCategories=Utility;\n' \
		>"$d/state.desktop"
	printf '\211PNG\r\n\032\n\0\0\0\rIHDR' >"$d/state.png"
	if [ -n "$md" ]; then
		mkdir -p "$d/.bento"
		printf '%s\n' "$md" >"$d/.bento/metadata"
	fi
	chown -R "$TEST_UID:$TEST_GID" "$d"
	if ! out=$(as_user "${GPG[@]}" SOURCE_DATE_EPOCH=0 "$BUILDER" pack "$d" -o "$IMG/$name.AppImage" "$@" 2>&1) ||
		[ ! -x "$IMG/$name.AppImage" ]; then
		fail "pack the $name image" "$out"
		return 1
	fi
}
app() { # ID [GROUP-LINES]: metadata of app ID
	printf '[Application]\nname=%s\n%s' "$1" "${2:-}"
}

# Two signing keys of the user's.
GH=$TEST_DIR/gnupg
GPG=(GNUPGHOME="$GH")
test_keys "$GH" "Good Key <good@example.org>" "Other Key <other@example.org>" 2>/dev/null
FPR_GOOD=$(fingerprint_of "$GH" good@example.org)
FPR_OTHER=$(fingerprint_of "$GH" other@example.org)

BUSRULE=$'\n[Session Bus Policy]\norg.example.Harmless=talk'
make_image good "$(app org.example.Good)" &&
	make_image evil "$(app org.example.Good)" &&
	make_image firefox "$(app org.mozilla.firefox)" &&
	make_image signed "$(app org.example.Signed)" --sign-key good@example.org &&
	make_image signed-update "$(app org.example.Signed)" --sign-key good@example.org &&
	make_image signed-other "$(app org.example.Signed)" --sign-key other@example.org &&
	make_image signed-unsigned "$(app org.example.Signed)" &&
	make_image freedesktop "$(app org.freedesktop "$BUSRULE")" &&
	make_image ownrule "$(app org.example.Owner $'\n[Session Bus Policy]\norg.freedesktop.Notifications=own')" &&
	make_image busapp "$(app org.example.BusApp "$BUSRULE")" &&
	make_image cache "$(app org.example.Cache $'\n[Context]\nfilesystems=xdg-cache;')" &&
	make_image home "$(app org.example.Home $'\n[Context]\nfilesystems=home;')" &&
	make_image xdgrun "$(app org.example.XdgRun $'\n[Context]\nfilesystems=xdg-run/bento;xdg-run/other;')" &&
	make_image overrides "$(app org.example.Overrides $'\n[Context]\nfilesystems=xdg-data/bento:create;')" &&
	make_image otherdata "$(app org.example.OtherData $'\n[Context]\nfilesystems=xdg-data/notbento:create;')" &&
	make_image path "$(app org.example.Path)" &&
	make_image plain "" ||
	{
		echo "FAIL: $SCRIPT_NAME: the images could not be made"
		exit 1
	}

# ---------------------------------------------------------------- attacks

# The attack programs, run by sh inside the app (or on the host for the
# controls): their last line says "state: escaped: ..." (status 0) or
# "state: blocked: ..."
# (status 10).
READ='if v=$(cat "$1" 2>/dev/null) && [ -n "$v" ]; then echo "state: escaped: read $1: $v"; exit 0; fi
echo "state: blocked: cannot read $1"; exit 10'
WRITE='if (printf "%s\n" "$2" >"$1") 2>/dev/null; then echo "state: escaped: wrote $1"; exit 0; fi
echo "state: blocked: cannot write $1"; exit 10'
# $1: a bus name to own; gdbus answers (uint32 1,) for "primary owner"
OWN='r=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
	--method org.freedesktop.DBus.RequestName "$1" 4 2>&1)
case $r in "(uint32 1,)") echo "state: escaped: owns $1"; exit 0 ;; esac
echo "state: blocked: $1: $r"; exit 10'

sandboxed() { # [REGEX] -- RUN...: run, judge into SV/SOBS
	local re=$1
	shift 2
	urun "${SESSION[@]}" "$@"
	attack_verdict "$re"
	SV=$V SOBS=$OBS
}
control() { # RUN...: run as the user, judge into CV/COBS
	urun "${SESSION[@]}" "$@"
	attack_verdict
	CV=$V COBS=$OBS
}

VAR_APP=$USER_HOME/.var/app

# ---------------------------------------------------------------- 1: identity

# The first file to use an id gets it: good writes its token.
urun "${SESSION[@]}" "$IMG/good.AppImage" sh -c 'echo "$1" >"$XDG_CONFIG_HOME/token"' sh "$MARK-token"
[ "$RC" = 0 ] && [ "$(cat "$VAR_APP/org.example.Good/config/token" 2>/dev/null)" = "$MARK-token" ]
verdict "the first file to use org.example.Good keeps its data there" 0
RECORD=$USER_HOME/.local/share/bento/ids/org.example.Good
[ "$(stat -c '%U %a' "$RECORD" 2>/dev/null)" = "nobody 600" ] &&
	grep -qx "file=$IMG/good.AppImage" "$RECORD"
ok "bento records that org.example.Good belongs to that unsigned file (mode 0600)" "$(ls -l "$RECORD" 2>&1; cat "$RECORD" 2>&1)"

TOKEN=$VAR_APP/org.example.Good/config/token
sandboxed 'belongs to the unsigned file' -- "$IMG/evil.AppImage" sh -c "$READ" sh "$TOKEN"
grep -qF "bento trust $IMG/evil.AppImage" <<<"$ERR"
ok "the refusal says how to hand the id over (bento trust FILE)" "$ERR"
urun "${SESSION[@]}" "$IMG/good.AppImage" sh -c "$READ" sh "$TOKEN"
[ "$RC" = 0 ]
verdict "the first file still reads its own data afterwards" 0
# Control: once the user hands the id over, the same file reads the token.
urun "$BENTO" trust "$IMG/evil.AppImage"
[ "$RC" = 0 ] && grep -q "now belongs to the unsigned file $IMG/evil.AppImage" <<<"$OUT"
verdict "bento trust hands org.example.Good to the other file" 0
control "$IMG/evil.AppImage" sh -c "$READ" sh "$TOKEN"
attack_row "an unsigned file claims another file's app id and reads its data" "app identity"

# Flatpak's data: a directory bento did not make.
mkdir -p "$VAR_APP/org.mozilla.firefox"
printf '%s\n' "$MARK-profile" >"$VAR_APP/org.mozilla.firefox/profile.txt"
chown -R "$TEST_UID:$TEST_GID" "$VAR_APP/org.mozilla.firefox"
sandboxed 'bento did not make it' -- "$IMG/firefox.AppImage" sh -c "$READ" sh \
	"$VAR_APP/org.mozilla.firefox/profile.txt"
urun "$BENTO" trust "$IMG/firefox.AppImage"
control "$IMG/firefox.AppImage" sh -c "$READ" sh "$VAR_APP/org.mozilla.firefox/profile.txt"
attack_row "a file claims org.mozilla.firefox and reads Flatpak's Firefox data" "app identity"

# Signed: the id belongs to the key.
urun "${SESSION[@]}" "$IMG/signed.AppImage" sh -c 'echo "$1" >"$XDG_DATA_HOME/secret"' sh "$MARK-signed"
RECORD=$USER_HOME/.local/share/bento/ids/org.example.Signed
[ "$RC" = 0 ] && grep -qx "key=$FPR_GOOD" "$RECORD"
verdict "a signed file binds org.example.Signed to its key" 0
SECRET=$VAR_APP/org.example.Signed/data/secret
urun "${SESSION[@]}" "$IMG/signed-update.AppImage" sh -c "$READ" sh "$SECRET"
[ "$RC" = 0 ] && grep -q "$MARK-signed" <<<"$OUT"
verdict "another file signed by the same key (an update) keeps the data" 0
sandboxed 'belongs to the files signed by key' -- "$IMG/signed-other.AppImage" sh -c "$READ" sh "$SECRET"
grep -qF "$FPR_GOOD" <<<"$ERR" && grep -qF "$FPR_OTHER" <<<"$ERR"
ok "the refusal names both keys" "$ERR"
OTHER_V=$SV OTHER_OBS=$SOBS
sandboxed 'belongs to the files signed by key' -- "$IMG/signed-unsigned.AppImage" sh -c "$READ" sh "$SECRET"
UNSIGNED_V=$SV UNSIGNED_OBS=$SOBS
urun "$BENTO" trust "$IMG/signed-other.AppImage"
[ "$RC" = 0 ] && grep -qF "now belongs to the key $FPR_OTHER" <<<"$OUT"
verdict "bento trust hands org.example.Signed to the other key" 0
control "$IMG/signed-other.AppImage" sh -c "$READ" sh "$SECRET"
SV=$OTHER_V SOBS=$OTHER_OBS
attack_row "a file signed by another key claims a signed app's id and reads its data" "app identity"
urun "$BENTO" trust "$IMG/signed-unsigned.AppImage"
control "$IMG/signed-unsigned.AppImage" sh -c "$READ" sh "$SECRET"
SV=$UNSIGNED_V SOBS=$UNSIGNED_OBS
attack_row "an unsigned file claims a signed app's id and reads its data" "app identity"

# ---------------------------------------------------------------- 2: bus names

mkdir -p "$TEST_DIR/bus"
chown "$TEST_UID:$TEST_GID" "$TEST_DIR/bus"
BUS=unix:path=$TEST_DIR/bus/socket
bg_user "$TEST_DIR/bus.out" "$TEST_DIR/bus.err" dbus-daemon --session --nofork --nopidfile \
	--address="$BUS" --print-address=1
BUS_PID=$BG_PID
if wait_for_line "$TEST_DIR/bus.out" '^unix:' 10 "$BUS_PID"; then
	SESSION+=(DBUS_SESSION_BUS_ADDRESS="$BUS")
	sandboxed 'invalid app id' -- "$IMG/freedesktop.AppImage" sh -c "$OWN" sh org.freedesktop.secrets
	control "$BENTO" run --socket=session-bus "$IMG/busapp.AppImage" sh -c "$OWN" sh org.freedesktop.secrets
	attack_row "app id org.freedesktop owns org.freedesktop.secrets on the session bus" "bus names"
	sandboxed 'own is refused' -- "$IMG/ownrule.AppImage" sh -c "$OWN" sh org.freedesktop.Notifications
	urun "$BENTO" override org.example.BusApp --own-name=org.freedesktop.Notifications
	control "$IMG/busapp.AppImage" sh -c "$OWN" sh org.freedesktop.Notifications
	attack_row "an image's own rule for org.freedesktop.Notifications" "bus names"
	urun "${SESSION[@]}" "$IMG/busapp.AppImage" sh -c "$OWN" sh org.example.BusApp.Player
	[ "$RC" = 0 ]
	verdict "the app owns a name below its id through the proxy" 0
	kill -TERM "$BUS_PID"
	bg_wait "$BUS_PID" 5
else
	fail "dbus-daemon starts" "$(cat "$TEST_DIR/bus.err")"
fi

# ---------------------------------------------------------------- 5: the root

# Each launch builds its root on a directory of bento's; a grant of a
# directory above it must not show the root (its /.flatpak-info, which
# portals trust) to the app.  Control: the same write through the same kind
# of grant reaches a file that is not bento's.
# (cache and home without XDG_RUNTIME_DIR, so that the root is built below
# ~/.cache/bento; xdg-run with it, where the root is built below it.)
for grant in cache home xdgrun; do
	env=()
	case $grant in
	cache) dir=$USER_HOME/.cache mnt=$USER_HOME/.cache/bento/mnt ;;
	home) dir=$USER_HOME mnt=$USER_HOME/.cache/bento/mnt ;;
	xdgrun) dir=/run/user/$TEST_UID mnt=/run/user/$TEST_UID/bento/mnt env=("${SESSION[@]}") ;;
	esac
	# (/.flatpak-info is read-only, its directory is not: replaced, as the
	# review did, and a file made in /etc.)
	urun "${env[@]}" "$IMG/$grant.AppImage" sh -c 'for root in "$1" "$1/newroot"; do
			if [ -e "$root/.flatpak-info" ] &&
				(printf "[Application]\nname=org.gnome.Settings\n" >"$root/.new" &&
					mv -f "$root/.new" "$root/.flatpak-info") 2>/dev/null; then
				echo "state: escaped: replaced $root/.flatpak-info"; exit 0
			fi
			if [ -d "$root/etc" ] && (: >"$root/etc/evil") 2>/dev/null; then
				echo "state: escaped: made $root/etc/evil"; exit 0
			fi
		done
		echo "state: blocked: no root of a sandbox in $1"; exit 10' sh "$mnt"
	attack_verdict
	SV=$V SOBS=$OBS
	host=${dir/#\/run\/user\/$TEST_UID/$XDG_RT}
	install -d -o "$TEST_UID" -g "$TEST_GID" "$host/other"
	install -o "$TEST_UID" -g "$TEST_GID" /dev/null "$host/other/.flatpak-info"
	urun "${env[@]}" "$IMG/$grant.AppImage" sh -c "$WRITE" sh "$dir/other/.flatpak-info" "name=org.gnome.Settings"
	attack_verdict
	CV=$V COBS=$OBS
	attack_row "the sandbox's root through filesystems=$(sed -n 's/^filesystems=//p' "$TEST_DIR/appdirs/$grant/.bento/metadata")" "bento's state"
done
urun "$IMG/cache.AppImage" sh -c 'ls -A "$1"' sh "$USER_HOME/.cache/bento"
[ "$RC" = 0 ] && [ -z "$OUT" ]
verdict "with filesystems=xdg-cache, ~/.cache/bento is empty in the sandbox" 0

# ---------------------------------------------------------------- 6: extraction cache

# The user runs a plain AppImage with the extract strategy: it is cached.
urun "${SESSION[@]}" BENTO_STRATEGY=extract "$IMG/plain.AppImage" --genuine
[ "$RC" = 0 ] && [[ $OUT == genuine* ]]
verdict "a plain AppImage runs from the extraction cache" 0
CACHED=$(ls -d "$USER_HOME"/.cache/bento/extract/*/ 2>/dev/null | head -n 1)
TROJAN='#!/bin/sh
echo TROJANED'
sandboxed '' -- "$IMG/cache.AppImage" sh -c "$WRITE" sh "${CACHED}AppRun" "$TROJAN"
control sh -c "$WRITE" sh "${CACHED}AppRun" "$TROJAN"
attack_row "the extraction cache's AppRun through filesystems=xdg-cache" "bento's state"
# The control wrote it on the host: the next launch must notice.
grep -q TROJANED "${CACHED}AppRun" 2>/dev/null && CV=escaped COBS="the cached AppRun holds the trojan" ||
	CV=no COBS="the cached AppRun does not hold the trojan: $(head -c 200 "${CACHED}AppRun" 2>&1)"
urun "${SESSION[@]}" BENTO_STRATEGY=extract BENTO_DEBUG=1 "$IMG/plain.AppImage" --genuine
if [ "$RC" = 0 ] && [[ $OUT == genuine* ]] && grep -q "extracting .* again: it changed since it was extracted" <<<"$ERR"; then
	SV=blocked SOBS="extracted again: ${ERR//$'\n'/ }"
else
	SV=error SOBS="exit status $RC: $OUT; $ERR"
	[[ $OUT == *TROJANED* ]] && SV=escaped
fi
attack_row "a poisoned extraction cache runs on the next launch (changed on the host)" "bento's state"

# ---------------------------------------------------------------- 7: overrides

OVR=$USER_HOME/.local/share/bento/overrides/org.example.Overrides
sandboxed '' -- "$IMG/overrides.AppImage" sh -c "$WRITE" sh "$OVR" $'[Context]\nfilesystems=host;'
grep -q "filesystems=xdg-data/bento is refused: .* is in bento's own state" <<<"$ERR"
ok "the grant of bento's own state is refused with a message" "$ERR"
control "$IMG/otherdata.AppImage" sh -c "$WRITE" sh "$USER_HOME/.local/share/notbento/ok" x
attack_row "filesystems=xdg-data/bento:create writes the app's own override" "bento's state"
sandboxed '' -- "$IMG/home.AppImage" sh -c "$WRITE" sh \
	"$USER_HOME/.local/share/bento/overrides/org.example.Home" $'[Context]\nfilesystems=host;'
control "$IMG/home.AppImage" sh -c "$WRITE" sh "$USER_HOME/.local/share/other-state" x
attack_row "filesystems=home writes the app's own override" "bento's state"
[ ! -e "$OVR" ] && [ ! -e "$USER_HOME/.local/share/bento/overrides/org.example.Home" ]
ok "no override was written"

# ---------------------------------------------------------------- 8: $TMPDIR

# A $TMPDIR both users share, as /tmp is.
SHARED=$TEST_DIR/shared-tmp
install -d -m 1777 "$SHARED"
as_other() { setpriv --reuid=$OTHER_UID --regid=$OTHER_UID --clear-groups --inh-caps=-all \
	env -i PATH=/usr/bin:/bin HOME=/nonexistent "$@"; }
# The other user computes the victim's key from stat(2) of the file, as
# bento_image_identity does, and prepares the directory with a trojan.
KEY=$(as_other python3 -c '
import os, sys
s = os.stat(sys.argv[1])
print("%x-%x-%x-%x.%09d-%x.%09d" % (s.st_dev, s.st_ino, s.st_size,
      s.st_mtime_ns // 10**9, s.st_mtime_ns % 10**9, s.st_ctime_ns // 10**9, s.st_ctime_ns % 10**9))
' "$IMG/plain.AppImage")
PLANT=$SHARED/appimage_extracted_$KEY
as_other sh -c 'mkdir -m 0777 "$1" && printf "%s\n" "$2" >"$1/AppRun" && chmod 0777 "$1/AppRun"' sh \
	"$PLANT" "$TROJAN"
urun TMPDIR="$SHARED" NO_CLEANUP=1 APPIMAGE_EXTRACT_AND_RUN=1 "$IMG/plain.AppImage" --genuine
if [ "$RC" = 127 ] && [ -z "$OUT" ] && grep -q "refusing to use $PLANT: it belongs to another user" <<<"$ERR"; then
	SV=blocked SOBS="refused: $ERR"
else
	SV=error SOBS="exit status $RC: $OUT; $ERR"
	[[ $OUT == *TROJANED* ]] && SV=escaped
fi
control sh -c '"$1/AppRun" | grep -q TROJANED && echo "state: escaped: the planted AppRun runs" || { echo blocked; exit 10; }' \
	sh "$PLANT"
attack_row "another user's \$TMPDIR/appimage_extracted_KEY runs as the victim (NO_CLEANUP)" "shared directories"
rm -rf "$PLANT"

# The user's own kept directory, changed since: extracted again.
urun TMPDIR="$SHARED" NO_CLEANUP=1 APPIMAGE_EXTRACT_AND_RUN=1 "$IMG/plain.AppImage" --genuine
[ "$RC" = 0 ] && [[ $OUT == genuine* ]] && [ "$(stat -c '%U %a' "$PLANT" 2>/dev/null)" = "nobody 700" ]
verdict "NO_CLEANUP keeps a private directory of the user's (0700)" 0
as_user sh -c "$WRITE" sh "$PLANT/AppRun" "$TROJAN" >/dev/null
grep -q TROJANED "$PLANT/AppRun" && CV=escaped COBS="the kept AppRun holds the trojan" || CV=no COBS="not written"
urun TMPDIR="$SHARED" NO_CLEANUP=1 APPIMAGE_EXTRACT_AND_RUN=1 BENTO_DEBUG=1 "$IMG/plain.AppImage" --genuine
if [ "$RC" = 0 ] && [[ $OUT == genuine* ]] && grep -q "extracting .* again" <<<"$ERR"; then
	SV=blocked SOBS="extracted again"
else
	SV=error SOBS="exit status $RC: $OUT; $ERR"
	[[ $OUT == *TROJANED* ]] && SV=escaped
fi
attack_row "a changed kept extract-and-run directory runs on the next launch" "shared directories"
rm -rf "$PLANT"

# A $TMPDIR of the other user's, open to all but not sticky: the other user
# could swap the user's private directory for theirs once it is checked.
LOOSE=$TEST_DIR/loose-tmp
install -d -m 0777 -o "$OTHER_UID" -g "$OTHER_UID" "$LOOSE"
urun TMPDIR="$LOOSE" NO_CLEANUP=1 APPIMAGE_EXTRACT_AND_RUN=1 "$IMG/plain.AppImage" --genuine
if [ "$RC" = 127 ] && [ -z "$OUT" ] && grep -q "others may replace it in $LOOSE, which is neither yours nor sticky" <<<"$ERR"; then
	SV=blocked SOBS="refused: $ERR"
else
	SV=error SOBS="exit status $RC: $OUT; $ERR"
fi
# Control: in such a directory the other user does move the user's
# private directory away (and could put theirs in its place).
as_user mkdir -m 0700 "$LOOSE/victims"
if as_other mv "$LOOSE/victims" "$LOOSE/moved" 2>/dev/null; then
	CV=escaped COBS="the other user renamed the user's private directory"
else
	CV=no COBS="the other user could not rename it"
fi
attack_row "a private directory in another user's non-sticky \$TMPDIR swapped after its check" "shared directories"
[ -z "$(ls -A "$LOOSE" | grep -v moved)" ]
ok "nothing was made in the other user's directory" "$(ls -la "$LOOSE")"
rm -rf "$LOOSE"

# ---------------------------------------------------------------- 9: $TMPDIR/bento-UID

# Without XDG_RUNTIME_DIR the D-Bus proxy's sockets go to $TMPDIR/bento-UID;
# the other user makes it first.
bg_user "$TEST_DIR/bus2.out" "$TEST_DIR/bus2.err" dbus-daemon --session --nofork --nopidfile \
	--address="$BUS" --print-address=1
BUS_PID=$BG_PID
if wait_for_line "$TEST_DIR/bus2.out" '^unix:' 10 "$BUS_PID"; then
	PREPARED=$SHARED/bento-$TEST_UID
	as_other mkdir -m 0777 "$PREPARED"
	urun TMPDIR="$SHARED" DBUS_SESSION_BUS_ADDRESS="$BUS" "$IMG/busapp.AppImage" sh -c 'echo "state: escaped: started"'
	if [ "$RC" = 127 ] && [ -z "$OUT" ] && grep -q "refusing to use $PREPARED: it belongs to another user" <<<"$ERR"; then
		SV=blocked SOBS="refused: $ERR"
	else
		SV=error SOBS="exit status $RC: $OUT; $ERR"
		[[ $OUT == *"state: escaped"* ]] && SV=escaped
	fi
	# Control: the other user's directory is theirs to fill: a socket of
	# theirs there answers the user.
	as_other python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o777); s.listen(1)
print("ready", flush=True)
c, _ = s.accept(); c.sendall(b"attacker\n"); c.close()
' "$PREPARED/session" >"$TEST_DIR/planted.out" 2>&1 &
	PLANTED=$!
	wait_for_line "$TEST_DIR/planted.out" '^ready' 10
	control python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
print("state: escaped: the socket there answered", s.recv(64).decode().strip())
' "$PREPARED/session"
	wait "$PLANTED" 2>/dev/null
	attack_row "another user's \$TMPDIR/bento-UID holds the app's D-Bus socket" "shared directories"
	kill -TERM "$BUS_PID"
	bg_wait "$BUS_PID" 5
else
	fail "dbus-daemon starts (again)" "$(cat "$TEST_DIR/bus2.err")"
fi

# ---------------------------------------------------------------- 14: the host path

# The app looks for the directory its file is in.
LOOK='for f in /proc/1/cmdline /proc/1/task/1/cmdline /.flatpak-info /proc/self/mountinfo /proc/self/environ; do
	if cat "$f" 2>/dev/null | tr "\0" "\n" | grep -qF "$1"; then echo "state: escaped: $f names $1"; exit 0; fi
done
echo "state: blocked: no trace of $1"; exit 10'
for strategy in userns extract; do
	sandboxed '' -- BENTO_STRATEGY=$strategy "$IMG/path.AppImage" sh -c "$LOOK" sh "$IMG"
	control BENTO_STRATEGY=$strategy "$IMG/path.AppImage" --bento-no-sandbox sh -c "$LOOK" sh "$IMG"
	attack_row "the file's host directory in /proc/1/cmdline, /.flatpak-info, mountinfo, environment ($strategy)" "host path"
done

stop_test_keys "$GH"
print_table
no_leaks "nothing is left behind"
finish
