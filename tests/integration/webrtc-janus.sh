#!/usr/bin/env bash
# Publish into a real SFU: Janus 1.1.2 (Debian's janus, its own ICE, DTLS
# and SRTP) with its VideoRoom plugin, fronted by a WHIP shim over Janus's
# HTTP API (tests/lib/janus_whip.py).  callbridge's stream "program" is
# published into room 1234 by WHIP; a second, independent subscriber --
# aiortc, through Janus's own API (tests/lib/janus_listen.py) -- receives
# what Janus forwards and must decode the 440 Hz tone played into the track.
# This is the path by which a call grows past one machine.
#
# Janus answers setup:active (callbridge is the DTLS server, so it picks the
# profile) and offers the GCM profiles: the session's status must show a GCM
# profile, connected, through the shim (URL, HTTP 201).  Then SIGTERM: the
# shim's resource is DELETEd and Janus's room is empty again.  A second
# round offers only AEAD_AES_256_GCM ([call] srtp), which aiortc and
# webrtcbin lack: Janus is the peer that keys it.
#
# Janus's HTTP port is fixed in its configuration, so the test runs in a
# network namespace of its own (cb_private_netns).  Janus gathers no
# loopback candidates (src/ice.c skips IFF_LOOPBACK interfaces), so the
# namespace gets 10.78.0.1 on a veth pair (cb_netns_address), the only
# address Janus uses (ice_enforce_list); callbridge and aiortc gather there
# too.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cb_private_netns "$@"

command -v janus > /dev/null || { echo "SKIP: janus not installed (scripts/deps.sh)"; exit 77; }
/usr/bin/python3 -c 'import aiortc, aiohttp' 2> /dev/null ||
  { echo "SKIP: python3-aiortc / python3-aiohttp not installed (scripts/deps.sh)"; exit 77; }

work="$(mktemp -d /tmp/cb-janus.XXXXXX)"
janus_pid=""; shim=""; player=""; listener=""
cleanup() {
  local rc=$?
  set +e
  cb_stop_pid "$player"; cb_stop_pid "$listener"
  _cb_stop_bridges
  cb_stop_pid "$shim"; cb_stop_pid "$janus_pid"
  (exit "$rc")
  cb_cleanup_bridges    # takes the test's status from $?
}
cb_trap_exit cleanup
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

addr=10.78.0.1
cb_netns_address "$addr"

# ---- Janus: a private configuration, HTTP on loopback, VideoRoom only ----
jlib=""
for d in /usr/lib/*/janus /usr/lib/janus; do
  [[ -f "$d/plugins/libjanus_videoroom.so" ]] && { jlib="$d"; break; }
done
[[ -n "$jlib" ]] || cb_fail "janus is installed, but not its VideoRoom plugin"
others() { # DIR KEEP: the other .so files of DIR, comma-separated
  local f out=()
  for f in "$1"/*.so; do [[ -f "$f" && "${f##*/}" != "$2" ]] && out+=("${f##*/}"); done
  (IFS=,; echo "${out[*]}")
}
# No STUN, TURN or 1:1 NAT (all off unless set): host candidates on $addr
# only.  Janus's default half-trickle puts them all in its answer.
jcfg="$work/janus"
mkdir -p "$jcfg"
cat > "$jcfg/janus.jcfg" <<CFG
general: {
	configs_folder = "$jcfg"
	plugins_folder = "$jlib/plugins"
	transports_folder = "$jlib/transports"
	events_folder = "$jlib/events"
	loggers_folder = "$jlib/loggers"
	debug_level = 4
	debug_timestamps = true
	server_name = "callbridge-test"
	session_timeout = 60
	interface = "$addr"
}
certificates: {
}
media: {
}
nat: {
	nice_debug = false
	ignore_mdns = true
	ice_enforce_list = "$addr"
}
plugins: {
	disable = "$(others "$jlib/plugins" libjanus_videoroom.so)"
}
transports: {
	disable = "$(others "$jlib/transports" libjanus_http.so)"
}
loggers: {
	disable = "$(others "$jlib/loggers" none)"
}
events: {
	broadcast = false
	disable = "$(others "$jlib/events" none)"
}
CFG
cat > "$jcfg/janus.transport.http.jcfg" <<CFG
general: {
	json = "compact"
	base_path = "/janus"
	http = true
	ip = "127.0.0.1"
	port = 8088
	https = false
}
admin: {
	admin_http = false
	admin_https = false
}
CFG
cat > "$jcfg/janus.plugin.videoroom.jcfg" <<CFG
general: {
}
room-1234: {
	description = "callbridge test"
	publishers = 4
	audiocodec = "opus"
	audiolevel_ext = true
	record = false
}
CFG
janus_api=http://127.0.0.1:8088/janus
janus -F "$jcfg" -C "$jcfg/janus.jcfg" -o > "$work/janus.log" 2>&1 & janus_pid=$!
janus_up() { curl -sf --max-time 1 "$janus_api/info" > /dev/null; }
cb_wait_until 15 janus_up || { tail -n 40 "$work/janus.log"; cb_fail "Janus did not start"; }

token="$(cb_token_file "$work/token")"
/usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/janus_whip.py" --janus "$janus_api" \
  --port-file "$work/port" --token="$token" > "$work/shim.log" 2>&1 & shim=$!
port="$(cb_port_file "$work/port" "$shim" 20)" || { cat "$work/shim.log"; cb_fail "the WHIP shim did not start"; }

cb_session_start "$work/session"
cb_tone "$work/tone.wav" 440 48000 1 20 -12

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

