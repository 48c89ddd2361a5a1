# The publisher's side of issue 17 (bento-builder export, update-repo,
# bundle --repo), checked with Debian's own `ostree` command as the
# independent judge, as the unprivileged user a publisher is: the ref and
# its commit metadata; an identical tree makes no new commit; `ostree fsck`
# passes; `ostree pull` over nginx verifies the signatures with the
# published key (and fails with another key); static deltas are made and
# listed in the summary; --prune keeps N commits; the AppStream catalogue
# parses and names the app; an exported file bundled back runs the same app
# and `bento info` agrees; hostile inputs are refused, each beside a
# control that is accepted.
. "$(dirname "$0")/../lib.sh" "$@"
. "$(dirname "$0")/lib/publish.sh"

in_test_dir BUILDER BENTO HELLO RUNTIME
need_tools ostree nginx mksquashfs gpg
make_repo_versions
REF=app/$REPO_APP_ID/x86_64/stable

# meta KEY [REV]: the commit metadata KEY of REV (default $REF), as ostree prints it
meta() {
	as_user ostree show --repo="$REPO" --print-metadata-key="$1" "${2:-$REF}" 2>&1
}
rev() { as_user ostree rev-parse --repo="$REPO" "$1" 2>/dev/null; }

# ------------------------------------------------------------ export of a file

export_version 1
verdict "export of a bento file, then update-repo --generate-static-deltas --gpg-sign" 0
urun ostree refs --repo="$REPO"
[ "$RC" = 0 ] && [ "$OUT" = "$REF" ]
verdict "ostree refs lists $REF alone" 0
C1=$(rev "$REF")
[ "$(meta bento.app-id)" = "'$REPO_APP_ID'" ] &&
	[ "$(meta version)" = "'1'" ] &&
	[ "$(meta bento.branch)" = "'stable'" ] &&
	[ "$(meta bento.arch)" = "'x86_64'" ] &&
	[ "$(meta ostree.ref-binding)" = "['$REF']" ] &&
	[ "$(meta bento.source-name)" = "'v1.AppImage'" ] &&
	[ "$(meta bento.source-sha256)" = "'$(sha256sum <"$TEST_DIR/v/v1.AppImage" | cut -d' ' -f1)'" ] &&
	[[ "$(meta bento.metadata)" == *"name=$REPO_APP_ID"*"command=AppRun"* ]]
ok "the commit's metadata: app id, version, branch, arch, ref binding, source name and SHA-256, .bento/metadata" \
	"$(as_user ostree show --repo="$REPO" "$REF" 2>&1; for k in bento.app-id version ostree.ref-binding bento.source-sha256; do echo "$k: $(meta $k)"; done)"
urun ostree ls --repo="$REPO" -R "$REF"
[ "$RC" = 0 ] && grep -qE '^-007(55|75) 0 0 .* /AppRun$' <<<"$OUT" &&
	grep -qE ' /\.bento/metadata$' <<<"$OUT" && grep -qE ' /usr/share/data/big\.bin$' <<<"$OUT" &&
	[ -z "$(awk '$2 != 0 || $3 != 0' <<<"$OUT")" ]
verdict "the commit's tree is the image's, owned by 0:0" 0

urun "$BUILDER" export --repo="$REPO" --gpg-sign="$FPR" --gpg-homedir="$GH" "$TEST_DIR/v/v1.AppImage"
[ "$RC" = 0 ] && [[ $OUT == *"no new commit"* ]] && [ "$(rev "$REF")" = "$C1" ]
verdict "the same file again makes no new commit, and says so" 0

# ------------------------------------------------------------ export of an AppDir

urun "$BUILDER" export --repo="$REPO" --branch=beta --gpg-sign="$FPR" --gpg-homedir="$GH" \
	"$TEST_DIR/v/v1.AppDir"
[ "$RC" = 0 ] && [ -n "$(rev "app/$REPO_APP_ID/x86_64/beta")" ] &&
	[ "$(meta version "app/$REPO_APP_ID/x86_64/beta")" = "'1'" ] &&
	[ "$(meta bento.branch "app/$REPO_APP_ID/x86_64/beta")" = "'beta'" ] &&
	[[ "$(meta bento.source-sha256 "app/$REPO_APP_ID/x86_64/beta")" == *"No such metadata key"* ]]
