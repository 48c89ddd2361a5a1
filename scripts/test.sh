#!/bin/sh
# test.sh: builds bento twice (release, and AddressSanitizer +
# UndefinedBehaviorSanitizer) and runs the whole test suite.  The last line
# of output is "N passed, N failed[, N skipped]"; the exit status is non-zero
# if anything failed.
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh build
./scripts/build.sh build-san -Db_sanitize=address,undefined -Db_lundef=false \
  -Dstatic_runtime=false -Dbuildtype=debugoptimized
exec tests/run build build-san
