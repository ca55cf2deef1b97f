#!/usr/bin/env bash
# Install every Debian package callbridge needs to build and test.
#
# Fast on a warm machine: dpkg-query first, and apt-get only runs (update once,
# then install) when something is missing. Safe to run repeatedly; CI runs it
# from .ci/run on every submission.
#
# Every name below was checked with `apt-cache policy` on Debian 12 (bookworm).
# `dbus-daemon` is the split-out package that ships /usr/bin/dbus-daemon on
# bookworm; `dbus` pulls it in too, we list both so either path works.
# janus (the SFU of webrtc-janus) and webrtcbin's parts (gstreamer1.0-nice for
# its ICE, the GObject bindings for the WHEP server script of webrtc-gst) are
# independent WebRTC peers: two more ICE/DTLS/SRTP stacks callbridge is tested
# against.
#
# `scripts/deps.sh --bench` adds what only the benchmarks use: JackTrip and
# Jamulus, which bench/run-peers.sh measures beside callbridge.
set -euo pipefail

BENCH_PKGS=()
if [[ "${1:-}" == --bench ]]; then
  BENCH_PKGS=(jacktrip jamulus)
fi

BUILD_PKGS=(
  meson ninja-build pkg-config gcc
  libpipewire-0.3-dev libspa-0.2-dev libnice-dev libsrtp2-dev
  libopus-dev libinih-dev libglib2.0-dev libssl-dev libsoup-3.0-dev
  libsndfile1-dev libsamplerate0-dev
  # Voice processing per track (src/voice/apm.cc, C++: hence g++).
  libwebrtc-audio-processing-dev g++
  # The Debian package (tests/integration/deb.sh, scripts/build-deb): about
  # 40 s of CI for knowing `dpkg-buildpackage -us -uc -b` works.
  dpkg-dev debhelper
)
RUNTIME_PKGS=(
  pipewire pipewire-bin wireplumber dbus dbus-daemon
  ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  python3 python3-numpy sox coturn iproute2 clang valgrind
  python3-aiortc python3-aiohttp curl glib-networking
  janus gstreamer1.0-nice python3-gi gir1.2-gst-plugins-base-1.0
  gir1.2-gst-plugins-bad-1.0
  # JACK clients on tracks and remotes (tests/integration/jack.sh): pw-jack,
  # and jackd2 for jack_lsp, jack_connect and jack_simple_client.
  pipewire-jack jackd2
  chromium firefox-esr python3-gst-1.0 gir1.2-gst-plugins-bad-1.0
)

log() { printf 'deps: %s\n' "$*" >&2; }

# A package counts as present only when dpkg says "install ok installed";
# half-configured or removed-but-config-left states must trigger an install.
missing=()
for pkg in "${BUILD_PKGS[@]}" "${RUNTIME_PKGS[@]}" "${BENCH_PKGS[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "all packages present"
  exit 0
fi

log "missing: ${missing[*]}"

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    log "not root and no sudo: install the packages above by hand"
    exit 1
  fi
fi

# Non-interactive and no service starts: coturn/dbus postinst scripts must
# not try to launch daemons inside a container (policy-rc.d may be absent).
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"

# Re-check so a silently skipped package fails here, not deep inside a test.
still=()
for pkg in "${missing[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || still+=("$pkg")
done
if [[ ${#still[@]} -gt 0 ]]; then
  log "still missing after install: ${still[*]}"
  exit 1
fi
log "installed: ${missing[*]}"
