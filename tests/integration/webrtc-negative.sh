#!/usr/bin/env bash
# What callbridge does when a WHIP/WHEP server gets it wrong, against aiortc
# (tests/lib/whip_server.py), one case per server, each with a stream
# "program" (WHIP) and a remote "guest" (WHEP):
#   - a wrong bearer token: 401, said once, not asked again (no retry storm);
#   - an answer whose fingerprint is not the server's certificate: DTLS
#     fails, no keys, so nothing is sent (counted as no_key), a clear log;
#   - an answer with two audio m-lines (RFC 9725 allows one per kind):
#     refused, its resource DELETEd, not asked again.
# The call runs on through each of them: its track node stays.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

work="$(mktemp -d /tmp/cb-webrtc-neg.XXXXXX)"
server=""
cleanup() {
  local rc=$?
  set +e
  _cb_stop_bridges
  [[ -z "$server" ]] || { kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null; }
  (exit "$rc")
  cb_cleanup_bridges    # takes the test's status from $?
}
cb_trap_exit cleanup

printf 'right-%s\n' "$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')" > "$work/right"
printf 'wrong-%s\n' "$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')" > "$work/wrong"
chmod 600 "$work/right" "$work/wrong"
cb_session_start "$work/session"

# run CASE TOKEN_FILE SERVER_ARGS...: a server, a bridge against it for 8 s.
run() {
  local case="$1" tokfile="$2"; shift 2
  rm -f "$work/port"
  /usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/whip_server.py" --port-file "$work/port" \
    --token="$(cat "$work/right")" --record-dir "$work/rec-$case" "$@" > "$work/server-$case.log" 2>&1 & server=$!
  cb_wait_file "$work/port" 20 || { cat "$work/server-$case.log"; cb_fail "$case: the aiortc server did not start"; }
  port="$(cat "$work/port")"
  cat > "$work/$case.ini" <<INI
[call]
name = neg
transport = webrtc
local = 127.0.0.1:0
bearer-token-file = $tokfile
stats-file = $work/stats-$case.json
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
  "$CB_BIN" --config "$work/$case.ini" > "$work/$case.log" 2>&1 & cb_bridge_pids+=($!)
  cb_wait_node callbridge.neg.music 10 || { cat "$work/$case.log"; cb_fail "$case: no track node"; }
  pw-cat --playback --target callbridge.neg.music "$work/tone.wav" &
  local player=$!
  sleep 8
  cb_wait_node callbridge.neg.music 2 || cb_fail "$case: the track node went"
  wait "$player" 2>/dev/null || true
  _cb_stop_bridges
  cb_bridge_pids=()
  curl -sf "http://127.0.0.1:$port/stats" > "$work/server-stats-$case.json" ||
    cb_fail "$case: no stats from the server"
  kill -TERM "$server"; wait "$server" 2>/dev/null || true
  server=""
}

cb_tone "$work/tone.wav" 440 48000 1 9 -12

run token "$work/wrong"
/usr/bin/python3 - "$work/stats-token.json" "$work/server-stats-token.json" <<'PY' ||
import json, sys
d, srv = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for s in d["sessions"]:
    print(s["name"], s["http_state"], s["http_status"], s["failure"])
    assert s["http_state"] == "failed" and s["http_status"] == 401, s
print("server:", srv["posts"], "posts,", srv["refused"], "refused")
assert srv["posts"] == 2 and srv["refused"] == 2, "asked again after a 401: %r" % srv
PY
  { cat "$work/token.log"; cb_fail "wrong token"; }
[[ "$(grep -c 'not retried (HTTP 401)' "$work/token.log")" == 2 ]] ||
  { cat "$work/token.log"; cb_fail "the 401 is not said once per session"; }
grep -qF "$(cat "$work/wrong")" "$work/token.log" && cb_fail "the token is in the log"

run fingerprint "$work/right" --bad-fingerprint
/usr/bin/python3 - "$work/stats-fingerprint.json" "$work/server-stats-fingerprint.json" <<'PY' ||
import json, sys
d, srv = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for s in d["sessions"]:
    print(s["name"], s["http_state"], s["dtls_state"], s["srtp_profile"], s["failure"])
    assert s["srtp_profile"] is None and s["dtls_state"] != "connected", s
    assert "fingerprint" in (s["failure"] or ""), s
print("send:", d["send"])
assert d["send"]["no_key"] > 0 and d["send"]["rtp_sent"] == 0, d["send"]
# A new POST after each failure, with a growing pause: a few, not a storm.
print("server:", srv["posts"], "posts")
assert 2 <= srv["posts"] <= 10, srv
for r in srv.get("resources", {}).values() if isinstance(srv.get("resources"), dict) else srv.get("resources", []):
    assert not r.get("frames_received"), r
PY
  { cat "$work/fingerprint.log"; cb_fail "wrong fingerprint"; }
grep -q 'fingerprint' "$work/fingerprint.log" || cb_fail "the log does not name the fingerprint"

run twoaudio "$work/right" --two-audio
/usr/bin/python3 - "$work/stats-twoaudio.json" "$work/server-stats-twoaudio.json" <<'PY' ||
import json, sys
d, srv = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for s in d["sessions"]:
    print(s["name"], s["http_state"], s["failure"])
    assert s["http_state"] == "failed" and "more than one audio section" in (s["failure"] or ""), s
print("server:", srv["posts"], "posts,", srv["deletes"], "deletes")
assert srv["posts"] == 2 and srv["deletes"] == 2, srv
PY
  { cat "$work/twoaudio.log"; cb_fail "two audio m-lines"; }
echo "PASS: webrtc-negative"
