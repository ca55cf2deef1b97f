#!/usr/bin/env bash
# Voice processing: CPU per processed track against the Opus encoder, and
# the latency each stage adds; prints figures every run, it is not a
# pass/fail test.
#
# Usage: bench/run-voice.sh [--seconds 20] [--repeat 5] [--e2e] [--e2e-ptimes "10 20"]
#                           [--build DIR] [--no-build]
#
# 1. bench-voice (bench/bench-voice.c, offline): a simulated room through
#    one track's processor, each stage alone and all four, against the Opus
#    encoder on the same audio (CPU time, every run, then medians); the
#    library's own delay per stage; what the 10 ms blocks add before the
#    encoder for every quantum and ptime; the worst total per stage.
# 2. --e2e: the same call's mouth-to-ear latency on loopback
#    (bench/run-latency.sh, sample-accurate) without processing and with
#    echo-cancel alone, noise-suppression alone and all four, one after
#    the other in the same run: the difference is what processing adds in
#    the real pipeline.
set -euo pipefail

cmdline="bench/run-voice.sh${*:+ $*}"
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
seconds=20
repeat=5
e2e=0
e2e_ptimes="10 20"
build_it=1
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --e2e) e2e=1; shift ;;
    --e2e-ptimes) e2e_ptimes="$2"; shift 2 ;;
    --build) build="$(cd "$2" && pwd)"; shift 2 ;;
    --no-build) build_it=0; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "run-voice.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

if ((build_it)); then
  ninja -C "$build" -j1 bench/bench-voice src/tools/pw-callbridge >/dev/null
fi
printf 'host: %s, %s CPUs; webrtc-audio-processing %s; libopus %s\n\n' \
  "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" "$(nproc)" \
  "$(pkg-config --modversion webrtc-audio-processing 2>/dev/null || echo '?')" \
  "$(pkg-config --modversion opus 2>/dev/null || echo '?')"
"$build/bench/bench-voice" --seconds "$seconds" --repeat "$repeat"

if ((e2e)); then
  echo
  echo "mouth-to-ear latency through two bridges, without and with voice processing (bench/run-latency.sh):"
  for keys in "" "echo-cancel=true" "noise-suppression=moderate" \
              "echo-cancel=true noise-suppression=moderate gain-control=true high-pass=true"; do
    echo
    echo "=== alice's track: ${keys:-no processing}"
    "$root/bench/run-latency.sh" --build "$build" --no-build --ptimes "$e2e_ptimes" --jitter 5 \
      --sessions default ${keys:+--track-keys "$keys"} 2>/dev/null | sed -n '/^session /p;/^default /p'
  done
  echo
  echo "(the same call, the same session, one case after the other; each row's figure is that case's median)"
fi
echo
echo "command: $cmdline   (in $root, build dir $build)"
