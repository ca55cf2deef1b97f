#!/usr/bin/env bash
# Reload with transport = webrtc: each [stream] is a WHIP session and each
# [remote] a WHEP session of its own, and a reload opens and ends them
# while the others run on.  aiortc (tests/lib/whip_server.py, port 0,
# bearer token) is the server; it counts POSTs and DELETEs per path.
#   1. one stream "program" (track music, a 440 Hz tone throughout: the
#      track's own looped file, see below);
#   2. reload: + stream "second" (track voice, 660 Hz) and + remote "guest"
#      (the server's 880 Hz WHEP tone): one POST each, both keyed, 660 Hz
#      decoded by aiortc, 880 Hz out of callbridge.web.remote.guest; the
#      program stream keeps its one resource (one POST, no DELETE), its
#      SSRC, and aiortc counts no lost packet on it;
#   3. reload: - stream "second", - track voice: its DELETE arrives, the
#      server's resource is closed, status drops the session; program and
#      guest go on;
#   3b. reload: guest's whep URL changes: DELETE of the old resource, POST
#      of the new one, the 880 Hz plays again from the remote's node;
#   4. reload that changes only a live key ([call] remote-timeout): no
#      POST, no DELETE, the same sessions;
#   5. the whole 440 Hz recording of program is one resource and one WAV,
#      and has no lost packet and no click across the three reloads.
# The 440 Hz comes from [track music] file (a 1 s file of 440 whole
# cycles, looped), mixed in the track's own cycle: no other client of the
# graph is in its path, so a click in it is one callbridge made.  Fed by
# pw-cat, it was not: on 2 cores pw-cat now and then misses a cycle, the
# graph hands the track that cycle as silence, and pw-cat goes on where it
# stopped.  Measured here: 3 to 12 holes of 256 frames a run (quantum
# 256), each followed by the tone exactly 256 frames behind, so nothing
# was cut: the holes were put in, upstream of the track.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

/usr/bin/python3 -c 'import aiortc, aiohttp' 2>/dev/null || {
  echo "SKIP: python3-aiortc / python3-aiohttp not installed (scripts/deps.sh)"; exit 77; }

work="$(mktemp -d /tmp/cb-webrtc-reload.XXXXXX)"
server=""; voice=""
cleanup() {
  local rc=$? p
  set +e
  for p in "$voice"; do
    [[ -z "$p" ]] || { kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; }
  done
  _cb_stop_bridges
  [[ -z "$server" ]] || { kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null; }
  (exit "$rc")
  cb_cleanup_bridges    # takes the test's status from $?
}
cb_trap_exit cleanup

token="$(cb_token_file "$work/token")"
/usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/whip_server.py" --port-file "$work/port" \
  --token="$token" --record-dir "$work/rec" --tone-hz 880 > "$work/server.log" 2>&1 & server=$!
cb_wait_file "$work/port" 20 || { cat "$work/server.log"; cb_fail "the aiortc server did not start"; }
port="$(cat "$work/port")"
base="http://127.0.0.1:$port"

head_ini() {
  cat <<INI
[call]
name = web
transport = webrtc
local = 127.0.0.1:0
bearer-token-file = $work/token
stats-file = $work/stats.json
ptime = 20
remote-timeout = ${1:-10}

[stream program]
channels = 1
whip = $base/whip/program

[track music]
stream = program
channels = 1
file = $work/440.wav
loop = true
INI
}
with_second() {
  cat <<INI

[stream second]
channels = 1
whip = $base/whip/second

[track voice]
stream = second
channels = 1
INI
}
with_guest() {
  cat <<INI

[remote guest]
channels = 1
whep = $base/whep/${1:-guest}
INI
}