verdict "export of an AppDir to --branch=beta: its own ref, no source SHA-256" 0
urun "$BUILDER" export --repo="$REPO" --branch=beta "$TEST_DIR/v/v1.AppDir"
[ "$RC" = 0 ] && [[ $OUT == *"no new commit"* ]]
verdict "the same AppDir again makes no new commit" 0

# ------------------------------------------------------------ version 2, deltas

export_version 2
verdict "export of version 2 and update-repo" 0
C2=$(rev "$REF")
[ -n "$C2" ] && [ "$C2" != "$C1" ] && [ "$(as_user ostree rev-parse --repo="$REPO" "$REF^")" = "$C1" ]
ok "version 2 is a new commit whose parent is version 1's"
urun ostree static-delta list --repo="$REPO"
[ "$RC" = 0 ] && grep -qxF "$C1-$C2" <<<"$OUT" && grep -qxF "$C2" <<<"$OUT"
verdict "static deltas: version 1 -> 2 and 2 from scratch" 0
urun ostree summary --repo="$REPO" --view
[ "$RC" = 0 ] && grep -F "ostree.static-deltas" <<<"$OUT" | grep -qF "'$C1-$C2'"
verdict "the summary lists the delta 1 -> 2" 0
[ -s "$REPO/summary.sig" ]
ok "the summary is signed (summary.sig)"

urun ostree fsck --repo="$REPO"
verdict "ostree fsck passes on the published repository" 0

# ------------------------------------------------------------ pulled over HTTP

serve_repo || finish
# pull_with NAME KEYFILE: a fresh repository of the test user's that pulls
# $REF from nginx, verifying commit and summary signatures with KEYFILE.
pull_with() {
	local dir=$TEST_DIR/$1
	as_user ostree init --repo="$dir" --mode=bare-user-only &&
		as_user ostree remote add --repo="$dir" --gpg-import="$2" \
			--set=gpg-verify=true --set=gpg-verify-summary=true origin "$REPO_URL"
	urun ostree pull --repo="$dir" origin "$REF"
}
pull_with client "$KEYFILE"
verdict "ostree pull with the published key into a fresh repository" 0
urun ostree show --repo="$TEST_DIR/client" "$REF"
[ "$RC" = 0 ] && [[ $OUT == *"Good signature from \"Repo Key <repo@example.org>\""* ]] &&
	[ "$(as_user ostree rev-parse --repo="$TEST_DIR/client" "$REF")" = "$C2" ]
verdict "the pulled commit is version 2's, with a good signature of the repository's key" 0
pull_with other "$KEYFILE_OTHER"
[ "$RC" != 0 ] && grep -qiE "gpg|signature|key" <<<"$ERR"
verdict "control: the same pull trusting another key fails on the signatures" 1

# The nginx locations bento-repository(7) gives as its example, served and
# pulled from as they are written there
locations=$(sed -n '/# begin: bento repository locations/,/# end: bento repository locations/p' \
	"$SRC_DIR/docs/man/bento-repository.7")
