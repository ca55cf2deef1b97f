#!/usr/bin/env bash
# A real browser as the guest: headless Chromium (Debian's) opens the link
# pw-callbridge --print-links prints, with a fake microphone playing an
# 880 Hz WAV, and the guest page (served by callbridge, https with the
# self-signed certificate) joins by itself (&auto=1):
#   - it publishes to /whip/guest: the 880 Hz tone is decoded from pw-record
#     of callbridge.guest.remote.guest;
#   - it plays /whep/program while a stereo tone (440 Hz left, 660 Hz right)
#     plays into the stream's track: the page measures both channels with
#     WebAudio and reports 440 Hz on the left and 660 Hz on the right, so
#     Chrome played it in stereo;
#   - the page's screenshot (level meter, both states) is kept in
#     BUILD/artifacts/guest-page.png;
#   - the browser killed without DELETE is reaped after consent-timeout.
# Chrome does not gather 127.0.0.1, so everything runs in a network
# namespace of the test's own, on a veth interface's 10.77.9.1 (fixed
# ports there are the test's alone).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cb_private_netns "$@"

command -v chromium > /dev/null || cb_fail "chromium is not installed (scripts/deps.sh installs it)"
ip link add cbguest0 type veth peer name cbguest1
ip addr add 10.77.9.1/24 dev cbguest0
ip link set cbguest0 up
ip link set cbguest1 up
ip link set lo up

work="$(mktemp -d /tmp/cb-chromium.XXXXXX)"
browser=""; player=""
cleanup() {
  local rc=$?
  set +e
  [[ -z "$browser" ]] || { kill -KILL "$browser" 2>/dev/null; wait "$browser" 2>/dev/null; }
  [[ -z "$player" ]] || { kill -TERM "$player" 2>/dev/null; wait "$player" 2>/dev/null; }
  (exit "$rc")
  cb_cleanup_bridges
}
cb_trap_exit cleanup

token="$(cb_token_file "$work/token")"
cat > "$work/guest.ini" <<INI
[call]
name = guest
transport = webrtc
local = 10.77.9.1:0
stats-file = $work/stats.json

[endpoint]
listen = 10.77.9.1:8443
bearer-token-file = $work/token
consent-timeout = 10

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

"$CB_BIN" --config "$work/guest.ini" --print-links > "$work/links.txt"
cat "$work/links.txt"
link="$(sed -n 's/^  \(https:[^ ]*whip=[^ ]*\)$/\1/p' "$work/links.txt")"
[[ "$link" == "https://10.77.9.1:8443/?whip=/whip/guest&whep=/whep/program#token="* ]] ||
  cb_fail "--print-links: unexpected guest link '$link'"
grep -q "?.*token" <<<"${link%%#*}" && cb_fail "the token is in the query, not the fragment"
link="${link%%#*}&auto=1#${link#*#}"

cb_session_start "$work/session"
"$CB_BIN" --config "$work/guest.ini" > "$work/guest.log" 2>&1 & cb_bridge_pids+=($!)
base="$(cb_endpoint_base "$work/guest.log" guest)" || cb_fail "the endpoint did not start"
grep -q "self-signed certificate, sha-256 [0-9A-F:]\{95\}" "$work/guest.log" ||
  cb_fail "the self-signed certificate's fingerprint is not logged"
cb_wait_node callbridge.guest.music 10 || { cat "$work/guest.log"; cb_fail "no track node"; }

sox -q -n -r 48000 -c 2 -b 16 "$work/stereo.wav" synth 60 sine 440 sine 660 gain -12
pw-cat --playback --target callbridge.guest.music "$work/stereo.wav" & player=$!
cb_tone "$work/mic.wav" 880 48000 1 30 -12

mkdir -p "$work/chrome"
HOME="$work" chromium --headless=new --no-sandbox --no-first-run --disable-gpu \
  --user-data-dir="$work/chrome" --remote-debugging-port=0 --window-size=800,700 \
  --use-fake-ui-for-media-stream --use-fake-device-for-media-stream \
  --use-file-for-fake-audio-capture="$work/mic.wav" \
  --autoplay-policy=no-user-gesture-required \
  --disable-features=WebRtcHideLocalIpsWithMdns --ignore-certificate-errors \
  "$link" > "$work/chrome.log" 2>&1 & browser=$!

artifacts="$CB_BUILD_ROOT/artifacts"
mkdir -p "$artifacts"
stereo='(r => r && r.pubstate === "connected" && r.progstate === "connected" && r.program &&
  Math.abs(r.program[0].hz - 440) < 12 && Math.abs(r.program[1].hz - 660) < 12 &&
  r.mic_dbfs > -30)(typeof report === "undefined" ? null : report)'
rc=0
/usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/cdp.py" "$work/chrome" --timeout 40 \
  --until "$stereo" --print 'JSON.stringify(report)' \
  --screenshot "$artifacts/guest-page.png" > "$work/report.json" || rc=$?
echo "page report: $(cat "$work/report.json")"
echo "screenshot: $artifacts/guest-page.png"
[[ $rc == 0 ]] || { tail -n 30 "$work/chrome.log"; grep -v ice-transport "$work/guest.log" | tail -n 20; cb_fail "the page did not publish, play and hear the program in stereo (cdp.py exit $rc)"; }
[[ -s "$artifacts/guest-page.png" ]] || cb_fail "no screenshot"

cb_wait_node callbridge.guest.remote.guest 10 || cb_fail "no remote node for the browser guest"
pw-record --target callbridge.guest.remote.guest --rate 48000 --channels 1 "$work/guest.wav" & rec=$!
sleep 4
kill -INT "$rec"; wait "$rec" 2>/dev/null || true
"${CB_ANALYZE[@]}" tones "$work/guest.wav" --start 1 --expect 880 ||
  cb_fail "Chromium's 880 Hz microphone is not in callbridge.guest.remote.guest"

stats() {
  /usr/bin/python3 - "$work/stats.json" "$1" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(1)
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}
stats 'd["endpoint"]["guest"]["publishers"] == 1 and d["endpoint"]["program"]["viewers"] == 1 and d["endpoint"]["encoders"] == 1' ||
  { cat "$work/stats.json"; cb_fail "status does not show the browser as guest and viewer"; }
/usr/bin/python3 - "$work/stats.json" <<'PY'
import json, sys
for g in json.load(open(sys.argv[1]))["guests"]:
    print("%s %s %s %s %s %s" % (g["route"], g["address"], g["ice_state"], g["selected_pair"], g["dtls_state"], g["srtp_profile"]))
PY

# The page goes without DELETE: both sessions are reaped after consent-timeout.
kill -KILL "$browser"; wait "$browser" 2>/dev/null || true; browser=""
cb_wait_until 25 stats 'd["endpoint"]["guest"]["publishers"] == 0 and d["endpoint"]["program"]["viewers"] == 0 and d["endpoint"]["reaped"] == 2' ||
  { cat "$work/stats.json"; cb_fail "the closed page's sessions were not reaped"; }
cb_wait_node_gone callbridge.guest.remote.guest 20 || cb_fail "the guest's node stayed"
grep -q "$token" "$work/guest.log" && cb_fail "the bearer token is in the log"
echo "PASS: chromium-guest"