# round TAG PROFILE [SRTP]: callbridge publishes into room 1234 (offering
# SRTP, or all four profiles), the aiortc subscriber decodes the tone, the
# session's profile is PROFILE ("GCM": any GCM one), then SIGTERM: the
# resource is DELETEd and the room is empty again.
round() {
  local tag="$1" want="$2" srtp="${3:-}" t_start rc=0 i left
  cat > "$work/$tag.ini" <<INI
[call]
name = web
transport = webrtc
local = $addr:0
bearer-token-file = $work/token
stats-file = $work/$tag-stats.json
ptime = 20
${srtp:+srtp = $srtp}

[stream program]
channels = 1
whip = http://127.0.0.1:$port/whip/1234?pin=none

[track music]
stream = program
channels = 1
INI
  t_start=$EPOCHREALTIME
  "$CB_BIN" --config "$work/$tag.ini" > "$work/$tag-web.log" 2>&1 & cb_bridge_pids+=($!)
  cb_wait_node callbridge.web.music 10 || { cat "$work/$tag-web.log"; cb_fail "$tag: no track node"; }
  cb_wait_until 20 keyed "$work/$tag-stats.json" || {
    tail -n 30 "$work/$tag-web.log"; tail -n 30 "$work/janus.log"; cat "$work/shim.log"
    cat "$work/$tag-stats.json" 2> /dev/null; cb_fail "$tag: the session with Janus did not connect"
  }
  cb_note "$tag: connected to Janus in $(since "$t_start") s (to DTLS connected, as the stats file, rewritten each second, shows it)"
  pw-cat --playback --target callbridge.web.music "$work/tone.wav" & player=$!

  # The subscriber asks Janus who publishes in room 1234 and records 5 s.
  /usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/janus_listen.py" --janus "$janus_api" \
    --room 1234 --display callbridge --ice-host "$addr" --out "$work/$tag-sub.wav" --seconds 5 \
    --wait 10 --stats-file "$work/$tag-sub.json" > "$work/$tag-sub.log" 2>&1 & listener=$!
  for ((i = 0; i < 600; i++)); do kill -0 "$listener" 2> /dev/null || break; sleep 0.1; done
  kill -0 "$listener" 2> /dev/null &&
    { cat "$work/$tag-sub.log"; cb_fail "$tag: the aiortc subscriber did not finish in 60 s"; }
  wait "$listener" || rc=$?
  listener=""
  [[ $rc == 0 ]] || { cat "$work/$tag-sub.log"; tail -n 30 "$work/janus.log"; cb_fail "$tag: the aiortc subscriber failed ($rc)"; }

  /usr/bin/python3 - "$work/$tag-stats.json" "$work/$tag-sub.json" "$want" <<'PY' ||
import json, sys
s = json.load(open(sys.argv[1]))["sessions"][0]
sub = json.load(open(sys.argv[2]))
want = sys.argv[3]
print("callbridge -> Janus:", s["kind"], s["http_state"], s["http_status"], s["ice_state"],
      s["dtls_role"], s["srtp_profile"], s["selected_pair"])
leg = sub["leg"]
print("Janus -> aiortc: feed", sub["feed"], leg.get("dtls_role"), leg.get("srtp_profile"),
      "frames", sub["frames"], "first frame after", sub["first_frame_s"], "s")
assert s["kind"] == "whip" and s["http_state"] == "active" and s["http_status"] == 201, s
# Janus answers setup:active: callbridge is the DTLS server and picks the
# profile from the ones Janus offers, GCM among them.
assert s["dtls_state"] == "connected" and s["dtls_role"] == "server", s
assert want in s["srtp_profile"] if want == "GCM" else s["srtp_profile"] == want, \
    "profile %s, wanted %s" % (s["srtp_profile"], want)
assert "pin=" not in s["url"], "the URL's query is shown"
assert sub["frames"] > 200, sub
PY
    { cat "$work/$tag-stats.json"; cb_fail "$tag: status"; }

  "${CB_ANALYZE[@]}" tones "$work/$tag-sub.wav" --start 1 --expect 440 ||
    cb_fail "$tag: the aiortc subscriber did not decode the 440 Hz tone through Janus"

  # SIGTERM: the WHIP resource is DELETEd, and with it the publisher leaves
  # Janus's room (the shim destroys the Janus session).
  cb_stop_pid "$player"; player=""
  _cb_stop_bridges
  [[ "$cb_stop_failed" == 0 ]] || cb_fail "$tag: pw-callbridge did not stop cleanly on SIGTERM"
  /usr/bin/python3 - "$port" <<'PY' || { cat "$work/shim.log"; cb_fail "$tag: the session was not DELETEd"; }
import json, sys, urllib.request
s = json.load(urllib.request.urlopen("http://127.0.0.1:%s/stats" % sys.argv[1], timeout=5))
print("shim:", {k: s[k] for k in ("posts", "created", "trickles", "deletes", "refused")})
r = list(s["resources"].values())[-1]
print("Janus events of the publisher:", [e.get("janus") for e in r["events"]])
assert s["deletes"] == s["created"] and s["refused"] == 0 and r["deleted"], s
assert any(e.get("janus") == "webrtcup" for e in r["events"]), r
PY
  left="$(/usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/janus_listen.py" --janus "$janus_api" --room 1234 --list)" ||
    cb_fail "$tag: cannot list room 1234"
  echo "room 1234 after SIGTERM: $left"
  [[ "$left" == "[]" ]] || cb_fail "$tag: the publisher is still in Janus's room after the DELETE"
  if grep -q "$token" "$work/$tag-web.log"; then cb_fail "$tag: the bearer token is in the log"; fi
}

# All four profiles offered: callbridge, the DTLS server, takes a GCM one.
round gcm GCM
# Only AEAD_AES_256_GCM offered ([call] srtp): Janus has it too.
round gcm256 AEAD_AES_256_GCM AEAD_AES_256_GCM
echo "PASS: webrtc-janus"
