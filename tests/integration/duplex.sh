#!/usr/bin/env bash
# A full-duplex call between two pw-callbridge processes on loopback, each
# with a track and a [remote]: alice's tone must arrive at bob's remote
# source node and bob's at alice's, recorded with pw-record and checked by
# frequency; the stats files must show receiver reports flowing back (RTT).
# Then bob restarts with the wrong remote-srtp-key: every packet is dropped
# and counted as an authentication failure, and no node appears.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
# Each bridge needs the other's port before it starts, and eve takes
# bob's after him: fixed ports, in a network namespace of the test's own
# where nothing else can take them.
cb_private_netns "$@"

work="$(mktemp -d /tmp/cb-duplex.XXXXXX)"
cb_trap_exit cb_cleanup_bridges

port_a=5004; port_b=5006
key_a="$(cb_random_key)"
key_b="$(cb_random_key)"
wrong="$(cb_random_key)"

cb_duplex_configs "$port_a" "$port_b" "$key_a" "$key_b" <<INI
sdp-file = $work/@NAME@.sdp
stats-file = $work/@NAME@.json
ptime = 20
remote-timeout = 3

[track mic]
channels = 1

[remote peer]
channels = 1
latency = 40
INI

cb_session_start "$work/session"
"$CB_BIN" --config "$work/alice.ini" > "$work/alice.log" 2>&1 & cb_bridge_pids+=($!)
"$CB_BIN" --config "$work/bob.ini" > "$work/bob.log" 2>&1 & cb_bridge_pids+=($!)
for n in callbridge.alice.mic callbridge.bob.mic callbridge.alice.remote.peer callbridge.bob.remote.peer; do
  cb_wait_node "$n" 10 || { cat "$work"/*.log; cb_fail "node $n did not appear"; }
done

cb_tone "$work/alice.wav" 500 48000 1 5 -12
cb_tone "$work/bob.wav" 1300 44100 2 5 -12
pw-record --target callbridge.bob.remote.peer "$work/at-bob.wav" & rec_b=$!
pw-record --target callbridge.alice.remote.peer "$work/at-alice.wav" & rec_a=$!
sleep 0.5
pw-cat --playback --target callbridge.alice.mic "$work/alice.wav" & play_a=$!
pw-cat --playback --target callbridge.bob.mic "$work/bob.wav" & play_b=$!
wait "$play_a" "$play_b"
sleep 6.5     # one more receiver report round (every ~5 s)
kill -INT "$rec_a" "$rec_b"; wait "$rec_a" "$rec_b" || true

cb_note "alice -> bob: 500 Hz, not 1300 Hz"
"${CB_ANALYZE[@]}" tones "$work/at-bob.wav" --expect 500 --absent 1300 || cb_fail "alice's tone at bob"
cb_note "bob -> alice: 1300 Hz, not 500 Hz"
"${CB_ANALYZE[@]}" tones "$work/at-alice.wav" --expect 1300 --absent 500 || cb_fail "bob's tone at alice"
for side in at-bob at-alice; do
  "${CB_ANALYZE[@]}" gaps "$work/$side.wav" --max-gap-ms 20 --threshold-db -50 || cb_fail "$side has a gap"
done

/usr/bin/python3 - "$work/alice.json" "$work/bob.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    d = json.load(open(path))
    r = [x for x in d["remotes"] if x["name"] == "peer"][0]
    s = d["streams"][0]
    assert r["packets"] > 200, "%s: remote got %d packets" % (path, r["packets"])
    assert r["auth_failures"] == 0 and d["receive"]["auth_failures"] == 0, path
    assert r["lost"] == 0, "%s: %d lost on loopback" % (path, r["lost"])
    assert s["peer_reports"] >= 1, "%s: no receiver report came back" % path
    assert 0 <= s["rtt_ms"] < 100, "%s: rtt %.1f ms" % (path, s["rtt_ms"])
    print("%s: remote %d packets, jitter %.2f ms, depth %d ms; stream rtt %.2f ms" % (
        d["call"], r["packets"], r["jitter_ms"], r["depth_ms"], s["rtt_ms"]))
PY

cb_note "an SSRC no [remote] claims gets its own node (accept-unknown)"
source "$CB_SOURCE_ROOT/tests/lib/gst.sh"
cb_gst_send_tone "$port_a" "$key_b" 700 2 0x0badcafe > "$work/gst.log" 2>&1 & gst=$!
cb_wait_node callbridge.alice.remote.0badcafe 5 || { cat "$work/gst.log"; cb_fail "no node for the unknown SSRC"; }
wait "$gst" || cb_fail "GStreamer sender failed"

cb_note "bob ends the call: alice's remote node goes on the RTCP BYE"
kill -INT "${cb_bridge_pids[1]}"; wait "${cb_bridge_pids[1]}" || cb_fail "bob did not stop cleanly"
cb_bridge_pids=("${cb_bridge_pids[0]}")
start=$(date +%s%N)
until cb_lacks_node callbridge.alice.remote.peer; do
  (( $(date +%s%N) - start < 2000000000 )) || cb_fail "alice's remote node still there 2 s after BYE"
  sleep 0.05
done
echo "remote node removed $(( ($(date +%s%N) - start) / 1000000 )) ms after the BYE"
cb_note "the unknown stream stopped without BYE: its node goes after remote-timeout (3 s)"
cb_wait_node_gone callbridge.alice.remote.0badcafe 6 || cb_fail "timed-out remote node still there"

cb_note "bob with the wrong remote-srtp-key"
sed -i "s|^remote-srtp-key = .*|remote-srtp-key = $wrong|; s|^name = bob|name = eve|" "$work/bob.ini"
sed -i "s|bob.json|eve.json|" "$work/bob.ini"
"$CB_BIN" --config "$work/bob.ini" > "$work/eve.log" 2>&1 & cb_bridge_pids+=($!)
cb_wait_node callbridge.eve.mic 10 || cb_fail "eve did not start"
sleep 3
cb_lacks_node 'callbridge.eve.remote*' || cb_fail "a remote node appeared with the wrong key"
kill -0 "${cb_bridge_pids[1]}" || cb_fail "eve crashed"
sleep 1.2
/usr/bin/python3 - "$work/eve.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rx = d["receive"]
assert rx["auth_failures"] > 100, "auth failures %d" % rx["auth_failures"]
assert rx["rtp"] == 0, "%d packets got through" % rx["rtp"]
# The stats file is written while packets arrive, one counter after the
# other: a datagram counted but not yet classified is the one in flight
# (seen once under ASan: 206 datagrams, 205 auth failures, nothing else).
assert 0 <= rx["datagrams"] - rx["auth_failures"] <= 1, "every datagram must be an auth failure: %r" % rx
assert all(r["packets"] == 0 for r in d["remotes"])
print("wrong key: %d datagrams, %d auth failures, no node" % (rx["datagrams"], rx["auth_failures"]))
PY
echo "PASS: duplex call and wrong key"
