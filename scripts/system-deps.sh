#!/usr/bin/env bash
# Install the Debian packages the test suites need, when missing and when we are root.
#   chromium          real-browser OAuth tests (chromium-driver lets a test click in it)
#   gnome-keyring     a real Secret Service for the vault tests (with dbus-x11 for dbus-run-session)
#   xauth/xvfb        not needed: Qt runs offscreen
set -eu
packages="chromium chromium-driver gnome-keyring dbus-x11 libsecret-tools"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "saldo: system packages missing:$missing (install them, or their suites are skipped)" >&2
  exit 0
fi
echo "saldo: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
