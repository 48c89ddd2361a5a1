# The zsync client library (runtime/lib/update) through tests/helpers/zsyncget,
# as the user, against nginx on loopback: a new version rebuilt from the old
# one byte for byte while fetching a small part of it (control files written
# by bento-builder and by Debian's zsyncmake), servers that ignore Range or
# refuse multi-range requests, 404 and 503 storms, a partial earlier output
# as a seed, and refusals of corrupt files and lying control files - each a
# clean error with no output left behind.  Bytes are counted in nginx's log.
# With a sanitizer build ($BENTO_SAN_BUILD) everything runs with its
# zsyncget too.
. "$(dirname "$0")/../lib.sh" "$@"

in_test_dir BUILDER HELLO
need_program ZSYNCGET zsyncget
need_tools zsyncmake nginx python3
mkdir -p bin && cp "$ZSYNCGET" bin/zsyncget
CLIENTS=(bin/zsyncget)
if [ -n "${BENTO_SAN_BUILD:-}" ] && [ -x "$BENTO_SAN_BUILD/tests/zsyncget" ]; then
	mkdir -p san && cp "$BENTO_SAN_BUILD/tests/zsyncget" san/zsyncget
	CLIENTS+=(san/zsyncget)
fi
chmod -R a+rX bin san 2>/dev/null

# ---- MD4, zsync's block checksum (bento's own: OpenSSL 3 keeps it in the
# legacy provider): RFC 1320's test suite, every padding case
md4_ok=yes
while read -r want text; do
	[ "$text" = '""' ] && text=
	got=$(bin/zsyncget --md4 "$text")
	[ "$got" = "$want" ] || { md4_ok="no: MD4(\"$text\") = $got, want $want"; break; }
done <<'RFC'
31d6cfe0d16ae931b73c59d7e0c089c0 ""
bde52cb31de33e46245e05fbdbd6fb24 a
a448017aaf21d8525fc10ae87aa6729d abc
d9130a8164549fe818874806e1c7014b message digest
d79e1c308aa5bbcdeea8ed63df412da9 abcdefghijklmnopqrstuvwxyz
043f8582f241db351ce627e153e7f0e4 ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789
e33b4ddc9c38f2199c3e7b164fcc0536 12345678901234567890123456789012345678901234567890123456789012345678901234567890
RFC
[ "$md4_ok" = yes ]
ok "MD4: RFC 1320's test suite" "$md4_ok"

# ---- the scan computes rolling checksums and MD4s in SIMD lanes: each
# path this CPU has (and the plain one) against the plain functions, on
# pseudo-random data, for every client build (the sanitizer's too)
for client in "${CLIENTS[@]}"; do
	for what in md4 rsum; do
		lanes=$("$client" --$what-lanes "$RANDOM" 2>&1)
		status=$?
		paths=$(grep -o '^lanes [0-9]*' <<<"$lanes" | tr '\n' ' ')
		[ $status = 0 ] && grep -q '^lanes 1: checked$' <<<"$lanes"
		ok "$what in SIMD lanes = one by one ($client: ${paths% })" "$lanes"
	done
done
# the widest path this CPU has
LANES=$(bin/zsyncget --rsum-lanes 1 | head -n 1 | awk '{ print $2 }')

# ---- an app in two versions: one small file changed and one added, 4 MB
# of incompressible data the same (bento-builder's .zsync)
head -c 4000000 /dev/urandom >data.bin
make_versioned_appdir v1.AppDir 1
make_versioned_appdir v2.AppDir 2
mkdir -m 0755 www
chown -R "$TEST_UID:$TEST_GID" v1.AppDir v2.AppDir www
urun ./bento-builder pack v1.AppDir -o old.AppImage
verdict "pack version 1" 0
urun ./bento-builder pack v2.AppDir -o www/Hello.AppImage \
	--update-information="zsync|http://127.0.0.1/Hello.AppImage.zsync"
[ "$RC" = 0 ] && [ -f www/Hello.AppImage.zsync ]
verdict "pack version 2 with its .zsync" 0 || finish

# ---- random data in two versions, five regions changed, 6 MB (zsyncmake's
# .zsync), and the variants the server's locations need
head -c 6000000 /dev/urandom >old.bin
python3 - <<'PY'
import os
d = bytearray(open("old.bin", "rb").read())
for off in (100000, 900000, 2500000, 4000000, 5999000):
    d[off:off + 500] = os.urandom(500)