# The server's view: /stats, and one expression over it.
server_stats() { /usr/bin/python3 -c '
import json, sys, urllib.request
print(json.dumps(json.load(urllib.request.urlopen(sys.argv[1] + "/stats", timeout=5))))' "$base"; }
# server_check 'PY-EXPR over s (stats) and p(path) -> its counters'
server_check() {
  server_stats > "$work/server.json" || return 1
  /usr/bin/python3 - "$work/server.json" "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
def p(path):
    return s["paths"].get(path, {"posts": 0, "created": 0, "deletes": 0})
def res(name):
    return [r for r in s["resources"].values() if r["name"] == name]
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}
# status_check 'PY-EXPR over by (sessions by name) and st (streams by name)'
status_check() {
  /usr/bin/python3 - "$work/stats.json" "$1" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(1)
by = {s["name"]: s for s in d.get("sessions", [])}
st = {s["name"]: s for s in d.get("streams", [])}
keyed = lambda n: n in by and by[n]["dtls_state"] == "connected"
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}
reloads() { grep -c "reloaded: " "$work/web.log" || true; }
reload_to() {
  local want=$(( $(reloads) + 1 ))
  cp "$1" "$work/web.ini"
  kill -HUP "${cb_bridge_pids[0]}"
  cb_wait_until 10 eval '[[ $(reloads) -ge '"$want"' ]]' ||
    { cat "$work/web.log"; cb_fail "reload $want was not applied"; }
}

# 1. One stream, one WHIP session.
cb_tone "$work/440.wav" 440 48000 1 1 -12
head_ini > "$work/web.ini"
cb_session_start "$work/session"
"$CB_BIN" --config "$work/web.ini" > "$work/web.log" 2>&1 & cb_bridge_pids+=($!)
cb_wait_node callbridge.web.music 10 || { cat "$work/web.log"; cb_fail "no track node"; }
cb_wait_until 20 status_check 'keyed("program") and len(by) == 1' ||
  { cat "$work/web.log"; cat "$work/stats.json"; cb_fail "the program session did not connect"; }

cb_tone "$work/660.wav" 660 48000 1 12 -12
cb_wait_until 10 status_check 'st["program"]["packets"] > 50' ||
  { cat "$work/stats.json"; cb_fail "program sends nothing"; }
sleep 2
ssrc="$(/usr/bin/python3 -c 'import json,sys; print([s for s in json.load(open(sys.argv[1]))["streams"] if s["name"] == "program"][0]["ssrc"])' "$work/stats.json")"
server_check 'p("/whip/program")["posts"] == 1' || { cat "$work/server.json"; cb_fail "program: not one POST"; }

# 2. + stream second, + remote guest.
{ head_ini; with_second; with_guest; } > "$work/web-2.ini"
cb_note "reload: + stream second (track voice), + remote guest"
reload_to "$work/web-2.ini"
cb_wait_node callbridge.web.voice 10 || { cat "$work/web.log"; cb_fail "no voice track node after the reload"; }
pw-cat --playback --target callbridge.web.voice "$work/660.wav" & voice=$!
cb_wait_until 20 status_check 'keyed("program") and keyed("second") and keyed("guest") and len(by) == 3' ||
  { cat "$work/web.log"; cat "$work/stats.json"; cb_fail "the new sessions did not connect"; }
cb_wait_node callbridge.web.remote.guest 10 || { cat "$work/web.log"; cb_fail "no remote node for the new WHEP session"; }
pw-record --target callbridge.web.remote.guest --rate 48000 --channels 1 "$work/guest.wav" & rec=$!
sleep 4
kill -INT "$rec"; wait "$rec" 2>/dev/null || true
server_check 'p("/whip/program") == {"posts": 1, "created": 1, "deletes": 0} and p("/whip/second")["created"] == 1 and p("/whep/guest")["created"] == 1 and p("/whip/second")["posts"] == 1 and p("/whep/guest")["posts"] == 1' ||
  { cat "$work/server.json"; cb_fail "after the first reload: not one POST per new session, or program was posted again"; }
status_check 'st["program"]["ssrc"] == '"$ssrc"' and by["second"]["http_state"] == "active" and by["guest"]["kind"] == "whep"' ||
  { cat "$work/stats.json"; cb_fail "program's SSRC changed, or a new session is not active"; }
"${CB_ANALYZE[@]}" tones "$work/guest.wav" --start 1 --expect 880 ||
  cb_fail "the new WHEP session's 880 Hz is not in callbridge.web.remote.guest"
wait "$voice" 2>/dev/null || true
voice=""

# 3. - stream second (and its track).
{ head_ini; with_guest; } > "$work/web-3.ini"
cb_note "reload: - stream second, - track voice"
reload_to "$work/web-3.ini"
cb_wait_until 10 server_check 'p("/whip/second")["deletes"] == 1 and all(r["deleted"] and r["state"] == "closed" for r in res("second"))' ||
  { cat "$work/server.json"; cb_fail "the removed stream's resource was not DELETEd"; }
cb_wait_until 5 status_check '"second" not in by and len(by) == 2 and keyed("program") and keyed("guest")' ||
  { cat "$work/stats.json"; cb_fail "status still shows the ended session, or lost another"; }
cb_wait_node_gone callbridge.web.voice 10 || cb_fail "the removed track's node stayed"
grep -q "session second ended" "$work/web.log" || { cat "$work/web.log"; cb_fail "no log line for the ended session"; }
packets="$(/usr/bin/python3 -c 'import json,sys; print([s for s in json.load(open(sys.argv[1]))["streams"] if s["name"] == "program"][0]["packets"])' "$work/stats.json")"
cb_wait_until 10 status_check 'st["program"]["packets"] > '"$packets"' + 50' ||
  cb_fail "program stopped sending after the removal"

# 3b. guest's whep URL changes: its session is made anew (DELETE, POST).
{ head_ini; with_guest guest2; } > "$work/web-3b.ini"
cb_note "reload: remote guest moves to /whep/guest2"
reload_to "$work/web-3b.ini"
cb_wait_until 10 server_check 'p("/whep/guest")["deletes"] == 1 and p("/whep/guest2")["created"] == 1' ||
  { cat "$work/server.json"; cb_fail "the recreated remote's old resource was not DELETEd or the new one not POSTed"; }
cb_wait_until 20 status_check 'keyed("guest") and by["guest"]["url"].endswith("/whep/guest2") and len(by) == 2 and keyed("program")' ||
  { cat "$work/stats.json"; cb_fail "the recreated WHEP session did not connect"; }
cb_wait_node callbridge.web.remote.guest 10 || cb_fail "no remote node after the WHEP session was made anew"
pw-record --target callbridge.web.remote.guest --rate 48000 --channels 1 "$work/guest2.wav" & rec=$!
sleep 3
kill -INT "$rec"; wait "$rec" 2>/dev/null || true
"${CB_ANALYZE[@]}" tones "$work/guest2.wav" --start 1 --expect 880 ||
  cb_fail "the 880 Hz of the recreated WHEP session is not in callbridge.web.remote.guest"

# 4. A live key only: every session stays.
{ head_ini 20; with_guest guest2; } > "$work/web-4.ini"
cb_note "reload: [call] remote-timeout only"
reload_to "$work/web-4.ini"
sleep 2
server_check 'p("/whip/program") == {"posts": 1, "created": 1, "deletes": 0} and p("/whep/guest2") == {"posts": 1, "created": 1, "deletes": 0} and s["posts"] == 4 and s["deletes"] == 2' ||
  { cat "$work/server.json"; cb_fail "a live-key reload touched a session"; }
status_check 'keyed("program") and keyed("guest") and len(by) == 2 and st["program"]["ssrc"] == '"$ssrc" ||
  { cat "$work/stats.json"; cb_fail "a live-key reload changed the sessions"; }

# 5. Program's audio across all of it: one resource, no packet lost.
server_check 'len(res("program")) == 1 and res("program")[0]["packets"]["lost"] == 0 and res("program")[0]["packets"]["ssrc"] == '"$ssrc" ||
  { cat "$work/server.json"; cb_fail "aiortc lost packets of program, or saw another SSRC"; }
_cb_stop_bridges
[[ "$cb_stop_failed" == 0 ]] || cb_fail "pw-callbridge did not stop cleanly on SIGTERM"
server_check 'p("/whip/program")["deletes"] == 1 and p("/whep/guest2")["deletes"] == 1 and s["refused"] == 0' ||
  { cat "$work/server.json"; cb_fail "SIGTERM did not DELETE the remaining sessions"; }
kill -TERM "$server"; wait "$server" 2>/dev/null || true
server=""
[[ ! -e "$work/rec/program-2.wav" ]] || cb_fail "program was published twice"
"${CB_ANALYZE[@]}" tones "$work/rec/program.wav" --start 1 --expect 440 ||
  cb_fail "aiortc did not decode the 440 Hz tone of program"
"${CB_ANALYZE[@]}" tones "$work/rec/second.wav" --start 1 --expect 660 --absent 440 ||
  cb_fail "aiortc did not decode the 660 Hz tone of the stream added by reload"
# Where the tone sounds in aiortc's recording (it starts with the player,
# not with the recording), then no hole and no click inside that span.
/usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/tone_spans.py" "$work/rec/program.wav" 440 > "$work/spans.json"
cat "$work/spans.json"
read -r first last < <(/usr/bin/python3 - "$work/spans.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["440"]
assert t["seconds"] > 15 and t["longest_gap"] < 0.1, t
# The player is stopped mid-cycle at the end, which is a click of its own:
# the last reload is more than 2 s before that.
print(t["first"] + 0.5, t["last"] - 1.5)
PY
) || cb_fail "program's 440 Hz has a hole, or is too short to span the reloads"
"${CB_ANALYZE[@]}" clicks "$work/rec/program.wav" --start "$first" --end "$last" ||
  cb_fail "program's audio has a discontinuity"
grep -q "$token" "$work/web.log" && cb_fail "the bearer token is in the log"
echo "PASS: webrtc-reload"
