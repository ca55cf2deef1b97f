#!/usr/bin/env bash
# transport = ice through a real TURN server (coturn, started here on
# loopback).  First alice alone with a STUN server that never answers: her
# nodes appear before gathering ends (a slow server does not hold up the
# call, nor PipeWire's main loop in the module).  Then a wrong TURN password: a clear log line
# and retries with a growing pause, not a busy loop.  Then the call: alice
# has policy = relay, so her only candidate is the relayed one and the
# selected pair must be a relay pair on her side; bob sees her relayed
# address, and her SDP file, first written without candidates, is
# rewritten with the relayed one once gathering ends.  Tones go both ways.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
# coturn listens on a port fixed on its command line (given port 0, each of
# its listener threads binds a port of its own and none is reported), and
# alice's file names bob's port before he starts: fixed ports, in a network
# namespace of the test's own where nothing else can take them.
cb_private_netns "$@"
source "$CB_SOURCE_ROOT/tests/lib/ice.sh"

work="$(mktemp -d /tmp/cb-ice-turn.XXXXXX)"
cb_turn_pid=""
hole_pid=""
cleanup() {
  local rc=$?
  [[ -z "$hole_pid" ]] || kill "$hole_pid" 2>/dev/null
  [[ -z "$cb_turn_pid" ]] || { kill "$cb_turn_pid" 2>/dev/null; wait "$cb_turn_pid" 2>/dev/null || true; }
  (exit $rc); cb_cleanup_bridges
}
cb_trap_exit cleanup

turn_port=3478
port_b=5000
cb_turn_start 127.0.0.1 "$turn_port" "$work/turn.log"
kill -0 "$cb_turn_pid" || { cat "$work/turn.log"; cb_fail "coturn did not start"; }

turn="turn-server = 127.0.0.1:$turn_port
turn-username = cbuser
policy = relay"
cb_session_start "$work/session"

cb_note "a STUN server that never answers: the nodes come before gathering ends"
hole_port=3490
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    s.recv(2048)
' "$hole_port" & hole_pid=$!
cb_ice_config alice controlling 127.0.0.1:0 "127.0.0.1:$port_b" "stun-server = 127.0.0.1:$hole_port"
cb_ice_start alice
cb_wait_node callbridge.alice.mic 10 || { cat "$work/alice.log"; cb_fail "alice did not start"; }
# Candidates are logged when gathering ends, which the unanswered STUN
# requests hold up for seconds (libnice retries them 3 times).
! grep -q "ICE: local candidate" "$work/alice.log" ||
  { cat "$work/alice.log"; cb_fail "the node came only after gathering ended: start waited for STUN"; }
t0=$(date +%s%N)
cb_wait_until 15 grep -q "ICE: local candidate 127.0.0.1:[0-9]* (host)" "$work/alice.log" ||
  { cat "$work/alice.log"; cb_fail "gathering did not end without the STUN server"; }
echo "node first; gathering ended $(( ($(date +%s%N) - t0) / 1000000 )) ms after it"
kill -INT "${cb_bridge_pids[0]}"; wait "${cb_bridge_pids[0]}" || cb_fail "alice did not stop cleanly"
cb_bridge_pids=()

cb_note "wrong TURN password: logged, retried with backoff"
cb_ice_config alice controlling 127.0.0.1:0 "127.0.0.1:$port_b" "$turn
turn-password = wrong-password"
cb_ice_start alice
sleep 9
kill -INT "${cb_bridge_pids[0]}"; wait "${cb_bridge_pids[0]}" || cb_fail "alice did not stop cleanly"
cb_bridge_pids=()
grep -m3 "TURN server" "$work/alice.log"
n=$(grep -c "TURN server 127.0.0.1:$turn_port gave no relay candidate" "$work/alice.log" || true)
echo "TURN failures logged in 9 s: $n"
(( n >= 2 )) || cb_fail "expected the TURN failure to be logged and retried (got $n)"
(( n <= 6 )) || cb_fail "TURN retried $n times in 9 s: no backoff"
grep -q "restarting in 2000 ms\|restarting in 4000 ms" "$work/alice.log" || cb_fail "no growing pause"
! grep -q "wrong-password" "$work/alice.log" || cb_fail "the TURN password was logged"

cb_note "the call through the relay"
cb_ice_config alice controlling 127.0.0.1:0 "127.0.0.1:$port_b" "$turn
turn-password = cbpass"
cb_ice_config bob controlled "127.0.0.1:$port_b" ""
cb_ice_start bob
cb_ice_start alice
cb_ice_nodes 20
cb_ice_wait_connected alice 10 || cb_fail "alice not connected"

cb_ice_tones 5
sleep 1.2
cb_ice_check_call '
assert pa["local_type"] == "relay" and pa["type"] == "relay", pa
# What bob sees of alice is her relayed address, in the relay port range.
assert 49152 <= int(pb["remote"].rsplit(":", 1)[1]) <= 49999, pb
assert pb["remote"] == pa["local"], (pa, pb)
'
grep -q "selected pair .*(relay)" "$work/alice.log" || cb_fail "relay pair not logged"
cb_note "alice's SDP: rewritten with the relayed candidate when gathering ended"
grep "ICE gathering done" "$work/alice.log" || cb_fail "gathering's end not logged"
relay="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ice"]["selected_pair"]["local"])' "$work/alice.json")"
grep "^a=candidate:.* typ relay" "$work/alice.sdp" || cb_fail "no relayed candidate in alice's SDP"
grep -q "^a=candidate:.* ${relay%:*} ${relay##*:} typ relay" "$work/alice.sdp" ||
  cb_fail "alice's SDP does not name her relayed address $relay"
grep -q "^o=.* [2-9] IN IP4\|^o=.* [0-9][0-9]\+ IN IP4" "$work/alice.sdp" ||
  { grep "^o=" "$work/alice.sdp"; cb_fail "the rewritten SDP kept its first version"; }
echo "PASS: ICE through TURN"