d += b"tail" * 100
open("www/new.bin", "wb").write(d)
PY
(cd www && zsyncmake -u new.bin -o new.bin.zsync new.bin >/dev/null 2>&1)
ok "zsyncmake writes a control file" || finish
# one block (zsyncmake's Hash-Lengths 1,2,4: seq_matches 1)
head -c 1500 /dev/urandom >www/tiny.bin && cp www/tiny.bin tiny-old.bin
(cd www && zsyncmake -u tiny.bin -o tiny.bin.zsync tiny.bin >/dev/null 2>&1)
grep -aqx 'Hash-Lengths: 1,2,4' www/tiny.bin.zsync
ok "zsyncmake's control file for one block has seq_matches 1" "$(head -n 9 www/tiny.bin.zsync)"
# 12 MB with bytes inserted and removed: every block after the first change
# lies off the block grid of the old file, where only the rolling checksum
# at every offset finds it; large enough for the scan's two threads and
# many of its windows
head -c 12000000 /dev/urandom >shift-old.bin
python3 - <<'PY'
import os
d = bytearray(open("shift-old.bin", "rb").read())
for off, n in ((1500001, 777), (5000003, 1), (8000007, 4093)):
    d[off:off] = os.urandom(n)
del d[10000011:10000011 + 333]
open("www/shifted.bin", "wb").write(d)
PY
(cd www && zsyncmake -u shifted.bin -o shifted.bin.zsync shifted.bin >/dev/null 2>&1)
grep -aqx 'Hash-Lengths: 2,2,5' www/shifted.bin.zsync
ok "zsyncmake's control file for 12 MB has seq_matches 2" "$(head -n 9 www/shifted.bin.zsync)"
SHIFTED_SIZE=$(stat -c %s www/shifted.bin)
# the same with seq_matches 1 (the block table does not change)
sed '1,/^$/s/^Hash-Lengths: 2,2,5$/Hash-Lengths: 1,2,5/' www/shifted.bin.zsync >www/shifted-seq1.zsync
SIZE=$(stat -c %s www/new.bin)
for dir in norange single busy corrupt; do
	mkdir -p www/$dir && cp www/new.bin www/new.bin.zsync www/$dir/
done
# a 1.1 corrupted on the server: the control file is the true one
printf 'XXXXXXXX' | dd of=www/corrupt/new.bin bs=1 seek=900100 conv=notrunc status=none
# control files whose URL names a missing file, or a location answering 503
sed 's|^URL: new.bin|URL: gone/new.bin|' www/new.bin.zsync >www/gone.zsync
sed 's|^URL: new.bin|URL: busy/new.bin|' www/new.bin.zsync >www/busy.zsync
chown -R "$TEST_UID:$TEST_GID" www

# Lying control files: the header, then the block table, rewritten.
python3 - "$SIZE" <<'PY'
import sys
size = int(sys.argv[1])
raw = open("www/new.bin.zsync", "rb").read()
head, table = raw.split(b"\n\n", 1)
def write(name, head2, table2):
    open("www/" + name, "wb").write(head2 + b"\n\n" + table2)
def sub(key, value, h=head):
    lines = [l for l in h.split(b"\n") if not l.startswith(key + b":")]
    if value is not None:
        lines.insert(2, key + b": " + value)
    return b"\n".join(lines)
write("len-same-blocks.zsync", sub(b"Length", str(size + 1).encode()), table)
write("len-more-blocks.zsync", sub(b"Length", str(size + 100000).encode()), table)
write("len-fewer-blocks.zsync", sub(b"Length", str(size - 100000).encode()), table)
write("truncated.zsync", head, table[:-7])
for bs in (b"3", b"256", b"3000", b"2097152", b"4294967296", b"-2048"):
    write("bs-" + bs.decode() + ".zsync", sub(b"Blocksize", bs), table)
write("hash-lengths.zsync", sub(b"Hash-Lengths", b"3,2,4"), table)
write("no-sha1.zsync", sub(b"SHA-1", None), table)
write("z-url.zsync", sub(b"URL", None, sub(b"Z-URL", b"new.bin.gz")), table)
write("file-url.zsync", sub(b"URL", b"file:///etc/passwd"), table)
PY
ok "lying control files" || finish
chown -R "$TEST_UID:$TEST_GID" www

mkdir -p "$TEST_DIR/web"
start_web "$TEST_DIR/www" "
		access_log $TEST_DIR/web/access.log t;
		access_log $TEST_DIR/web/bytes.log combined;
		location /norange/ { max_ranges 0; }
		location /single/ { max_ranges 1; }
		location /busy/ { return 503; }"
ok "nginx serves the files" || finish
chmod 0777 "$TEST_DIR"

