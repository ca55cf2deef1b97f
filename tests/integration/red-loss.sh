#!/usr/bin/env bash
# RFC 2198 redundancy (RED) against loss where Opus FEC cannot help: two
# bridges, ptime 5 (CELT only, no in-band FEC), alice's stream through our
# UDP impair relay (5% random loss, the same seed every case) to bob's
# [remote]. The same call runs with [stream] redundancy 0 and 2.
# Asserts, for each: the 600 Hz tone arrives with no gap (> 20 ms); with redundancy
# 2: alice sends RED (red_frames), bob rebuilds most lost frames from it
# (red_recovered), nothing is malformed, and the frames concealed (PLC,
# including FEC slots that had no FEC in them) are fewer than half of those
# of the case without RED. Behaviour only; no timing is asserted.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

work="$(mktemp -d /tmp/cb-red-loss.XXXXXX)"
cb_trap_exit cb_cleanup_bridges
seconds=8

cb_session_start "$work/session"
cb_tone "$work/tone.wav" 600 48000 1 "$seconds" -12

# run_case N: one call with redundancy N; leaves $work/bob-N.json,
# $work/alice-N.json, $work/relay-N.stats and $work/at-bob-N.wav.
run_case() {
  local red="$1" key bob_port relay_port relay rec
  key="$(cb_random_key)"
  cb_call_section "$work/bob-$red.ini" "bob$red" 0 9 "$(cb_random_key)" "$key"
  cat >> "$work/bob-$red.ini" <<INI
ptime = 5
sdp-file = none
stats-file = $work/bob-$red.json
remote-timeout = 30

[remote peer]
channels = 1
INI
  "$CB_BIN" --config "$work/bob-$red.ini" > "$work/bob-$red.log" 2>&1 & cb_bridge_pids+=($!)
  bob_port="$(cb_bridge_port "$work/bob-$red.log" "bob$red")" || cb_fail "bob did not report its port"

  "$CB_BUILD_ROOT/tests/lib/impair-relay" --listen 127.0.0.1:0 --ready-file "$work/relay-$red.port" \
    --forward "127.0.0.1:$bob_port" --loss 0.05 --seed 15 \
    --stats-file "$work/relay-$red.stats" --quiet & relay=$!
  relay_port="$(cb_port_file "$work/relay-$red.port" "$relay")" || cb_fail "the relay did not start"

  cb_call_section "$work/alice-$red.ini" "alice$red" 0 "$relay_port" "$key" "$(cb_random_key)"
  cat >> "$work/alice-$red.ini" <<INI
ptime = 5
sdp-file = $work/alice-$red.sdp
stats-file = $work/alice-$red.json

[stream main]
channels = 1
redundancy = $red

[track mic]
channels = 1
stream = main
INI
  "$CB_BIN" --config "$work/alice-$red.ini" > "$work/alice-$red.log" 2>&1 & cb_bridge_pids+=($!)
  cb_wait_node "callbridge.alice$red.mic" 10 || { cat "$work"/*-"$red".log; cb_fail "alice's track did not appear"; }

  pw-cat --playback --target "callbridge.alice$red.mic" "$work/tone.wav" & play=$!
  cb_wait_node "callbridge.bob$red.remote.peer" 10 || { cat "$work"/*-"$red".log; cb_fail "bob's remote did not appear"; }
  pw-record --target "callbridge.bob$red.remote.peer" "$work/at-bob-$red.wav" & rec=$!
  wait "$play" || cb_fail "pw-cat failed"
  sleep 1.5     # the stats files are rewritten every second
  kill -INT "$rec"; wait "$rec" || true
  _cb_stop_bridges
  [[ "$cb_stop_failed" == 0 ]] || cb_fail "a bridge did not stop cleanly (redundancy $red)"
  cb_stop_pid "$relay"

  cb_note "redundancy $red: 600 Hz through 5% loss at ptime 5"
  "${CB_ANALYZE[@]}" tones "$work/at-bob-$red.wav" --expect 600 || cb_fail "tone missing (redundancy $red)"
}

run_case 0
run_case 2

grep -q '^a=rtpmap:63 red/48000/2' "$work/alice-2.sdp" || { cat "$work/alice-2.sdp"; cb_fail "the SDP file does not announce red"; }
grep -q '^a=fmtp:63 111/111' "$work/alice-2.sdp" || { cat "$work/alice-2.sdp"; cb_fail "no fmtp for red"; }
! grep -q 'red/48000' "$work/alice-0.sdp" || cb_fail "red announced with redundancy 0"

/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
res = {}
for red in (0, 2):
    bob = json.load(open("%s/bob-%d.json" % (work, red)))
    alice = json.load(open("%s/alice-%d.json" % (work, red)))
    relay = dict(l.strip().split("=", 1) for l in open("%s/relay-%d.stats" % (work, red)) if "=" in l)
    r = [x for x in bob["remotes"] if x["name"] == "peer"][0]
    s = alice["streams"][0]
    dropped = int(relay["rtp_dropped"])
    # concealed: PLC slots, and FEC slots whose packet had no FEC in it
    # (CELT only): Opus conceals those all the same.
    concealed = r["concealed"] + r["fec_empty"]
    res[red] = dict(dropped=dropped, concealed=concealed, packets=r["packets"], lost=r["lost"],
                    red_recovered=r["red_recovered"], fec=r["fec_recovered"],
                    red_frames=s.get("red_frames", 0), malformed=bob["receive"]["malformed"],
                    malformed_red=bob["receive"]["malformed_red"],
                    target_ms=r["target_ms"], depth_ms=r["depth_ms"],
                    underruns=r["underrun_frames"])
    print("redundancy %d: relay dropped %d of %s; bob: packets %d, lost %d, red_recovered %d, "
          "fec slots %d (empty %d), concealed %d (PLC+empty FEC %d), underrun frames %d, target %s ms; "
          "alice: red_frames %d" % (red, dropped, relay["rtp_received"], r["packets"], r["lost"],
          r["red_recovered"], r["fec_recovered"], r["fec_empty"], r["concealed"], concealed,
          r["underrun_frames"], r["target_ms"], res[red]["red_frames"]))
a, b = res[0], res[2]
assert a["dropped"] > 20 and b["dropped"] > 20, "the relay dropped too little to prove anything"
assert a["red_recovered"] == 0 and a["red_frames"] == 0, "RED with redundancy 0"
assert a["concealed"] >= a["dropped"] // 2, "without RED, losses must be concealed: %r" % a
assert b["red_frames"] > 2 * b["packets"] * 0.9, "alice did not carry 2 frames per packet: %r" % b
assert b["red_recovered"] >= b["dropped"] // 2, "RED rebuilt too little: %r" % b
assert b["malformed"] == 0 and b["malformed_red"] == 0, "RED from alice counted malformed: %r" % b
assert b["concealed"] * 2 < a["concealed"], \
    "concealed with RED (%d) not below half of without (%d)" % (b["concealed"], a["concealed"])
PY
# After the counters, so that a failure shows them: a gap is the remote
# running dry (underrun_frames), not concealment, which keeps the tone.
for red in 0 2; do
  cb_note "redundancy $red: no gap in the tone"
  "${CB_ANALYZE[@]}" gaps "$work/at-bob-$red.wav" --max-gap-ms 20 --threshold-db -50 \
    || cb_fail "gap in the tone (redundancy $red)"
done
echo "PASS: RED rebuilds lost frames at ptime 5"
