# Three network namespaces for the ICE tests (sourced after ice.sh):
#
#   A (alice) 10.77.1.2 --veth-- 10.77.1.1 R 10.77.2.1 --veth-- 10.77.2.2 B (bob)
#
# R does not forward (ip_forward stays 0 in a new namespace) and A and B
# have only their own subnet: A and B cannot reach each other.  coturn in R
# listens on A's side (10.77.1.1) and relays from B's side (10.77.2.1), so
# the relay is the only way between them.  The bridges run in A and B and
# still reach the private PipeWire session, whose socket is a path in the
# file system, which network namespaces share.
#
# The fixed ports (bob 10.77.2.2:5000, coturn 10.77.1.1:3478 and its relay
# range) are not a race: they are bound inside namespaces this test made,
# named after its pid, where nothing else on the machine binds anything.

cb_ns_a="cbA-$$"; cb_ns_b="cbB-$$"; cb_ns_r="cbR-$$"

cb_netns_up() {
  ip netns add "$cb_ns_a"; ip netns add "$cb_ns_b"; ip netns add "$cb_ns_r"
  ip link add "cbva$$" netns "$cb_ns_a" type veth peer name "cbra$$" netns "$cb_ns_r"
  ip link add "cbvb$$" netns "$cb_ns_b" type veth peer name "cbrb$$" netns "$cb_ns_r"
  ip -n "$cb_ns_a" addr add 10.77.1.2/24 dev "cbva$$"
  ip -n "$cb_ns_r" addr add 10.77.1.1/24 dev "cbra$$"
  ip -n "$cb_ns_b" addr add 10.77.2.2/24 dev "cbvb$$"
  ip -n "$cb_ns_r" addr add 10.77.2.1/24 dev "cbrb$$"
  local ns
  for ns in "$cb_ns_a" "$cb_ns_b" "$cb_ns_r"; do ip -n "$ns" link set lo up; done
  ip -n "$cb_ns_a" link set "cbva$$" up; ip -n "$cb_ns_r" link set "cbra$$" up
  ip -n "$cb_ns_b" link set "cbvb$$" up; ip -n "$cb_ns_r" link set "cbrb$$" up
  ip netns exec "$cb_ns_r" sysctl -qw net.ipv4.ip_forward=0
}

cb_netns_down() {
  local ns
  for ns in "$cb_ns_a" "$cb_ns_b" "$cb_ns_r"; do ip netns del "$ns" 2>/dev/null || true; done
}

# No route from A to B or back, and both have one to R.
cb_netns_check() {
  ip -n "$cb_ns_a" route get 10.77.1.1 > /dev/null || cb_fail "A has no route to R"
  ip -n "$cb_ns_b" route get 10.77.2.1 > /dev/null || cb_fail "B has no route to R"
  ! ip -n "$cb_ns_a" route get 10.77.2.2 > /dev/null 2>&1 || cb_fail "A has a route to B"
  ! ip -n "$cb_ns_b" route get 10.77.1.2 > /dev/null 2>&1 || cb_fail "B has a route to A"
}

# coturn in R, listening towards A, relaying towards B.  Sets cb_turn_pid.
cb_netns_turn_start() {
  local log="$1" i
  ip netns exec "$cb_ns_r" turnserver -n --no-cli --no-tls --no-dtls \
    --listening-ip 10.77.1.1 --relay-ip 10.77.2.1 --listening-port 3478 \
    --min-port 49152 --max-port 49999 --lt-cred-mech --user cbuser:cbpass \
    --realm callbridge --fingerprint --db "$work/turndb" --pidfile "$work/turn.pid" \
    --log-file "$log" --simple-log --no-stdout-log > /dev/null 2>&1 &
  cb_turn_pid=$!
  for ((i = 0; i < 50; i++)); do
    grep -q "10.77.1.1:3478" <<<"$(ip netns exec "$cb_ns_r" ss -uln 2>/dev/null)" && return 0
    sleep 0.1
  done
  cb_fail "coturn did not start"
}

cb_netns_turn_stop() {
  [[ -z "${cb_turn_pid:-}" ]] && return 0
  kill -KILL "$cb_turn_pid" 2>/dev/null || true
  wait "$cb_turn_pid" 2>/dev/null || true
  cb_turn_pid=""
}

# The two call files: alice relays only, bob is reachable on his host address.
cb_netns_configs() {
  cb_ice_config alice controlling 10.77.1.2:0 "10.77.2.2:5000" "turn-server = 10.77.1.1:3478
turn-username = cbuser
turn-password = cbpass
policy = relay"
  cb_ice_config bob controlled 10.77.2.2:5000 ""
}

# The whole set-up both netns tests share: namespaces, coturn in the middle,
# the call files, a session, bob then alice each in their namespace, their
# nodes, and alice connected (through the relay: she has no other way).
cb_netns_call_up() {
  cb_netns_up
  cb_netns_check
  cb_netns_turn_start "$work/turn.log"
  cb_netns_configs
  cb_session_start "$work/session"
  cb_ice_start bob ip netns exec "$cb_ns_b"
  cb_ice_start alice ip netns exec "$cb_ns_a"
  cb_ice_nodes 20
  cb_ice_wait_connected alice 10 || cb_fail "alice not connected"
}

# The EXIT trap: bridges first (as cb_cleanup_bridges would, and a bridge
# that does not exit 0 fails the test), then coturn and the namespaces,
# then the session.
cb_netns_cleanup() {
  local rc=$?
  set +e
  _cb_stop_bridges
  [[ "$cb_stop_failed" == 0 ]] || rc=1
  cb_netns_turn_stop
  cb_netns_down
  (exit $rc); cb_cleanup_bridges
}
