#!/usr/bin/env bash
# Join a real WebRTC peer: aiortc (python3-aiortc, an independent DTLS,
# SRTP, ICE and Opus stack) serves WHIP and WHEP (tests/lib/whip_server.py,
# port 0, bearer token).  callbridge runs with transport = webrtc:
#   - its stream "program" is published by WHIP: a 440 Hz tone played into
#     its track must be in what aiortc decodes;
#   - its remote "guest" plays the server's WHEP resource, an 880 Hz tone:
#     the tone must come out of callbridge.web.remote.guest;
#   - status shows both sessions active, ICE connected, DTLS with aiortc's
#     profile (AES_CM_128_HMAC_SHA1_80; aiortc answers setup:active, so
#     callbridge is the DTLS server);
#   - SIGTERM DELETEs both resources;
#   - then a server that answers setup:passive: callbridge is the DTLS
#     client, status says so, and the tone still arrives.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

work="$(mktemp -d /tmp/cb-webrtc.XXXXXX)"
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

token="$(cb_token_file "$work/token")"
mkdir -p "$work/rec"
/usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/whip_server.py" --port-file "$work/port" \
  --token="$token" --record-dir "$work/rec" --tone-hz 880 > "$work/server.log" 2>&1 & server=$!
cb_wait_file "$work/port" 20 || { cat "$work/server.log"; cb_fail "the aiortc server did not start"; }
port="$(cat "$work/port")"

cat > "$work/web.ini" <<INI
[call]
name = web
transport = webrtc
local = 127.0.0.1:0
bearer-token-file = $work/token
stats-file = $work/stats.json
ptime = 20

[stream program]
channels = 1
whip = http://127.0.0.1:$port/whip/program?room=1

[track music]
stream = program
channels = 1

[remote guest]
channels = 1
whep = http://127.0.0.1:$port/whep/guest
INI

cb_session_start "$work/session"
"$CB_BIN" --config "$work/web.ini" > "$work/web.log" 2>&1 & cb_bridge_pids+=($!)
cb_wait_node callbridge.web.music 10 || { cat "$work/web.log"; cb_fail "no track node"; }

# Both sessions keyed by DTLS, within a bounded time.
keyed() {
  /usr/bin/python3 - "$work/stats.json" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(1)
s = d.get("sessions", [])
sys.exit(0 if len(s) == 2 and all(x["dtls_state"] == "connected" for x in s) else 1)
PY
}
cb_wait_until 20 keyed || { cat "$work/web.log"; cat "$work/stats.json" 2>/dev/null; cb_fail "the sessions did not connect"; }

cb_tone "$work/tone.wav" 440 48000 1 6 -12
pw-cat --playback --target callbridge.web.music "$work/tone.wav" & player=$!
cb_wait_node callbridge.web.remote.guest 10 || { cat "$work/web.log"; cb_fail "no remote node for the WHEP stream"; }
pw-record --target callbridge.web.remote.guest --rate 48000 --channels 1 "$work/guest.wav" & rec=$!
sleep 5
kill -INT "$rec"; wait "$rec" 2>/dev/null || true
wait "$player" 2>/dev/null || true
player=""

/usr/bin/python3 - "$work/stats.json" <<'PY' || { cat "$work/stats.json"; cb_fail "status"; }
import json, sys
d = json.load(open(sys.argv[1]))
by = {s["name"]: s for s in d["sessions"]}
for name, kind in (("program", "whip"), ("guest", "whep")):
    s = by[name]
    print(name, s["kind"], s["http_state"], s["ice_state"], s["dtls_role"], s["srtp_profile"])
    assert s["kind"] == kind and s["http_state"] == "active" and s["http_status"] == 201, s
    assert s["dtls_role"] == "server" and s["srtp_profile"] == "AES_CM_128_HMAC_SHA1_80", s
    assert "room=" not in s["url"], "the URL's query is shown"
    assert s["rx_media"] > 0, s
