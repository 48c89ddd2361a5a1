#!/bin/bash
# SPDX-License-Identifier: MIT
# Checks `bento-builder integrate` and `validate`: AppRun, the desktop entry,
# the icon and .DirIcon, the AppStream metainfo and .bento/metadata are
# generated (or installed when given) and validated with desktop-file-validate
# and appstreamcli; invalid ones are refused with the validator's message and
# leave nothing behind.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BUILDER
for t in desktop-file-validate appstreamcli convert; do
	command -v $t >/dev/null || {
		fail "setup: $t is needed (desktop-file-utils, appstream, imagemagick)"
		finish
	}
done

ID=org.example.Hello
mkdir -p in
convert -size 32x32 xc:red in/icon.png
printf '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"/>\n' >in/icon.svg
echo 'GIF89a not an icon' >in/icon.gif
printf 'permissions: none\n' >in/not-a-desktop-file
printf '[Desktop Entry]\nType=Application\nName=Hello\nExec=hello\nIcon=hello-icon\nCategories=Bogus;\n' >in/bad.desktop
printf '[Desktop Entry]\nType=Application\nName=Hello\nExec=hello %%F\nIcon=hello-icon\nCategories=Utility;\n' >in/good.desktop
cat >in/bad.metainfo.xml <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<component type="desktop-application">
  <id>org.example.Hello</id>
  <metadata_license>CC0-1.0</metadata_license>
  <name>Hello</name>
  <summary>Says hello</summary>
</component>
EOF
printf '[Context]\nshared=network;\n' >in/permissions

# new_appdir NAME: an AppDir with an executable bin/hello
new_appdir() {
	rm -rf "$1"
	mkdir -p "$1/bin"
	printf '#!/bin/sh\necho hello\n' >"$1/bin/hello"
	chmod 0755 "$1/bin/hello"
	chown -R "$TEST_UID:$TEST_GID" "$1" in
}

integrate() { # APPDIR [OPTION...]: the usual fields, then the options
	local d=$1
	shift
	urun "$BUILDER" integrate "$d" --id "$ID" --name Hello --command /app/bin/hello \
		--icon in/icon.png "$@"
}

# ---------------------------------------------------------------- generated

new_appdir A
integrate A --summary 'Says hello to you' --license MIT --version 1.2 --release-date 2024-05-06 \
	--permissions in/permissions
[ "$RC" = 0 ]
verdict "generate: integrate succeeds"
[ "$(readlink A/AppRun)" = bin/hello ] && [ "$(readlink A/.DirIcon)" = "$ID.png" ] &&
	cmp -s A/$ID.png in/icon.png
ok "generate: AppRun -> bin/hello, the icon as $ID.png, .DirIcon -> it" "$(ls -la A)"
want=$(printf '%s\n' '[Desktop Entry]' Type=Application Name=Hello 'Comment=Says hello to you' \
	Exec=hello Icon=$ID 'Categories=Utility;' Terminal=false)
[ "$(cat A/$ID.desktop)" = "$want" ]
ok "generate: the desktop entry" "$(cat A/$ID.desktop)"
check "generate: desktop-file-validate accepts it" desktop-file-validate A/$ID.desktop
M=A/share/metainfo/$ID.metainfo.xml
grep -q "<id>$ID</id>" $M && grep -q '<project_license>MIT</project_license>' $M &&
	grep -q '<release version="1.2" date="2024-05-06"/>' $M &&
	grep -q "<launchable type=\"desktop-id\">$ID.desktop</launchable>" $M
ok "generate: the metainfo has id, license, release and launchable" "$(cat $M)"
check "generate: appstreamcli accepts the metainfo" appstreamcli validate --no-net $M
want=$(printf '%s\n' '[Application]' "name=$ID" command=bin/hello '' '[Context]' 'shared=network;')
[ "$(cat A/.bento/metadata)" = "$want" ]
ok "generate: .bento/metadata names app and command, then the permissions" "$(cat A/.bento/metadata)"
grep -q 'appstreamcli validate' "$OUT_FILE"
ok "generate: appstreamcli's hints are shown" "$OUT"

urun "$BUILDER" validate A
[ "$RC" = 0 ] && grep -q 'A: valid' "$OUT_FILE"
verdict "validate: the integrated AppDir is valid"
urun "$BUILDER" pack A -o hello.AppImage
[ "$RC" = 0 ] && [ -s hello.AppImage ]
verdict "pack: accepts the integrated AppDir"

# Reserved characters are escaped, not interpreted.
new_appdir B
integrate B --name 'Hello & <Friends> \ "q"' --summary "Says 'hi' & <more>" --icon in/icon.svg \
	--no-metadata
[ "$RC" = 0 ] && grep -qxF 'Name=Hello & <Friends> \\ "q"' B/$ID.desktop &&
	grep -qF '<name>Hello &amp; &lt;Friends&gt; \ &quot;q&quot;</name>' B/share/metainfo/$ID.metainfo.xml &&
	[ "$(readlink B/.DirIcon)" = "$ID.svg" ] && [ ! -e B/.bento ] &&
	desktop-file-validate B/$ID.desktop && appstreamcli validate --no-net B/share/metainfo/$ID.metainfo.xml >/dev/null
