#!/bin/sh
# main.sh: the main job.  Builds everything, packs manifests/hello into
# hello-x86_64.AppImage and runs it.
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh build
SOURCE_DATE_EPOCH=0 build/builder/bento-builder pack build/manifests/hello/hello.AppDir \
  -o hello-x86_64.AppImage
echo "packed hello-x86_64.AppImage ($(stat -c %s hello-x86_64.AppImage) bytes); running it:"
./hello-x86_64.AppImage "from a single file" "$@"
