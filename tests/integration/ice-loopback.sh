#!/usr/bin/env bash
# transport = ice between two pw-callbridge processes on loopback: bob is
# controlled and lists no candidates, alice knows bob's port.  --print-ice
# shows what bob's side would hand over; the SDP file describes the ICE
# transport; tones go both ways; the stats files name the selected pair.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
# --print-ice and alice's file name bob's port before he binds it: a fixed
# port, in a network namespace of the test's own where nothing else can
# take it.
cb_private_netns "$@"
source "$CB_SOURCE_ROOT/tests/lib/ice.sh"

work="$(mktemp -d /tmp/cb-ice-loopback.XXXXXX)"
cb_trap_exit cb_cleanup_bridges

port_b=5000
cb_ice_config alice controlling 127.0.0.1:0 "127.0.0.1:$port_b"
cb_ice_config bob controlled "127.0.0.1:$port_b" ""

cb_note "--print-ice on bob's file"
"$CB_BIN" --config "$work/bob.ini" --print-ice > "$work/print.txt" || cb_fail "--print-ice failed"
cat "$work/print.txt"
grep -qx "remote-ufrag = $CB_ICE_UFRAG_B" "$work/print.txt" || cb_fail "no ufrag in --print-ice"
grep -qx "remote-candidates = 127.0.0.1:$port_b" "$work/print.txt" || cb_fail "no candidate in --print-ice"
grep -qx "role = controlling" "$work/print.txt" || cb_fail "no role in --print-ice"

cb_session_start "$work/session"
cb_ice_start bob
cb_ice_start alice
cb_ice_nodes 20
cb_ice_wait_connected alice 10 || cb_fail "alice not connected"
cb_ice_wait_connected bob 10 || cb_fail "bob not connected"

cb_note "the SDP file describes the ICE transport"
grep -q "^a=ice-ufrag:$CB_ICE_UFRAG_B" "$work/bob.sdp" || cb_fail "no a=ice-ufrag"
grep -q "^a=candidate:.* 127.0.0.1 $port_b typ host" "$work/bob.sdp" || cb_fail "no host candidate in SDP"
grep -q "^a=group:BUNDLE mic" "$work/bob.sdp" || cb_fail "no BUNDLE group"
grep -q "^m=audio $port_b RTP/SAVP" "$work/bob.sdp" || cb_fail "m= line does not name the candidate port"
grep -q "ufrag $CB_ICE_UFRAG_B, candidates: 127.0.0.1:$port_b" "$work/bob.log" || cb_fail "no ICE start line in the log"
! grep -q "$CB_ICE_PWD_B\|$CB_ICE_PWD_A" "$work/alice.log" "$work/bob.log" || cb_fail "a pwd was logged"

cb_ice_tones 5
sleep 1.2
/usr/bin/python3 - "$work/alice.json" "$work/bob.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    d = json.load(open(path))
    ice = d["ice"]
    r = [x for x in d["remotes"] if x["name"] == "peer"][0]
    assert ice["connected"], path
    assert ice["selected_pair"]["local_type"] == "host", ice
    assert ice["restarts"] == 0, ice
    assert r["packets"] > 200, "%s: remote got %d packets" % (path, r["packets"])
    assert d["receive"]["auth_failures"] == 0, path
    print("%s: pair %s <-> %s (%s), %d packets in, %d lost" % (d["call"],
        ice["selected_pair"]["local"], ice["selected_pair"]["remote"],
        ice["selected_pair"]["type"], r["packets"], r["lost"]))
PY
grep -q "ICE: selected pair" "$work/alice.log" || cb_fail "selected pair not logged"
echo "PASS: ICE on loopback"

cb_note "status shows the ICE state and the selected pair"
cb_wait_status alice || cb_fail "status never showed call alice"
"$CB_BIN" status --json alice > "$work/status.json" || cb_fail "status --json alice failed"
/usr/bin/python3 - "$work/status.json" <<'PY' || cb_fail "status does not show the ICE transport"
import json, sys
text = open(sys.argv[1]).read()
t = json.loads(text)
# The tool prints {"calls": [...]} or the call itself; find the transport.
def find(o):
    if isinstance(o, dict):
        if "selected_pair" in o and "state" in o:
            return o
        for v in o.values():
            r = find(v)
            if r: return r
    if isinstance(o, list):
        for v in o:
            r = find(v)
            if r: return r
tr = find(t)
assert tr, text
assert tr["state"].startswith("ice "), tr
assert tr["selected_pair"] and "host" in tr["selected_pair"], tr
print("status transport:", tr["state"], "|", tr["selected_pair"])
PY

cb_note "a reload that changes [ice] is rejected and the call goes on"
alice_pid="${cb_bridge_pids[1]}"
sed -i "s/^ufrag = .*/ufrag = changedufrag/" "$work/alice.ini"
bob_packets() { /usr/bin/python3 -c 'import json,sys; print([r for r in json.load(open(sys.argv[1]))["remotes"] if r["name"] == "peer"][0]["packets"])' "$work/bob.json"; }
before="$(bob_packets)"
kill -HUP "$alice_pid"
cb_wait_until 5 grep -q "reload rejected: \[ice\]" "$work/alice.log" || { tail -n 20 "$work/alice.log"; cb_fail "[ice] change not rejected"; }
sleep 2
cb_ice_wait_connected alice 2 || cb_fail "alice lost ICE after a rejected reload"
after="$(bob_packets)"
(( after > before + 50 )) || cb_fail "bob got $before then $after packets from alice: the call stopped after the rejected reload"
echo "after the rejected reload bob went on receiving: $before -> $after packets"
