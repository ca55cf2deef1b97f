#!/usr/bin/env bash
# Receive path against an independent sender on an impaired path:
#   GStreamer (opusenc inband-fec ! rtpopuspay ! srtpenc) sends a 440 Hz tone
#   through impair-relay (5% loss, 30 ms of jitter that reorders packets) to
#   the bridge; pw-record records the bridge's remote source node.
# Asserts: the tone is there, no gap longer than 20 ms while it plays, and
# the bridge's loss counter equals what the relay dropped (RFC 3550
# cumulative loss: late packets still count as received).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$CB_SOURCE_ROOT/tests/lib/gst.sh"

work="$(mktemp -d /tmp/cb-receive-gst.XXXXXX)"
cb_trap_exit cb_cleanup_bridges

key="$(cb_random_key)"
ssrc=0x1234abcd
seconds=8

cat > "$work/rx.ini" <<INI
[call]
name = rx
local = 127.0.0.1:0
remote = 127.0.0.1:9
srtp-key = $(head -c 30 /dev/urandom | base64)
remote-srtp-key = $key
sdp-file = none
stats-file = $work/rx.json
remote-timeout = 30
accept-unknown = false

[remote guest]
channels = 1
ssrc = $ssrc
latency = 40
INI

cb_session_start "$work/session"
"$CB_BIN" --config "$work/rx.ini" > "$work/rx.log" 2>&1 & cb_bridge_pids+=($!)
cb_wait_file "$work/rx.json" 5 || { cat "$work/rx.log"; cb_fail "bridge did not start"; }
# The bridge and the relay each bind port 0; the ports they got are handed
# on: the bridge's to the relay, the relay's to the sender.
bridge_port="$(cb_bridge_port "$work/rx.log" rx)" || cb_fail "the bridge did not report its port"

"$CB_BUILD_ROOT/tests/lib/impair-relay" --listen 127.0.0.1:0 --ready-file "$work/relay.port" \
  --forward "127.0.0.1:$bridge_port" --loss 0.05 --jitter-ms 30 --seed 11 \
  --duration $((seconds + 4)) --stats-file "$work/relay.stats" & relay=$!
relay_port="$(cb_port_file "$work/relay.port" "$relay")" || cb_fail "the relay did not start"

cb_gst_send_tone "$relay_port" "$key" 440 "$seconds" "$ssrc" > "$work/gst.log" 2>&1 & sender=$!
cb_wait_node callbridge.rx.remote.guest 5 || { cat "$work/rx.log" "$work/gst.log"; cb_fail "no remote node"; }
pw-record --target callbridge.rx.remote.guest "$work/guest.wav" & rec=$!
wait "$sender" || { cat "$work/gst.log"; cb_fail "GStreamer sender failed"; }
wait "$relay" || true
sleep 1.5     # the stats file is rewritten every second
kill -INT "$rec"; wait "$rec" || true

cb_note "tone through 5% loss and 30 ms jitter"
"${CB_ANALYZE[@]}" tones "$work/guest.wav" --expect 440 || cb_fail "tone missing"
# Judge gaps inside the tone only (the recording starts and ends in silence).
"${CB_ANALYZE[@]}" gaps "$work/guest.wav" --max-gap-ms 20 --threshold-db -50 \
  || cb_fail "gap longer than 20 ms"

/usr/bin/python3 - "$work/rx.json" "$work/relay.stats" "$ssrc" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
relay = dict(l.strip().split("=", 1) for l in open(sys.argv[2]) if "=" in l)
ssrc = "%08x" % int(sys.argv[3], 16)
dropped = int(relay.get("ssrc.%s.rtp_dropped" % ssrc, relay.get("rtp_dropped", "0")))
forwarded = int(relay.get("ssrc.%s.rtp_forwarded" % ssrc, relay.get("rtp_forwarded", "0")))
r = [x for x in d["remotes"] if x["name"] == "guest"][0]
print("relay: forwarded %d, dropped %d, reordered %s" % (forwarded, dropped, relay.get("reordered")))
print("bridge: packets %d, lost %d, late %d, concealed %d, fec %d, jitter %.1f ms, target %d ms" % (
    r["packets"], r["lost"], r["late"], r["concealed"], r["fec_recovered"], r["jitter_ms"], r["target_ms"]))
seqs = [int(x) for x in relay.get("ssrc.%s.rtp_dropped_seqs" % ssrc, "").replace(",", " ").split()]
assert len(seqs) == dropped, "relay listed %d dropped seqs for %d drops" % (len(seqs), dropped)
# No receiver can know of packets dropped before the first or after the last
# one it got: count the drops between the bridge's first and highest seq.
first, highest = r["first_seq"] & 0xffff, r["highest_seq"] & 0xffff
detectable = sum(1 for s in seqs if 0 < (s - first) % 65536 < (highest - first) % 65536)
print("relay drops between the bridge's first and highest seq (%d..%d): %d of %d" % (
    first, highest, detectable, dropped))
assert dropped > 5, "the relay dropped too little to prove anything"
assert r["packets"] == forwarded, "bridge counted %d packets, relay forwarded %d" % (r["packets"], forwarded)
assert r["lost"] == detectable, "bridge lost %d != relay dropped %d" % (r["lost"], detectable)
assert r["fec_recovered"] + r["concealed"] >= dropped - r["late"], "losses not covered by FEC/PLC"
assert r["fec_recovered"] > 0, "in-band FEC never used"
assert d["receive"]["auth_failures"] == 0
PY
echo "PASS: receive through an impaired path"
