# tests/runtime/lib/bad_metadata.sh — the table of hostile .bento/metadata
# files, shared by the runtime's tests (tests/runtime/metadata.sh: `bento
# info` of a file refuses each) and the repository's (tests/repo/refuse.sh:
# `bento update` refuses a commit whose tree holds each).
#
# bad_metadata_rows CALLBACK ID: calls `CALLBACK WHAT METADATA MESSAGE` once
# per row: WHAT names the problem, METADATA is the file's text (a printf
# format) for an app whose id is ID where the id is not the problem, and
# MESSAGE is the fixed string the parser prints after the file's name (its
# line and the problem).
bad_metadata_rows() {
	local cb=$1 id=$2 long A
	A="[Application]\nname=$id\n"
	long=$(printf 'b%.0s' $(seq 254))

	# ---- malformed lines
	$cb "a line that is not key=value" "${A}this is not a key\n" \
		':3: expected "key=value", found "this is not a key"'
	$cb "a key outside of any group" "name=$id\n" \
		":1: key \"name=$id\" outside of any group"
	$cb "a malformed group header" "${A}[Context\nshared=network\n" \
		':3: malformed group header "[Context"'
	$cb "an empty key" "${A}=x\n" ':3: empty key'
	$cb "a NUL byte" "${A}\0\n" ': contains a NUL byte'
	$cb "no app id" '[Context]\nshared=network;\n' ': no app id ([Application] name=)'

	# ---- app ids
	$cb "app id with '/'" '[Application]\nname=org/example.Hello\n' \
		":2: invalid app id \"org/example.Hello\": it contains '/'"
	$cb "app id with '..'" '[Application]\nname=org..Hello\n' \
		':2: invalid app id "org..Hello": it contains ".."'
	$cb "app id with a leading dot" '[Application]\nname=.org.Hello\n' \
		":2: invalid app id \".org.Hello\": it starts with '.'"
	$cb "app id of 256 bytes" "[Application]\nname=a.$long\n" \
		":2: invalid app id \"a.$long\": it is longer than 255 bytes"
	# The app owns its id (and the names below it) on the session bus: ids of
	# two elements, and ids under the desktop's own prefixes, would own names
	# that other programs trust (org.freedesktop.* with id org.freedesktop).
	$cb "an app id of two elements" '[Application]\nname=org.freedesktop\n' \
		':2: invalid app id "org.freedesktop": it has fewer than three elements'
	$cb "an app id under org.freedesktop." '[Application]\nname=org.freedesktop.portal.Desktop\n' \
		':2: invalid app id "org.freedesktop.portal.Desktop": it starts with a prefix reserved'
	$cb "an app id under org.gnome. (any case)" '[Application]\nname=Org.Gnome.Settings\n' \
		':2: invalid app id "Org.Gnome.Settings": it starts with a prefix reserved'
	$cb "an app id under com.canonical." '[Application]\nname=com.canonical.Unity.Panel\n' \
		':2: invalid app id "com.canonical.Unity.Panel": it starts with a prefix reserved'
	# and owns no other name, whatever its metadata says
	$cb "[Session Bus Policy] own of a name outside the app's id" \
		"${A}[Session Bus Policy]\norg.freedesktop.secrets=own\n" \
		': [Session Bus Policy] org.freedesktop.secrets=own is refused: an app may own only its id'
	$cb "[Session Bus Policy] own of a prefix that covers the app's id" \
		"${A}[Session Bus Policy]\n${id%.*}.*=own\n" \
		": [Session Bus Policy] ${id%.*}.*=own is refused: an app may own only its id"
	$cb "app id of one element" '[Application]\nname=hello\n' \
		':2: invalid app id "hello": it is not a reverse-DNS name'
	$cb "app id element starting with a digit" '[Application]\nname=org.2048.Game\n' \
		':2: invalid app id "org.2048.Game": it is not a reverse-DNS name'
	$cb "app id with a space" '[Application]\nname=org.ex ample.Hello\n' \
		':2: invalid app id "org.ex ample.Hello"'

	# ---- values
	$cb "unknown socket" "${A}[Context]\nsockets=x11;foo;\n" \
		':4: sockets: unknown socket "foo" (known: x11, wayland, fallback-x11,'
	$cb "unknown shared resource" "${A}[Context]\nshared=network;bluetooth\n" \
		':4: shared: unknown shared resource "bluetooth" (known: network, ipc)'
	$cb "unknown device" "${A}[Context]\ndevices=gpu;\n" ':4: devices: unknown device "gpu"'
	$cb "unknown feature" "${A}[Context]\nfeatures=!telepathy;\n" \
		':4: features: unknown feature "telepathy"'
	$cb "empty list element" "${A}[Context]\nshared=network;;ipc;\n" \
		':4: shared: empty element in list "network;;ipc;"'
	$cb "invalid escape" "${A}[Context]\nshared=net\\\\work;\n" \
		':4: shared: invalid escape sequence in "net\work;"'
	$cb "unknown bus policy" "${A}[Session Bus Policy]\norg.example.Service=speak\n" \
		':4: unknown bus policy "speak" (talk, own, see or none)'
	$cb "invalid bus name" "${A}[System Bus Policy]\norg..Service=talk\n" \
		':4: invalid bus name "org..Service"'
	$cb "invalid environment name" "${A}[Environment]\n1X=y\n" \
		':4: invalid environment variable name "1X"'
	$cb "invalid unset-environment name" "${A}[Context]\nunset-environment=A-B;\n" \
		':4: unset-environment: invalid environment variable name "A-B"'
	$cb "control character in an environment value" "${A}[Environment]\nX=a\033b\n" \
		':4: the value of X contains a control character'
	$cb "command with '..'" "[Application]\nname=$id\ncommand=usr/../../x\n" \
		':3: command "usr/../../x" contains ".."'
	$cb "absolute command" "[Application]\nname=$id\ncommand=/bin/sh\n" \
		':3: command "/bin/sh" must be a relative path'

	# ---- filesystems
	$cb "unknown filesystem location" "${A}[Context]\nfilesystems=xdg-downloads;\n" \
		':4: filesystems: unknown filesystem location "xdg-downloads"'
	$cb "relative filesystem path" "${A}[Context]\nfilesystems=Music/rock;\n" \
		':4: filesystems: unknown filesystem location "Music/rock"'
	$cb "filesystem path with '..'" "${A}[Context]\nfilesystems=/home/../etc;\n" \
		':4: filesystems: filesystem location "/home/../etc" contains ".."'
	$cb "home path with '..'" "${A}[Context]\nfilesystems=~/../x:ro;\n" \
		':4: filesystems: filesystem location "~/../x" contains ".."'
	$cb "filesystem path with an empty element" "${A}[Context]\nfilesystems=~/a//b;\n" \
		':4: filesystems: filesystem location "~/a//b" has an empty element'
	$cb "filesystem under /proc" "${A}[Context]\nfilesystems=/proc/1/root;\n" \
		':4: filesystems: filesystem location "/proc/1/root" is reserved'
	$cb "filesystem /dev" "${A}[Context]\nfilesystems=/dev;\n" \
		':4: filesystems: filesystem location "/dev" is reserved'
	$cb "filesystem /" "${A}[Context]\nfilesystems=/;\n" \
		':4: filesystems: filesystem location "/": use host instead'
	$cb "unknown filesystem mode" "${A}[Context]\nfilesystems=home:rx;\n" \
		':4: filesystems: "home:rx": unknown mode "rx"'
	$cb "subpath of home" "${A}[Context]\nfilesystems=home/x;\n" \
		':4: filesystems: filesystem location "home/x": home takes no path'
	$cb "xdg-run without a path" "${A}[Context]\nfilesystems=xdg-run;\n" \
		':4: filesystems: filesystem location xdg-run needs a path'
	$cb "persistent path with '..'" "${A}[Context]\npersistent=.app/../../x;\n" \
		':4: persistent: persistent path ".app/../../x" contains ".."'
	$cb "absolute persistent path" "${A}[Context]\npersistent=/x;\n" \
		':4: persistent: persistent path "/x" must be a relative path'
}
