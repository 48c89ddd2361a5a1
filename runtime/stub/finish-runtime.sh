#!/bin/sh
# finish-runtime.sh IN OUT: strip the runtime and stamp the AppImage Type 2 magic.
set -eu
tmp="$2.tmp"
strip --strip-all -R .comment -R .note.gnu.build-id -o "$tmp" "$1"
printf 'AI\002' | dd of="$tmp" bs=1 seek=8 count=3 conv=notrunc status=none
chmod 0755 "$tmp"
mv "$tmp" "$2"
