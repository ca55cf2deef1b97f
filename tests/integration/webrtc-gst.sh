#!/usr/bin/env bash
# Play a WHEP resource served by a second independent WebRTC stack:
# GStreamer 1.22's webrtcbin (its own ICE over libnice, DTLS in its dtls
# plugin, SRTP in srtpenc) behind a small WHEP server
# (tests/lib/gst_whep_server.py).  callbridge's remote "guest" POSTs its
# recvonly offer; webrtcbin answers and sends a 660 Hz Opus tone:
#   - the tone must come out of callbridge.web.remote.guest;
#   - status shows the session active (201), ICE and DTLS connected, and the
#     DTLS role and SRTP profile that agree with what webrtcbin itself says
#     (it answers setup:active, so callbridge is the DTLS server);
#   - SIGTERM DELETEs the resource;
#   - then once more with webrtcbin told to answer setup:passive: callbridge
#     is the DTLS client, and the tone still arrives.
#
# libnice under webrtcbin gathers on no loopback address, so the test runs
# in a network namespace of its own with one veth address (cb_netns_address)
# that both sides gather on; the HTTP port is still bound as port 0.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cb_private_netns "$@"

/usr/bin/python3 - <<'PY' 2> /dev/null || { echo "SKIP: python3-gi, GStreamer webrtcbin or aiohttp missing (scripts/deps.sh)"; exit 77; }
import gi, aiohttp
gi.require_version("Gst", "1.0"); gi.require_version("GstWebRTC", "1.0"); gi.require_version("GstSdp", "1.0")
from gi.repository import Gst
Gst.init(None)
assert all(Gst.ElementFactory.find(e) for e in ("webrtcbin", "opusenc", "rtpopuspay", "nicesrc", "dtlssrtpenc"))
PY

work="$(mktemp -d /tmp/cb-gst.XXXXXX)"
server=""; rec=""
cleanup() {
  local rc=$?
  set +e
  cb_stop_pid "$rec"
  _cb_stop_bridges
  cb_stop_pid "$server"
  (exit "$rc")
  cb_cleanup_bridges    # takes the test's status from $?
}
cb_trap_exit cleanup
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

addr=10.78.0.1
cb_netns_address "$addr"

token="$(cb_token_file "$work/token")"
cb_session_start "$work/session"

