# The manifest's keys for command-line tools and packaged files, built and run
# as a publisher (the test user) does: a terminal app without an icon gets a
# generated one and a desktop entry that desktop-file-validate accepts, with
# its categories, keywords and MIME types; icon and desktop entry taken from
# files the modules installed in /app (and one whose path leaves the AppDir
# through a symbolic link refused); an image with two commands runs each by
# --bento-command=NAME and by the name of a symbolic link to it, the default
# otherwise, and refuses an unknown name listing the others; -o creates its
# directory, follows a link to an existing one and creates nothing through a
# link that leads nowhere; `check --urls` and the build report a source URL
# that does not answer although the download cache holds its file.  The
# escape table's row icon-app-link: an /app icon linked to a file of the
# builder's is refused.  Everything runs once with the release build and,
# given one (tests/run BUILD SAN_BUILD), once more with the sanitizer build.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BUILDER BENTO
RUN_TIMEOUT=300
command -v desktop-file-validate >/dev/null || {
	fail "setup: desktop-file-validate is needed (desktop-file-utils)"
	finish
}
ID=org.bento.Tools
mkdir -p www
chown -R "$TEST_UID:$TEST_GID" www "$TEST_DIR"
start_web "$TEST_DIR/www" || finish
. "$SRC_DIR/tests/security/lib/table.sh"

# manifest FILE: the manifest on stdin, the user's
manifest() {
	cat >"$SRC/$1"
	chown "$TEST_UID:$TEST_GID" "$SRC/$1"
}

# build DIR MANIFEST [ARGS...]: bento-builder build in DIR (made), as the user
build() {
	local dir=$1 m=$2
	shift 2
	mkdir -p "$W/$dir" && chown "$TEST_UID:$TEST_GID" "$W/$dir"
	cd "$W/$dir" && urun "$BUILDER" build "$@" "$SRC/$m"
	cd "$W" || exit 1
}

# extract FILE DIR: the image's tree in DIR
extract() {
	rm -rf "$2" && mkdir -p "$2" && chown "$TEST_UID:$TEST_GID" "$2"
	(cd "$2" && as_user "$1" --appimage-extract >/dev/null 2>&1)
}

