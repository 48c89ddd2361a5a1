# The images the fuzzer found that crashed, hung or corrupted libsquashfuse
# (tests/fuzz/crashes/README.md), rebuilt and given to the real programs:
# running them, extracting them and `bento info` must end with a status (no
# signal) within 10 s, and never with a sanitizer report.
. "$(dirname "$0")/../lib.sh" "$@"

make_test_dir
copy_artifacts
need RUNTIME BENTO
cd "$TEST_DIR"
mkdir -p repro
if ! python3 "$(dirname "$0")/crashes/make_reproducers.py" repro "$RUNTIME" >repro.log 2>&1; then
	fail "the reproducers are built" "$(cat repro.log)"
	exit 0
fi
chmod 0755 repro repro/*.AppImage
# ends_cleanly NAME: the last run ended by itself (no signal, no timeout)
ends_cleanly() {
	[ "$RC" -lt 128 ] && ! _sanitizer_report
	verdict "$1"
}
for img in repro/*.AppImage; do
	n=$(basename "$img" .AppImage)
	RUN_TIMEOUT=10 urun ./"$img"
	ends_cleanly "$n: running it ends with a status (got $RC)"
	rm -rf squashfs-root
	RUN_TIMEOUT=10 urun ./"$img" --appimage-extract
	ends_cleanly "$n: --appimage-extract ends with a status (got $RC)"
	RUN_TIMEOUT=10 urun "$BENTO" info ./"$img"
	ends_cleanly "$n: bento info ends with a status (got $RC)"
done
rm -rf squashfs-root
