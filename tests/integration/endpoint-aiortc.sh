#!/usr/bin/env bash
# callbridge serves WHIP and WHEP itself ([endpoint]); aiortc
# (tests/lib/whip_client.py, an independent ICE, DTLS, SRTP and Opus stack)
# is the browser:
#   - a guest publishes a 660 Hz tone to /whip/guest (trickling its
#     candidates by PATCH: a stale If-Match gets 412, candidates and
#     end-of-candidates 204, a candidate after that 422); the tone comes out
#     of callbridge.web.remote.guest;
#   - a second publisher on the same path gets 409, a wrong token 401, a
#     video-only offer 406, an oversized body 413;
#   - three viewers play /whep/program at once while a stereo tone (440 Hz
#     left, 660 Hz right) plays into the stream's track: each decodes both
#     tones on their own sides, and status shows three viewers and ONE
#     encoder;
#   - guest.guest.control = kick ends a publisher; a publisher killed
#     without DELETE is reaped after consent-timeout; DELETE ends one at once;
#   - a reload that adds a served path is refused (exit 1, the reason on
#     stderr) and the call runs on: the viewers after it are served.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

work="$(mktemp -d /tmp/cb-endpoint.XXXXXX)"
player=""; pubs=()
cleanup() {
  local rc=$?
  set +e
  [[ -z "$player" ]] || { kill -TERM "$player" 2>/dev/null; wait "$player" 2>/dev/null; }
  for p in "${pubs[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  (exit "$rc")
  cb_cleanup_bridges
}
cb_trap_exit cleanup

