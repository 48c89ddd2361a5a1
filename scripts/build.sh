#!/bin/sh
# build.sh [BUILD_DIR [MESON_OPTIONS...]]: set up and build everything.
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
build=${1:-build}
[ $# -gt 0 ] && shift
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Dwerror=true "$@"
fi
ninja -C "$build"
