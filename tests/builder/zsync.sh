# Update information and zsync: `bento-builder pack --update-information`
# writes FILE.zsync in zsync 0.6.2's format, byte for byte what Debian's
# zsyncmake makes of the same file, from the final (signed) bytes; Debian's
# zsync client, run as the user against nginx on loopback, rebuilds the new
# version from the old one, reusing most of it, and the result is identical,
# verifies and runs.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BENTO BUILDER HELLO
need_tools zsync zsyncmake nginx gpg python3

GH=$TEST_DIR/gnupg
install -d -m 0700 -o "$TEST_UID" -g "$TEST_GID" "$GH"
on_exit "as_user GNUPGHOME=$GH gpgconf --kill all"
as_user GNUPGHOME="$GH" gpg --batch --quiet --passphrase '' --quick-gen-key \
	"Bento Test <test@example.org>" ed25519 sign never >/dev/null 2>&1
ok "a test key" || finish

# Two versions of an app: version 2 changes one small file and adds one;
# 4 MB of incompressible data stay the same.
head -c 4000000 /dev/urandom >data.bin
make_versioned_appdir v1.AppDir 1
make_versioned_appdir v2.AppDir 2
chown -R "$TEST_UID:$TEST_GID" v1.AppDir v2.AppDir
mkdir -m 0755 www && chown "$TEST_UID:$TEST_GID" www

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
UPD="zsync|http://127.0.0.1:$PORT/Hello.AppImage.zsync"
urun ./bento-builder pack v1.AppDir -o old.AppImage --update-information="$UPD"
[ "$RC" = 0 ] && [ -f old.AppImage.zsync ]
verdict "pack version 1 with --update-information: FILE and FILE.zsync" 0
urun GNUPGHOME="$GH" SOURCE_DATE_EPOCH=1700000000 ./bento-builder pack v2.AppDir \
	-o www/Hello.AppImage --update-information="$UPD" --sign-key test@example.org
[ "$RC" = 0 ] && [ -f www/Hello.AppImage.zsync ]
verdict "pack version 2, signed: FILE and FILE.zsync" 0 || finish

# The control file, against zsyncmake's for the same bytes and time
head -n 9 www/Hello.AppImage.zsync >header
size=$(stat -c %s www/Hello.AppImage)
sha1=$(sha1sum <www/Hello.AppImage | cut -c1-40)
printf '%s\n' "zsync: 0.6.2" "Filename: Hello.AppImage" "MTime: Tue, 14 Nov 2023 22:13:20 +0000" \
	"Blocksize: 2048" "Length: $size" "Hash-Lengths: 2,2,4" "URL: Hello.AppImage" "SHA-1: $sha1" "" >want
cmp -s header want
ok "the header: version, name, SOURCE_DATE_EPOCH as MTime, size, zsyncmake's hash lengths, relative URL, SHA-1 of the signed file" \
	"$(diff want header)"
cp www/Hello.AppImage ref.AppImage && touch -d @1700000000 ref.AppImage
zsyncmake -u Hello.AppImage -f Hello.AppImage -o ref.zsync ref.AppImage >/dev/null 2>&1
cmp ref.zsync www/Hello.AppImage.zsync
ok "identical to zsyncmake's control file for the same file" "$(cmp ref.zsync www/Hello.AppImage.zsync 2>&1)"

# ---- serve version 2 with nginx on loopback, as the user

WEB_PORT=$PORT start_web "$TEST_DIR/www"
ok "nginx serves the files on 127.0.0.1:$PORT" || finish

# ---- the update, as the user: zsync with version 1 as the seed

urun zsync -q -i old.AppImage -o new.AppImage "http://127.0.0.1:$PORT/Hello.AppImage.zsync"
[ "$RC" = 0 ] && cmp -s new.AppImage www/Hello.AppImage
verdict "zsync rebuilds version 2 from version 1, byte for byte" 0
urun zsync -i old.AppImage -o new2.AppImage "http://127.0.0.1:$PORT/Hello.AppImage.zsync"
used=$(sed -n 's/.*used \([0-9]*\) local, fetched \([0-9]*\).*/\1/p' <<<"$OUT$ERR" | tail -n 1)
fetched=$(sed -n 's/.*used \([0-9]*\) local, fetched \([0-9]*\).*/\2/p' <<<"$OUT$ERR" | tail -n 1)
[ "$RC" = 0 ] && [ -n "$used" ] && [ "$used" -gt $((size * 3 / 4)) ] && [ "$fetched" -lt $((size / 4)) ] &&
	cmp -s new2.AppImage www/Hello.AppImage
verdict "zsync took most of the file from the old version (used ${used:-?} local, fetched ${fetched:-?} of $size bytes)" 0
grep -q '^206 ' "$WEB_DIR/access.log"
ok "zsync fetched the rest with range requests (206 in nginx's log)" "$(tail -n 5 "$WEB_DIR/access.log")"
chmod 0755 new.AppImage
urun ./bento verify new.AppImage
[ "$RC" = 0 ] && [[ $OUT == "valid signature by Bento Test <test@example.org>"* ]]
verdict "the rebuilt file's signature is valid" 0
urun ./new.AppImage
expect "the rebuilt file runs" 0 "$(hello_out)"

# ---- bento-builder sign rewrites a .zsync beside the file

cp old.AppImage.zsync before.zsync
urun GNUPGHOME="$GH" ./bento-builder sign --key test@example.org old.AppImage
sha1=$(sha1sum <old.AppImage | cut -c1-40)
[ "$RC" = 0 ] && ! cmp -s before.zsync old.AppImage.zsync && grep -aqx "SHA-1: $sha1" old.AppImage.zsync
verdict "bento-builder sign rewrites FILE.zsync for the signed bytes" 0

stop_web
! _alive "$WEB_PID"
ok "nginx stopped"
finish
