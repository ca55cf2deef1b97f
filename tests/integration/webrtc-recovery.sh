#!/usr/bin/env bash
# A WHIP/WHEP server that goes away mid-call and comes back (RFC 9725
# section 4.4.1): aiortc (tests/lib/whip_server.py) serves callbridge's
# stream "program" (WHIP, a 440 Hz tone) and remote "guest" (WHEP, 880 Hz).
# The server is killed without a word (no DELETE, no ICE close): callbridge
# must notice (ICE consent or silence), keep its nodes, say "retrying" in
# status, and once the server is back at the same URL, post new sessions
# within 10 s: the server decodes the tone again, the tone comes out of the
# remote node again, and the stream's SSRC is the one it had.
#
# The server comes back on the port it had, which is only safe in a network
# namespace of the test's own (cb_private_netns).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cb_private_netns "$@"

work="$(mktemp -d /tmp/cb-webrtc-rec.XXXXXX)"
server=""; player=""
cleanup() {
  local rc=$?
  set +e
  [[ -z "$player" ]] || { kill -TERM "$player" 2>/dev/null; wait "$player" 2>/dev/null; }
  _cb_stop_bridges
  [[ -z "$server" ]] || { kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null; }
  (exit "$rc")
  cb_cleanup_bridges    # takes the test's status from $?
}
cb_trap_exit cleanup

start_server() { # DIR [--port N]
  local dir="$1"; shift
  mkdir -p "$dir"
  rm -f "$work/port"
  /usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/whip_server.py" --port-file "$work/port" \
    --record-dir "$dir" --tone-hz 880 "$@" >> "$work/server.log" 2>&1 & server=$!
  cb_wait_file "$work/port" 20 || { cat "$work/server.log"; cb_fail "the aiortc server did not start"; }
}

start_server "$work/rec1"
port="$(cat "$work/port")"

cat > "$work/web.ini" <<INI
[call]
name = web
transport = webrtc
local = 127.0.0.1:0
stats-file = $work/stats.json
ptime = 20

[stream program]
channels = 1
whip = http://127.0.0.1:$port/whip/program

[track music]
stream = program
channels = 1

[remote guest]
channels = 1
whep = http://127.0.0.1:$port/whep/guest
INI

# stats: prints "STATE..." of both sessions, their recoveries, and the SSRC.
stats() {
  /usr/bin/python3 - "$work/stats.json" "$@" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(1)
s = {x["name"]: x for x in d.get("sessions", [])}
want = sys.argv[2]
if want == "keyed":
    sys.exit(0 if len(s) == 2 and all(x["dtls_state"] == "connected" for x in s.values()) else 1)
if want == "retrying":
    sys.exit(0 if len(s) == 2 and all(x["http_state"] == "retrying" for x in s.values()) else 1)
if want == "ssrc":
    print([x for x in d["streams"] if x["name"] == "program"][0]["ssrc"])
if want == "show":
    for n, x in sorted(s.items()):
        print(n, x["http_state"], x["recoveries"], x["failure"], x["ice_state"], x["dtls_state"])
PY
}

cb_session_start "$work/session"
"$CB_BIN" --config "$work/web.ini" > "$work/web.log" 2>&1 & cb_bridge_pids+=($!)
cb_wait_node callbridge.web.music 10 || { cat "$work/web.log"; cb_fail "no track node"; }
cb_wait_until 20 stats keyed || { cat "$work/web.log"; cb_fail "the sessions did not connect"; }
ssrc_before="$(stats ssrc)"

cb_tone "$work/tone.wav" 440 48000 1 60 -12
pw-cat --playback --target callbridge.web.music "$work/tone.wav" & player=$!
cb_wait_node callbridge.web.remote.guest 10 || { cat "$work/web.log"; cb_fail "no remote node for the WHEP stream"; }
sleep 2

# The server dies without a word.
kill -KILL "$server"; wait "$server" 2>/dev/null || true
server=""
cb_wait_until 15 stats retrying || { stats show; cat "$work/web.log"; cb_fail "the break was not noticed within 15 s"; }
stats show
sleep 3
cb_wait_node callbridge.web.music 2 || cb_fail "the track node went with the server"
cb_wait_node callbridge.web.remote.guest 2 || cb_fail "the remote node went with the server"

# Back at the same URL: new sessions within 10 s.
start_server "$work/rec2" --port "$port"
t0=$(date +%s%N)
cb_wait_until 10 stats keyed || { stats show; cat "$work/web.log"; cb_fail "the sessions did not come back within 10 s of the server"; }
t1=$(date +%s%N)
echo "sessions back $(( (t1 - t0) / 1000000 )) ms after the server"
stats show
[[ "$(stats ssrc)" == "$ssrc_before" ]] || cb_fail "the stream's SSRC changed ($ssrc_before -> $(stats ssrc))"

sleep 1
pw-record --target callbridge.web.remote.guest --rate 48000 --channels 1 "$work/guest.wav" & rec=$!
sleep 4
kill -INT "$rec"; wait "$rec" 2>/dev/null || true
"${CB_ANALYZE[@]}" tones "$work/guest.wav" --start 1 --expect 880 ||
  cb_fail "after the server came back, its tone is not in callbridge.web.remote.guest"

/usr/bin/python3 - "$work/stats.json" <<'PY' || { cat "$work/stats.json"; cb_fail "status after recovery"; }
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["sessions"]:
    assert s["http_state"] == "active" and s["recoveries"] >= 1 and s["failure"] is None, s
PY
kill -TERM "$server"; wait "$server" 2>/dev/null || true
server=""
"${CB_ANALYZE[@]}" tones "$work/rec2/program.wav" --start 1 --expect 440 ||
  cb_fail "the server, back, did not decode the 440 Hz tone"
echo "PASS: webrtc-recovery"
