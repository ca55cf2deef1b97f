#!/usr/bin/env bash
# The peer process is killed and restarted, twice:
#   1. bob is SIGKILLed (no BYE): alice's remote node stays while silence is
#      shorter than remote-timeout (4 s), then goes;
#   2. bob starts again (a new SSRC): alice's remote node comes back and
#      carries bob's tone again (recorded, checked by frequency);
#   3. bob is SIGTERMed: his BYE removes alice's remote node at once, well
#      before the timeout;
#   4. bob comes back once more: the node comes back again.
# alice's stats file must count both of bob's SSRCs without auth failures.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
# Each bridge needs the other's port before it starts, and bob starts
# again on his: fixed ports, in a network namespace of the test's own
# where nothing else can take them.
cb_private_netns "$@"

work="$(mktemp -d /tmp/cb-peer-restart.XXXXXX)"
cb_trap_exit cb_cleanup_bridges

port_a=5004; port_b=5006
key_a="$(cb_random_key)"
key_b="$(cb_random_key)"
cb_duplex_configs "$port_a" "$port_b" "$key_a" "$key_b" <<INI
sdp-file = none
stats-file = $work/@NAME@.json
ptime = 20
remote-timeout = 4

[track mic]
channels = 1

[remote peer]
channels = 1
INI
node=callbridge.alice.remote.peer
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

start_bob() {
  "$CB_BIN" --config "$work/bob.ini" >> "$work/bob.log" 2>&1 & bob=$!
  cb_wait_node callbridge.bob.mic 10 || cb_fail "bob did not start"
  pw-cat --playback --target callbridge.bob.mic "$work/tone.wav" & player=$!
  cb_wait_node "$node" 10 || cb_fail "alice's remote node did not come back for bob"
}
check_tone() { # LABEL
  pw-record --target "$node" "$work/$1.wav" & rec=$!
  sleep 2.5
  kill -INT "$rec"; wait "$rec" || true
  "${CB_ANALYZE[@]}" tones "$work/$1.wav" --expect 750 || cb_fail "bob's tone at alice ($1)"
}

cb_tone "$work/tone.wav" 750 48000 1 60 -12
cb_session_start "$work/session"
"$CB_BIN" --config "$work/alice.ini" > "$work/alice.log" 2>&1 & cb_bridge_pids+=($!)
cb_wait_node callbridge.alice.mic 10 || cb_fail "alice did not start"
start_bob
check_tone first

cb_note "bob killed (SIGKILL, no BYE): the node stays while silence < remote-timeout, then goes"
kill -KILL "$bob"; wait "$bob" 2>/dev/null || true
t0=$(date +%s%N)
kill -TERM "$player" 2>/dev/null; wait "$player" 2>/dev/null || true
sleep 2
cb_has_node "$node" || cb_fail "node gone after 2 s of silence, before remote-timeout (4 s)"
until cb_lacks_node "$node"; do
  (( $(ms_since "$t0") < 9000 )) || cb_fail "node still there 9 s after bob died (remote-timeout 4 s)"
  sleep 0.1
done
echo "remote node removed $(ms_since "$t0") ms after bob was killed (remote-timeout 4000 ms)"

cb_note "bob restarted: the node comes back with his audio"
t0=$(date +%s%N)
start_bob
echo "remote node back $(ms_since "$t0") ms after bob was restarted"
check_tone second

cb_note "bob stopped (SIGTERM): his BYE removes the node at once"
kill -TERM "$bob"
wait "$bob" || cb_fail "bob did not exit cleanly"
t0=$(date +%s%N)
kill -TERM "$player" 2>/dev/null; wait "$player" 2>/dev/null || true
until cb_lacks_node "$node"; do
  (( $(ms_since "$t0") < 2500 )) || cb_fail "node still there 2.5 s after bob's BYE"
  sleep 0.05
done
echo "remote node removed $(ms_since "$t0") ms after bob's BYE"

cb_note "bob back once more"
start_bob
check_tone third
kill -TERM "$bob"; wait "$bob" || cb_fail "bob did not exit cleanly"
kill -TERM "$player" 2>/dev/null; wait "$player" 2>/dev/null || true
sleep 1.2
/usr/bin/python3 - "$work/alice.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rx = d["receive"]
print("alice receive counters:", rx)
assert rx["auth_failures"] == 0, "auth failures across bob's restarts"
assert rx["rtp"] > 300, "too few packets"
PY
echo "PASS: peer killed and restarted"
