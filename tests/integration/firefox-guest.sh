#!/usr/bin/env bash
# The guest page in Firefox (Debian's firefox-esr, headless): the same link
# as a guest gets, the page joining by itself (&auto=1).  Firefox's fake
# microphone is a 1 kHz tone: it is decoded from pw-record of
# callbridge.ffguest.remote.guest; the page plays /whep/program, and
# Firefox's own counters (getStats, printed by the page as CBREPORT lines
# that Firefox copies to stdout) show the program's packets and an audio
# level.  Headless Firefox has no audio output here, so it runs no
# AudioContext: the stereo measurement is Chromium's (chromium-guest.sh).
# Firefox has no switch to accept a self-signed certificate, so this test
# serves plain http (tls = false) and lets the page use the microphone
# there by prefs; Chromium covers https (chromium-guest.sh).  A network
# namespace of its own, on a veth address: fixed ports are the test's alone.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cb_private_netns "$@"

command -v firefox-esr > /dev/null || cb_fail "firefox-esr is not installed (scripts/deps.sh installs it)"
ip link add cbff0 type veth peer name cbff1
ip addr add 10.77.7.1/24 dev cbff0
ip link set cbff0 up
ip link set cbff1 up
ip link set lo up

work="$(mktemp -d /tmp/cb-firefox.XXXXXX)"
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
cat > "$work/ff.ini" <<INI
[call]
name = ffguest
transport = webrtc
local = 10.77.7.1:0
stats-file = $work/stats.json

[endpoint]
listen = 10.77.7.1:8080
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
"$CB_BIN" --config "$work/ff.ini" --print-links > "$work/links.txt"
link="$(sed -n 's/^  \(http:[^ ]*whip=[^ ]*\)$/\1/p' "$work/links.txt")"
[[ -n "$link" ]] || { cat "$work/links.txt"; cb_fail "no guest link"; }
link="${link%%#*}&auto=1#${link#*#}"

cb_session_start "$work/session"
"$CB_BIN" --config "$work/ff.ini" > "$work/ff.log" 2>&1 & cb_bridge_pids+=($!)
cb_endpoint_base "$work/ff.log" ffguest > /dev/null || cb_fail "the endpoint did not start"
cb_wait_node callbridge.ffguest.music 10 || cb_fail "no track node"
sox -q -n -r 48000 -c 2 -b 16 "$work/stereo.wav" synth 60 sine 440 sine 660 gain -12
pw-cat --playback --target callbridge.ffguest.music "$work/stereo.wav" & player=$!

mkdir -p "$work/profile"
cat > "$work/profile/user.js" <<'JS'
user_pref("media.navigator.streams.fake", true);
user_pref("media.navigator.permission.disabled", true);
user_pref("media.devices.insecure.enabled", true);
user_pref("media.getusermedia.insecure.enabled", true);
user_pref("media.autoplay.default", 0);
user_pref("media.autoplay.block-webaudio", false);
user_pref("media.peerconnection.ice.obfuscate_host_addresses", false);
user_pref("devtools.console.stdout.content", true);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.disabledForTesting", true);
JS
HOME="$work" MOZ_HEADLESS=1 firefox-esr --headless --no-remote --profile "$work/profile" \
  "$link" > "$work/firefox.log" 2>&1 & browser=$!

heard() {
  local last
  last="$(grep -o 'CBREPORT {.*}' "$work/firefox.log" 2>/dev/null | tail -n 1)" || return 1
  [[ -n "$last" ]] || return 1
  /usr/bin/python3 - "${last#CBREPORT }" <<'PY'
import json, sys
r = json.loads(sys.argv[1].replace('\\"', '"'))  # Firefox quotes the logged string
got = r.get("received") or {}
ok = r.get("pubstate") == "connected" and r.get("progstate") == "connected" and \
    (r.get("sent") or {}).get("packets", 0) > 100 and got.get("packets", 0) > 100 and \
    (got.get("level") or 0) > 0.05
sys.exit(0 if ok else 1)
PY
}
cb_wait_until 45 heard || { grep -o 'CBREPORT {.*}' "$work/firefox.log" | tail -n 2; tail -n 20 "$work/firefox.log"; grep -v ice-transport "$work/ff.log" | tail -n 15; cb_fail "Firefox's page did not publish and play the program"; }
echo "page report: $(grep -o 'CBREPORT {.*}' "$work/firefox.log" | tail -n 1)"

cb_wait_node callbridge.ffguest.remote.guest 10 || cb_fail "no remote node for Firefox's microphone"
pw-record --target callbridge.ffguest.remote.guest --rate 48000 --channels 1 "$work/guest.wav" & rec=$!
sleep 4
kill -INT "$rec"; wait "$rec" 2>/dev/null || true
"${CB_ANALYZE[@]}" tones "$work/guest.wav" --start 1 --expect 1000 ||
  cb_fail "Firefox's fake 1 kHz microphone is not in callbridge.ffguest.remote.guest"
echo "PASS: firefox-guest"