# round TAG ROLE [SERVER ARGS...]: a webrtcbin server, one callbridge playing
# its resource, the tone and status checked, then SIGTERM and the DELETE.
# ROLE is the DTLS role callbridge must end up in.
round() {
  local tag="$1" role="$2" t_start port
  shift 2
  /usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/gst_whep_server.py" --port-file "$work/$tag.port" \
    --token="$token" --tone-hz 660 "$@" > "$work/$tag-server.log" 2>&1 & server=$!
  port="$(cb_port_file "$work/$tag.port" "$server" 20)" ||
    { cat "$work/$tag-server.log"; cb_fail "$tag: the webrtcbin WHEP server did not start"; }

  cat > "$work/$tag.ini" <<INI
[call]
name = web
transport = webrtc
local = $addr:0
bearer-token-file = $work/token
stats-file = $work/$tag-stats.json
ptime = 20

[remote guest]
channels = 1
whep = http://127.0.0.1:$port/whep/guest?session=x
INI
  t_start=$EPOCHREALTIME
  "$CB_BIN" --config "$work/$tag.ini" > "$work/$tag-web.log" 2>&1 & cb_bridge_pids+=($!)
  cb_wait_until 20 keyed "$work/$tag-stats.json" || {
    tail -n 30 "$work/$tag-web.log"; cat "$work/$tag-server.log"
    cat "$work/$tag-stats.json" 2> /dev/null; cb_fail "$tag: the session with webrtcbin did not connect"
  }
  cb_note "$tag: connected to webrtcbin in $(since "$t_start") s (to DTLS connected, as the stats file, rewritten each second, shows it)"
  cb_wait_node callbridge.web.remote.guest 10 ||
    { cat "$work/$tag-web.log"; cb_fail "$tag: no remote node for the WHEP stream"; }

  pw-record --target callbridge.web.remote.guest --rate 48000 --channels 1 "$work/$tag.wav" & rec=$!
  sleep 5
  kill -INT "$rec"; wait "$rec" 2> /dev/null || true
  rec=""

  curl -sf --max-time 5 "http://127.0.0.1:$port/stats" > "$work/$tag-server.json" ||
    { cat "$work/$tag-server.log"; cb_fail "$tag: no /stats from the webrtcbin server"; }
  /usr/bin/python3 - "$work/$tag-stats.json" "$work/$tag-server.json" "$role" <<'PY' ||
import json, sys
s = json.load(open(sys.argv[1]))["sessions"][0]
g = list(json.load(open(sys.argv[2]))["resources"].values())[0]
print("callbridge:", s["kind"], s["http_state"], s["http_status"], s["ice_state"], s["dtls_state"],
      s["dtls_role"], s["srtp_profile"], s["selected_pair"], "rx_media", s["rx_media"])
print("webrtcbin: ", g["state"], g["ice_state"], g["dtls_state"], g["dtls_role"], g["srtp_profile"],
      "packets_sent", g.get("packets_sent"))
assert s["kind"] == "whep" and s["http_state"] == "active" and s["http_status"] == 201, s
assert s["dtls_state"] == "connected" and s["rx_media"] > 100, s
assert "session=" not in s["url"], "the URL's query is shown"
assert g["dtls_state"] == "connected" and g["state"] == "connected", g
assert s["dtls_role"] == sys.argv[3], "callbridge is the DTLS %s, not the %s" % (s["dtls_role"], sys.argv[3])
# The two stacks agree: opposite roles, one profile.
assert {s["dtls_role"], g["dtls_role"]} == {"client", "server"}, (s["dtls_role"], g["dtls_role"])
assert s["srtp_profile"] == g["srtp_profile"], (s["srtp_profile"], g["srtp_profile"])
PY
    { cat "$work/$tag-stats.json" "$work/$tag-server.json"; cb_fail "$tag: status"; }

  "${CB_ANALYZE[@]}" tones "$work/$tag.wav" --start 1 --expect 660 ||
    cb_fail "$tag: webrtcbin's 660 Hz tone is not in callbridge.web.remote.guest"

  # SIGTERM: the resource is DELETEd.
  _cb_stop_bridges
  [[ "$cb_stop_failed" == 0 ]] || cb_fail "$tag: pw-callbridge did not stop cleanly on SIGTERM"
  curl -sf --max-time 5 "http://127.0.0.1:$port/stats" > "$work/$tag-server.json" ||
    cb_fail "$tag: no /stats after SIGTERM"
  /usr/bin/python3 - "$work/$tag-server.json" <<'PY' ||
import json, sys
d = json.load(open(sys.argv[1]))
print("server:", {k: d[k] for k in ("posts", "created", "patches", "deletes", "refused")})
assert d["deletes"] == 1 and d["refused"] == 0, d
PY
    { cat "$work/$tag-server.log"; cb_fail "$tag: the resource was not DELETEd"; }
  if grep -q "$token" "$work/$tag-web.log"; then cb_fail "$tag: the bearer token is in the log"; fi
  cb_stop_pid "$server"; server=""
}

keyed() {
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
try:
    s = json.load(open(sys.argv[1]))["sessions"]
except Exception:
    sys.exit(1)
sys.exit(0 if len(s) == 1 and s[0]["dtls_state"] == "connected" else 1)
PY
}

# webrtcbin's own choice: it answers setup:active, callbridge is the server.
round active server
# webrtcbin told to answer setup:passive: callbridge is the DTLS client.
round passive client --dtls-passive
echo "PASS: webrtc-gst"
