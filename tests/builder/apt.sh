# apt sources (bento-manifest(5), APT SOURCES): Debian packages by name,
# resolved by apt with a private configuration, as the test user.  A local
# archive is made here with apt-ftparchive from the .debs of
# scripts/setup.d/apt.debs (Packages, Contents, Release), signed with a test
# key made here, and served by nginx on loopback.  Then: manifests/fortune and
# manifests/dosbox build by package name and run (dosbox's window under
# Xvfb); the lock file pins them, a second build is byte-identical and
# --offline works with nginx stopped; a tampered .deb and a tampered Packages
# index are refused; a missing library's message names its package.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BUILDER BENTO
M=$SRC_DIR/manifests
DEBS=/var/cache/bento/debs
RUN_TIMEOUT=600
for tool in apt-ftparchive apt-get gpg nginx Xvfb xwininfo; do
	if ! command -v "$tool" >/dev/null; then
		fail "$SCRIPT_NAME: $tool is missing (scripts/setup.sh installs it)"
		finish
	fi
done

# ---- the archive -------------------------------------------------------------

A=$TEST_DIR/www/debian
mkdir -p "$A/pool/main" "$A/dists/bookworm/main/binary-amd64"
missing=""
for d in $(grep -v '^#' "$SRC_DIR/scripts/setup.d/apt.debs"); do
	f=$(ls "$DEBS/${d%%=*}_$(echo "${d#*=}" | sed 's/:/%3a/')"_*.deb 2>/dev/null | head -n 1)
	if [ -n "$f" ]; then cp "$f" "$A/pool/main/"; else missing+=" $d"; fi
done
if [ -n "$missing" ]; then
	fail "the .debs of scripts/setup.d/apt.debs are not in $DEBS (scripts/setup.sh downloads them):$missing"
	finish
fi
test_keys "$TEST_DIR/gnupg" "Test Archive <archive@bento.test>"
# release_archive: Packages, Contents and a signed Release for what pool holds.
# The Release lists the uncompressed Contents too and the file is then
# removed, as on Debian's mirrors (apt looks for the uncompressed name).
release_archive() {
	(
		cd "$A" || exit 1
		apt-ftparchive packages pool >dists/bookworm/main/binary-amd64/Packages &&
			gzip -9nf -k dists/bookworm/main/binary-amd64/Packages &&
			apt-ftparchive contents pool >dists/bookworm/main/Contents-amd64 &&
			gzip -9nf -k dists/bookworm/main/Contents-amd64
	) || return 1
	sign_archive
}
# sign_archive: a Release for the indexes as they are, signed (InRelease).
sign_archive() {
	(
		cd "$A" || exit 1
		zcat dists/bookworm/main/Contents-amd64.gz >dists/bookworm/main/Contents-amd64 &&
			apt-ftparchive -o APT::FTPArchive::Release::Suite=bookworm \
				-o APT::FTPArchive::Release::Codename=bookworm \
				-o APT::FTPArchive::Release::Architectures=amd64 \
				-o APT::FTPArchive::Release::Components=main \
				release dists/bookworm >"$TEST_DIR/Release" &&
			mv "$TEST_DIR/Release" dists/bookworm/Release &&
			rm -f dists/bookworm/main/Contents-amd64 dists/bookworm/InRelease
	) || return 1
	chown -R "$TEST_UID:$TEST_GID" "$TEST_DIR/www"
	as_user GNUPGHOME="$TEST_DIR/gnupg" gpg --batch --yes --clearsign \
		-o "$A/dists/bookworm/InRelease" "$A/dists/bookworm/Release"
}
release_archive
ok "a signed archive of $(ls "$A/pool/main" | wc -l) packages made with apt-ftparchive" || finish
as_user GNUPGHOME="$TEST_DIR/gnupg" gpg --batch --export --armor >archive-key.asc
start_web "$TEST_DIR/www" || finish

# The manifests, with the archive's address and the test key in place of
# 127.0.0.1:8000 and Debian's key.
mkdir -p src
cp -r "$M/fortune" "$M/dosbox" src/
serve() { # DIR NAME: DIR/NAME.yml -> DIR/served.yml
	cp archive-key.asc "src/$1/test-key.asc"
	sed -e "s|http://127.0.0.1:8000|$WEB_URL|" -e "s|key: .*|key: test-key.asc|" \
		"src/$1/$2.yml" >"src/$1/served.yml"
}
serve fortune fortune
serve dosbox dosbox
mkdir -p b1 b2 b3 b4 b5
chown -R "$TEST_UID:$TEST_GID" src b1 b2 b3 b4 b5
DL=$TEST_DIR/downloads

# ---- fortune: by name, the lock, a rebuild, --offline -----------------------

cd b1 && urun "$BUILDER" build --download-dir="$DL" -o fortune.AppImage "$TEST_DIR/src/fortune/served.yml"
cd "$TEST_DIR"
LOCK=src/fortune/served.lock
[ "$RC" = 0 ] && [ -x b1/fortune.AppImage ] && [[ $OUT == *"apt: resolving source 1 of module fortune"* ]] &&
	[ -f "$LOCK" ]
verdict "fortune.yml builds from package names; apt's choice is written to served.lock" 0
grep -Eq "^package fortune-mod 1:1\.99\.1-7\.3 [0-9a-f]{64} $WEB_URL/debian/pool/main/fortune-mod_1%253a1\.99\.1-7\.3_amd64\.deb\$" "$LOCK" &&
	grep -q '^package librecode0 ' "$LOCK" && grep -q '^package fortunes-min ' "$LOCK" &&
	! grep -Eq '^package (libc6|libgcc-s1) ' "$LOCK" && [ "$(grep -c '^package ' "$LOCK")" = 3 ]
ok "the lock pins fortune-mod, fortunes-min and the dependency librecode0 (version, SHA-256, URL), not libc6 (the host's)" \
	"$(cat "$LOCK")"
sha=$(grep '^package fortune-mod ' "$LOCK" | cut -d' ' -f4)
[ "$sha" = "$(sha256sum "$A"/pool/main/fortune-mod_*.deb | cut -c1-64)" ]
ok "its SHA-256 is the .deb's"

urun b1/fortune.AppImage /app/share/games/fortunes/fortunes
[ "$RC" = 0 ] && [ -n "$OUT" ]
verdict "the built fortune prints a fortune from the bundled fortunes file (given by its /app path)" 0
# fortune's compiled-in path, /usr/share/games/fortunes, reaches the image's
# files through the sandbox's /usr (the image's tree over the host's).
urun b1/fortune.AppImage
[ "$RC" = 0 ] && [ -n "$OUT" ] && [[ $OUT$ERR != *"No fortunes found"* ]]
verdict "fortune without arguments finds its fortunes at /usr/share/games/fortunes" 0
urun b1/fortune.AppImage --bento-command=quote
[ "$RC" = 0 ] && [[ $OUT == "Your fortune"$'\n'?* ]]
verdict "the quote command, a script running /usr/games/fortune, finds the image's fortune" 0
ln -s fortune.AppImage b1/strfile
printf 'one\n%%\ntwo\n' >b1/sayings && chmod 0644 b1/sayings && chmod 0777 b1
urun b1/strfile --bento-filesystem="$TEST_DIR/b1" "$TEST_DIR/b1/sayings"
[ "$RC" = 0 ] && [[ $OUT == *"There were 2 strings"* ]] && [ -s b1/sayings.dat ]
verdict "strfile, the package's other program, runs through a link named after its command" 0
cp "$LOCK" lock.first
cd b2 && urun "$BUILDER" build --download-dir="$DL" --state-dir="$TEST_DIR/b2/state" -o fortune.AppImage \
	"$TEST_DIR/src/fortune/served.yml"
cd "$TEST_DIR"
[ "$RC" = 0 ] && [[ $OUT != *"apt: resolving"* ]] && cmp -s b1/fortune.AppImage b2/fortune.AppImage &&
	cmp -s lock.first "$LOCK"
verdict "with the lock, a second build (another state directory: no apt lists) runs no apt and is byte-identical" 0

stop_web
cd b3 && urun "$BUILDER" build --offline --download-dir="$DL" --state-dir="$TEST_DIR/b3/state" \
	-o fortune.AppImage "$TEST_DIR/src/fortune/served.yml"
cd "$TEST_DIR"
[ "$RC" = 0 ] && cmp -s b1/fortune.AppImage b3/fortune.AppImage
verdict "--offline with the lock builds from the download cache with nginx stopped, byte-identical" 0
cd b3 && urun "$BUILDER" build --offline --update-lock --download-dir="$DL" --state-dir="$TEST_DIR/b3/s2" \
	-o offline2.AppImage "$TEST_DIR/src/fortune/served.yml"
cd "$TEST_DIR"
[ "$RC" = 1 ] && [[ $ERR == *"--offline"* ]] && [ ! -e b3/offline2.AppImage ] && cmp -s lock.first "$LOCK"
verdict "--offline cannot refresh the lock: an error, no output, the lock unchanged" 1
WEB_PORT=$PORT start_web "$TEST_DIR/www" || finish

# ---- what the archive's signature protects ----------------------------------

# A .deb replaced on the server: its SHA-256 is not the one of the signed
# Packages index.
deb=$(ls "$A"/pool/main/fortune-mod_*.deb)
cp "$deb" good.deb
printf 'tampered' >>"$deb"
cd b4 && urun "$BUILDER" build --update-lock --download-dir="$TEST_DIR/dl-tampered" \
	--state-dir="$TEST_DIR/b4/state" -o tampered.AppImage "$TEST_DIR/src/fortune/served.yml"
cd "$TEST_DIR"
[ "$RC" = 1 ] && [[ $ERR == *"fortune-mod"* ]] && [[ $ERR == *"checksum mismatch"* ]] &&
	[ ! -e b4/tampered.AppImage ] && ! ls dl-tampered/sha256/ 2>/dev/null | grep -q "$sha"
verdict "a tampered .deb on the server is refused (checksum mismatch, named), nothing written" 1

# The Packages index changed to match it, without a new signature.
bad_sha=$(sha256sum "$deb" | cut -c1-64)
bad_size=$(stat -c %s "$deb")
sed -i "/^Package: fortune-mod\$/,/^\$/{s/^SHA256: .*/SHA256: $bad_sha/;s/^Size: .*/Size: $bad_size/}" \
	"$A/dists/bookworm/main/binary-amd64/Packages"
gzip -9nf -k "$A/dists/bookworm/main/binary-amd64/Packages"
grep -q "$bad_sha" "$A/dists/bookworm/main/binary-amd64/Packages"
ok "(the served Packages index now gives the tampered .deb's SHA-256)"
cd b4 && urun "$BUILDER" build --update-lock --download-dir="$TEST_DIR/dl-tampered" \
	--state-dir="$TEST_DIR/b4/state2" -o tampered.AppImage "$TEST_DIR/src/fortune/served.yml"
cd "$TEST_DIR"
[ "$RC" = 1 ] && [[ $ERR == *"could not be read and verified"* ]] &&
	[[ $ERR == *"Hash Sum mismatch"* || $ERR == *"File has unexpected size"* ]] &&
	[ ! -e b4/tampered.AppImage ] && cmp -s lock.first "$LOCK"
verdict "a tampered Packages index is refused by apt (its size and hashes are not the signed Release's), nothing written" 1
# (the control: signed again, the same index is accepted)
sign_archive
cd b4 && urun "$BUILDER" build --update-lock --download-dir="$TEST_DIR/dl-tampered" \
	--state-dir="$TEST_DIR/b4/state3" -o resigned.AppImage "$TEST_DIR/src/fortune/served.yml"
cd "$TEST_DIR"
grep -q "^package fortune-mod .* $bad_sha " "$LOCK" && [[ $ERR != *"could not be read and verified"* ]]
verdict "control: the same index signed with the archive's key is accepted (the lock pins its SHA-256)"
cp good.deb "$deb"
release_archive
cp lock.first "$LOCK"

# ---- dosbox: by name, its window under Xvfb ----------------------------------

cd b5 && urun "$BUILDER" build --download-dir="$DL" -o dosbox.AppImage "$TEST_DIR/src/dosbox/served.yml"
cd "$TEST_DIR"
DLOCK=src/dosbox/served.lock
[ "$RC" = 0 ] && [ -x b5/dosbox.AppImage ]
verdict "dosbox.yml builds from the one package name dosbox" 0
n=$(grep -c '^package ' "$DLOCK" 2>/dev/null)
grep -q '^package libsdl1.2debian ' "$DLOCK" && grep -q '^package libpulse0 ' "$DLOCK" &&
	! grep -Eq '^package (libc6|libgl1|libx11-6|libasound2|libstdc\+\+6|libxcb1) ' "$DLOCK" &&
	[ "$n" -ge 40 ]
ok "apt chose its $n dependencies (libsdl1.2debian, libpulse0, ...), none the host provides (libc6, libgl1, libx11-6, ...)" \
	"$(cat "$DLOCK" 2>/dev/null | head -n 80)"

for d in $(seq 80 99); do [ -e /tmp/.X11-unix/X$d ] || break; done
bg_user "$TEST_DIR/xvfb.out" "$TEST_DIR/xvfb.err" Xvfb ":$d" -screen 0 800x600x24 -nolisten tcp
XVFB=$BG_PID
for _ in $(seq 300); do as_user env DISPLAY=":$d" xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
as_user env DISPLAY=":$d" xdpyinfo >/dev/null 2>&1
ok "Xvfb answers on :$d" "$(cat "$TEST_DIR/xvfb.err")"
bg_user "$TEST_DIR/dosbox.out" "$TEST_DIR/dosbox.err" DISPLAY=":$d" b5/dosbox.AppImage
DOSBOX=$BG_PID
found=0
for _ in $(seq 200); do
	found=$(as_user env DISPLAY=":$d" xwininfo -root -tree 2>/dev/null | grep -c '"DOSBox')
	[ "$found" -ge 1 ] && break
	sleep 0.1
done
[ "$found" -ge 1 ]
ok "the built dosbox opens its window under Xvfb" \
	"$(cat "$TEST_DIR/dosbox.out" "$TEST_DIR/dosbox.err" | tail -n 20)"
kill -TERM "$DOSBOX"
bg_wait "$DOSBOX" 10
kill -TERM "$XVFB"
bg_wait "$XVFB" 10

# ---- a missing library names its package --------------------------------------

# With libpulsecommon removed from the AppDir, libpulse.so.0 does not find it
# (the host has none either): the bundler says which package ships it, from
# the archive's Contents index.
sed 's|^\( *\)- test -x /app/bin/dosbox$|&\n\1- rm /app/lib/x86_64-linux-gnu/pulseaudio/libpulsecommon-16.1.so|' \
	src/dosbox/served.yml >src/dosbox/nolink.yml
grep -q 'rm /app/lib/x86_64-linux-gnu/pulseaudio/libpulsecommon' src/dosbox/nolink.yml
cp "$DLOCK" src/dosbox/nolink.lock
chown "$TEST_UID:$TEST_GID" src/dosbox/nolink.*
cd b5 && urun "$BUILDER" build --download-dir="$DL" -o nolink.AppImage "$TEST_DIR/src/dosbox/nolink.yml"
cd "$TEST_DIR"
[ "$RC" = 1 ] && [[ $ERR == *"needs libpulsecommon-16.1.so (in the Debian package libpulse0)"* ]] &&
	[ ! -e b5/nolink.AppImage ]
verdict "a missing library's message names the package that ships it (libpulse0)" 1

# ---- what the manifest says about an apt source -------------------------------

cat >src/bad.yml <<EOF
id: org.bento.Bad
name: bad
version: "1"
command: bin/x
icon: dosbox/dosbox.svg
modules:
  - name: x
    buildsystem: simple
    sources:
      - type: apt
        url: $WEB_URL/debian
        packages: [Not_A_Package]
        key: missing.asc
        sha256: 0000
EOF
chown "$TEST_UID:$TEST_GID" src/bad.yml
urun "$BUILDER" check "$TEST_DIR/src/bad.yml"
[ "$RC" = 1 ] && [[ $ERR == *'"suite"'* ]] && [[ $ERR == *Not_A_Package* ]] && [[ $ERR == *missing.asc* ]] &&
	[[ $ERR == *'"sha256"'* ]]
verdict "a bad apt source is reported: no suite, a bad package name, a missing key, a key of another type" 1

# ---- resolving, building and the package hint under the sanitizers -----------

if [ -n "${BENTO_SAN_BUILD:-}" ]; then
	make_test_dir SAN
	copy_artifacts "$BENTO_SAN_BUILD" "$SAN"
	if [ -n "$BUILDER" ]; then
		cp -r src/fortune "$SAN/fortune" && rm -f "$SAN/fortune/served.lock"
		cp src/dosbox/nolink.* src/dosbox/test-key.asc src/dosbox/dosbox.svg "$SAN/"
		chown -R "$TEST_UID:$TEST_GID" "$SAN"
		cd "$SAN" && urun "$BUILDER" build --download-dir="$SAN/dl" -o fortune.AppImage "$SAN/fortune/served.yml"
		cd "$TEST_DIR"
		[ "$RC" = 0 ] && [[ $OUT == *"apt: resolving"* ]] &&
			[ "$(grep '^package ' "$SAN/fortune/served.lock")" = "$(grep '^package ' lock.first)" ]
		verdict "[sanitizer build] fortune resolved with apt, pinned alike, built" 0
		# (a fresh state directory: the lock spares apt's resolution, so the
		# archive's indexes are fetched for the message)
		cd "$SAN" && urun "$BUILDER" build --download-dir="$DL" -o nolink.AppImage "$SAN/nolink.yml"
		cd "$TEST_DIR"
		[ "$RC" = 1 ] && [[ $OUT != *"apt: resolving"* ]] &&
			[[ $ERR == *"needs libpulsecommon-16.1.so (in the Debian package libpulse0)"* ]]
		verdict "[sanitizer build] with the lock and no apt state yet, the missing library's package is named" 1
	else
		skip "apt sources with the sanitizer build" "no bento-builder in $BENTO_SAN_BUILD"
	fi
fi

finish