verdict "generate: special characters escaped, SVG icon, --no-metadata"

# ---------------------------------------------------------------- given files

new_appdir C
integrate C --summary 'Says hello' --desktop in/good.desktop
[ "$RC" = 0 ] && cmp -s C/$ID.desktop in/good.desktop && cmp -s C/hello-icon.png in/icon.png &&
	[ "$(readlink C/.DirIcon)" = hello-icon.png ]
verdict "given: a desktop entry is installed as $ID.desktop, the icon under its Icon= name"

new_appdir D
integrate D --summary 'Says hello' --desktop in/bad.desktop
[ "$RC" = 1 ] && grep -qF 'in/bad.desktop: desktop-file-validate rejects it' "$ERR_FILE" &&
	grep -qF 'contains an unregistered value "Bogus"' "$ERR_FILE" &&
	[ -z "$(find D -mindepth 1 ! -path 'D/bin*')" ]
verdict "given: a bad desktop entry is refused with desktop-file-validate's message, nothing written" 1

new_appdir E
integrate E --summary 'Says hello' --metainfo in/bad.metainfo.xml
[ "$RC" = 1 ] && grep -qF 'in/bad.metainfo.xml: appstreamcli validate rejects it' "$ERR_FILE" &&
	grep -q 'app-description-required' "$ERR_FILE" && [ ! -e E/share/metainfo/$ID.metainfo.xml ]
verdict "given: a bad metainfo is refused with appstreamcli's message, not installed" 1

new_appdir F
printf '<component' >in/broken.xml
chown "$TEST_UID:$TEST_GID" in/broken.xml
integrate F --summary 'Says hello' --metainfo in/broken.xml
[ "$RC" = 1 ] && grep -q 'xml-markup-invalid' "$ERR_FILE"
verdict "given: malformed XML is refused" 1

# ---------------------------------------------------------------- bad fields

bad_field() { # NAME MESSAGE OPTION...
	local name=$1 msg=$2
	shift 2
	new_appdir G
	integrate G "$@"
	[ "$RC" = 1 ] && grep -qF -- "$msg" "$ERR_FILE" && [ -z "$(find G -mindepth 1 ! -path 'G/bin*')" ]
	verdict "refused: $name" 1
}
bad_field "no summary for the metainfo" "the app's summary is missing"
bad_field "a control character in the name" "the app's name has a control character (byte 0x0a)" \
	--summary s --name $'two\nlines'
bad_field "a command outside the AppDir" "an absolute command must lie below /app" \
	--summary s --command /usr/bin/true
bad_field "a command with .." "without empty, '.' or '..' elements" --summary s --command bin/../../x
bad_field "a missing command" "the command bin/nope: No such file or directory" --summary s \
	--command bin/nope
bad_field "an icon that is neither PNG nor SVG" "is neither a PNG nor an SVG image" --summary s \
	--icon in/icon.gif
bad_field "an app id with a slash" "app id 'org/x'" --summary s --id org/x
bad_field "a bad release date" "release date 2024-13-01: YYYY-MM-DD expected" --summary s \
	--version 1 --release-date 2024-13-01
bad_field "a desktop entry that is no key file" "in/not-a-desktop-file" --summary s \
	--desktop in/not-a-desktop-file

urun "$BUILDER" integrate A --id "$ID"
[ "$RC" = 2 ] && grep -q -- '--name is required' "$ERR_FILE"
verdict "usage: a missing required option" 2

# ---------------------------------------------------------------- validate

cp in/bad.desktop A/$ID.desktop
cp in/icon.png A/hello-icon.png
urun "$BUILDER" validate A
[ "$RC" = 1 ] && grep -q 'desktop-file-validate rejects it' "$ERR_FILE"
verdict "validate: a bad desktop entry fails" 1
new_appdir H
integrate H --summary 'Says hello'
cp in/bad.metainfo.xml H/share/metainfo/other.metainfo.xml
urun "$BUILDER" validate H
[ "$RC" = 1 ] && grep -q 'other.metainfo.xml: appstreamcli validate rejects it' "$ERR_FILE"
verdict "validate: a bad metainfo fails" 1

# ---------------------------------------------------------------- sanitizer build

if [ -n "${BENTO_SAN_BUILD:-}" ] && [ -f "$BENTO_SAN_BUILD/builder/bento-builder" ]; then
	mkdir -p san && cp "$BENTO_SAN_BUILD/builder/bento-builder" san/ && chmod 0755 san/bento-builder
	BUILDER=$TEST_DIR/san/bento-builder
	new_appdir S
	integrate S --name 'Hello & <Friends>' --summary 'Says hello' --license MIT --version 1 \
		--release-date 2024-01-01 --permissions in/permissions
	[ "$RC" = 0 ] && [ -f S/$ID.desktop ] && [ -f S/share/metainfo/$ID.metainfo.xml ]
	verdict "sanitizer build: generate"
	integrate S --summary s --desktop in/bad.desktop
	[ "$RC" = 1 ] && grep -q 'desktop-file-validate rejects it' "$ERR_FILE"
	verdict "sanitizer build: a bad desktop entry" 1
	urun "$BUILDER" validate S
	[ "$RC" = 0 ]
	verdict "sanitizer build: validate"
fi

finish
