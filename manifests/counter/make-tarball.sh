#!/bin/sh
# make-tarball.sh OUT: packs src/ into counter-1.0.tar.gz, byte for byte the
# same every time (sorted names, no owners, times or gzip header time), so
# that counter.yml can name its SHA-256.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
tar -C "$here" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --mode='u=rwX,go=rX' \
	--format=gnu --transform 's,^src,counter-1.0,' -cf - src | gzip -n -9 >"$out"
