#!/usr/bin/env bash
# The Debian package builds with `dpkg-buildpackage -us -uc -b` and holds
# the daemon, the module in PipeWire's module directory, the man pages, the
# user unit and the examples (scripts/build-deb checks each).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
out="$(mktemp -d /tmp/cb-deb.XXXXXX)"
trap 'rm -rf "$out"' EXIT
"$CB_SOURCE_ROOT/scripts/build-deb" "$out"
deb="$(ls "$out"/callbridge_*.deb)"
dpkg-deb -f "$deb" Package Version Architecture Depends
echo "PASS: $(basename "$deb") built"
