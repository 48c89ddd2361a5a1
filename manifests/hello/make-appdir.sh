#!/bin/sh
# make-appdir.sh HELLO_BINARY SOURCE_DIR APPDIR: lays out hello's AppDir.
set -eu
bin=$1 src=$2 appdir=$3
rm -rf "$appdir"
mkdir -p "$appdir/usr/bin"
cp "$bin" "$appdir/usr/bin/hello"
cp "$src/hello.desktop" "$src/hello.svg" "$appdir/"
ln -s usr/bin/hello "$appdir/AppRun"