# suite LABEL: every check, with $BUILDER and $BENTO of one build, in $TEST_DIR/LABEL
suite() {
	L=$1
	W=$TEST_DIR/$L
	SRC=$W/src
	# (a home of its own: app identities and the download cache start empty)
	USER_HOME=$W/home
	mkdir -p "$SRC" "$USER_HOME" && chown -R "$TEST_UID:$TEST_GID" "$W" && chmod 0700 "$USER_HOME"
	cd "$W" || exit 1
	# ---- a terminal app: no icon, entry keys, two commands, -o newdir ----------

	manifest tools.yml <<-EOF
	id: $ID
	name: Tools
	version: "1"
	summary: Two small tools
	command: first
	commands:
	  first: bin/first
	  second: libexec/tools/second
	terminal: true
	categories: [Utility, ConsoleOnly]
	keywords: [json, query]
	mime-types: [text/plain, application/json]
	modules:
	  - name: tools
	    buildsystem: simple
	    build-commands:
	      - mkdir -p /app/bin /app/libexec/tools
	      - printf '#!/bin/sh\necho first \$*\n' >/app/bin/first
	      - printf '#!/bin/sh\necho second \$*\n' >/app/libexec/tools/second
	      - chmod 0755 /app/bin/first /app/libexec/tools/second
	EOF

	urun "$BUILDER" check "$SRC/tools.yml"
	[ "$RC" = 0 ] && [[ $OUT == *"icon: generated (a terminal)"* ]] &&
		[[ $OUT == *"second: /app/libexec/tools/second"* ]] && [[ $OUT == *"terminal: true"* ]]
	verdict "$L: check: a terminal app needs no icon; its commands are listed" 0

	build b1 tools.yml -o newdir/sub/Tools.AppImage
	T=$W/b1/newdir/sub/Tools.AppImage
	[ "$RC" = 0 ] && [ -x "$T" ]
	verdict "$L: a terminal app without an icon builds; -o newdir/sub/x.AppImage creates newdir/sub" 0

	extract "$T" x1
	E=$W/x1/squashfs-root
	D=$E/$ID.desktop
	check "$L: its desktop entry passes desktop-file-validate" desktop-file-validate "$D"
	grep -qx 'Terminal=true' "$D" && grep -qx 'Categories=Utility;ConsoleOnly;' "$D" &&
		grep -qx 'Keywords=json;query;' "$D" && grep -qx 'MimeType=text/plain;application/json;' "$D" &&
		grep -qx 'Exec=first %F' "$D"
	ok "$L: Terminal, Categories, Keywords and MimeType land in the entry (Exec takes %F)" "$(cat "$D")"
	grep -q '<svg' "$E/$ID.svg" && [ "$(readlink "$E/.DirIcon")" = "$ID.svg" ]
	ok "$L: a generic terminal icon is generated (ID.svg, .DirIcon)" "$(ls -la "$E")"
	grep -qx 'second=libexec/tools/second' "$E/.bento/metadata" &&
		grep -qx 'command=bin/first' "$E/.bento/metadata"
	ok "$L: .bento/metadata: the default in command=, the others in [Commands]" "$(cat "$E/.bento/metadata")"

	urun "$T" a "b c"
	expect "$L: the default command runs without a choice" 0 "first a b c"
	urun "$T" --bento-command=second x
	expect "$L: --bento-command=second runs the second command" 0 "second x"
	urun "$T" --bento-command=first y
	expect "$L: --bento-command=first runs the first" 0 "first y"
	urun "$T" x --bento-command=second
	expect "$L: --bento-command= after the first argument belongs to the app" 0 "first x --bento-command=second"
	urun "$T" --bento-command=nope z
	[ "$RC" = 127 ] && [[ $ERR == *"--bento-command=nope: no such command; this image has: first, second"* ]] &&
		[ -z "$OUT" ]
	verdict "$L: an unknown --bento-command: exit 127, the available ones named" 0
	ln -s "$T" b1/second && ln -s "$T" b1/first && ln -s "$T" b1/other
	urun b1/second q
	expect "$L: a symbolic link named second runs the second command" 0 "second q"
	urun b1/first q
	expect "$L: a link named first runs the first" 0 "first q"
	urun b1/other q
	expect "$L: a link with another name runs the default" 0 "first q"
	urun "$BENTO" run b1/second r
	expect "$L: bento run through the link named second runs it too" 0 "second r"
	urun "$BENTO" info "$T"
	[ "$RC" = 0 ] && [[ $OUT == *"  first: bin/first (default)"* ]] &&
		[[ $OUT == *"  second: libexec/tools/second"* ]]
	verdict "$L: bento info lists the commands and the default" 0

	# -o through symbolic links: one to an existing directory is followed (a
	# path the user named); nothing is created through one that leads nowhere.
	mkdir -p real && chown "$TEST_UID:$TEST_GID" real
	ln -s "$W/real" b1/tolink
	ln -s "$W/nowhere" b1/dangling
	build b1 tools.yml -o tolink/x.AppImage
	[ "$RC" = 0 ] && [ -x real/x.AppImage ] && cmp -s real/x.AppImage "$T"
	verdict "$L: -o LINK/x.AppImage, LINK to an existing directory: written there, the same bytes" 0
	build b1 tools.yml -o dangling/sub/x.AppImage
	[ "$RC" != 0 ] && [[ $ERR == *"dangling is a symbolic link that leads nowhere"* ]] &&
		[ ! -e nowhere ]
	verdict "$L: -o through a link that leads nowhere: refused, nothing created at its target" 0

	# ---- icon, desktop entry from /app; an icon path that leaves the AppDir ---

	cp "$SRC_DIR/manifests/hello/hello.svg" "$SRC/hello.svg"
	cat >"$SRC/fromapp.metainfo.xml" <<-'EOF'
	<?xml version="1.0" encoding="UTF-8"?>
	<component type="desktop-application">
	  <id>org.bento.FromApp</id>
	  <metadata_license>CC0-1.0</metadata_license>
	  <project_license>MIT</project_license>
	  <name>FromApp</name>
	  <summary>The packaged metainfo of FromApp</summary>
	  <description>
	    <p>A metainfo file the package installed, taken from /app.</p>
	  </description>
	  <launchable type="desktop-id">org.bento.FromApp.desktop</launchable>
	</component>
	EOF
	manifest fromapp.yml <<-EOF
	id: org.bento.FromApp
	name: FromApp
	version: "1"
	summary: Its icon and entry come from /app
	command: bin/fromapp
	icon: /app/share/icons/hicolor/scalable/apps/fromapp.svg
	desktop: /app/share/applications/fromapp.desktop
	appstream: /app/share/metainfo/org.bento.FromApp.metainfo.xml
	modules:
	  - name: fromapp
	    buildsystem: simple
	    build-commands:
	      - mkdir -p /app/bin /app/share/icons/hicolor/scalable/apps /app/share/pixmaps /app/share/applications
	      - printf '#!/bin/sh\necho fromapp\n' >/app/bin/fromapp && chmod 0755 /app/bin/fromapp
	      - cp hello.svg /app/share/pixmaps/fromapp.svg
	      - install -D -m 0644 fromapp.metainfo.xml /app/share/metainfo/org.bento.FromApp.metainfo.xml
	      - ln -s ../../../../pixmaps/fromapp.svg /app/share/icons/hicolor/scalable/apps/fromapp.svg
	      - printf '[Desktop Entry]\nType=Application\nName=FromApp\nExec=fromapp\nIcon=fromapp\nCategories=Development;\n' >/app/share/applications/fromapp.desktop
	    sources:
	      - type: file
	        path: hello.svg
	      - type: file
	        path: fromapp.metainfo.xml
	EOF
	build b2 fromapp.yml -o FromApp.AppImage
	[ "$RC" = 0 ]
	verdict "$L: icon, desktop entry and metainfo given as files in /app (the icon a link inside it): builds" 0
	extract "$W/b2/FromApp.AppImage" x2
	E=$W/x2/squashfs-root
	cmp -s "$E/fromapp.svg" "$SRC/hello.svg" && grep -qx 'Categories=Development;' "$E/org.bento.FromApp.desktop" &&
		cmp -s "$E/share/metainfo/org.bento.FromApp.metainfo.xml" "$SRC/fromapp.metainfo.xml"
	ok "$L: the packaged icon, entry and metainfo are installed (fromapp.svg, ID.desktop, ID.metainfo.xml)" "$(ls -la "$E")"

	printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >outside.svg
	sed -e "s|ln -s ../../../../pixmaps/fromapp.svg|ln -s ../../../../../../../../../../../..$W/outside.svg|" \
		-e 's|^desktop:.*||' "$SRC/fromapp.yml" | manifest escape.yml
	build b3 escape.yml -o Escape.AppImage
	[ "$RC" != 0 ] && [[ $ERR == *"the icon /app/share/icons/hicolor/scalable/apps/fromapp.svg leads outside the AppDir"* ]] &&
		[ ! -e b3/Escape.AppImage ]
	verdict "$L: an icon in /app that is a link leaving the AppDir: refused, named, no file" 0
	sed -e "s|ln -s ../../../../pixmaps/fromapp.svg|ln -s $W/outside.svg|" \
		-e 's|^desktop:.*||' "$SRC/fromapp.yml" | manifest escape2.yml
	build b3 escape2.yml -o Escape.AppImage
	[ "$RC" != 0 ] && [[ $ERR == *"fromapp.svg leads outside the AppDir"* ]] && [ ! -e b3/Escape.AppImage ]
	verdict "$L: an icon in /app that is an absolute link: refused" 0

	# The escape table's row: a build leaves its icon as a link to a file of the
	# builder's (a secret ending in .svg); the builder must not copy it into the
	# image.  Control: opening the same AppDir path as open(2) does, following
	# links, reads the secret.
	echo '<svg xmlns="http://www.w3.org/2000/svg"><!-- SECRET-OF-THE-BUILDER --></svg>' >"$USER_HOME/secret.svg"
	chown "$TEST_UID:$TEST_GID" "$USER_HOME/secret.svg"
	sed -e "s|ln -s ../../../../pixmaps/fromapp.svg|ln -s $USER_HOME/secret.svg|" \
		-e 's|^desktop:.*||' "$SRC/fromapp.yml" | manifest steal.yml
	build b6 steal.yml -o Steal.AppImage
	blocked=NO
	[ "$RC" != 0 ] && [ ! -e b6/Steal.AppImage ] && [[ $ERR == *"leads outside the AppDir"* ]] &&
		! grep -rqs SECRET-OF-THE-BUILDER b6 && blocked=yes
	obs="builder: exit $RC, $(printf '%s' "$ERR" | tail -n 1)"
	control=no
	for tree in b6/.bento-builder/appdir b6/.bento-builder/app; do
		f=$tree/share/icons/hicolor/scalable/apps/fromapp.svg
		if [ -L "$f" ] && as_user cat "$f" 2>/dev/null | grep -q SECRET-OF-THE-BUILDER; then
			control=yes
			obs="$obs; control: open(2) of $f (links followed) reads the secret"
			break
		fi
	done
	record "$L: icon-app-link" "manifest icon: /app/PATH, a link to the builder's file" "$blocked" "$control" "$obs"

	sed 's|^icon:.*|icon: /app/../etc/x.svg|' "$SRC/fromapp.yml" | manifest dotdot.yml
	urun "$BUILDER" check "$SRC/dotdot.yml"
	[ "$RC" = 1 ] && [[ $ERR == *'"icon"'*'a path below /app has no "."'* ]]
	verdict "$L: icon: /app/../x.svg is refused by the manifest check" 0

	# ---- the manifest's own checks --------------------------------------------

	sed -e '/^terminal:/d' "$SRC/tools.yml" | manifest noicon.yml
	urun "$BUILDER" check "$SRC/noicon.yml"
	[ "$RC" = 1 ] && [[ $ERR == *'has no "icon" (only an app with "terminal: true" may go without one)'* ]]
	verdict "$L: an app that is not a terminal app still needs an icon" 0
	sed -e 's|^categories:.*|categories: [ConsoleOnly, "Bad Name"]|' -e 's|^command: first|command: third|' \
		-e 's|^mime-types:.*|mime-types: [text]|' "$SRC/tools.yml" | manifest bad.yml
	urun "$BUILDER" check "$SRC/bad.yml"
	[ "$RC" = 1 ] && [[ $ERR == *'"Bad Name" is not a desktop category'* ]] &&
		[[ $ERR == *'must name at least one main category'* ]] &&
		[[ $ERR == *'"text" is not a MIME type'* ]] &&
		[[ $ERR == *'"command" must name the default among "commands" (first, second)'* ]]
	verdict "$L: bad categories, MIME types and a default that is no command are reported" 0
	sed -e 's|^terminal: true|desktop: /app/share/applications/tools.desktop|' "$SRC/tools.yml" |
		manifest given.yml
	urun "$BUILDER" check "$SRC/given.yml"
	[ "$RC" = 1 ] && [[ $ERR == *'"categories" describes the generated desktop entry'* ]] &&
		[[ $ERR == *'"mime-types" describes the generated desktop entry'* ]]
	verdict "$L: categories, keywords, mime-types beside a given desktop entry: refused" 0

	# ---- source URLs the cache hides ------------------------------------------

	echo "the data for $L" >"$TEST_DIR/www/data:1.txt"
	chown -R "$TEST_UID:$TEST_GID" "$TEST_DIR/www"
	SUM=$(sha256sum "$TEST_DIR/www/data:1.txt" | cut -c1-64)
	GOOD=$WEB_URL/data%3a1.txt
	BAD=$WEB_URL/data%253a1.txt
	# fetch_manifest FILE URL
	fetch_manifest() {
		manifest "$1" <<-EOF
	id: org.bento.Fetchy
	name: Fetchy
	version: "1"
	summary: Shows a downloaded file
	command: fetchy
	terminal: true
	modules:
	  - name: fetchy
	    buildsystem: simple
	    build-commands:
	      - mkdir -p /app/bin && cp data.txt /app/data.txt
	      - printf '#!/bin/sh\ncat /app/data.txt\n' >/app/bin/fetchy && chmod 0755 /app/bin/fetchy
	    sources:
	      - type: file
	        url: $2
	        sha256: $SUM
	        dest-filename: data.txt
	EOF
	}
	fetch_manifest good.yml "$GOOD"
	fetch_manifest wrong.yml "$BAD"
	urun "$BUILDER" fetch "$GOOD" "$SUM"
	[ "$RC" = 0 ] && grep -qxF "$GOOD" "$USER_HOME/.cache/bento-builder/downloads/sha256/$SUM.urls"
	verdict "$L: a download records the URL it came from beside the cache entry" 0

	urun "$BUILDER" check --urls "$SRC/good.yml"
	expect "$L: check --urls: a URL that answers" 0 "ok: $GOOD"
	: >"$WEB_DIR/access.log"
	urun "$BUILDER" check --urls "$SRC/wrong.yml"
	[ "$RC" = 1 ] && [[ $OUT == "dead: $BAD (module fetchy, $SRC/wrong.yml:"*"HTTP status 404; the download cache holds its file"* ]] &&
		[[ $ERR == *"1 source URL does not answer"* ]] && grep -q "^404 /data%253a1.txt" "$WEB_DIR/access.log"
	verdict "$L: check --urls: a dead URL is reported although its file is cached" 0

	build b4 wrong.yml -o Wrong.AppImage
	[ "$RC" != 0 ] && [[ $ERR == *"$BAD: the server answered with HTTP status 404.  The download cache has a file with its sha256"* ]] &&
		[ ! -e b4/Wrong.AppImage ]
	verdict "$L: build: a cached source whose own URL does not answer fails, naming it" 0
	: >"$WEB_DIR/access.log"
	build b4 good.yml -o Good.AppImage
	[ "$RC" = 0 ] && ! grep -q "data" "$WEB_DIR/access.log"
	ok "$L: build: a cached source whose URL the cache fetched it from asks nothing" \
		"$RC $ERR $(cat "$WEB_DIR/access.log")"
	urun b4/Good.AppImage
	expect "$L: and the image holds the file" 0 "the data for $L"

	cp "$TEST_DIR/www/data:1.txt" "$TEST_DIR/www/copy.txt"
	fetch_manifest other.yml "$WEB_URL/copy.txt"
	: >"$WEB_DIR/access.log"
	build b5 other.yml -o Other.AppImage
	[ "$RC" = 0 ] && [ "$(grep -c "copy.txt" "$WEB_DIR/access.log")" = 1 ] &&
		grep -qxF "$WEB_URL/copy.txt" "$USER_HOME/.cache/bento-builder/downloads/sha256/$SUM.urls"
	ok "$L: a cached file under a new, working URL: asked once, then recorded" \
		"$RC $ERR $(cat "$WEB_DIR/access.log")"

}

suite release
if [ -n "${BENTO_SAN_BUILD:-}" ]; then
	SAN=$TEST_DIR/san-artifacts
	mkdir -p "$SAN" && chown "$TEST_UID:$TEST_GID" "$SAN"
	copy_artifacts "$BENTO_SAN_BUILD" "$SAN"
	if [ -n "$BUILDER" ] && [ -n "$BENTO" ]; then
		suite sanitizer
	else
		skip "manifest2 with the sanitizer build" "no bento-builder or bento in $BENTO_SAN_BUILD"
	fi
fi
print_table
finish
