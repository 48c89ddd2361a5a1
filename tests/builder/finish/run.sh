#!/bin/sh
# The image's command: mousepad, or the toolkit check program.
if [ "${1:-}" = mousepad ]; then
	shift
	exec /app/bin/mousepad "$@"
fi
exec /app/bin/gtk-check "$@"
