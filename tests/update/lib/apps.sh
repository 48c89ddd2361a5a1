# Shared by tests/update/*.sh: two signing keys, versions 1 and 2 of hello
# with 4 MB of data (version 2 changes one small file and adds one), packed
# by bento-builder with update information; nginx on loopback serves www/.
#
# make_versions UPDINFO: $TEST_DIR/v/{v1-A,v1-unsigned,v2-A,v2-B,v2-unsigned}.AppImage
# (A, B: the signing keys), each with its .zsync; PORT is chosen first.
# serve VARIANT: www/Hello.AppImage.zsync is VARIANT's control file, whose
# URL: names VARIANT.AppImage, which is served beside it.
# log_bytes: payload bytes nginx served of the AppImage files (ranges of 206
# answers, whole file for 200), from its access log (status uri "range").


KEY_A="Key A <a@example.org>"
KEY_B="Key B <b@example.org>"

pick_port() {
	PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
}

# pack_as NAME APPDIR UPDINFO [KEYMAIL]: v/NAME.AppImage
pack_as() {
	local name=$1 dir=$2 upd=$3 key=${4:-}
	urun GNUPGHOME="$GH" SOURCE_DATE_EPOCH=1700000000 ./bento-builder pack "$dir" \
		-o "v/$name.AppImage" --update-information="$upd" ${key:+--sign-key "$key"}
	[ "$RC" = 0 ] || {
		fail "pack $name" "$(describe_run)"
		finish
	}
}

make_versions() {
	GH=$TEST_DIR/gnupg
	local upd=$1
	test_keys "$GH" "$KEY_A" "$KEY_B"
	FPR_A=$(fingerprint_of "$GH" a@example.org)
	FPR_B=$(fingerprint_of "$GH" b@example.org)
	[ -n "$FPR_A" ] && [ -n "$FPR_B" ]
	ok "two test keys" || finish
	head -c 4000000 /dev/urandom >"$TEST_DIR/data.bin"
	make_versioned_appdir v1.AppDir 1
	make_versioned_appdir v2.AppDir 2
	mkdir -p v www
	chown -R "$TEST_UID:$TEST_GID" v1.AppDir v2.AppDir v www
	pack_as v1-A v1.AppDir "$upd" a@example.org
	pack_as v1-unsigned v1.AppDir "$upd"
	pack_as v2-A v2.AppDir "$upd" a@example.org
	pack_as v2-B v2.AppDir "$upd" b@example.org
	pack_as v2-unsigned v2.AppDir "$upd"
	pass "versions 1 and 2 packed, signed by key A, key B and unsigned"
}

serve() {
	cp "v/$1.AppImage" "www/$1.AppImage"
	cp "v/$1.AppImage.zsync" www/Hello.AppImage.zsync
	chmod 0644 "www/$1.AppImage" www/Hello.AppImage.zsync
	SERVED=www/$1.AppImage
}

# install_app VARIANT [DIR]: DIR/app.AppImage (default $USER_HOME/Apps), the
# user's, mode 0755; sets APP.
install_app() {
	local dir=${2:-$USER_HOME/Apps}
	install -d -o "$TEST_UID" -g "$TEST_GID" "$dir"
	APP=$dir/app.AppImage
	install -m 0755 -o "$TEST_UID" -g "$TEST_GID" "v/$1.AppImage" "$APP"
}

log_bytes() {
	local size
	size=$(stat -c %s "$SERVED")
	awk -v size="$size" '
		$2 !~ /\.AppImage$/ { next }
		$1 == 200 { total += size; next }
		$1 == 206 {
			r = $0; sub(/^[^"]*"bytes=/, "", r); sub(/".*$/, "", r)
			n = split(r, parts, ",")
			for (i = 1; i <= n; i++) {
				split(parts[i], ab, "-")
				if (ab[2] == "") ab[2] = size - 1
				if (ab[1] == "") { total += ab[2]; continue }
				total += ab[2] - ab[1] + 1
			}
		}
		END { print total + 0 }' "$WEB_DIR/access.log"
}

# leftovers DIR: the temporary files of updates there
leftovers() {
	find "$1" -maxdepth 1 -name '.*.bento-update-*'
}