# An array, not a function: $! of "${client[@]} &" is python's own pid.
client=(/usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/whip_client.py")

token="$(cb_token_file "$work/token")"

cat > "$work/web.ini" <<INI
[call]
name = web
transport = webrtc
local = 127.0.0.1:0
stats-file = $work/stats.json

[endpoint]
listen = 127.0.0.1:0
tls = false
bearer-token-file = $work/token
allow-origin = *
consent-timeout = 3

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

cb_session_start "$work/session"
"$CB_BIN" --config "$work/web.ini" > "$work/web.log" 2>&1 & cb_bridge_pids+=($!)
base="$(cb_endpoint_base "$work/web.log" web)" || cb_fail "the endpoint did not start"
echo "endpoint at $base"
cb_wait_node callbridge.web.music 10 || { cat "$work/web.log"; cb_fail "no track node"; }

stats() { # stats PYTHON-EXPRESSION-ON-d: true when it holds
  /usr/bin/python3 - "$work/stats.json" "$1" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(1)
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}
routes='d["endpoint"]'

# ---- refusals that need no session ----
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[[ "$(code -X POST -H 'Content-Type: application/sdp' --data 'v=0' "$base/whip/guest")" == 401 ]] ||
  cb_fail "no token: not 401"
[[ "$(code -X POST -H 'Authorization: Bearer wrong' -H 'Content-Type: application/sdp' --data 'v=0' "$base/whip/guest")" == 401 ]] ||
  cb_fail "wrong token: not 401"
[[ "$(code -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/sdp' --data 'garbage' "$base/whip/guest")" == 400 ]] ||
  cb_fail "malformed SDP: not 400"
video="v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtpmap:96 VP8/90000\r\n"
printf "$video" > "$work/video.sdp"
out="$(curl -s -w ' %{http_code}' -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/sdp' --data-binary @"$work/video.sdp" "$base/whip/guest")"
echo "video-only: $out"
[[ "$out" == *" 406" ]] || cb_fail "a video-only offer was not refused with 406"
head -c 40000 /dev/zero | tr '\0' 'a' > "$work/big"
[[ "$(code -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/sdp' --data-binary @"$work/big" "$base/whip/guest")" == 413 ]] ||
  cb_fail "oversized body: not 413"
opts="$(curl -s -D - -o /dev/null -X OPTIONS "$base/whip/guest")"
grep -qi '^access-control-expose-headers:.*Location.*Link.*ETag' <<<"$opts" ||
  { echo "$opts"; cb_fail "OPTIONS does not expose Location, Link, ETag"; }

# ---- a guest publishes, trickling ----
"${client[@]}" publish "$base/whip/guest" --token="$token" --tone-hz 660 --seconds 12 --trickle \
  > "$work/pub1.json" 2> "$work/pub1.err" & pub1=$!; pubs+=("$pub1")
cb_wait_node callbridge.web.remote.guest 15 || { cat "$work/web.log" "$work/pub1.err"; cb_fail "no remote node for the guest"; }
# A second publisher on the same path: 409.
rc=0; "${client[@]}" publish "$base/whip/guest" --token="$token" --seconds 1 > "$work/pub2.json" 2>&1 || rc=$?
cat "$work/pub2.json"
[[ $rc == 3 ]] && grep -q '"statuses": \[409\]' "$work/pub2.json" || cb_fail "a second publisher was not refused with 409"
pw-record --target callbridge.web.remote.guest --rate 48000 --channels 1 "$work/guest.wav" & rec=$!
sleep 4
kill -INT "$rec"; wait "$rec" 2>/dev/null || true
"${CB_ANALYZE[@]}" tones "$work/guest.wav" --start 1 --expect 660 ||
  cb_fail "the guest's 660 Hz tone is not in callbridge.web.remote.guest"
cb_wait_until 5 stats "$routes['guest']['publishers'] == 1 and len(d['guests']) == 1 and d['guests'][0]['dtls_state'] == 'connected'" ||
  { cat "$work/stats.json"; cb_fail "status does not show the guest"; }
wait "$pub1" || { cat "$work/pub1.json" "$work/pub1.err"; cb_fail "the publisher failed"; }
cat "$work/pub1.json"
/usr/bin/python3 - "$work/pub1.json" <<'PY' || cb_fail "trickle or DELETE"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["patch"] == {"stale_etag": 412, "candidates": 204, "end": 204, "after_end": 422}, d["patch"]
assert d["delete_status"] == 200, d
assert d["answer_setup"] == ["a=setup:active"], d
PY
grep -q "endpoint /whip/guest .*: ended: DELETE" "$work/web.log" || cb_fail "the DELETE did not end the session"
cb_wait_node_gone callbridge.web.remote.guest 20 || cb_fail "the guest's node stayed after DELETE"

# ---- kick ----
"${client[@]}" publish "$base/whip/guest" --token="$token" --tone-hz 660 --seconds 20 > "$work/pub3.json" 2>&1 & pub3=$!; pubs+=("$pub3")
cb_wait_until 15 stats "$routes['guest']['publishers'] == 1" || cb_fail "the third publisher did not connect"
pw-metadata -n callbridge.web 0 guest.guest.control kick > /dev/null
cb_wait_until 5 stats "$routes['guest']['publishers'] == 0 and $routes['kicked'] == 1" ||
  { cat "$work/stats.json"; cb_fail "kick did not end the guest"; }
kill -KILL "$pub3" 2>/dev/null || true; wait "$pub3" 2>/dev/null || true

# ---- reaped without DELETE ----
"${client[@]}" publish "$base/whip/guest" --token="$token" --tone-hz 660 --seconds 30 > "$work/pub4.json" 2>&1 & pub4=$!; pubs+=("$pub4")
cb_wait_until 15 stats "$routes['guest']['publishers'] == 1" || cb_fail "the fourth publisher did not connect"
sleep 1
kill -KILL "$pub4" || cb_fail "the fourth publisher ended early"; wait "$pub4" 2>/dev/null || true
t0=$SECONDS
cb_wait_until 10 stats "$routes['guest']['publishers'] == 0 and $routes['reaped'] == 1" ||
  { cat "$work/stats.json"; cb_fail "a publisher gone without DELETE was not reaped"; }
echo "reaped after $((SECONDS - t0)) s (consent-timeout 3 s)"

# ---- a reload cannot add a path: refused, and the call runs on ----
cp "$work/web.ini" "$work/web.ini.good"
printf '\n[stream extra]\nchannels = 1\nwhep-endpoint = /whep/extra\n\n[track more]\nstream = extra\n' >> "$work/web.ini"
rc=0
"$CB_BIN" reload web > "$work/reload.out" 2> "$work/reload.err" || rc=$?
cat "$work/reload.err"
[[ $rc == 1 ]] || cb_fail "a reload adding whep-endpoint: exit $rc, want 1"
grep -q "whep-endpoint" "$work/reload.err" || cb_fail "the refused reload does not say why: $(cat "$work/reload.err")"
cp "$work/web.ini.good" "$work/web.ini"
code="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/sdp' --data-binary 'v=0' "$base/whep/extra")"
[[ "$code" == 404 ]] || cb_fail "the refused path answers $code, want 404"
cb_has_node callbridge.web.more && cb_fail "the refused reload made a node"

# ---- three viewers, one encoder ----
sox -q -n -r 48000 -c 2 -b 16 "$work/stereo.wav" synth 14 sine 440 sine 660 gain -12
pw-cat --playback --target callbridge.web.music "$work/stereo.wav" & player=$!
vpids=()
for i in 1 2 3; do
  "${client[@]}" play "$base/whep/program" --token="$token" --record "$work/v$i.wav" --seconds 7 \
    > "$work/v$i.json" 2> "$work/v$i.err" & vpids+=($!)
done
cb_wait_until 15 stats "$routes['program']['viewers'] == 3 and d['endpoint']['encoders'] == 1 and all(g['dtls_state'] == 'connected' for g in d['guests'])" ||
  { cat "$work/stats.json"; cb_fail "status does not show three connected viewers and one encoder"; }
"$CB_BIN" status --json web > "$work/status.json" || cb_fail "status --json web failed"
/usr/bin/python3 - "$work/status.json" <<'PY' || { cat "$work/status.json"; cb_fail "status --json: endpoint or guests"; }
import json, sys
c = json.load(open(sys.argv[1]))["web"]
assert c["endpoint"]["encoders"] == 1, c["endpoint"]
viewers = [k for k in c["guests"] if k.startswith("program.")]
assert len(viewers) == 3, c["guests"]
PY
/usr/bin/python3 - "$work/stats.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("endpoint:", json.dumps(d["endpoint"]))
for g in d["guests"]:
    print("viewer", g["id"][:8], g["address"], g["ice_state"], g["selected_pair"], g["srtp_profile"], "sent", g["sent"])
PY
for i in 1 2 3; do
  wait "${vpids[$((i - 1))]}" || { cat "$work/v$i.json" "$work/v$i.err"; cb_fail "viewer $i failed"; }
  "${CB_ANALYZE[@]}" tones "$work/v$i.wav" --start 1 --channel mix --expect 440,660 ||
    cb_fail "viewer $i: the tones are not there"
  cb_stereo_apart "$work/v$i.wav" 440 660 10 || cb_fail "viewer $i: not stereo"
done
wait "$player" 2>/dev/null || true; player=""

grep -q "$token" "$work/web.log" && cb_fail "the bearer token is in the log"
echo "PASS: endpoint-aiortc"
