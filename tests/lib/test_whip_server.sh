#!/usr/bin/env bash
# Self-test for tests/lib/whip_server.py (the WHIP/WHEP test peer), with the
# aiortc reference client tests/lib/whip_client.py and no callbridge at all:
#   - a WHIP publish of 440 Hz reaches the server's WAV (DTLS role, SRTP
#     profile and packet counts in /stats), trickle PATCH answers 412/204/422;
#   - a WHEP play records the server's 880 Hz tone;
#   - a wrong token gets one 401 and no retry; DELETE moves the counter;
#   - bad requests get 400/422/404, OPTIONS gets CORS;
#   - SIGTERM with a live session exits 0 and leaves a readable WAV;
#   - --fail-first 1: 503 then a successful retry after Retry-After;
#     --no-trickle: 405, which the client takes quietly; --play FILE.
# Every wait is bounded and every process is stopped by the EXIT trap.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3  # Debian's: the python3 on PATH may not see python3-aiortc
A=("$PY" "$here/analyze.py")
if ! "$PY" -c 'import aiortc, aiohttp' 2>/dev/null; then
  echo "SKIP: python3-aiortc / python3-aiohttp not installed (scripts/deps.sh)"
  exit 77
fi
command -v curl >/dev/null || { echo "SKIP: curl not installed"; exit 77; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/cb-whip.XXXXXX")"
pids=()
cleanup() {
  local p _
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
# is WANT GOT WHAT
is() { if [[ "$2" == "$1" ]]; then ok "$3 ($2)"; else bad "$3: got '$2', wanted '$1'"; fi; }
# jget JSON EXPR: evaluate a Python expression over d = the parsed JSON
jget() { "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
res() { echo "[r for r in d['resources'].values() if r['name'] == '$1'][-1]"; }

# start_server TAG ARGS...: sets srv_pid and port; the port comes only from
# the server's port file, waited for at most 10 s.
start_server() {
  local tag="$1" _
  shift
  "$PY" "$here/whip_server.py" --port-file "$tmp/$tag.port" "$@" \
    >"$tmp/$tag.out" 2>"$tmp/$tag.log" &
  srv_pid=$!
  pids+=("$srv_pid")
  for _ in $(seq 100); do
    [[ -s "$tmp/$tag.port" ]] && break
    kill -0 "$srv_pid" 2>/dev/null || { cat "$tmp/$tag.log"; echo "FAIL: $tag server died"; exit 1; }
    sleep 0.1
  done
  if [[ ! -s "$tmp/$tag.port" ]]; then
    cat "$tmp/$tag.log"
    echo "FAIL: $tag server wrote no port file within 10 s"
    exit 1
  fi
  port="$(<"$tmp/$tag.port")"
  echo "--- $tag server on 127.0.0.1:$port"
}
stats() { curl -sS --max-time 5 "http://127.0.0.1:$port/stats"; }
client() { timeout 60 "$PY" "$here/whip_client.py" "$@"; }
# code METHOD PATH [curl args...]: the HTTP status only
code() {
  local m="$1" p="$2"
  shift 2
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X "$m" "http://127.0.0.1:$port$p" "$@"
}
# stop_server: SIGTERM, at most 10 s; sets srv_rc to the exit status
stop_server() {
  local _
  kill -TERM "$srv_pid"
  for _ in $(seq 100); do kill -0 "$srv_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$srv_pid" 2>/dev/null; then srv_rc=timeout; return; fi
  srv_rc=0
  wait "$srv_pid" || srv_rc=$?
}

tok=s3cret
start_server main --token "$tok" --record-dir "$tmp/rec" --link-stun 127.0.0.1:9
base="http://127.0.0.1:$port"

echo "--- WHIP publish, 440 Hz, candidates trickled by PATCH"
rc=0
out="$(client publish "$base/whip/tone440" --token "$tok" --tone-hz 440 --seconds 3 --trickle)" || rc=$?
echo "$out"
is 0 "$rc" "publish exit status"
is "[201]" "$(jget "$out" 'd["statuses"]')" "publish POST status"
is "['a=setup:active']" "$(jget "$out" 'd["answer_setup"]')" "aiortc answers setup:active"
is "True" "$(jget "$out" '"<stun:127.0.0.1:9>; rel=\"ice-server\"" in (d["link"] or "")')" "Link ice-server header"
is "True" "$(jget "$out" 'd["location"].endswith(tuple("0123456789abcdef")) and "/resource/" in d["location"]')" "Location resolved"
is "{'stale_etag': 412, 'candidates': 204, 'end': 204, 'after_end': 422}" \
  "$(jget "$out" 'd.get("patch")')" "PATCH: stale If-Match, candidates, end, after end"
is 200 "$(jget "$out" 'd.get("delete_status")')" "DELETE status"
loc="$(jget "$out" 'd["location"]')"
st="$(stats)"
r="$(res tone440)"
is 1 "$(jget "$st" 'd["deletes"]')" "server counted the DELETE"
is client "$(jget "$st" "${r}['dtls_role']")" "server is the DTLS client"
is SRTP_AES128_CM_SHA1_80 "$(jget "$st" "$r.get('srtp_profile')")" "SRTP profile"
is "audio/opus/48000/2 pt 96" "$(jget "$st" "$r.get('codec')")" "codec and PT"
is True "$(jget "$st" "${r}['packets']['received'] > 100 and ${r}['frames_received'] > 100")" \
  "packets and frames received"
is "$tmp/rec/tone440.wav" "$(jget "$st" "${r}['recording']")" "recording path"
if "${A[@]}" tones "$tmp/rec/tone440.wav" --expect 440 --absent 880 --start 0.5 >"$tmp/a1" 2>&1; then
  ok "server recording of the publish has 440 Hz"
else
  bad "server recording of the publish: $(cat "$tmp/a1")"
fi

echo "--- WHEP play, expecting the server's 880 Hz"
rc=0
out="$(client play "$base/whep/tone" --token "$tok" --seconds 3 --record "$tmp/whep.wav")" || rc=$?
echo "$out"
is 0 "$rc" "play exit status"
is True "$(jget "$out" 'd["frames_received"] > 100')" "client received frames"
is 2 "$(jget "$(stats)" 'd["deletes"]')" "server counted the second DELETE"
if "${A[@]}" tones "$tmp/whep.wav" --expect 880 --absent 440 --start 0.5 >"$tmp/a2" 2>&1; then
  ok "client recording of WHEP has 880 Hz"
else
  bad "client recording of WHEP: $(cat "$tmp/a2")"
fi

echo "--- wrong token: one 401, no retries"
posts0="$(jget "$(stats)" 'd["posts"]')"
rc=0
out="$(client publish "$base/whip/x" --token wrong --retries 3 --seconds 1)" || rc=$?
echo "$out"
is 3 "$rc" "refused client exit status"
is "[401]" "$(jget "$out" 'd["statuses"]')" "one POST, 401"
sleep 1.5
st="$(stats)"
is 1 "$(jget "$st" 'd["refused"]')" "server refused once"
is $((posts0 + 1)) "$(jget "$st" 'd["posts"]')" "no further POSTs after the 401"

echo "--- bad requests"
sdp_hdr=(-H "Authorization: Bearer $tok" -H "Content-Type: application/sdp")
video=$'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:96 VP8/90000\r\na=sendonly\r\n'
is 400 "$(code POST /whip/x "${sdp_hdr[@]}" --data-binary 'hello')" "malformed SDP"
is 422 "$(code POST /whip/x "${sdp_hdr[@]}" --data-binary "$video")" "offer without audio"
is 415 "$(code POST /whip/x -H "Authorization: Bearer $tok" -H 'Content-Type: text/plain' --data-binary "$video")" "wrong Content-Type"
is 401 "$(code DELETE "${loc#"$base"}")" "DELETE without token"
is 404 "$(code DELETE "${loc#"$base"}" -H "Authorization: Bearer $tok")" "DELETE of a deleted resource"
is 404 "$(code PATCH /resource/nope -H "Authorization: Bearer $tok")" "PATCH of an unknown resource"
is 204 "$(code OPTIONS /whip/x)" "OPTIONS"
hdrs="$(curl -s -D - -o /dev/null --max-time 5 -X OPTIONS "$base/whip/x")"
if [[ "$hdrs" == *"Access-Control-Allow-Origin: *"* ]]; then ok "CORS header"; else bad "no CORS header: $hdrs"; fi
is 2 "$(jget "$(stats)" 'd["refused"]')" "refused counter"

echo "--- SIGTERM with a live WHIP session"
client publish "$base/whip/live" --token "$tok" --tone-hz 440 --seconds 20 >"$tmp/live.out" 2>&1 &
cpid=$!
pids+=("$cpid")
state=""
for _ in $(seq 100); do
  state="$(jget "$(stats)" "[r['state'] for r in d['resources'].values() if r['name'] == 'live'] or ['none']" 2>/dev/null || true)"
  [[ "$state" == "['connected']" ]] && break
  sleep 0.1
done
is "['connected']" "$state" "live session connected"
sleep 2
stop_server
is 0 "$srv_rc" "server exit status on SIGTERM"
if "${A[@]}" tones "$tmp/rec/live.wav" --expect 440 --start 0.3 >"$tmp/a3" 2>&1; then
  ok "WAV of the live session is readable and has 440 Hz"
else
  bad "WAV of the live session: $(cat "$tmp/a3")"
fi
for _ in $(seq 100); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.1; done
rc=0
wait "$cpid" || rc=$?
out="$(<"$tmp/live.out")"
is "True 0" "$(jget "$out" 'd.get("ended_by_peer")') $rc" "client saw the server end the session"

echo "--- --fail-first 1, --no-trickle, --play"
wav="$tmp/660.wav"
"$PY" - "$wav" <<'PY'
import sys, wave, numpy as np
t = np.arange(48000 * 2) / 48000
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(48000)
w.writeframes((8000 * np.sin(2 * np.pi * 660 * t)).astype("<i2").tobytes()); w.close()
PY
start_server retry --fail-first 1 --no-trickle --play "$wav" --record-dir "$tmp/rec2"
base="http://127.0.0.1:$port"
rc=0
out="$(client publish "$base/whip/again" --seconds 1 --trickle)" || rc=$?
echo "$out"
is 0 "$rc" "publish after a 503 exit status"
is "[503, 201]" "$(jget "$out" 'd["statuses"]')" "503, then 201"
is True "$(jget "$out" 'd["attempt_times"][1] >= 0.9')" "retry waited for Retry-After"
is "{'stale_etag': 405, 'candidates': 405}" "$(jget "$out" 'd.get("patch")')" "405 stops trickling quietly"
st="$(stats)"
is 1 "$(jget "$st" 'd["unavailable"]')" "server answered one 503"
is 1 "$(jget "$st" 'd["created"]')" "server created one resource"
rc=0
out="$(client play "$base/whep/file" --seconds 3 --record "$tmp/play.wav")" || rc=$?
is 0 "$rc" "play of --play FILE exit status"
if "${A[@]}" tones "$tmp/play.wav" --expect 660 --absent 880 --start 0.5 >"$tmp/a4" 2>&1; then
  ok "WHEP of --play FILE has 660 Hz"
else
  bad "WHEP of --play FILE: $(cat "$tmp/a4")"
fi
stop_server
is 0 "$srv_rc" "second server exit status on SIGTERM"

if (( fail > 0 )); then
  echo "--- server logs"
  cat "$tmp/main.log" "$tmp/retry.log"
fi
echo "$pass passed, $fail failed"
[[ "$fail" -eq 0 ]]