prog = [x for x in d["streams"] if x["name"] == "program"][0]
assert prog["packets"] > 100, prog
PY
# The same sessions through `pw-callbridge status`, JSON and text.
"$CB_BIN" status --json web > "$work/status.json" || cb_fail "status --json web failed"
/usr/bin/python3 - "$work/status.json" <<'PY' || { cat "$work/status.json"; cb_fail "status --json has no sessions"; }
import json, sys
s = json.load(open(sys.argv[1]))["web"]["sessions"]
assert s["program"]["kind"] == "whip" and s["program"]["http_state"] == "active", s
assert s["guest"]["kind"] == "whep" and s["guest"]["dtls_state"] == "connected", s
PY
status_text=$("$CB_BIN" status web) || cb_fail "status web failed"
[[ "$status_text" =~ (^|$'\n')"  session program "[^$'\n']*"http_state=active" ]] ||
  { printf '%s\n' "$status_text"; cb_fail "status (text) has no session line"; }

"${CB_ANALYZE[@]}" tones "$work/guest.wav" --start 1 --expect 880 ||
  cb_fail "the WHEP tone is not in callbridge.web.remote.guest"

# SIGTERM: both resources are DELETEd, then the server's recording is whole.
_cb_stop_bridges
[[ "$cb_stop_failed" == 0 ]] || cb_fail "pw-callbridge did not stop cleanly on SIGTERM"
/usr/bin/python3 - "$port" <<'PY' || cb_fail "the sessions were not DELETEd"
import json, sys, urllib.request
s = json.load(urllib.request.urlopen("http://127.0.0.1:%s/stats" % sys.argv[1], timeout=5))
print("server:", {k: s[k] for k in ("posts", "deletes", "refused")})
assert s["deletes"] >= 2 and s["refused"] == 0, s
PY
kill -TERM "$server"; wait "$server" 2>/dev/null || true
server=""
"${CB_ANALYZE[@]}" tones "$work/rec/program.wav" --start 1 --expect 440 ||
  cb_fail "aiortc did not decode the 440 Hz tone from the WHIP stream"
grep -q "$token" "$work/web.log" && cb_fail "the bearer token is in the log"

# The other DTLS role: a server that answers setup:passive (aiortc told to
# be the DTLS server) makes callbridge the DTLS client.
rm -f "$work/port"
/usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/whip_server.py" --port-file "$work/port" \
  --token="$token" --record-dir "$work/rec-passive" --dtls-passive > "$work/server2.log" 2>&1 & server=$!
cb_wait_file "$work/port" 20 || { cat "$work/server2.log"; cb_fail "the second aiortc server did not start"; }
port="$(cat "$work/port")"
sed -e "s|^whip = .*|whip = http://127.0.0.1:$port/whip/program|" -e '/^\[remote guest\]/,$d' \
  -e "s|^stats-file = .*|stats-file = $work/stats2.json|" "$work/web.ini" > "$work/web2.ini"
"$CB_BIN" --config "$work/web2.ini" > "$work/web2.log" 2>&1 & cb_bridge_pids+=($!)
cb_wait_node callbridge.web.music 10 || { cat "$work/web2.log"; cb_fail "no track node (passive)"; }
keyed2() {
  /usr/bin/python3 - "$work/stats2.json" <<'PY'
import json, sys
try:
    s = json.load(open(sys.argv[1]))["sessions"][0]
except Exception:
    sys.exit(1)
sys.exit(0 if s["dtls_state"] == "connected" else 1)
PY
}
cb_wait_until 20 keyed2 || { cat "$work/web2.log"; cb_fail "the session with a passive server did not connect"; }
pw-cat --playback --target callbridge.web.music "$work/tone.wav" & player=$!
wait "$player" 2>/dev/null || true
player=""
/usr/bin/python3 - "$work/stats2.json" <<'PY' || { cat "$work/stats2.json"; cb_fail "status (passive)"; }
import json, sys
s = json.load(open(sys.argv[1]))["sessions"][0]
print("passive server:", s["dtls_role"], s["srtp_profile"])
assert s["dtls_role"] == "client" and s["srtp_profile"] == "AES_CM_128_HMAC_SHA1_80", s
PY
_cb_stop_bridges
kill -TERM "$server"; wait "$server" 2>/dev/null || true
server=""
"${CB_ANALYZE[@]}" tones "$work/rec-passive/program.wav" --start 1 --expect 440 ||
  cb_fail "aiortc (DTLS server) did not decode the 440 Hz tone"
echo "PASS: webrtc-aiortc"
