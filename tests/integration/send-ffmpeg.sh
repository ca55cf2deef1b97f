#!/usr/bin/env bash
# End to end send path, judged by an independent receiver:
#   three apps play different tones, at different rates and channel counts,
#   into three track nodes; two tracks are mixed into one stream and the
#   third is forwarded alone; ffmpeg receives both SRTP streams from the SDP
#   file the bridge wrote; the decoded audio must hold exactly the right
#   tones with no gap longer than one packet.
#
# Usage: send-ffmpeg.sh [daemon|module]
#   daemon: run pw-callbridge as its own process
#   module: load libpipewire-module-callbridge into the private PipeWire
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
# ffmpeg listens on the ports the SDP file names, fixed before it starts:
# the test runs in a network namespace of its own, where they cannot be taken.
cb_private_netns "$@"

mode="${1:-daemon}"
work="$(mktemp -d /tmp/cb-send-ffmpeg.XXXXXX)"
cb_pid=""
cleanup() {
  [[ -n "$cb_pid" ]] && kill -TERM "$cb_pid" 2>/dev/null && wait "$cb_pid" 2>/dev/null
  cb_session_stop
  [[ "${CB_KEEP_SESSION:-0}" == 1 ]] || rm -rf "$work"
}
cb_trap_exit cleanup

port=5004   # and 5006: bundle = false, one port per stream

cat > "$work/call.ini" <<INI
[call]
name = itest
local = 127.0.0.1:0
remote = 127.0.0.1:$port
bundle = false
sdp-file = $work/call.sdp
ptime = 20

[stream mixed]
channels = 2
bitrate = 96000

[track left]
channels = 2
stream = mixed

[track right]
channels = 1
stream = mixed
gain = -3

[track solo]
channels = 1
INI

"$CB_BIN" --config "$work/call.ini" --check >/dev/null || cb_fail "config rejected"

if [[ "$mode" == module ]]; then
  # A sanitizer-instrumented module cannot load into an uninstrumented
  # PipeWire daemon (the runtime must come first): skip, as meson counts 77.
  if grep -qE 'lib(a|ub|t)san' <<<"$(ldd "$CB_BUILD_ROOT/modules/libpipewire-module-callbridge.so")"; then
    echo "SKIP: module built with sanitizers cannot load into the system PipeWire"
    exit 77
  fi
  mkdir -p "$work/conf.d"
  cat > "$work/conf.d/callbridge.conf" <<CONF
context.modules = [
  { name = libpipewire-module-callbridge
    args = { config = $work/call.ini } }
]
CONF
  # PipeWire 0.3.65 does not load a module by absolute path: put the build
  # dir first on the module search path instead.
  export CB_SESSION_PIPEWIRE_CONF_D="$work/conf.d"
  export CB_SESSION_MODULE_DIR="$CB_BUILD_ROOT/modules"
fi

cb_session_start "$work/session"

if [[ "$mode" == daemon ]]; then
  "$CB_BIN" --config "$work/call.ini" > "$work/bridge.log" 2>&1 &
  cb_pid=$!
fi

for node in left right solo; do
  cb_wait_node "callbridge.itest.$node" 10 || {
    cat "$work/bridge.log" 2>/dev/null; cb_fail "node callbridge.itest.$node did not appear"; }
done
cb_wait_file "$work/call.sdp" 5 || cb_fail "no SDP file written"
[[ "$(grep -c '^m=audio' "$work/call.sdp")" == 2 ]] || cb_fail "SDP should have 2 m-lines"
[[ "$(stat -c %a "$work/call.sdp")" == 600 ]] || cb_fail "SDP file holds the key: must be 0600"
# The daemon and the module both export the call's status metadata.
sleep 0.3
cb_wait_status itest || cb_fail "status never showed call itest"
"$CB_BIN" status --json itest > "$work/status.json" || cb_fail "pw-callbridge status failed"
/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))["itest"]
assert sorted(d["tracks"]) == ["left", "right", "solo"], d' "$work/status.json" ||
  { cat "$work/status.json"; cb_fail "status does not list the tracks"; }

# Different input formats: PipeWire converts them to the tracks' format.
cb_tone "$work/left.wav" 440 44100 2 4 -12
cb_tone "$work/right.wav" 1000 22050 1 4 -9
cb_tone "$work/solo.wav" 1500 48000 2 4 -12

cb_ffmpeg_receive "$work/call.sdp" "$work" 7 2 > "$work/ffmpeg.log" 2>&1 &
ffmpeg_pid=$!
sleep 1.5
players=()
for node in left right solo; do
  pw-cat --playback --target "callbridge.itest.$node" "$work/$node.wav" &
  players+=($!)
done
wait "$ffmpeg_pid" || { cat "$work/ffmpeg.log"; cb_fail "ffmpeg failed"; }
for p in "${players[@]}"; do
  wait "$p" || cb_fail "pw-cat failed"
done

for i in 0 1; do
  [[ -s "$work/stream$i.wav" ]] || { cat "$work/ffmpeg.log"; cb_fail "stream$i.wav is empty"; }
done

# ffmpeg orders streams as the SDP does: mixed first, then the solo track.
cb_note "mixed stream: 440 Hz and 1 kHz, not 1.5 kHz"
"${CB_ANALYZE[@]}" tones "$work/stream0.wav" --expect 440,1000 --absent 1500 --channel all \
  || cb_fail "mixed stream tones"
cb_note "forwarded stream: 1.5 kHz only"
"${CB_ANALYZE[@]}" tones "$work/stream1.wav" --expect 1500 --absent 440,1000 \
  || cb_fail "forwarded stream tones"
cb_note "no gap longer than one packet (20 ms) while the tones play"
for i in 0 1; do
  "${CB_ANALYZE[@]}" gaps "$work/stream$i.wav" --max-gap-ms 20 --threshold-db -50 \
    || cb_fail "stream$i has a gap"
done

if [[ -n "$cb_pid" ]]; then
  kill -INT "$cb_pid"
  wait "$cb_pid" && status=0 || status=$?
  cb_pid=""
  [[ "$status" == 0 ]] || { cat "$work/bridge.log"; cb_fail "pw-callbridge exit status $status after SIGINT"; }
  ! grep -q "inline:" "$work/bridge.log" || cb_fail "a key appeared in the log"
fi
echo "PASS: send path ($mode)"
