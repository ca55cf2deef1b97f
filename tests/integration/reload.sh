#!/usr/bin/env bash
# Reload without dropping the call (SIGHUP), with a real PipeWire session:
#   mid-call the file gains a track (and its stream), loses one (its stream
#   sends a BYE), and a track's gain drops by 12 dB. Checked independently:
#   the nodes appear and go (pw-cli), the untouched stream keeps its SSRC
#   with contiguous sequence numbers and timestamps on the wire (a plain
#   UDP listener), and the gain change shows in the level decoded by a
#   second bridge's remote node. Then a file with an error and one changing
#   [call] local are both rejected: FILE:LINE / the key in the log, the call
#   running on with the same nodes and the same packets. Last, the receiving
#   bridge renames its [remote]: the old remote node goes and the new one
#   takes over the incoming SSRC.  Then track voice, played into, starts to
#   feed stream fx as well: its node keeps its id and fx carries its tone.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

work="$(mktemp -d /tmp/cb-reload.XXXXXX)"
cb_trap_exit cb_cleanup_bridges

# Every listener binds port 0 and the port it got is handed on: the wire
# listener's to rl's [call] remote, rb's (the receiving bridge) to stream fx.
cb_session_start "$work/session"
python3 "$CB_SOURCE_ROOT/tests/lib/rtp_listen.py" --port 0 --port-file "$work/listen.port" \
  --seconds 60 --out "$work/wire.json" &
listener=$!
listen="$(cb_port_file "$work/listen.port" "$listener")" || cb_fail "the RTP listener did not start"
cat > "$work/rb.ini" <<INI
[call]
name = rb
local = 127.0.0.1:0
remote = 127.0.0.1:9
srtp = none
sdp-file = none
ptime = 20

[track unused]
channels = 1

[remote peer]
channels = 1
INI
"$CB_BIN" --config "$work/rb.ini" > "$work/rb.log" 2>&1 & cb_bridge_pids+=($!)
port_b="$(cb_bridge_port "$work/rb.log" rb)" || cb_fail "rb did not report its port"

call_section() { # LOCAL_PORT
  cat <<INI
[call]
name = rl
local = 127.0.0.1:$1
remote = 127.0.0.1:$listen
srtp = none
bundle = true
sdp-file = $work/rl.sdp
stats-file = $work/rl.json
ptime = 20

[stream main]
channels = 1

INI
}
{ call_section 0; cat <<INI
[stream fx]
channels = 1
remote = 127.0.0.1:$port_b

[track voice]
channels = 1
stream = main

[track music]
channels = 1
stream = fx

[track old]
channels = 1
INI
} > "$work/v1.ini"
{ call_section 0; cat <<INI
[stream fx]
channels = 1
bitrate = 48000
remote = 127.0.0.1:$port_b

[track voice]
channels = 1
stream = main

[track music]
channels = 1
stream = fx
gain = -12

[track new]
channels = 1
INI
} > "$work/v2.ini"
# v3: v2 with an error on a known line.
sed 's/^bitrate = 48000$/bitrate = lots/' "$work/v2.ini" > "$work/v3.ini"
bad_line="$(grep -n '^bitrate = lots' "$work/v3.ini" | cut -d: -f1)"
cp "$work/v1.ini" "$work/rl.ini"
for f in v1 v2 rb; do "$CB_BIN" --config "$work/$f.ini" --check >/dev/null || cb_fail "$f.ini invalid"; done

"$CB_BIN" --config "$work/rl.ini" > "$work/rl.log" 2>&1 & cb_bridge_pids+=($!)
rl_pid="${cb_bridge_pids[1]}"
# v4: v2 on another local port than the one rl runs on, which cannot change
# live (never bound: the reload is rejected).
port_a="$(cb_bridge_port "$work/rl.log" rl)" || cb_fail "rl did not report its port"
{ call_section "$((port_a == 65535 ? port_a - 1 : port_a + 1))"
  tail -n +"$(($(call_section 0 | wc -l) + 1))" "$work/v2.ini"; } > "$work/v4.ini"
