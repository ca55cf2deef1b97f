#!/usr/bin/env bash
# The README's first command works as it says: `scripts/demo --tone` starts
# a private PipeWire session when none runs, starts the bridge on
# config/demo.ini, prints the next steps including the ffplay line, and the
# stream it points at carries the 440 Hz tone. Ctrl-C ends it cleanly.
set -euo pipefail

source "$(dirname "$0")/../lib/common.sh"
# config/demo.ini sends to 127.0.0.1:5004 and 5006, where ffmpeg (ffplay
# for a user) listens: the test runs in a network namespace of its own,
# where nothing else can hold those ports.
cb_private_netns "$@"

work="$(mktemp -d /tmp/cb-demo.XXXXXX)"
demo=""
cleanup() {
  [[ -n "$demo" ]] && kill -TERM "$demo" 2>/dev/null && wait "$demo" 2>/dev/null
  rm -rf "$work"
}
cb_trap_exit cleanup

# No session of our own here: the demo must start one itself.
unset XDG_RUNTIME_DIR PIPEWIRE_RUNTIME_DIR DBUS_SESSION_BUS_ADDRESS
export XDG_RUNTIME_DIR="$work/none"
mkdir -m 700 "$XDG_RUNTIME_DIR"

CALLBRIDGE_BUILD_DIR="$CB_BUILD_ROOT" "$CB_SOURCE_ROOT/scripts/demo" --tone > "$work/demo.out" 2>&1 &
demo=$!
cb_wait_until 15 grep -q "Playing a 440 Hz tone" "$work/demo.out" || { cat "$work/demo.out"; cb_fail "demo did not start"; }
grep -q "pw-cat --playback --target callbridge.demo.music" "$work/demo.out" || cb_fail "no routing hint"
sdp="$(grep -m1 -o -- '-i [^ ]*\.sdp' "$work/demo.out" | cut -c4-)"
[[ -s "$sdp" ]] || { cat "$work/demo.out"; cb_fail "the printed SDP file '$sdp' does not exist"; }

cb_ffmpeg_receive "$sdp" "$work" 3 1 > "$work/ffmpeg.log" 2>&1 || { cat "$work/ffmpeg.log"; cb_fail "ffmpeg"; }
"${CB_ANALYZE[@]}" tones "$work/stream0.wav" --expect 440 || cb_fail "no tone in the demo's program stream"

# A background job starts with SIGINT ignored (no job control), so it
# cannot trap it; a terminal's Ctrl-C reaches the demo normally.
kill -TERM "$demo"
status=0; wait "$demo" || status=$?
demo=""
[[ "$status" == 0 ]] || { cat "$work/demo.out"; cb_fail "demo exit status $status after SIGTERM"; }
! pgrep -f "pw-callbridge --config config/demo.ini" >/dev/null || cb_fail "bridge left running"
echo "PASS: demo"
