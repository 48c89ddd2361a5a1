# /usr with the image's tree over the host's (bento-sandbox(7), "/usr"):
# programs that name absolute /usr paths - a script whose #! is a program
# found only in the image, data read at /usr/share/..., a host program at
# /usr/bin - work in the sandbox on every strategy; the overlay is
# read-only, nosuid and nodev; the image never replaces the host's loader
# or glibc; usr-overlay=false keeps the host's /usr alone.  And
# --bento-no-sandbox gives a bento app its /app on the host's filesystem.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BUILDER RUNTIME

# make_usr_app DIR METADATA_EXTRA: an app whose AppRun starts with
# #!/usr/bin/usrtest-interp (the image's bin/usrtest-interp, as a deb's
# usr/bin lands in /app/bin), reads /usr/share/usrtest/data (the image's
# share/usrtest/data) and runs the host's /usr/bin/env, then its arguments.
make_usr_app() {
	rm -rf "$1"
	mkdir -p "$1/.bento" "$1/bin" "$1/share/usrtest"
	printf '#!/bin/sh\necho "interpreter: image"\nexec /bin/sh "$@"\n' >"$1/bin/usrtest-interp"
	printf '#!/usr/bin/usrtest-interp\ncat /usr/share/usrtest/data\n/usr/bin/env printf "host env\\n"\nexec "$@"\n' >"$1/AppRun"
	chmod 0755 "$1/bin/usrtest-interp" "$1/AppRun"
	echo "data: image" >"$1/share/usrtest/data"
	printf '[Desktop Entry]\nType=Application\nName=UsrTest\nExec=AppRun\nIcon=usrtest\nCategories=Utility;\n' >"$1/usrtest.desktop"
	printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >"$1/usrtest.svg"
	# (an app id of each image's own: an id belongs to the first file)
	printf '[Application]\nname=org.bento.UsrTest.%s\ncommand=AppRun\n%b' "${1%.AppDir}" "$2" >"$1/.bento/metadata"
}

# pack DIR FILE [RUNTIME]
pack() {
	"$BUILDER" pack ${3:+--runtime "$3"} "$1" -o "$2" >"$TEST_DIR/pack.log" 2>&1 && chmod 0755 "$2"
}

make_usr_app usr.AppDir ''
pack usr.AppDir usr.AppImage
check "an image whose programs name /usr paths is packed" test -x usr.AppImage
# shadow: the image holds a libc.so.6 of its own (junk: any process that
# loaded it would die)
make_usr_app shadow.AppDir ''
mkdir -p shadow.AppDir/lib/x86_64-linux-gnu
echo "not a library" >shadow.AppDir/lib/x86_64-linux-gnu/libc.so.6
pack shadow.AppDir shadow.AppImage
make_usr_app shadow2.AppDir ''
mkdir -p shadow2.AppDir/lib/x86_64-linux-gnu
echo "not a library" >shadow2.AppDir/lib/x86_64-linux-gnu/libc.so.6
printf '#!/bin/sh\nexec "$@"\n' >shadow2.AppDir/AppRun
pack shadow2.AppDir shadow2.AppImage
make_usr_app off.AppDir 'usr-overlay=false\n'
pack off.AppDir off.AppImage
make_usr_app on.AppDir 'usr-overlay=true\n'
pack on.AppDir on.AppImage
make_usr_app bogus.AppDir 'usr-overlay=maybe\n'
pack bogus.AppDir bogus.AppImage
check "the test images are packed" test -x shadow.AppImage -a -x shadow2.AppImage -a -x off.AppImage -a -x on.AppImage -a -x bogus.AppImage

# The host has none of the image's /usr paths (else nothing is proved).
[ ! -e /usr/bin/usrtest-interp ] && [ ! -e /usr/share/usrtest ]
ok "control: the host's /usr has no usrtest-interp and no share/usrtest"

prefix=$'interpreter: image\ndata: image\nhost env'
expected="$prefix"$'\nran'