# bytes sent for one URI, and the number of requests for it, since mark_log
mark_log() { LOG_AT=$(wc -l <"$TEST_DIR/web/bytes.log"); }
sent() { tail -n +$((LOG_AT + 1)) "$TEST_DIR/web/bytes.log" | awk -v u="$1" '$7 == u { s += $10 } END { print s + 0 }'; }
requests() { tail -n +$((LOG_AT + 1)) "$TEST_DIR/web/bytes.log" | awk -v u="$1" '$7 == u { n++ } END { print n + 0 }'; }
leftovers() { ls -A out 2>/dev/null; }

for Z in "${CLIENTS[@]}"; do
	tag=${Z%%/*}
	rm -rf out && mkdir -m 0777 out

	# ---- bento-builder's control file, relative URL
	mark_log
	urun "$Z" "$WEB_URL/Hello.AppImage.zsync" out/Hello.AppImage old.AppImage
	new=$(stat -c %s www/Hello.AppImage)
	got=$(sent /Hello.AppImage)
	[ "$RC" = 0 ] && cmp -s out/Hello.AppImage www/Hello.AppImage
	verdict "[$tag] bento-builder's .zsync: version 2 rebuilt from version 1, byte for byte" 0
	[ "$RC" = 0 ] && [ "$got" -gt 0 ] && [ $((got * 10)) -lt "$new" ]
	ok "[$tag] one file changed: $got of $new bytes sent by nginx (< 10 %)" "$OUT $(tail -n 5 "$TEST_DIR/web/bytes.log")"
	chmod 0755 out/Hello.AppImage
	urun out/Hello.AppImage
	expect "[$tag] the rebuilt file runs" 0 "$(hello_out)"

	# ---- zsyncmake's control file, five regions: one multi-range request
	mark_log
	urun "$Z" "$WEB_URL/new.bin.zsync" out/new.bin old.bin
	got=$(sent /new.bin)
	[ "$RC" = 0 ] && cmp -s out/new.bin www/new.bin && [ $((got * 10)) -lt "$SIZE" ] &&
		[ "$(requests /new.bin)" = 2 ]
	verdict "[$tag] zsyncmake's .zsync: rebuilt byte for byte with two multi-range requests ($got of $SIZE bytes)" 0
	[ "$(tail -n 2 "$TEST_DIR/web/access.log" | grep -Ec '^206 /new.bin "bytes=[0-9-]+,[0-9-]+(,[0-9-]+)*"$')" = 2 ]
	ok "[$tag] a probe of two ranges, then the other three in one request (206)" "$(tail -n 3 "$TEST_DIR/web/access.log")"

	# ---- progress: one line per event, a bar on a terminal (script's pty)
	[[ $ERR == *"fetching "*" bytes) from $WEB_URL/new.bin"* && $ERR == *"done: "*"SHA-1 verified"* &&
		$ERR != *$'\r'* ]]
	ok "[$tag] without a terminal: one line per event, no bar" "$ERR"
	urun script -qec "$Z $WEB_URL/new.bin.zsync out/tty.bin old.bin" /dev/null
	[ "$RC" = 0 ] && [[ $OUT == *$'\r[########################] '*" of 11.8 KiB needed, 5.7 MiB reused, "*"/s, "*" left"* ]] &&
		cmp -s out/tty.bin www/new.bin
	verdict "[$tag] on a terminal: the bar (bytes needed, reused, rate, time left)" 0

	# ---- one block, seq_matches 1: found in a seed, or fetched
	urun "$Z" "$WEB_URL/tiny.bin.zsync" out/tiny.bin tiny-old.bin
	[ "$RC" = 0 ] && [ "$OUT" = "1500 1500 0 0" ] && cmp -s out/tiny.bin www/tiny.bin
	verdict "[$tag] seq_matches 1: the one block found in the seed, nothing fetched" 0
	urun "$Z" "$WEB_URL/tiny.bin.zsync" out/tiny2.bin old.bin
	[ "$RC" = 0 ] && [ "$OUT" = "1500 0 1500 1" ] && cmp -s out/tiny2.bin www/tiny.bin
	verdict "[$tag] seq_matches 1: the block not in the seed, fetched" 0

	# ---- shifted data: found at any offset, by both threads, with each
	# SIMD path of the scan this CPU has and without
	for lanes in 16 8 4 1; do
		[ $lanes -gt "$LANES" ] && continue
		for seq in 2 1; do
			control=shifted.bin.zsync
			[ $seq = 1 ] && control=shifted-seq1.zsync
			mark_log
			urun "$Z" --lanes $lanes "$WEB_URL/$control" out/shifted.bin shift-old.bin
			got=$(sent /shifted.bin)
			[ "$RC" = 0 ] && cmp -s out/shifted.bin www/shifted.bin &&
				[ $((got * 100)) -lt "$SHIFTED_SIZE" ]
			verdict "[$tag] data shifted by insertions and a removal (seq_matches $seq, $lanes lanes): rebuilt byte for byte, $got of $SHIFTED_SIZE bytes sent (< 1 %)" 0
		done
	done

	# ---- a server that ignores Range (200 with the whole file)
	mark_log
	urun "$Z" "$WEB_URL/norange/new.bin.zsync" out/norange.bin old.bin
	[ "$RC" = 0 ] && cmp -s out/norange.bin www/new.bin
	verdict "[$tag] a server that ignores Range: still the right file" 0

	# ---- multi-range refused (max_ranges 1): single ranges
	mark_log
	urun "$Z" "$WEB_URL/single/new.bin.zsync" out/single.bin old.bin
	n=$(requests /single/new.bin)
	[ "$RC" = 0 ] && cmp -s out/single.bin www/new.bin && [ "$n" -ge 6 ] &&
		[ "$(tail -n +$((LOG_AT + 1)) "$TEST_DIR/web/bytes.log" | grep -c '/single/new.bin.* 206 ')" -ge 5 ]
	verdict "[$tag] multi-range refused: the file from single ranges ($n requests)" 0

	# ---- resumption: a partial earlier output is a seed like any other
	head -c $((SIZE * 6 / 10)) www/new.bin >out/partial && chmod 0644 out/partial
	mark_log
	urun "$Z" "$WEB_URL/new.bin.zsync" out/resumed.bin out/partial
	got=$(sent /new.bin)
	[ "$RC" = 0 ] && cmp -s out/resumed.bin www/new.bin && [ "$got" -lt $((SIZE / 2)) ] &&
		[ "$got" -gt $((SIZE / 4)) ]
	verdict "[$tag] a partial earlier download as the seed: only the rest fetched ($got of $SIZE bytes)" 0
	rm -f out/*

	# ---- refusals: a clean error, nothing left in out/
	refuse() { # NAME URL REGEX [ZSYNCGET OPTIONS...]
		local name=$1 url=$2 re=$3
		shift 3
		mark_log
		urun "$Z" "$@" "$url" out/result old.bin
		[ "$RC" = 1 ] && [[ $ERR =~ $re ]] && [ -z "$(leftovers)" ]
		verdict "[$tag] refused: $name" 1
		rm -f out/*
	}
	refuse "a corrupted new file on the server (SHA-1 mismatch)" \
		"$WEB_URL/corrupt/new.bin.zsync" "has SHA-1 [0-9a-f]{40}, the control file .* says"
	refuse "Length one byte more than the server's file" \
		"$WEB_URL/len-same-blocks.zsync" "the server's file has $SIZE bytes, the control file says $((SIZE + 1))"
	refuse "Length giving more blocks than the table holds" \
		"$WEB_URL/len-more-blocks.zsync" "truncated block table"
	refuse "Length giving fewer blocks than the table holds" \
		"$WEB_URL/len-fewer-blocks.zsync" "the block count does not match the length"
	refuse "a truncated block table" "$WEB_URL/truncated.zsync" "truncated block table"
	for bs in 3 256 3000 2097152 4294967296 -2048; do
		refuse "Blocksize $bs" "$WEB_URL/bs-$bs.zsync" "invalid Blocksize \"$bs\""
	done
	refuse "Hash-Lengths 3,2,4" "$WEB_URL/hash-lengths.zsync" "invalid Hash-Lengths"
	refuse "no SHA-1" "$WEB_URL/no-sha1.zsync" "no SHA-1 header"
	refuse "only a Z-URL" "$WEB_URL/z-url.zsync" "only a compressed download \\(Z-URL\\)"
	refuse "a file:// URL" "$WEB_URL/file-url.zsync" "is not http or https"

	refuse "a missing control file (404), asked once" "$WEB_URL/nothere.zsync" "HTTP status 404"
	[ "$(requests /nothere.zsync)" = 1 ]
	ok "[$tag] 404: no retry" "$(requests /nothere.zsync) requests"
	refuse "a missing new file (404), asked once" "$WEB_URL/gone.zsync" "HTTP status 404"
	[ "$(requests /gone/new.bin)" = 1 ]
	ok "[$tag] 404 for the file: no retry" "$(requests /gone/new.bin) requests"
	t0=$(now_ms)
	refuse "a 503 storm, after retries" "$WEB_URL/busy.zsync" "giving up after 4 attempts: HTTP status 503" --retries 3
	[ "$(requests /busy/new.bin)" = 4 ] && [ $(($(now_ms) - t0)) -ge 1500 ]
	ok "[$tag] 503: retried 3 times with back-off ($(requests /busy/new.bin) requests in $(($(now_ms) - t0)) ms)"
done

stop_web
finish
