#!/usr/bin/env bash
# Per-track controls, heard in the decoded streams (ffmpeg receives both
# streams from the SDP; each scenario plays its own frequencies, so the
# recording is analysed per frequency and needs no time alignment):
#   tee     one [track] listing two streams is heard in both;
#   mute    `wpctl set-mute` on the track node silences it in the mix for
#           as long as it is muted;
#   pause   track.<name>.control = pause, then resume: silence for the
#           pause, then the audio continues where it stopped, nothing
#           skipped (each tone lasts as long as in the file);
#   flush   pause, flush, resume: what was held is gone (the tones are
#           shorter by about the pause).  It runs before the pause test,
#           whose resume leaves the track that much later (held audio is
#           played, not skipped) until the next flush.
# A control for an unknown track and an unknown word are ignored and logged
# once each.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
# ffmpeg listens on the ports the SDP file names, fixed before it starts:
# the test runs in a network namespace of its own, where they cannot be taken.
cb_private_netns "$@"

work="$(mktemp -d /tmp/cb-controls.XXXXXX)"
cb_trap_exit cb_cleanup_bridges

port=5004   # and 5006: one port per stream
cat > "$work/ct.ini" <<INI
[call]
name = ct
local = 127.0.0.1:0
remote = 127.0.0.1:$port
srtp = none
sdp-file = $work/ct.sdp
ptime = 20

[stream program]
channels = 1

[stream backup]
channels = 1

[track voice]
channels = 1
stream = program, backup
INI

cb_session_start "$work/session"
"$CB_BIN" --config "$work/ct.ini" > "$work/ct.log" 2>&1 & cb_bridge_pids+=($!)
cb_wait_node callbridge.ct.voice 10 || { cat "$work/ct.log"; cb_fail "no track node"; }
cb_wait_status ct || cb_fail "status never showed call ct: no metadata object to control"
cb_wait_file "$work/ct.sdp" 5 || cb_fail "no SDP"
node_id="$(pw-dump | /usr/bin/python3 -c '
import json, sys
for o in json.load(sys.stdin):
    if o.get("type", "").endswith("Node") and \
       o.get("info", {}).get("props", {}).get("node.name") == "callbridge.ct.voice":
        print(o["id"])')"
[[ -n "$node_id" ]] || cb_fail "no id for the track node"

now() { date +%s.%N; }
control() { timeout 10 pw-metadata -n callbridge.ct 0 track.voice.control "$1" >/dev/null; }
tone2() { # FILE F1 S1 F2 S2: F1 for S1 seconds, then F2 for S2 seconds
  sox -q -n -r 48000 -c 1 -b 16 "$1" synth "$3" sine "$2" synth "$5" sine "$4" gain -12 2>/dev/null ||
  { sox -q -n -r 48000 -c 1 -b 16 "$work/a.wav" synth "$3" sine "$2" gain -12
    sox -q -n -r 48000 -c 1 -b 16 "$work/b.wav" synth "$5" sine "$4" gain -12
    sox -q "$work/a.wav" "$work/b.wav" "$1"; }
}
cb_tone "$work/tee.wav" 700 48000 1 1.5 -12
cb_tone "$work/mute.wav" 1300 48000 1 3 -12
sox -q -n -r 48000 -c 1 -b 16 "$work/a.wav" synth 1 sine 500 gain -12
sox -q -n -r 48000 -c 1 -b 16 "$work/b.wav" synth 2 sine 900 gain -12
sox -q "$work/a.wav" "$work/b.wav" "$work/pause.wav"
sox -q -n -r 48000 -c 1 -b 16 "$work/a.wav" synth 1 sine 600 gain -12
sox -q -n -r 48000 -c 1 -b 16 "$work/b.wav" synth 2 sine 1100 gain -12
sox -q "$work/a.wav" "$work/b.wav" "$work/flush.wav"

cb_ffmpeg_receive "$work/ct.sdp" "$work" 23 2 > "$work/ffmpeg.log" 2>&1 & ffmpeg=$!
sleep 1.5

cb_note "tee: 700 Hz into the track that feeds both streams"
pw-cat --playback --target callbridge.ct.voice "$work/tee.wav"
sleep 0.5

cb_note "mute: 1300 Hz for 3 s, muted in the middle with wpctl"
pw-cat --playback --target callbridge.ct.voice "$work/mute.wav" & play=$!
sleep 1
t0=$(now); wpctl set-mute "$node_id" 1; t0_in=$(now)
sleep 1
t1_in=$(now); wpctl set-mute "$node_id" 0; t1=$(now)
wait "$play"
# The commands take time on a loaded machine: the mute lasted at least
# the inner and at most the outer interval.
mute_s="$(echo "$t1_in - $t0_in" | bc),$(echo "$t1 - $t0" | bc)"
sleep 0.5

