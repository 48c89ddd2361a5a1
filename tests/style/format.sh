#!/bin/bash
# SPDX-License-Identifier: MIT
# Every C file of the source tree is formatted as .clang-format says:
# `clang-format --dry-run --Werror` over the files git knows (tracked, and
# new ones it does not ignore), one check.  On a failure it names the files,
# the lines of diff clang-format has for each, and the start of the
# first file's diff.  No C file here is foreign code: tests/fuzz/sqfs-shim
# declares, for bento's fuzz build, what libsquashfuse's private headers
# would, and is written for bento like the rest.
. "$(dirname "$0")/../lib.sh" "$@"

NAME="every C file is formatted as .clang-format says (clang-format --dry-run --Werror)"
if ! command -v clang-format >/dev/null; then
	fail "$NAME" "clang-format is not installed (scripts/setup.sh installs it)"
	finish
fi
cd "$SRC_DIR" || exit 1
if ! git -c safe.directory="*" rev-parse --git-dir >/dev/null 2>&1; then
	skip "$NAME" "$SRC_DIR is not a git checkout: git lists its C files"
	finish
fi
if ! list=$(git -c safe.directory="*" ls-files --cached --others --exclude-standard -- '*.c' '*.h' 2>&1); then
	fail "$NAME" "git cannot list the files of $SRC_DIR: $list"
	finish
fi
files=()
while IFS= read -r f; do
	[ -f "$f" ] && files+=("$f")
done <<<"$list"
if [ ${#files[@]} -eq 0 ]; then
	fail "$NAME" "git lists no C file in $SRC_DIR"
	finish
fi

errors=$(clang-format --dry-run --Werror "${files[@]}" 2>&1)
status=$?
bad=$(sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: .*clang-format-violations.*/\1/p' <<<"$errors" | sort -u)
summary=""
if [ -n "$bad" ]; then
	summary="$(grep -c '' <<<"$bad") of ${#files[@]} files are not (clang-format -i FILE... formats them):"$'\n'
	while IFS= read -r f; do
		summary+="$f: $(diff "$f" <(clang-format "$f") | grep -c '^[<>]') lines of diff"$'\n'
	done <<<"$bad"
	f=${bad%%$'\n'*}
	summary+=$(diff -u --label "$f" --label "$f (clang-format)" "$f" <(clang-format "$f") | head -n 25)
elif [ $status -ne 0 ]; then
	summary="clang-format exited with status $status:"$'\n'"$errors"
fi
[ $status -eq 0 ]
ok "$NAME: ${#files[@]} files" "$summary"
finish