# A file of root's under the host's /usr that the user may not read: the
# overlay (mounted with capabilities in the sandbox's user namespace) must
# not read it for the app.
secret=/usr/share/bento-usr-test-secret.$$
echo "root only" >"$secret" && chmod 0600 "$secret"
on_exit "rm -f $secret"
as_user cat "$secret" >/dev/null 2>&1
[ $? != 0 ]
ok "control: the user cannot read $secret on the host"

for s in userns extract; do
	urun BENTO_STRATEGY=$s ./usr.AppImage sh -c 'echo ran'
	expect "[$s] #!/usr/bin/X of the image, /usr/share data of the image, the host's /usr/bin/env: all found" 0 "$expected"

	urun BENTO_STRATEGY=$s ./usr.AppImage sh -c 'touch /usr/x || echo touch-failed; (echo x >>/usr/share/usrtest/data) 2>/dev/null || echo write-failed'
	[ "$RC" = 0 ] && [ "$OUT" = "$prefix"$'\ntouch-failed\nwrite-failed' ] && [[ $ERR == *"Read-only file system"* ]]
	verdict "[$s] /usr is read-only: neither a new file nor a write to the image's file" 0

	# The mount at /usr the app's lookups reach is the last one listed there.
	urun BENTO_STRATEGY=$s ./usr.AppImage sh -c 'grep " /usr " /proc/self/mountinfo | tail -n 1'
	[ "$RC" = 0 ] && [[ $OUT == *" - overlay "* ]] &&
		[[ $(awk '{print $6}' <<<"${OUT##*$'\n'}") =~ (^|,)ro(,|$) ]] &&
		[[ $(awk '{print $6}' <<<"${OUT##*$'\n'}") == *nosuid* ]] &&
		[[ $(awk '{print $6}' <<<"${OUT##*$'\n'}") == *nodev* ]]
	verdict "[$s] /usr is an overlayfs mounted ro, nosuid, nodev" 0

	urun BENTO_STRATEGY=$s ./usr.AppImage sh -c 'cat "$0" 2>/dev/null || echo refused' "$secret"
	expect "[$s] through the overlay, a host file of /usr the user may not read stays unreadable" 0 "$prefix"$'\nrefused'

	urun BENTO_STRATEGY=$s ./off.AppImage sh -c 'echo ran'
	[ "$RC" != 0 ] && [[ $OUT != *"data: image"* ]]
	verdict "[$s] control: with usr-overlay=false the same app does not find its /usr paths (the host's /usr alone)"
	urun BENTO_STRATEGY=$s ./usr.AppImage /bin/sh -c 'cat /usr/share/usrtest/data; test -e /usr/bin/usrtest-interp && echo interp'
	expect "[$s] the image's files are at /usr/share and /usr/bin" 0 "$prefix"$'\ndata: image\ninterp'

	# The image's libc.so.6 would replace the host's: /usr stays the host's.
	urun BENTO_STRATEGY=$s ./shadow.AppImage sh -c 'echo ran'
	[ "$RC" != 0 ] && [[ $ERR == *"/usr is the host's alone: the image's lib/x86_64-linux-gnu/libc.so.6 would replace /usr/lib/x86_64-linux-gnu/libc.so.6, which must stay the host's"* ]]
	verdict "[$s] an image holding libc.so.6 gets no overlay (its #! is then not found), and a warning naming the file"
	urun BENTO_STRATEGY=$s ./shadow2.AppImage sh -c 'test -e /usr/share/usrtest/data || echo host-usr; cmp -s /usr/lib/x86_64-linux-gnu/libc.so.6 /app/lib/x86_64-linux-gnu/libc.so.6 || echo host-libc'
	expect "[$s] with the image's libc.so.6, programs run on the host's libc and /usr is the host's" 0 $'host-usr\nhost-libc'
done

