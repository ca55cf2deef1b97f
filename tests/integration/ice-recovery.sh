#!/usr/bin/env bash
# Recovery: the namespaces of ice-netns, a call through coturn with tones
# playing both ways, then the relay is killed and restarted mid-call.  Both
# bridges notice the silent pair, restart ICE with the file's credentials
# and the call resumes through the new relay allocation: without restarting
# the bridges, with the same PipeWire nodes, the same SSRCs and sequence
# numbers that carry on.  Prints the recovery time; the issue asks for less
# than 10 s from the relay's return.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$CB_SOURCE_ROOT/tests/lib/ice.sh"
source "$CB_SOURCE_ROOT/tests/lib/ice-netns.sh"

work="$(mktemp -d /tmp/cb-ice-recovery.XXXXXX)"
cb_turn_pid=""
players=()
stop_players() { local p; for p in "${players[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; players=(); }
cleanup() { local rc=$?; stop_players; (exit "$rc"); cb_netns_cleanup; }
cb_trap_exit cleanup

cb_netns_call_up
bridge_pids="${cb_bridge_pids[*]}"

node_ids() {
  pw-dump 2>/dev/null | python3 -c '
import json, sys
print(" ".join(sorted("%s=%d" % (o["info"]["props"]["node.name"], o["id"]) for o in json.load(sys.stdin)
    if o.get("type") == "PipeWire:Interface:Node" and
       o["info"]["props"].get("node.name", "").startswith("callbridge."))))'
}
# name ssrc first_seq highest_seq of the peer remote, and the ICE counters
snapshot() {
  python3 - "$work/$1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = [x for x in d["remotes"] if x["name"] == "peer"][0]
print(r["ssrc"], r["first_seq"], r["highest_seq"], d["ice"]["rx_packets"], d["ice"]["restarts"],
      1 if d["ice"]["connected"] else 0)
PY
}

cb_tone "$work/alice-long.wav" 500 48000 1 60 -12
cb_tone "$work/bob-long.wav" 1300 48000 1 60 -12
pw-cat --playback --target callbridge.alice.mic "$work/alice-long.wav" & players+=($!)
pw-cat --playback --target callbridge.bob.mic "$work/bob-long.wav" & players+=($!)
sleep 4
nodes_before="$(node_ids)"
read -r a_ssrc a_first a_seq _ _ _ <<<"$(snapshot alice)"
read -r b_ssrc b_first b_seq _ _ _ <<<"$(snapshot bob)"
echo "before: nodes $nodes_before"
echo "before: alice hears ssrc $a_ssrc up to seq $a_seq, bob hears ssrc $b_ssrc up to seq $b_seq"

cb_note "kill the relay, restart it 1 s later"
t_kill=$(date +%s%N)
cb_netns_turn_stop
sleep 1
cb_netns_turn_start "$work/turn2.log"
t_back=$(date +%s%N)
read -r _ _ _ a_rx0 _ _ <<<"$(snapshot alice)"
read -r _ _ _ b_rx0 _ _ <<<"$(snapshot bob)"

# Resumed: both connected and both receiving again (stats every second).
resumed=""
for ((i = 0; i < 300; i++)); do
  read -r _ _ _ a_rx a_restarts a_conn <<<"$(snapshot alice)"
  read -r _ _ _ b_rx b_restarts b_conn <<<"$(snapshot bob)"
  if (( a_restarts >= 1 && b_restarts >= 1 && a_conn && b_conn && a_rx > a_rx0 + 25 && b_rx > b_rx0 + 25 )); then
    resumed=$(date +%s%N); break
  fi
  sleep 0.1
done
[[ -n "$resumed" ]] || { tail -n 30 "$work"/alice.log "$work"/bob.log; cb_fail "the call did not resume within 30 s"; }
since_back=$(( (resumed - t_back) / 1000000 ))
since_kill=$(( (resumed - t_kill) / 1000000 ))
echo "recovery: ${since_back} ms after the relay came back (${since_kill} ms after it was killed; stats are written every second)"
grep -h "ICE: restart\|no packets on the selected pair\|selected pair" "$work/alice.log" "$work/bob.log" | tail -n 8
(( since_back < 10000 )) || cb_fail "recovery took ${since_back} ms (more than 10 s)"

cb_note "audio flows again both ways, through the same nodes"
pw-record --target callbridge.bob.remote.peer "$work/at-bob.wav" & rec_b=$!
pw-record --target callbridge.alice.remote.peer "$work/at-alice.wav" & rec_a=$!
sleep 4
kill -INT "$rec_a" "$rec_b"; wait "$rec_a" "$rec_b" || true
"${CB_ANALYZE[@]}" tones "$work/at-bob.wav" --expect 500 --absent 1300 || cb_fail "alice's tone at bob after recovery"
"${CB_ANALYZE[@]}" tones "$work/at-alice.wav" --expect 1300 --absent 500 || cb_fail "bob's tone at alice after recovery"
stop_players
sleep 1.2

nodes_after="$(node_ids)"
[[ "$nodes_after" == "$nodes_before" ]] || cb_fail "nodes changed: $nodes_before -> $nodes_after"
[[ "${cb_bridge_pids[*]}" == "$bridge_pids" ]] && kill -0 ${cb_bridge_pids[*]} || cb_fail "a bridge restarted"
read -r a_ssrc2 a_first2 a_seq2 _ a_restarts _ <<<"$(snapshot alice)"
read -r b_ssrc2 b_first2 b_seq2 _ b_restarts _ <<<"$(snapshot bob)"
echo "after: alice hears ssrc $a_ssrc2 up to seq $a_seq2, bob hears ssrc $b_ssrc2 up to seq $b_seq2; ICE restarts: alice $a_restarts, bob $b_restarts"
[[ "$a_ssrc2" == "$a_ssrc" && "$b_ssrc2" == "$b_ssrc" ]] || cb_fail "an SSRC changed"
[[ "$a_first2" == "$a_first" && "$b_first2" == "$b_first" ]] || cb_fail "a stream started over"
(( a_seq2 > a_seq + 100 && b_seq2 > b_seq + 100 )) || cb_fail "sequence numbers did not carry on"
echo "PASS: ICE recovery after the relay restarted, in ${since_back} ms"
