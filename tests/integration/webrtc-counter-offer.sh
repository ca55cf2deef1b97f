#!/usr/bin/env bash
# WHEP's counter-offer: a server that answers the POST with 406 and an offer
# of its own (aiortc, tests/lib/whip_server.py --counter-offer).  callbridge
# answers it by PATCH application/sdp (a=setup:active: it is the DTLS
# client), and the server's 660 Hz tone comes out of
# callbridge.web.remote.guest.  Status shows the session active with HTTP
# 406 and the client role.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

work="$(mktemp -d /tmp/cb-webrtc-406.XXXXXX)"
server=""
cleanup() {
  local rc=$?
  set +e
  _cb_stop_bridges
  [[ -z "$server" ]] || { kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null; }
  (exit "$rc")
  cb_cleanup_bridges
}
cb_trap_exit cleanup

/usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/whip_server.py" --port-file "$work/port" \
  --counter-offer --tone-hz 660 > "$work/server.log" 2>&1 & server=$!
cb_wait_file "$work/port" 20 || { cat "$work/server.log"; cb_fail "the aiortc server did not start"; }
port="$(cat "$work/port")"

cat > "$work/web.ini" <<INI
[call]
name = web
transport = webrtc
local = 127.0.0.1:0
stats-file = $work/stats.json
ptime = 20

[remote guest]
channels = 1
whep = http://127.0.0.1:$port/whep/guest
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
cb_wait_until 20 keyed || { cat "$work/web.log"; cat "$work/server.log"; cat "$work/stats.json"; cb_fail "the counter-offered session did not connect"; }
cb_wait_node callbridge.web.remote.guest 10 || { cat "$work/web.log"; cat "$work/stats.json"; cb_fail "no remote node"; }
pw-record --target callbridge.web.remote.guest --rate 48000 --channels 1 "$work/guest.wav" & rec=$!
sleep 4
kill -INT "$rec"; wait "$rec" 2>/dev/null || true
/usr/bin/python3 - "$work/stats.json" "$port" <<'PY' || { cat "$work/stats.json"; cb_fail "status"; }
import json, sys, urllib.request
s = json.load(open(sys.argv[1]))["sessions"][0]
print(s["http_state"], s["http_status"], s["dtls_role"], s["srtp_profile"])
assert s["http_state"] == "active" and s["http_status"] == 406 and s["dtls_role"] == "client", s
srv = json.load(urllib.request.urlopen("http://127.0.0.1:%s/stats" % sys.argv[2], timeout=5))
print("server:", srv["counter_offers"], "counter-offers,", srv["counter_answers"], "answered")
assert srv["counter_offers"] == 1 and srv["counter_answers"] == 1, srv
PY
"${CB_ANALYZE[@]}" tones "$work/guest.wav" --start 1 --expect 660 ||
  cb_fail "the counter-offering server's tone is not in callbridge.web.remote.guest"
echo "PASS: webrtc-counter-offer"
