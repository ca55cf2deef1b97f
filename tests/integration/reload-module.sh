#!/usr/bin/env bash
# The module reloads when its config file is rewritten (it gets no SIGHUP;
# it watches the file). Inside a real private PipeWire: a file renamed into
# place adds a track and removes one (nodes appear and go) while the stream
# of an untouched track keeps its SSRC with contiguous sequence numbers on
# the wire; a file written in place with an error is rejected (FILE:LINE in
# the daemon's log) and the call runs on with the same nodes and packets.
# Inside the daemon the bridge links its capture (a null sink's monitor)
# and answers `pw-callbridge reload`.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

work="$(mktemp -d /tmp/cb-reload-module.XXXXXX)"
cb_trap_exit cb_cleanup_bridges

if grep -qE 'lib(a|ub|t)san' <<<"$(ldd "$CB_BUILD_ROOT/modules/libpipewire-module-callbridge.so")"; then
  echo "SKIP: module built with sanitizers cannot load into the system PipeWire"
  exit 77
fi

# The wire listener binds port 0 and says which port it got; the call sends there.
python3 "$CB_SOURCE_ROOT/tests/lib/rtp_listen.py" --port 0 --port-file "$work/listen.port" \
  --seconds 60 --out "$work/wire.json" &
listener=$!
listen="$(cb_port_file "$work/listen.port" "$listener")" || cb_fail "the RTP listener did not start"
write_config() { # TRACK...
  cat <<INI
[call]
name = rm
local = 127.0.0.1:0
remote = 127.0.0.1:$listen
srtp = none
bundle = true
sdp-file = none
ptime = 20

[stream main]
channels = 1

[track keep]
channels = 1
stream = main
capture = rm-speakers
INI
  local t
  for t in "$@"; do printf '\n[track %s]\nchannels = 1\n' "$t"; done
}
mkdir -p "$work/etc" "$work/conf.d"
write_config first > "$work/etc/call.ini"
cat > "$work/conf.d/callbridge.conf" <<CONF
context.objects = [
  { factory = adapter
    args = { factory.name = support.null-audio-sink node.name = rm-speakers
             media.class = Audio/Sink audio.position = [ FL FR ] } }
]
context.modules = [
  { name = libpipewire-module-callbridge
    args = { config = $work/etc/call.ini } }
]
CONF
export CB_SESSION_PIPEWIRE_CONF_D="$work/conf.d"
export CB_SESSION_MODULE_DIR="$CB_BUILD_ROOT/modules"

cb_session_start "$work/session"
for n in callbridge.rm.keep callbridge.rm.first; do
  cb_wait_node "$n" 10 || { tail -n 30 "$CB_SESSION_LOGS/pipewire.log"; cb_fail "node $n did not appear"; }
done
cb_note "inside the daemon too, the bridge links capture (a sink's monitor)"
capture_linked() {
  [[ "$("$CB_BIN" status --json rm 2>/dev/null | /usr/bin/python3 -c \
    'import json,sys; print(json.load(sys.stdin)["rm"]["tracks"]["keep"]["capture"])' 2>/dev/null)" \
    == linked:rm-speakers ]]
}
cb_wait_until 10 capture_linked || { tail -n 30 "$CB_SESSION_LOGS/pipewire.log"; cb_fail "capture not linked"; }
links="$(pw-link -l)"
grep -qF "|<- rm-speakers:monitor_FL" <<<"$links" || { echo "$links"; cb_fail "no link from the sink's monitor"; }
cb_note "pw-callbridge reload reaches the module in the daemon"
out="$("$CB_BIN" reload rm)" || cb_fail "pw-callbridge reload failed"
[[ "$out" == "rm: reloaded (0 added, 0 removed, 0 changed in place, 0 recreated)" ]] ||
  cb_fail "reload said: $out"
sleep 2

cb_note "a new file renamed into place: +track second, -track first"
write_config second > "$work/etc/call.ini.new"
mv "$work/etc/call.ini.new" "$work/etc/call.ini"
cb_wait_node callbridge.rm.second 5 || { tail -n 30 "$CB_SESSION_LOGS/pipewire.log"; cb_fail "added track did not appear"; }
cb_wait_node_gone callbridge.rm.first 5 || cb_fail "removed track still there"
sleep 2

cb_note "the file rewritten in place with an error"
nodes_before="$(cb_node_names | grep '^callbridge\.rm' | sort)"
{ write_config second; echo "gain = loud"; } > "$work/etc/call.ini"
bad_line="$(grep -n '^gain = loud' "$work/etc/call.ini" | cut -d: -f1)"
cb_wait_until 3 grep -q "reload rejected" "$CB_SESSION_LOGS/pipewire.log" || true
grep -q "call.ini:$bad_line: .*gain" "$CB_SESSION_LOGS/pipewire.log" ||
  { tail -n 30 "$CB_SESSION_LOGS/pipewire.log"; cb_fail "no call.ini:$bad_line error in the log"; }
grep -q "reload rejected" "$CB_SESSION_LOGS/pipewire.log" || cb_fail "no 'reload rejected' line"
sleep 2
nodes_after="$(cb_node_names | grep '^callbridge\.rm' | sort)"
[[ "$nodes_before" == "$nodes_after" ]] || cb_fail "nodes changed on a rejected reload"
kill -TERM "$listener"; wait "$listener" || true

/usr/bin/python3 - "$work/wire.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = sorted(d["rtp"].items(), key=lambda kv: len(kv[1]))
ssrc, p = s[-1]
for a, b in zip(p, p[1:]):
    assert (b["seq"] - a["seq"]) % 65536 == 1, "sequence gap %d -> %d" % (a["seq"], b["seq"])
span = p[-1]["t"] - p[0]["t"]
assert span > 5, "main ran only %.1f s" % span
assert len(s) == 3, "want main, first and second on the wire, got %d" % len(s)
print("wire: main ssrc %s, %d packets contiguous over %.1f s across both reloads" % (ssrc, len(p), span))
PY
echo "PASS: module reload"