cb_note "pause/flush/resume: 1 s of 600 Hz then 2 s of 1100 Hz"
pw-cat --playback --target callbridge.ct.voice "$work/flush.wav" & play=$!
sleep 0.7
t0=$(now); control pause; t0_in=$(now)
sleep 1
t1_in=$(now); control flush; control resume; t1=$(now)
wait "$play"
flush_s="$(echo "$t1_in - $t0_in" | bc),$(echo "$t1 - $t0" | bc)"

sleep 0.5

cb_note "pause/resume: 1 s of 500 Hz then 2 s of 900 Hz, paused for about 1 s"
pw-cat --playback --target callbridge.ct.voice "$work/pause.wav" & play=$!
sleep 0.7
t0=$(now); control pause; t0_in=$(now)
sleep 1
t1_in=$(now); control resume; t1=$(now)
wait "$play"
pause_s="$(echo "$t1_in - $t0_in" | bc),$(echo "$t1 - $t0" | bc)"
sleep 1.5     # what was held plays out after the file ends


cb_note "bad controls: ignored, logged once each"
for i in 1 2; do
  timeout 10 pw-metadata -n callbridge.ct 0 track.nosuch.control pause >/dev/null
  control explode
done
sleep 0.5
kill -0 "${cb_bridge_pids[0]}" || cb_fail "the bridge died"
[[ $(grep -c 'track.nosuch.control = pause ignored' "$work/ct.log") == 1 ]] ||
  { cat "$work/ct.log"; cb_fail "unknown track not logged exactly once"; }
[[ $(grep -c 'track.voice.control = explode ignored' "$work/ct.log") == 1 ]] ||
  { cat "$work/ct.log"; cb_fail "unknown word not logged exactly once"; }

cb_note "waiting for the recording"
for ((i = 0; i < 300; i++)); do kill -0 "$ffmpeg" 2>/dev/null || break; sleep 0.1; done
kill -0 "$ffmpeg" 2>/dev/null && { kill -TERM "$ffmpeg"; cat "$work/ffmpeg.log"; cb_fail "ffmpeg did not finish"; }
wait "$ffmpeg" || { cat "$work/ffmpeg.log"; cb_fail "ffmpeg failed"; }
freqs=700,1300,500,900,600,1100,500+900,600+1100
for i in 0 1; do
  /usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/tone_spans.py" "$work/stream$i.wav" "$freqs" \
    > "$work/spans$i.json"
  echo "stream$i: $(cat "$work/spans$i.json")"
done
/usr/bin/python3 - "$work/spans0.json" "$work/spans1.json" "$mute_s" "$pause_s" "$flush_s" <<'PY'
import json, sys
s0, s1 = (json.load(open(p)) for p in sys.argv[1:3])
# each: (at least, at most) seconds, see above
mute_s, pause_s, flush_s = (tuple(float(x) for x in a.split(",")) for a in sys.argv[3:])
print("muted %.2f..%.2f s, paused %.2f..%.2f s, paused+flushed %.2f..%.2f s" % (
    mute_s + pause_s + flush_s))
def between(name, got, lo, hi):
    print("%-34s %.2f s (expected %.2f..%.2f)" % (name, got, lo, hi))
    assert lo <= got <= hi, name
def near(name, got, want, tol):
    between(name, got, want - tol, want + tol)
# tee: the whole tone in both streams
near("tee: 700 Hz in program", s0["700"]["seconds"], 1.5, 0.2)
near("tee: 700 Hz in backup", s1["700"]["seconds"], 1.5, 0.2)
# On a loaded machine the player stalls now and then, so the tones stretch
# in time; what is checked is what cannot come from a stall: audio
# missing (mute, flush) or all there (pause), and holes as long as the
# mute and the pause.
# mute: silent while muted, heard before and after
assert mute_s[0] > 0.8
between("mute: 1300 Hz heard", s0["1300"]["seconds"], 0.5, 3.0 - 0.6)
between("mute: longest hole in 1300 Hz", s0["1300"]["longest_gap"], 0.6, 5.0)
# pause/resume: nothing skipped, each tone as long as in the file, and a
# hole as long as the pause
near("pause: 500 Hz heard", s0["500"]["seconds"], 1.0, 0.15)
near("pause: 900 Hz heard", s0["900"]["seconds"], 2.0, 0.2)
between("pause: longest hole", s0["500+900"]["longest_gap"], pause_s[0] - 0.3, 5.0)
# flush: what was held during the pause is gone, live audio after it
between("flush: 600 + 1100 Hz heard", s0["600+1100"]["seconds"], 1.0, 3.0 - 0.6)
assert s0["1100"]["seconds"] >= 0.8, "nothing heard after the flush"
# the backup stream got the same pause (one track, one control)
near("backup: 500 + 900 Hz heard", s1["500+900"]["seconds"], 3.0, 0.25)
between("backup: longest hole", s1["500+900"]["longest_gap"], pause_s[0] - 0.3, 5.0)
PY
echo "PASS: controls"
