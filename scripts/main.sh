#!/bin/sh
# main.sh: the main job.  Builds everything, builds the app of
# manifests/hello/hello.yml into hello-x86_64.AppImage with bento-builder
# (its module is compiled in the build sandbox) and runs it.
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh build
build/builder/bento-builder build --state-dir=build/.bento-builder \
  --output=hello-x86_64.AppImage manifests/hello/hello.yml
echo "built hello-x86_64.AppImage ($(stat -c %s hello-x86_64.AppImage) bytes); running it:"
./hello-x86_64.AppImage "from a single file" "$@"
