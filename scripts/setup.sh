#!/bin/sh
# setup.sh: installs the Debian 12 packages bento needs to build, test and
# benchmark, and makes /dev/fuse usable by unprivileged users as desktop
# distributions do.  Idempotent: it calls apt-get only when something is missing.
set -eu

packages="
  gcc libc6-dev pkg-config meson ninja-build binutils
  libfuse3-dev fuse3 libsquashfuse-dev libsquashfs-dev
  zlib1g-dev liblzma-dev liblz4-dev libzstd-dev libseccomp-dev
  libfyaml-dev libcurl4-openssl-dev libarchive-dev libgpgme-dev libelf-dev
  libssl-dev zstd
  libgcrypt20-dev gpgv
  squashfs-tools squashfuse bubblewrap hyperfine python3 util-linux procps psmisc attr
  xdg-dbus-proxy dbus dbus-daemon iproute2 python3-gi libglib2.0-bin
  nginx-light curl zsync gnupg gpg-agent desktop-file-utils appstream
  xvfb x11-apps x11-utils xterm xauth imagemagick netpbm
  cmake patch
  patchelf
  clang-format
"
# Each feature that needs more names them in scripts/setup.d/NAME.packages
# (and the .debs its tests serve in NAME.debs), so features stay apart.
here=$(dirname "$0")
for f in "$here"/setup.d/*.packages; do
  [ -f "$f" ] && packages="$packages $(grep -v '^#' "$f")"
done

missing=
for p in $packages; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
    missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: missing packages:$missing (run as root to install them)" >&2
    exit 1
  fi
  echo "setup.sh: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The Debian packages the example manifests manifests/jq and manifests/xeyes
# are assembled from, in the versions they name: the tests serve them from
# this directory on loopback, so that they never reach the network.
debs_dir=/var/cache/bento/debs
debs="jq=1.6-2.1+deb12u3 libjq1=1.6-2.1+deb12u3 libonig5=6.9.8-1 x11-apps=7.7+9"
for f in "$here"/setup.d/*.debs; do
  [ -f "$f" ] && debs="$debs $(grep -v '^#' "$f")"
done
missing_debs=
for d in $debs; do
  f="$debs_dir/${d%%=*}_$(echo "${d#*=}" | sed 's/:/%3a/')"
  # (Architecture: all packages end in _all.deb)
  [ -f "${f}_amd64.deb" ] || [ -f "${f}_all.deb" ] || missing_debs="$missing_debs $d"
done
if [ -n "$missing_debs" ] && [ "$(id -u)" -eq 0 ]; then
  echo "setup.sh: downloading$missing_debs into $debs_dir"
  mkdir -p "$debs_dir"
  # (with fresh package lists if the ones there do not know these versions)
  # shellcheck disable=SC2086
  (cd "$debs_dir" && { apt-get download -qq -o APT::Sandbox::User=root $missing_debs 2>/dev/null ||
    { apt-get update -qq && apt-get download -qq -o APT::Sandbox::User=root $missing_debs; }; })
fi

if [ -c /dev/fuse ] && [ "$(id -u)" -eq 0 ]; then
  chmod 0666 /dev/fuse
fi
