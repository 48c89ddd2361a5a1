# Signatures: `bento-builder pack --sign-key` and `bento-builder sign` write
# appimagetool-compatible signatures (checked with gpg alone, as AppImage's
# validate does), `bento verify` says valid (0), INVALID (1) or unsigned (3)
# as the unprivileged user, any change to the signed bytes (payload,
# update information) makes it invalid, hostile sections and truncated
# files give a clear error, bad --update-information values are refused.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BENTO BUILDER HELLO APPIMG
need_tools gpg python3

# ---- the user's GnuPG home, with two passphrase-less keys

GH=$TEST_DIR/gnupg
G=(GNUPGHOME="$GH")
test_keys "$GH" "Bento Test <test@example.org>" "Someone Else <else@example.org>"
FPR=$(fingerprint_of "$GH" test@example.org)
FPR2=$(fingerprint_of "$GH" else@example.org)
[ ${#FPR} = 40 ] && [ ${#FPR2} = 40 ]
ok "two test keys made with gpg --quick-gen-key" || finish

# ---- hello's AppDir, owned by the user

sh "$SRC_DIR/manifests/hello/make-appdir.sh" "$HELLO" "$SRC_DIR/manifests/hello" "$TEST_DIR/hello.AppDir"
chown -R "$TEST_UID:$TEST_GID" "$TEST_DIR/hello.AppDir"

# sect FILE NAME: "OFFSET SIZE HEADER" of an ELF section (HEADER: where its
# section header is)
sect() {
	python3 - "$1" "$2" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
shoff, = struct.unpack_from('<Q', d, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', d, 0x3a)
hdr = lambda i: shoff + i * shentsize
stroff, = struct.unpack_from('<Q', d, hdr(shstrndx) + 24)
for i in range(shnum):
    name, = struct.unpack_from('<I', d, hdr(i))
    n = d[stroff + name:d.index(b'\0', stroff + name)].decode()
    if n == sys.argv[2]:
        off, size = struct.unpack_from('<QQ', d, hdr(i) + 24)
        print(off, size, hdr(i))
PY
}
# poke FILE AT BYTES: write the bytes (a printf format) at offset AT
poke() {
	printf -- "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# flip FILE AT: invert one byte
flip() {
	local v
	v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	poke "$1" "$2" "$(printf '\\%03o' $((255 - v)))"
}

UPD='zsync|https://example.org/hello/signed.AppImage.zsync'
urun "${G[@]}" ./bento-builder pack hello.AppDir -o signed.AppImage --update-information="$UPD" \
	--sign-key test@example.org
[ "$RC" = 0 ] && [ -x signed.AppImage ] && [ -f signed.AppImage.zsync ]
verdict "pack --sign-key --update-information: a signed file and its .zsync" 0 || finish

# ---- valid

VALID="valid signature by Bento Test <test@example.org>, key fingerprint $FPR"
urun ./bento verify signed.AppImage
expect "bento verify (as the user): valid, names the signer and the fingerprint" 0 "$VALID"
grep -q "not who made it" <<<"$ERR"
ok "bento verify says that an embedded key proves integrity, not the publisher" "$ERR"
left=$(ls -A "$USER_TMP")
[ -z "$left" ]
ok "bento verify leaves nothing in TMPDIR" "$left"
urun ./signed.AppImage
expect "the signed file still runs" 0 "$(hello_out)"
urun ./bento info signed.AppImage
grep -qxF "Update information: $UPD" <<<"$OUT" && grep -qx "Signature: present" <<<"$OUT"
verdict "bento info shows the update information and the signature" 0

# What AppImage's tools check, with gpg alone: the armoured signature in
# .sha256_sig is a detached signature of the hex SHA-256 of the file with
# .sha256_sig and .sig_key zeroed; .sig_key holds the public key.
read -r so ss _ < <(sect signed.AppImage .sha256_sig)
read -r ko ks _ < <(sect signed.AppImage .sig_key)
dd if=signed.AppImage bs=1 skip="$so" count="$ss" status=none | tr -d '\0' >sig.asc
dd if=signed.AppImage bs=1 skip="$ko" count="$ks" status=none | tr -d '\0' >key.asc
cp signed.AppImage zeroed && poke zeroed "$so" "$(head -c "$ss" /dev/zero | tr '\0' x | sed 's/x/\\0/g')" &&
	poke zeroed "$ko" "$(head -c "$ks" /dev/zero | tr '\0' x | sed 's/x/\\0/g')"
sha256sum zeroed | cut -c1-64 | tr -d '\n' >digest
mkdir -m 0700 plain-gpg
GNUPGHOME=$TEST_DIR/plain-gpg gpg --batch --quiet --import key.asc 2>/dev/null
GNUPGHOME=$TEST_DIR/plain-gpg gpg --batch --status-fd 1 --verify sig.asc digest 2>/dev/null >gpg.out
grep -q "^\[GNUPG:\] VALIDSIG $FPR " gpg.out && grep -q "BEGIN PGP PUBLIC KEY BLOCK" key.asc
ok "gpg alone verifies the embedded signature over the hex digest (AppImage's scheme)" "$(cat gpg.out)"
GNUPGHOME=$TEST_DIR/plain-gpg gpgconf --kill all 2>/dev/null

# ---- any change to the signed bytes

offset=$(as_user ./signed.AppImage --appimage-offset)
size=$(stat -c %s signed.AppImage)
cp signed.AppImage payload.AppImage && flip payload.AppImage $(((offset + size) / 2))
urun ./bento verify payload.AppImage
[ "$RC" = 1 ] && [[ $OUT == "INVALID signature: "* ]]
verdict "one byte of the SquashFS flipped: INVALID, status 1" 1
read -r uo _ _ < <(sect signed.AppImage .upd_info)
cp signed.AppImage upd.AppImage && flip upd.AppImage $((uo + 10))
urun ./bento verify upd.AppImage
[ "$RC" = 1 ] && [[ $OUT == "INVALID signature: "* ]]
verdict "one byte of .upd_info flipped: INVALID, status 1" 1
cp signed.AppImage last.AppImage && flip last.AppImage $((size - 1))
urun ./bento verify last.AppImage
[ "$RC" = 1 ] && [[ $OUT == "INVALID signature: "* ]]
verdict "the last byte flipped: INVALID, status 1" 1

# ---- unsigned; bento-builder sign in place

urun ./bento verify "$b"
expect "an unsigned file: 'unsigned', status 3" 3 "unsigned"
cp "$b" later.AppImage && chmod 0750 later.AppImage && chown "$TEST_UID:$TEST_GID" later.AppImage
urun "${G[@]}" ./bento-builder sign --key "$FPR2" later.AppImage
[ "$RC" = 0 ] && [ "$(stat -c %a later.AppImage)" = 750 ] && ! ls .later.AppImage.* 2>/dev/null
verdict "bento-builder sign --key FILE: signs in place, keeps the mode, no temporary left" 0
urun ./bento verify later.AppImage
expect "... and the file verifies with that key" 0 \
	"valid signature by Someone Else <else@example.org>, key fingerprint $FPR2"
urun ./later.AppImage
expect "... and still runs" 0 "$(hello_out)"
cp "$b" nokey.AppImage && chown "$TEST_UID:$TEST_GID" nokey.AppImage && cksum nokey.AppImage >before
urun "${G[@]}" ./bento-builder sign --key nobody@example.org nokey.AppImage
[ "$RC" = 1 ] && [[ $ERR == *nobody@example.org* ]] && cksum nokey.AppImage | cmp -s - before
verdict "sign with an unknown key: status 1, names it, the file unchanged" 1
urun "${G[@]}" ./bento-builder pack hello.AppDir -o nokey2.AppImage --sign-key nobody@example.org
[ "$RC" = 1 ] && [[ $ERR == *nobody@example.org* ]] && [ ! -e nokey2.AppImage ] &&
	! ls .nokey2.* 2>/dev/null
verdict "pack --sign-key with an unknown key: status 1, no file written" 1

# ---- --keyring

as_user "${G[@]}" gpg --export test@example.org >test.pub
as_user "${G[@]}" gpg --armor --export else@example.org >else.asc
urun ./bento verify --keyring test.pub signed.AppImage
expect "--keyring with the signer's key: valid" 0 "$VALID"
urun ./bento verify --keyring else.asc signed.AppImage
[ "$RC" = 1 ] && [[ $OUT == "INVALID signature: "*"not in the keyring"* ]]
verdict "--keyring without the signer's key: INVALID, status 1" 1
: >empty.pub
urun ./bento verify --keyring empty.pub signed.AppImage
[ "$RC" = 127 ] && [[ $ERR == *empty.pub* ]]
verdict "--keyring with no key in it: an error naming it" 127

# ---- hostile files: each gives one clear line and no crash (also with the
# sanitizer build, when there is one)

# key from the other signer in .sig_key: the signature's key is missing
cp signed.AppImage otherkey.AppImage
as_user "${G[@]}" gpg --armor --export else@example.org >else.asc
poke otherkey.AppImage "$ko" "$(head -c "$ks" /dev/zero | tr '\0' x | sed 's/x/\\0/g')"
dd if=else.asc of=otherkey.AppImage bs=1 seek="$ko" conv=notrunc status=none
cp signed.AppImage garbage-sig.AppImage && poke garbage-sig.AppImage "$so" 'garbage\0'
cp signed.AppImage armour-sig.AppImage &&
	poke armour-sig.AppImage "$so" '-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n\0'
cp signed.AppImage nul-sig.AppImage && poke nul-sig.AppImage "$so" '\0' && poke nul-sig.AppImage $((so + 5)) 'x'
cp signed.AppImage garbage-key.AppImage && poke garbage-key.AppImage "$ko" 'not a key\0'
cp signed.AppImage no-key.AppImage && poke no-key.AppImage "$ko" '\0'
head -c 1000 signed.AppImage >truncated.AppImage
head -c $((ko + 100)) signed.AppImage >short.AppImage
head -c $(((offset + size) / 2)) signed.AppImage >short-payload.AppImage
# .sig_key's section header claims 2^63 or 1 GiB bytes
read -r _ _ kh < <(sect signed.AppImage .sig_key)
cp signed.AppImage huge.AppImage && poke huge.AppImage $((kh + 32)) '\0\0\0\0\0\0\0\200'
cp signed.AppImage big.AppImage && poke big.AppImage $((kh + 32)) '\0\0\0\100\0\0\0\0'
# 100000 bytes from offset 4096: inside the file, but more than any
# signature section needs
cp signed.AppImage oversized.AppImage &&
	poke oversized.AppImage $((kh + 24)) '\0\020\0\0\0\0\0\0\240\206\001\0\0\0\0\0'
cp signed.AppImage wrap.AppImage && poke wrap.AppImage $((kh + 24)) '\377\377\377\377\377\377\377\377'
echo 'not an ELF file' >text.AppImage
chown "$TEST_UID:$TEST_GID" ./*.AppImage

hostile() { # BENTO SUFFIX
	local bento=$1 sfx=$2 f
	for f in otherkey garbage-sig armour-sig nul-sig garbage-key no-key short-payload; do
		urun "$bento" verify $f.AppImage
		[ "$RC" = 1 ] && [[ $OUT == "INVALID signature: "* ]] && [ "$(grep -c '' <<<"$OUT")" = 1 ]
		verdict "$f: INVALID (${OUT#INVALID signature: }), status 1$sfx" 1
	done
	for f in truncated short huge big oversized wrap text; do
		urun "$bento" verify $f.AppImage
		[ "$RC" = 127 ] && [ -z "$OUT" ] && [ "$(grep -c '' <<<"$ERR")" = 1 ] &&
			[[ $ERR == *$f.AppImage* ]]
		verdict "$f: one line naming the file (${ERR#bento verify: }), status 127$sfx" 127
	done
	urun "$bento" verify no-such-file
	[ "$RC" = 127 ] && [[ $ERR == *no-such-file* ]]
	verdict "a missing file: an error naming it, status 127$sfx" 127
}
hostile ./bento ""
if [ -n "${BENTO_SAN_BUILD:-}" ] && [ -f "$BENTO_SAN_BUILD/runtime/cli/bento" ]; then
	cp "$BENTO_SAN_BUILD/runtime/cli/bento" bento-san && chmod 0755 bento-san
	hostile ./bento-san " (sanitizer build)"
	urun ./bento-san verify signed.AppImage
	expect "valid (sanitizer build)" 0 "$VALID"
fi

# ---- bad --update-information values are refused before anything is written

long=$(printf 'zsync|https://example.org/%01100d.zsync' 0)
for bad in 'zsync|ftp://example.org/a.zsync' 'zsync|' 'zsync' 'zsync|https://' \
	'zsync|https://example.org/a b.zsync' 'zsync|https://example.org/x|y' \
	'gh-releases-direct|u|r|latest|a.AppImage' 'gh-releases-zsync|u|r|latest' \
	'gh-releases-zsync|u|r|latest|a.AppImage' 'gh-releases-zsync|u/x|r|latest|a.zsync' \
	'pling-v1-zsync|abc|a.zsync' 'bintray-zsync|a|b|c|d.zsync' "$long" \
	"zsync|https://example.org/a"$'\t'"b.zsync" ''; do
	urun ./bento-builder pack hello.AppDir -o refused.AppImage --update-information="$bad"
	[ "$RC" = 2 ] && [[ $ERR == *--update-information* ]] && [ ! -e refused.AppImage ] &&
		[ ! -e refused.AppImage.zsync ]
	verdict "--update-information '${bad:0:50}': refused (${ERR#bento-builder: }), status 2" 2
done
for good in 'gh-releases-zsync|some-user|some.repo|latest|Hello-*x86_64.AppImage.zsync' \
	'pling-v1-zsync|1234567|Hello-*-x86_64.AppImage.zsync' 'zsync|http://127.0.0.1:8080/a.zsync'; do
	urun ./bento-builder pack hello.AppDir -o accepted.AppImage --update-information="$good"
	[ "$RC" = 0 ] && [ -f accepted.AppImage.zsync ] && as_user ./bento info accepted.AppImage |
		grep -qxF "Update information: $good"
	verdict "--update-information '$good': accepted and embedded" 0
	rm -f accepted.AppImage accepted.AppImage.zsync
done

# ---- help and manual

urun ./bento verify --help
[ "$RC" = 0 ] && grep -q "unsigned" <<<"$OUT" && grep -q -- "--keyring" <<<"$OUT"
verdict "bento verify --help describes the statuses and --keyring" 0
urun ./bento-builder pack --help
[ "$RC" = 0 ] && grep -q -- "--sign-key" <<<"$OUT" && grep -q -- "--update-information" <<<"$OUT"
verdict "bento-builder pack --help describes --sign-key and --update-information" 0

finish