[ -n "$locations" ]
ok "bento-repository(7) has its nginx example" || finish
stop_web
start_web "$TEST_DIR/www" "$locations" || finish
REPO_URL=$WEB_URL/repo
pull_with client-doc "$KEYFILE"
verdict "ostree pull through bento-repository(7)'s nginx example" 0
objects=$(as_user find "$REPO/objects" -name '*.filez' | head -1)
objects=${objects#"$REPO"}
curl -sI "$REPO_URL/summary" | grep -qi '^Cache-Control: max-age=300' &&
	curl -sI "$REPO_URL$objects" | grep -qi '^Cache-Control: max-age=2592000'
ok "with it the summary is cached for 5 minutes and objects for 30 days" \
	"$(curl -sI "$REPO_URL/summary"; curl -sI "$REPO_URL$objects")"

# ------------------------------------------------------------ AppStream

# (a plain reading of the file: gzip, then an XML parser)
urun python3 -c '
import gzip, sys, xml.etree.ElementTree as ET
root = ET.fromstring(gzip.open(sys.argv[1]).read())
assert root.tag == "components", root.tag
for c in root.findall("component"):
    print(c.findtext("id"), c.findtext("bundle"), c.findtext("name"),
          ",".join(r.get("version") for r in c.iter("release")))
' "$REPO/appstream/x86_64/appstream.xml.gz"
[ "$RC" = 0 ] && grep -qxF "$REPO_APP_ID $REF Repo Hello 2" <<<"$OUT" &&
	grep -qxF "$REPO_APP_ID app/$REPO_APP_ID/x86_64/beta Repo Hello 1" <<<"$OUT"
verdict "the AppStream catalogue parses and names the app, its refs and versions" 0

# An app's metainfo is hostile: it may name another id, a bundle of its
# own, markup in its text, or not parse at all.
PR=$TEST_DIR/www/probe
for kind in claims broken; do
	d=$TEST_DIR/$kind.AppDir
	cp -a "$TEST_DIR/v/v1.AppDir" "$d"
	mkdir -p "$d/usr/share/metainfo"
	printf '[Application]\nname=org.bento.Probe%s\ncommand=AppRun\n' "$kind" >"$d/.bento/metadata"
done
cat >"$TEST_DIR/claims.AppDir/usr/share/metainfo/org.bento.Probeclaims.metainfo.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<component type="desktop-application">
  <id>org.gnome.Nautilus</id>
  <name>Probe &amp; &lt;/component&gt;&lt;component&gt;</name>
  <summary xml:lang="fr">Sonde</summary>
  <bundle type="flatpak">app/org.gnome.Nautilus/x86_64/stable</bundle>
</component>
XML
printf '<component><id>x</id><name>unclosed</component>\n' \
	>"$TEST_DIR/broken.AppDir/usr/share/metainfo/org.bento.Probebroken.metainfo.xml"
chown -R "$TEST_UID:$TEST_GID" "$TEST_DIR/claims.AppDir" "$TEST_DIR/broken.AppDir"
urun sh -c 'b=$1 r=$2 t=$3
	"$b" export --repo="$r" "$t/claims.AppDir" && "$b" export --repo="$r" "$t/broken.AppDir" &&
		"$b" update-repo "$r"' sh "$BUILDER" "$PR" "$TEST_DIR"
warned=$ERR
urun python3 -c '
import gzip, sys, xml.etree.ElementTree as ET
root = ET.fromstring(gzip.open(sys.argv[1]).read())
for c in root.findall("component"):
    print(c.findtext("id"), len(c.findall("id")), [b.text for b in c.findall("bundle")],
          c.findtext("name"))
' "$PR/appstream/x86_64/appstream.xml.gz"
[ "$RC" = 0 ] &&
	grep -qxF "org.bento.Probebroken 1 ['app/org.bento.Probebroken/x86_64/stable'] Repo Hello" <<<"$OUT" &&
	grep -qxF "org.bento.Probeclaims 1 ['app/org.bento.Probeclaims/x86_64/stable'] Probe & </component><component>" <<<"$OUT" &&
	[ "$(wc -l <<<"$OUT")" = 2 ] &&
	[[ $warned == *"org.bento.Probebroken.metainfo.xml"*"the catalogue uses the desktop entry instead"* ]]
verdict "hostile metainfo: its id and bundle replaced, its text escaped, one that does not parse replaced by the desktop entry (with a warning)" 0

# ------------------------------------------------------------ prune

# a third commit (version 1's tree again), then keep 2
urun "$BUILDER" export --repo="$REPO" --gpg-sign="$FPR" --gpg-homedir="$GH" "$TEST_DIR/v/v1.AppImage"
C3=$(rev "$REF")
[ "$RC" = 0 ] && [ "$C3" != "$C2" ]
verdict "version 1 again on top of version 2 is a third commit" 0
urun "$BUILDER" update-repo "$REPO" --generate-static-deltas --prune --keep=2 --gpg-sign="$FPR" \
	--gpg-homedir="$GH"
verdict "update-repo --prune --keep=2" 0
deltas=$(as_user ostree static-delta list --repo="$REPO")
as_user ostree show --repo="$REPO" "$C2" >/dev/null 2>&1 &&
	! as_user ostree show --repo="$REPO" "$C1" >/dev/null 2>&1 &&
	! grep -q "$C1" <<<"$deltas" && grep -qxF "$C2-$C3" <<<"$deltas"
ok "prune keeps the last 2 commits of the ref, drops the oldest and its deltas" "$deltas"
urun ostree fsck --repo="$REPO"
verdict "ostree fsck passes after the prune" 0

# ------------------------------------------------------------ bundle round trip

urun GNUPGHOME="$GH" "$BUILDER" bundle --repo="$REPO" "$REPO_APP_ID" -o "$TEST_DIR/back.AppImage" \
	--sign-key "$FPR"
verdict "bundle --repo of the commit exported from v1.AppImage" 0
urun "$BENTO" run "$TEST_DIR/v/v1.AppImage"
expect "the exported file runs" 0 "RepoHello version 1"
urun "$BENTO" run "$TEST_DIR/back.AppImage"
expect "the file bundled back runs the same app" 0 "RepoHello version 1"
info_of() {
	as_user "$BENTO" info "$1" 2>&1 | grep -vE '^(File|Offset|Payload size|File size):'
}
a=$(info_of "$TEST_DIR/v/v1.AppImage") b=$(info_of "$TEST_DIR/back.AppImage")
[ -n "$a" ] && [ "$a" = "$b" ] && grep -qxF "App id: $REPO_APP_ID" <<<"$a"
ok "bento info of both agrees (app id, command, permissions, signature)" "$(diff <(echo "$a") <(echo "$b"))"

# ------------------------------------------------------------ refusals

refs_before=$(as_user ostree refs --repo="$REPO" | sort)
# -o a symbolic link: replaced, never written through
echo precious >"$TEST_DIR/precious"
chmod 0644 "$TEST_DIR/precious"
as_user ln -s "$TEST_DIR/precious" "$USER_HOME/out.AppImage"
urun GNUPGHOME="$GH" "$BUILDER" bundle --repo="$REPO" "$REPO_APP_ID" -o "$USER_HOME/out.AppImage"
[ "$RC" = 0 ] && [ "$(cat "$TEST_DIR/precious")" = precious ] && [ ! -L "$USER_HOME/out.AppImage" ] &&
	[ -f "$USER_HOME/out.AppImage" ]
verdict "bundle -o a symbolic link replaces the link, not what it points to" 0

# image NAME METADATA [PSEUDO...]: $TEST_DIR/NAME.AppImage, the v1 tree with
# METADATA as .bento/metadata, and mksquashfs pseudo-file definitions (a
# device node, a setuid file) - made with mksquashfs, since bento-builder
# would refuse some of it.
image() {
	local name=$1 md=$2 src=$TEST_DIR/src-$1 p args=()
	shift 2
	rm -rf "$src"
	cp -a "$TEST_DIR/v/v1.AppDir" "$src"
	printf '%s' "$md" >"$src/.bento/metadata"
	for p in "$@"; do args+=(-p "$p"); done
	mksquashfs "$src" "$TEST_DIR/$name.sqfs" -quiet -noappend -all-root -no-progress \
		-processors 1 "${args[@]}" >/dev/null &&
		cat "$RUNTIME" "$TEST_DIR/$name.sqfs" >"$TEST_DIR/$name.AppImage" &&
		chmod 0644 "$TEST_DIR/$name.AppImage"
	rm -rf "$src" "$TEST_DIR/$name.sqfs"
}
GOOD_MD=$(printf '[Application]\nname=org.bento.RepoProbe\ncommand=AppRun\n')
image good "$GOOD_MD" "usr/bin/hello m 4755 0 0"
image badid "$(printf '[Application]\nname=org.bento/../../x\ncommand=AppRun\n')"
image dev "$GOOD_MD" "usr/dev c 644 0 0 1 3"
PROBE=app/org.bento.RepoProbe/x86_64/stable

urun "$BUILDER" export --repo="$REPO" "$TEST_DIR/good.AppImage"
su_mode=$(as_user ostree ls --repo="$REPO" "$PROBE" /usr/bin/hello 2>&1 | awk '{print $1}')
[ "$RC" = 0 ] && [ -n "$(rev "$PROBE")" ] && [ "$su_mode" = "-00755" ] &&
	[[ $ERR == *"usr/bin/hello: setuid/setgid bits dropped"* ]]
verdict "control: an image with a setuid file is exported, the bit dropped and reported" 0
as_user ostree refs --repo="$REPO" --delete "$PROBE" >/dev/null

urun "$BUILDER" export --repo="$REPO" "$TEST_DIR/badid.AppImage"
[ "$RC" = 1 ] && [[ $ERR == *"badid.AppImage:.bento/metadata:2: invalid app id"* ]]
verdict "an app id that is not valid is refused, naming the file and line" 1

urun "$BUILDER" export --repo="$REPO" "$TEST_DIR/dev.AppImage"
[ "$RC" = 1 ] && [[ $ERR == *"dev.AppImage: usr/dev is a device node"* ]] && [ -z "$(rev "$PROBE")" ]
verdict "an image holding a device node is refused, naming it" 1

cp -a "$TEST_DIR/v/v1.AppDir" "$TEST_DIR/suid.AppDir"
chown -R "$TEST_UID:$TEST_GID" "$TEST_DIR/suid.AppDir"
chmod 6755 "$TEST_DIR/suid.AppDir/usr/bin/hello"
urun "$BUILDER" export --repo="$REPO" --branch=suid "$TEST_DIR/suid.AppDir"
[ "$RC" = 0 ] && [[ $ERR == *"usr/bin/hello: setuid/setgid bits dropped"* ]] &&
	[ "$(as_user ostree ls --repo="$REPO" "app/$REPO_APP_ID/x86_64/suid" /usr/bin/hello |
		awk '{print $1}')" = "-00755" ]
verdict "control: an AppDir with a setuid and setgid file is exported, the bits dropped and reported" 0
as_user ostree refs --repo="$REPO" --delete "app/$REPO_APP_ID/x86_64/suid" >/dev/null

head_before=$(rev "$REF")
urun "$BUILDER" export --repo="$REPO" --gpg-sign=nobody@example.org --gpg-homedir="$GH" \
	"$TEST_DIR/v/v2.AppImage"
[ "$RC" = 1 ] && [[ $ERR == *"cannot sign commit"*"nobody@example.org"* ]] &&
	[ "$(rev "$REF")" = "$head_before" ]
verdict "a commit that cannot be signed is not published: the ref stays where it was" 1

cp -a "$TEST_DIR/v/v1.AppDir" "$TEST_DIR/fifo.AppDir"
mkfifo "$TEST_DIR/fifo.AppDir/usr/pipe"
chown -R "$TEST_UID:$TEST_GID" "$TEST_DIR/fifo.AppDir"
urun "$BUILDER" export --repo="$REPO" --branch=fifo "$TEST_DIR/fifo.AppDir"
[ "$RC" = 1 ] && [[ $ERR == *"pipe"* ]] && [ -z "$(rev "app/$REPO_APP_ID/x86_64/fifo")" ]
verdict "an AppDir holding a fifo is refused, naming it" 1

as_user ln -s "$REPO" "$TEST_DIR/www/repo-link"
urun "$BUILDER" export --repo="$TEST_DIR/www/repo-link" --branch=link "$TEST_DIR/v/v2.AppImage"
[ "$RC" = 1 ] && [[ $ERR == *"repo-link is a symbolic link"* ]]
verdict "a repository path that is a symbolic link is refused" 1

install -d -m 0777 -o root -g root "$TEST_DIR/theirs"
urun "$BUILDER" export --repo="$TEST_DIR/theirs" "$TEST_DIR/v/v2.AppImage"
[ "$RC" = 1 ] && [[ $ERR == *"theirs belongs to uid 0"* ]] && [ -z "$(ls -A "$TEST_DIR/theirs")" ]
verdict "someone else's directory is refused, and nothing is written there" 1
urun "$BUILDER" update-repo "$TEST_DIR/theirs"
[ "$RC" = 1 ] && [[ $ERR == *"theirs belongs to uid 0"* ]]
verdict "update-repo refuses it too" 1

as_user mkdir "$TEST_DIR/www/notrepo"
as_user touch "$TEST_DIR/www/notrepo/file"
urun "$BUILDER" export --repo="$TEST_DIR/www/notrepo" "$TEST_DIR/v/v2.AppImage"
[ "$RC" = 1 ] && [[ $ERR == *"notrepo is not an OSTree repository"* ]] &&
	[ "$(ls -A "$TEST_DIR/www/notrepo")" = file ]
verdict "a directory holding other files is not made a repository" 1
as_user mkdir "$TEST_DIR/www/fresh"
urun "$BUILDER" export --repo="$TEST_DIR/www/fresh" "$TEST_DIR/v/v2.AppImage"
[ "$RC" = 0 ] && as_user ostree fsck --repo="$TEST_DIR/www/fresh" >/dev/null 2>&1
verdict "control: an empty directory of the user's becomes a repository" 0

# ------------------------------------------------------------ build --repo

mkdir -p "$TEST_DIR/src" "$TEST_DIR/b"
cp -r "$SRC_DIR/manifests/hello" "$TEST_DIR/src/"
chown -R "$TEST_UID:$TEST_GID" "$TEST_DIR/src" "$TEST_DIR/b"
cd "$TEST_DIR/b" || exit 1
RUN_TIMEOUT=300 urun "$BUILDER" build --repo="$TEST_DIR/www/built" --branch=nightly \
	"$TEST_DIR/src/hello/hello.yml"
cd "$TEST_DIR" || exit 1
BUILT=app/org.bento.Hello/x86_64/nightly
[ "$RC" = 0 ] && [ -x b/Hello-0.1.0-x86_64.AppImage ] &&
	[ "$(as_user ostree show --repo="$TEST_DIR/www/built" --print-metadata-key=bento.source-name "$BUILT")" = "'Hello-0.1.0-x86_64.AppImage'" ] &&
	[ "$(as_user ostree show --repo="$TEST_DIR/www/built" --print-metadata-key=bento.source-sha256 "$BUILT")" = \
		"'$(sha256sum <b/Hello-0.1.0-x86_64.AppImage | cut -d' ' -f1)'" ] &&
	[ "$(as_user ostree show --repo="$TEST_DIR/www/built" --print-metadata-key=version "$BUILT")" = "'0.1.0'" ]
verdict "build --repo --branch=nightly exports the file it built to app/org.bento.Hello/x86_64/nightly" 0
urun "$BUILDER" update-repo "$TEST_DIR/www/built"
urun python3 -c '
import gzip, sys, xml.etree.ElementTree as ET
root = ET.fromstring(gzip.open(sys.argv[1]).read())
for c in root.findall("component"):
    print(c.findtext("id"), c.findtext("bundle"), c.findtext("metadata_license"),
          ",".join(r.get("version") for r in c.iter("release")))
' "$TEST_DIR/www/built/appstream/x86_64/appstream.xml.gz"
[ "$RC" = 0 ] && [ "$OUT" = "org.bento.Hello $BUILT CC0-1.0 0.1.0" ]
verdict "the catalogue's component of a built app is its own metainfo (CC0-1.0 metadata licence), with the repository's bundle and the version" 0
urun "$BUILDER" build --branch=nightly "$TEST_DIR/src/hello/hello.yml"
[ "$RC" = 2 ] && [[ $ERR == *"go with --repo"* ]]
verdict "build --branch without --repo is a usage error" 2

[ "$(as_user ostree refs --repo="$REPO" | sort)" = "$refs_before" ]
ok "the refusals left the repository's refs as they were"
urun ostree fsck --repo="$REPO"
verdict "ostree fsck still passes" 0
left=$(find "$USER_TMP" -mindepth 1 -maxdepth 1)
[ -z "$left" ]
ok "no temporary directory left behind (export, bundle)" "$left"

finish
