#!/usr/bin/env bash
# GStreamer's webrtcbin (tests/lib/gst_whip_client.py) as a second
# independent client of callbridge's own WHIP and WHEP endpoint:
#   - it publishes a 770 Hz tone to /whip/guest: decoded from pw-record of
#     callbridge.gst.remote.guest;
#   - it plays /whep/program while 440 Hz (left) and 660 Hz (right) play
#     into the stream's track: its recording has them apart;
#   - each ends with DELETE (200).
# webrtcbin's libnice does not gather loopback addresses, so the test runs
# in a network namespace of its own on a veth address (fixed ports there
# are the test's alone).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cb_private_netns "$@"

ip link add cbgst0 type veth peer name cbgst1
ip addr add 10.77.8.1/24 dev cbgst0
ip link set cbgst0 up
ip link set cbgst1 up
ip link set lo up

work="$(mktemp -d /tmp/cb-endpoint-gst.XXXXXX)"
player=""
cleanup() {
  local rc=$?
  set +e
  [[ -z "$player" ]] || { kill -TERM "$player" 2>/dev/null; wait "$player" 2>/dev/null; }
  (exit "$rc")
  cb_cleanup_bridges
}
cb_trap_exit cleanup

token="$(cb_token_file "$work/token")"
cat > "$work/gst.ini" <<INI
[call]
name = gst
transport = webrtc
local = 10.77.8.1:0

[endpoint]
listen = 10.77.8.1:8080
tls = false
bearer-token-file = $work/token

[stream program]
channels = 2
bitrate = 128000
whep-endpoint = /whep/program

[track music]
stream = program
channels = 2

[remote guest]
channels = 1
whip-endpoint = /whip/guest
INI

gst_client=(/usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/gst_whip_client.py")
cb_session_start "$work/session"
"$CB_BIN" --config "$work/gst.ini" > "$work/gst.log" 2>&1 & cb_bridge_pids+=($!)
base="$(cb_endpoint_base "$work/gst.log" gst)" || cb_fail "the endpoint did not start"
cb_wait_node callbridge.gst.music 10 || { cat "$work/gst.log"; cb_fail "no track node"; }

sox -q -n -r 48000 -c 2 -b 16 "$work/stereo.wav" synth 30 sine 440 sine 660 gain -12
pw-cat --playback --target callbridge.gst.music "$work/stereo.wav" & player=$!

timeout 60 "${gst_client[@]}" play "$base/whep/program" --token "$token" --record "$work/play.wav" \
  --seconds 5 > "$work/play.json" 2> "$work/play.err" ||
  { cat "$work/play.json" "$work/play.err"; cb_fail "webrtcbin could not play /whep/program"; }
cat "$work/play.json"
grep -q '"delete_status": 200' "$work/play.json" || cb_fail "the viewer's DELETE was not answered 200"
"${CB_ANALYZE[@]}" tones "$work/play.wav" --start 1 --channel mix --expect 440,660 ||
  cb_fail "webrtcbin did not decode the program's tones"
cb_stereo_apart "$work/play.wav" 440 660 10 || cb_fail "webrtcbin's program is not stereo"

timeout 60 "${gst_client[@]}" publish "$base/whip/guest" --token "$token" --tone-hz 770 \
  --seconds 8 > "$work/pub.json" 2> "$work/pub.err" & pub=$!
cb_wait_node callbridge.gst.remote.guest 20 || { cat "$work/pub.err"; grep -v ice-transport "$work/gst.log" | tail; cb_fail "no remote node for webrtcbin's publication"; }
pw-record --target callbridge.gst.remote.guest --rate 48000 --channels 1 "$work/guest.wav" & rec=$!
sleep 4
kill -INT "$rec"; wait "$rec" 2>/dev/null || true
wait "$pub" || { cat "$work/pub.json" "$work/pub.err"; cb_fail "webrtcbin's publication failed"; }
cat "$work/pub.json"
grep -q '"delete_status": 200' "$work/pub.json" || cb_fail "the publisher's DELETE was not answered 200"
"${CB_ANALYZE[@]}" tones "$work/guest.wav" --start 1 --expect 770 ||
  cb_fail "webrtcbin's 770 Hz tone is not in callbridge.gst.remote.guest"
echo "PASS: endpoint-gst"
