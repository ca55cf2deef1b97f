#!/usr/bin/env bash
# The TURN server a WHIP server names in its answer's Link header (RFC 9725
# section 4.6) is used: callbridge has [ice] policy = relay and no TURN
# server of its own, so its first offer has no candidate and cannot
# connect; the answer's Link names coturn (with credentials), and the
# session is posted anew with it within seconds: the selected pair is a
# relay pair, and aiortc decodes the tone that went through coturn.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
# coturn listens on a port fixed on its command line (see ice-turn.sh): in a
# network namespace of the test's own, where nothing else can take it.
cb_private_netns "$@"
source "$CB_SOURCE_ROOT/tests/lib/ice.sh"

work="$(mktemp -d /tmp/cb-webrtc-turn.XXXXXX)"
cb_turn_pid=""; server=""; player=""
cleanup() {
  local rc=$?
  set +e
  [[ -z "$player" ]] || { kill -TERM "$player" 2>/dev/null; wait "$player" 2>/dev/null; }
  _cb_stop_bridges
  [[ -z "$server" ]] || { kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null; }
  [[ -z "$cb_turn_pid" ]] || { kill "$cb_turn_pid" 2>/dev/null; wait "$cb_turn_pid" 2>/dev/null; }
  (exit "$rc")
  cb_cleanup_bridges
}
cb_trap_exit cleanup

turn_port=3478
cb_turn_start 127.0.0.1 "$turn_port" "$work/turn.log"
kill -0 "$cb_turn_pid" || { cat "$work/turn.log"; cb_fail "coturn did not start"; }

/usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/whip_server.py" --port-file "$work/port" \
  --record-dir "$work/rec" --link-turn "127.0.0.1:$turn_port,cbuser,cbpass" \
  > "$work/server.log" 2>&1 & server=$!
cb_wait_file "$work/port" 20 || { cat "$work/server.log"; cb_fail "the aiortc server did not start"; }
port="$(cat "$work/port")"

cat > "$work/web.ini" <<INI
[call]
name = web
transport = webrtc
local = 127.0.0.1:0
stats-file = $work/stats.json
ptime = 20

[ice]
policy = relay

[stream program]
channels = 1
whip = http://127.0.0.1:$port/whip/program

[track music]
stream = program
channels = 1
INI

keyed() {
  /usr/bin/python3 - "$work/stats.json" <<'PY'
import json, sys
try:
    s = json.load(open(sys.argv[1]))["sessions"][0]
except Exception:
    sys.exit(1)
sys.exit(0 if s["dtls_state"] == "connected" else 1)
PY
}

cb_session_start "$work/session"
"$CB_BIN" --config "$work/web.ini" > "$work/web.log" 2>&1 & cb_bridge_pids+=($!)
cb_wait_node callbridge.web.music 10 || { cat "$work/web.log"; cb_fail "no track node"; }
cb_wait_until 20 keyed || { cat "$work/web.log"; cat "$work/stats.json"; cb_fail "no connection through the Link's TURN server"; }
grep -q "the server's Link adds TURN server 127.0.0.1:$turn_port" "$work/web.log" ||
  { cat "$work/web.log"; cb_fail "the Link's TURN server is not said to be used"; }

cb_tone "$work/tone.wav" 440 48000 1 4 -12
pw-cat --playback --target callbridge.web.music "$work/tone.wav" & player=$!
wait "$player" 2>/dev/null || true
player=""
/usr/bin/python3 - "$work/stats.json" <<'PY' || { cat "$work/stats.json"; cb_fail "status"; }
import json, sys
s = json.load(open(sys.argv[1]))["sessions"][0]
print(s["http_state"], s["recoveries"], s["selected_pair"], s["srtp_profile"])
assert s["http_state"] == "active" and s["recoveries"] >= 1, s
assert s["selected_pair"].split(" -> ")[0].endswith("(relay)"), s
PY
kill -TERM "$server"; wait "$server" 2>/dev/null || true
server=""
"${CB_ANALYZE[@]}" tones "$(ls -1 "$work"/rec/program*.wav | tail -n 1)" --start 1 --expect 440 ||
  cb_fail "aiortc did not decode the tone that went through TURN"
grep -q cbpass "$work/web.log" && cb_fail "the TURN credential is in the log"
echo "PASS: webrtc-turn"