urun ./on.AppImage sh -c 'echo ran'
expect "usr-overlay=true: the same as the default" 0 "$expected"
urun ./bogus.AppImage sh -c 'echo ran'
[ "$RC" != 0 ] && [[ $ERR == *"usr-overlay must be true or false"* ]] && [[ $OUT != *ran* ]]
verdict "usr-overlay=maybe is refused with a message"

# ---- --bento-no-sandbox: the app's /app, the host's files ---------------

echo "host file" >"$USER_HOME/host-file"
chown "$TEST_UID:$TEST_GID" "$USER_HOME/host-file"
for s in userns fusermount extract; do
	urun BENTO_STRATEGY=$s ./usr.AppImage --bento-no-sandbox sh -c 'echo "APPDIR=$APPDIR"; cat /app/share/usrtest/data "$HOME/host-file"; echo made >"$HOME/made-$0"; id -u; pwd' "$s"
	[ "$RC" = 0 ] && [ "$OUT" = "$prefix"$'\n'"APPDIR=/app"$'\n'"data: image"$'\n'"host file"$'\n'"$TEST_UID"$'\n'"$TEST_DIR" ] &&
		[ "$(cat "$USER_HOME/made-$s" 2>/dev/null)" = made ]
	verdict "[$s] --bento-no-sandbox: /app is the image, /usr paths work, the home is the host's (read and written), the uid is the user's, the working directory is kept" 0
	urun BENTO_STRATEGY=$s ./usr.AppImage --bento-no-sandbox sh -c 'ls -d /proc/1 /sys/kernel /dev/null "'"$TEST_DIR"'" >/dev/null && echo seen; touch /new-top 2>/dev/null || echo no-top'
	expect "[$s] --bento-no-sandbox: the host's /proc, /sys, /dev and the test's files are there; / is read-only as on the host" 0 "$prefix"$'\nseen\nno-top'
done
# Where user namespaces are refused: no /app, said, and the app runs all
# the same from where the image is.
if [ -n "$RESTRICT" ]; then
	make_usr_app plain.AppDir ''
	printf '#!/bin/sh\nexec "$@"\n' >plain.AppDir/AppRun
	pack plain.AppDir plain.AppImage
	AS_USER_PREFIX=("$RESTRICT" --no-userns --)
	urun ./plain.AppImage --bento-no-sandbox sh -c 'cat "$APPDIR/share/usrtest/data"; test -e /app || echo no-app'
	AS_USER_PREFIX=()
	[ "$RC" = 0 ] && [ "$OUT" = $'data: image\nno-app' ] && [[ $ERR == *"no /app for org.bento.UsrTest.plain (no user namespace"* ]]
	verdict "--bento-no-sandbox without user namespaces: the app runs from its mount, with a warning that it has no /app" 0
else
	fail "--bento-no-sandbox without user namespaces: the restrict helper was not built"
fi
no_leaks "nothing left behind"

# ---- the same under AddressSanitizer and UBSan ----------------------------

if [ -n "${BENTO_SAN_BUILD:-}" ]; then
	mkdir -p san && chown "$TEST_UID:$TEST_GID" san
	copy_artifacts "$BENTO_SAN_BUILD" "$TEST_DIR/san"
	if [ -n "$RUNTIME" ]; then
		# (an app id of its own: the release build's file has usr's)
		make_usr_app sanusr.AppDir ''
		pack sanusr.AppDir san/usr.AppImage "$RUNTIME"
		for s in userns extract; do
			urun BENTO_STRATEGY=$s ./san/usr.AppImage sh -c 'echo ran'
			expect "[san, $s] the /usr paths work" 0 "$expected"
			urun BENTO_STRATEGY=$s ./san/usr.AppImage --bento-no-sandbox sh -c 'echo ran'
			expect "[san, $s] --bento-no-sandbox: the /usr paths work" 0 "$expected"
		done
		no_leaks "[san] nothing left behind"
	fi
fi
finish