"$CB_BIN" --config "$work/v4.ini" --check >/dev/null || cb_fail "v4.ini invalid"
for n in callbridge.rl.voice callbridge.rl.music callbridge.rl.old callbridge.rb.remote.peer; do
  cb_wait_node "$n" 10 || { cat "$work"/*.log; cb_fail "node $n did not appear"; }
done

cb_tone "$work/tone.wav" 1000 48000 1 30 -12
pw-record --target callbridge.rb.remote.peer "$work/at-rb.wav" & rec=$!
sleep 0.3
rec_start=$(date +%s.%N)
pw-cat --playback --target callbridge.rl.music "$work/tone.wav" & play=$!
sleep 4

cb_note "reload: +track new, -track old, music gain -12 dB, fx bitrate 48000"
cp "$work/v2.ini" "$work/rl.ini"
hup_at=$(date +%s.%N)
kill -HUP "$rl_pid"
cb_wait_node callbridge.rl.new 5 || { cat "$work/rl.log"; cb_fail "the added track's node did not appear"; }
cb_wait_node_gone callbridge.rl.old 5 || cb_fail "the removed track's node is still there"
grep -q "reloaded: " "$work/rl.log" || { cat "$work/rl.log"; cb_fail "no reload in the log"; }
sleep 4

cb_note "a file with an error is rejected whole"
nodes_before="$(cb_node_names | grep '^callbridge\.rl' | sort)"
cp "$work/v3.ini" "$work/rl.ini"
kill -HUP "$rl_pid"
sleep 1
grep -q "rl.ini:$bad_line: .*bitrate" "$work/rl.log" || { cat "$work/rl.log"; cb_fail "no rl.ini:$bad_line error"; }
grep -q "reload rejected" "$work/rl.log" || cb_fail "no 'reload rejected' line"

cb_note "a change of [call] local is rejected with the key named"
cp "$work/v4.ini" "$work/rl.ini"
kill -HUP "$rl_pid"
sleep 1
grep -q "reload rejected: \[call\] local cannot change" "$work/rl.log" || { cat "$work/rl.log"; cb_fail "local change not rejected"; }
kill -0 "$rl_pid" || cb_fail "the bridge died on a rejected reload"
nodes_after="$(cb_node_names | grep '^callbridge\.rl' | sort)"
[[ "$nodes_before" == "$nodes_after" ]] || cb_fail "nodes changed on a rejected reload: $nodes_after"
sleep 2
kill -TERM "$listener"; wait "$listener" || true
kill -INT "$rec" "$play" 2>/dev/null || true; wait "$rec" "$play" 2>/dev/null || true

cb_note "the receiving bridge renames its [remote]: the old node goes, the new one takes the SSRC"
sed -i 's/^\[remote peer\]$/[remote music]/' "$work/rb.ini"
kill -HUP "${cb_bridge_pids[0]}"
cb_wait_node callbridge.rb.remote.music 5 || { cat "$work/rb.log"; cb_fail "the added [remote]'s node did not appear"; }
cb_wait_node_gone callbridge.rb.remote.peer 5 || cb_fail "the removed [remote]'s node is still there"

after_reload=$(python3 -c "print(round($hup_at - $rec_start + 1.5, 2))")
/usr/bin/python3 - "$work/wire.json" <<'PY'
import json, sys, time
d = json.load(open(sys.argv[1]))
streams = d["rtp"]
assert len(streams) == 3, "want main, old and new on the wire, got %d SSRCs" % len(streams)
longest = sorted(streams.items(), key=lambda kv: len(kv[1]))
by_first = sorted(streams.items(), key=lambda kv: kv[1][0]["t"])
main_ssrc, main = longest[-1]
for a, b in zip(main, main[1:]):
    assert (b["seq"] - a["seq"]) % 65536 == 1, "main: sequence gap %d -> %d" % (a["seq"], b["seq"])
    assert (b["ts"] - a["ts"]) % 2**32 == 960, "main: timestamp step %d" % ((b["ts"] - a["ts"]) % 2**32)
span = main[-1]["t"] - main[0]["t"]
gap = max(b["t"] - a["t"] for a, b in zip(main, main[1:]))
assert span > 12, "main stream ran only %.1f s" % span
# the one that started last is `new`, the other short one `old`
new_ssrc = by_first[-1][0]
old_ssrc = [s for s in streams if s not in (main_ssrc, new_ssrc)][0]
old, new = streams[old_ssrc], streams[new_ssrc]
assert new[0]["t"] - main[0]["t"] > 3, "new stream present before the reload"
assert main[-1]["t"] - old[-1]["t"] > 8, "old stream still sending after the reload"
byes = [c for c in d["rtcp"] if any(p["pt"] == 203 and p["ssrc"] == int(old_ssrc) for p in c["packets"])]
assert byes, "no BYE for the removed stream"
assert all(p["ssrc"] != int(main_ssrc) for c in byes for p in c["packets"] if p["pt"] == 203), "BYE for main"
print("wire: main ssrc %s %d packets contiguous over %.1f s (largest arrival gap %.0f ms); "
      "old %s ended with BYE; new %s started" % (main_ssrc, len(main), span, gap * 1000, old_ssrc, new_ssrc))
PY
/usr/bin/python3 - "$work/at-rb.wav" "$CB_SOURCE_ROOT/tests/lib" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from analyze import read_wav, db
import numpy as np
x, rate = read_wav(sys.argv[1])
# Level per 100 ms block; the tone plays from start to end and the reload
# falls ~4 s in, so the first and last second of tone are on either side of
# it whatever the recorder's start-up delay (a loaded machine).
n = rate // 10
blocks = x[:len(x) // n * n, 0].reshape(-1, n)
lv = db(np.mean(blocks ** 2, axis=1))
tone = np.nonzero(lv > -50)[0]
assert len(tone) > 60, "too little tone recorded: %d blocks" % len(tone)
before = float(np.median(lv[tone[2:12]]))
after = float(np.median(lv[tone[-12:-2]]))
print("decoded level of music: %.1f dBFS before, %.1f dBFS after the reload (change %.1f dB)" % (
    before, after, after - before))
assert before > -25, "no tone before the reload"
assert abs((after - before) + 12) < 2, "gain change of %.1f dB, want -12 +- 2" % (after - before)
PY
"${CB_ANALYZE[@]}" tones "$work/at-rb.wav" --start "$after_reload" --expect 1000 \
  || cb_fail "the tone is not there after the reload"
cb_note "track voice now also feeds fx: its node stays, fx carries its tone"
voice_id="$(cb_node_id callbridge.rl.voice)"
[[ -n "$voice_id" ]] || cb_fail "no id for voice's node"
cb_tone "$work/voice.wav" 1500 48000 1 20 -12
pw-cat --playback --target callbridge.rl.voice "$work/voice.wav" & play=$!
sleep 1
sed '/^\[track voice\]$/,/^$/ s/^stream = main$/stream = main, fx/' "$work/v2.ini" > "$work/rl.ini"
grep -q "^stream = main, fx$" "$work/rl.ini" || cb_fail "test bug: no tee in the new file"
kill -HUP "$rl_pid"
cb_wait_until 5 grep -q "reload: track voice: feeds 2 streams now, node kept" "$work/rl.log" ||
  { tail -n 20 "$work/rl.log"; cb_fail "voice's new stream list not applied in place"; }
! grep -q "track voice: channels changed" "$work/rl.log" || cb_fail "voice's node was recreated"
[[ "$(cb_node_id callbridge.rl.voice)" == "$voice_id" ]] ||
  cb_fail "voice's node changed id ($voice_id -> $(cb_node_id callbridge.rl.voice))"
pw-record --target callbridge.rb.remote.music "$work/tee.wav" & rec=$!
sleep 2.5
kill -INT "$rec"; wait "$rec" || true
kill -INT "$play" 2>/dev/null || true; wait "$play" 2>/dev/null || true
"${CB_ANALYZE[@]}" tones "$work/tee.wav" --expect 1500 || cb_fail "fx does not carry voice's tone"
echo "PASS: reload"
