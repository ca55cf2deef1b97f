# Helpers for the ICE integration tests (sourced after common.sh).
#
# Both sides of a call get fixed credentials and fresh SRTP keys; the
# controlling side lists where the controlled side listens.

CB_ICE_UFRAG_A=alic; CB_ICE_PWD_A="alicealicealicealice+/01"
CB_ICE_UFRAG_B=bobb; CB_ICE_PWD_B="bobbobbobbobbobbobbob+/01"
cb_ice_key_a="$(head -c 30 /dev/urandom | base64)"
cb_ice_key_b="$(head -c 30 /dev/urandom | base64)"

# cb_ice_config NAME ROLE LOCAL REMOTE_CANDIDATES [EXTRA [ice] LINES]
# NAME alice uses credentials A and key A, anything else B.
cb_ice_config() {
  local name="$1" role="$2" local_addr="$3" cands="$4" extra="${5:-}"
  local u p ru rp k rk
  if [[ "$name" == alice ]]; then
    u=$CB_ICE_UFRAG_A p=$CB_ICE_PWD_A ru=$CB_ICE_UFRAG_B rp=$CB_ICE_PWD_B
    k=$cb_ice_key_a rk=$cb_ice_key_b
  else
    u=$CB_ICE_UFRAG_B p=$CB_ICE_PWD_B ru=$CB_ICE_UFRAG_A rp=$CB_ICE_PWD_A
    k=$cb_ice_key_b rk=$cb_ice_key_a
  fi
  cat > "$work/$name.ini" <<INI
[call]
name = $name
transport = ice
local = $local_addr
srtp-key = $k
remote-srtp-key = $rk
sdp-file = $work/$name.sdp
stats-file = $work/$name.json
remote-timeout = 30

[ice]
role = $role
ufrag = $u
pwd = $p
remote-ufrag = $ru
remote-pwd = $rp
remote-candidates = $cands
$extra

[track mic]
channels = 1

[remote peer]
channels = 1
latency = 60
INI
}

# cb_ice_wait_connected NAME SECONDS: the stats file says connected.
cb_ice_wait_connected() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    python3 - "$work/$1.json" 2>/dev/null <<'PY' && return 0
import json, sys
sys.exit(0 if json.load(open(sys.argv[1]))["ice"]["connected"] else 1)
PY
    sleep 0.1
  done
  return 1
}

# cb_ice_pair NAME: prints the selected pair's type (host/srflx/prflx/relay).
cb_ice_pair() {
  python3 - "$work/$1.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["ice"]["selected_pair"]
print(p["type"] if p else "none")
PY
}

# cb_ice_tones SECONDS: alice plays 500 Hz, bob 1300 Hz; each must hear the
# other's tone and not its own.
cb_ice_tones() {
  local s="$1" rec_a rec_b play_a play_b
  cb_tone "$work/alice.wav" 500 48000 1 "$s" -12
  cb_tone "$work/bob.wav" 1300 48000 1 "$s" -12
  pw-record --target callbridge.bob.remote.peer "$work/at-bob.wav" & rec_b=$!
  pw-record --target callbridge.alice.remote.peer "$work/at-alice.wav" & rec_a=$!
  sleep 0.5
  pw-cat --playback --target callbridge.alice.mic "$work/alice.wav" & play_a=$!
  pw-cat --playback --target callbridge.bob.mic "$work/bob.wav" & play_b=$!
  wait "$play_a" "$play_b"
  sleep 1
  kill -INT "$rec_a" "$rec_b"; wait "$rec_a" "$rec_b" || true
  cb_note "alice -> bob: 500 Hz, not 1300 Hz"
  "${CB_ANALYZE[@]}" tones "$work/at-bob.wav" --expect 500 --absent 1300 || cb_fail "alice's tone at bob"
  cb_note "bob -> alice: 1300 Hz, not 500 Hz"
  "${CB_ANALYZE[@]}" tones "$work/at-alice.wav" --expect 1300 --absent 500 || cb_fail "bob's tone at alice"
}

# cb_ice_check_call PYTHON: reads both stats files, prints each side's
# selected pair, runs PYTHON (statements; pa and pb are the pairs, a and b
# the files), then asserts each side took in more than 200 packets from
# its peer.
cb_ice_check_call() {
  /usr/bin/python3 - "$work/alice.json" "$work/bob.json" "$1" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
pa, pb = a["ice"]["selected_pair"], b["ice"]["selected_pair"]
print("alice: %s (%s) <-> %s (%s): %s pair" % (pa["local"], pa["local_type"], pa["remote"], pa["remote_type"], pa["type"]))
print("bob:   %s (%s) <-> %s (%s): %s pair" % (pb["local"], pb["local_type"], pb["remote"], pb["remote_type"], pb["type"]))
exec(sys.argv[3])
for d in (a, b):
    r = [x for x in d["remotes"] if x["name"] == "peer"][0]
    assert r["packets"] > 200, "%s: %d packets" % (d["call"], r["packets"])
    print("%s: %d packets in, %d lost" % (d["call"], r["packets"], r["lost"]))
PY
}

# cb_ice_start NAME [PREFIX...]: starts a bridge (optionally under a command
# such as `ip netns exec NS`), logging to $work/NAME.log.
cb_ice_start() {
  local name="$1"; shift
  "$@" "$CB_BIN" --config "$work/$name.ini" > "$work/$name.log" 2>&1 & cb_bridge_pids+=($!)
}

cb_ice_nodes() {
  local n
  for n in callbridge.alice.mic callbridge.bob.mic callbridge.alice.remote.peer callbridge.bob.remote.peer; do
    cb_wait_node "$n" "${1:-15}" || { tail -n 40 "$work"/*.log; cb_fail "node $n did not appear"; }
  done
}

# cb_turn_start LISTEN_IP PORT LOG [PREFIX...]: coturn with one user
# (cbuser:cbpass), UDP only, no TLS, its state in $work.  Sets cb_turn_pid.
cb_turn_start() {
  local ip="$1" port="$2" log="$3"; shift 3
  "$@" turnserver -n --no-cli --no-tls --no-dtls --listening-ip "$ip" --relay-ip "$ip" \
    --listening-port "$port" --min-port 49152 --max-port 49999 \
    --lt-cred-mech --user cbuser:cbpass --realm callbridge --fingerprint \
    --allow-loopback-peers --db "$work/turndb.$port" --pidfile "$work/turn.$port.pid" \
    --log-file "$log" --simple-log --no-stdout-log > /dev/null 2>&1 &
  cb_turn_pid=$!
  local i
  for ((i = 0; i < 50; i++)); do
    grep -q "listener opened on\|Total UDP servers" "$log" 2>/dev/null && return 0
    sleep 0.1
  done
  return 0
}
