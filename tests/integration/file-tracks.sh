#!/usr/bin/env bash
# File tracks and `play`, checked on the far side by an independent
# receiver (tests/lib/rtp_opus.py: libopus through ctypes, srtp = none):
#   loop   a 1 s, 44.1 kHz file of 441 Hz (441 whole cycles, so it loops
#          cleanly at its own rate) as [track music] file with loop = true:
#          more than 3 loop lengths arrive at 441 Hz with no gap and no
#          click at any seam, and the file's ring never ran dry;
#   sting  `play` of a 900 Hz file over a 500 Hz tone pw-cat plays into
#          [track voice] live: both are heard together while the sting
#          lasts, then the live tone alone;
#   ssrc   [stream] ssrc = 0x1234abcd is what arrives, and the SDP says so;
#   errors `play` of a missing file or a relative path: in the log and the
#          track's status (file_error), the call goes on; a missing, an
#          undecodable file in the config: FILE:LINE errors, nothing starts.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

work="$(mktemp -d /tmp/cb-files.XXXXXX)"
cb_trap_exit cb_cleanup_bridges

sox -q -n -r 44100 -c 1 -b 16 "$work/bed.wav" synth 1.0 sine 441 gain -12
sox -q -n -r 48000 -c 2 -b 16 "$work/sting.flac" synth 1.0 sine 900 gain -12
cb_tone "$work/live.wav" 500 48000 1 4 -12
head -c 20000 /dev/urandom > "$work/noise.wav"

cb_note "config errors: a missing file and an undecodable one, with FILE:LINE"
cat > "$work/bad.ini" <<INI
[call]
name = bad
remote = 127.0.0.1:9
srtp = none

[track a]
file = nosuch.wav

[track b]
file = noise.wav
loop = true
INI
rc=0; "$CB_BIN" --config "$work/bad.ini" --check > "$work/check.out" 2>&1 || rc=$?
cat "$work/check.out"
[[ $rc == 1 ]] || cb_fail "--check of a missing file exited $rc, not 1"
grep -q "bad.ini:7: file: $work/nosuch.wav: cannot open" "$work/check.out" ||
  cb_fail "no FILE:LINE error for the missing file"
grep -q "bad.ini:10: file: $work/noise.wav: cannot open" "$work/check.out" ||
  cb_fail "no FILE:LINE error for the undecodable file"

cb_session_start "$work/session"
/usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/rtp_opus.py" --port 0 --port-file "$work/port" \
  --seconds 14 --out "$work/rx" --tones 441,500,900 > "$work/rx.log" 2>&1 & rx=$!
port="$(cb_port_file "$work/port" "$rx")" || cb_fail "no listener port"

cat > "$work/ft.ini" <<INI
[call]
name = ft
local = 127.0.0.1:0
remote = 127.0.0.1:$port
bundle = true
srtp = none
sdp-file = $work/ft.sdp
stats-file = $work/ft.json
ptime = 20

[stream program]
channels = 1
ssrc = 0x1234abcd

[stream talk]
channels = 1
ssrc = 0x5eed0002

[track music]
channels = 1
stream = program
file = bed.wav
loop = true

[track voice]
channels = 1
stream = talk
INI
"$CB_BIN" --config "$work/ft.ini" > "$work/ft.log" 2>&1 & cb_bridge_pids+=($!)
cb_wait_node callbridge.ft.voice 10 || { cat "$work/ft.log"; cb_fail "no track node"; }
cb_wait_status ft || cb_fail "no status for call ft"
grep -q "^a=ssrc:305441741 cname:" "$work/ft.sdp" || { cat "$work/ft.sdp"; cb_fail "SDP lacks a=ssrc of the fixed SSRC"; }

control() { timeout 10 pw-metadata -n callbridge.ft 0 track.voice.control "$1" >/dev/null; }
sleep 1
cb_note "sting: play a 900 Hz file over 500 Hz live input"
pw-cat --playback --target callbridge.ft.voice "$work/live.wav" & play=$!
sleep 1.2
control "play $work/sting.flac"
wait "$play"

cb_note "play errors go to the log and status; the call goes on"
control "play $work/nosuch.wav"
control "play sting.flac"
sleep 0.5
"$CB_BIN" status --json ft > "$work/status.json"
wait "$rx" || cb_fail "listener failed: $(cat "$work/rx.log")"
kill -0 "${cb_bridge_pids[0]}" || cb_fail "the bridge died"
grep -q "track voice: play $work/nosuch.wav: cannot open" "$work/ft.log" ||
  { cat "$work/ft.log"; cb_fail "a missing play file was not logged"; }
grep -q "track.voice.control = play sting.flac ignored: play needs an absolute path" "$work/ft.log" ||
  { cat "$work/ft.log"; cb_fail "a relative play path was not refused"; }

/usr/bin/python3 - "$work/status.json" "$work/rx/packets.json" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))["ft"]["tracks"]
err = st["voice"]["file_error"]
print("voice file_error: %r" % err)
assert err and "nosuch.wav" in err and "cannot open" in err, err
assert st["music"]["state"] == "playing", st["music"]
assert st["music"]["file_underrun_frames"] == 0, st["music"]
d = json.load(open(sys.argv[2]))["streams"]
assert set(d) == {"1234abcd", "5eed0002"}, "SSRCs on the wire: %s" % sorted(d)
PY

cb_note "loop: 441 Hz from a 44.1 kHz file, no gap, no click at the seams"
prog="$work/rx/1234abcd.wav"
# From 1 s on (the start is the bridge starting), 10 s: ten loop lengths.
"${CB_ANALYZE[@]}" tones "$prog" --start 1 --end 11 --expect 441 --absent 500,900 ||
  cb_fail "the looped file is not 441 Hz"
"${CB_ANALYZE[@]}" gaps "$prog" --start 1 --end 11 --max-gap-ms 5 --threshold-db -40 ||
  cb_fail "a gap in the looped file"
"${CB_ANALYZE[@]}" clicks "$prog" --start 1 --end 11 --factor 1.5 ||
  cb_fail "a click in the looped file"
"${CB_ANALYZE[@]}" level "$prog" --start 1 --end 11 --min-db -16 --max-db -14 ||
  cb_fail "the looped file's level is not its own (-15 dBFS RMS)"

cb_note "sting: 900 Hz with the live 500 Hz, then 500 Hz alone"
/usr/bin/python3 - "$work/rx/packets.json" <<'PY'
import json, sys
pk = json.load(open(sys.argv[1]))["streams"]["5eed0002"]
A = 10 ** (-12 / 20)
both = [p for p in pk if p["tone500"] > A / 2 and p["tone900"] > A / 2]
live = [p for p in pk if p["tone500"] > A / 2]
sting = [p for p in pk if p["tone900"] > A / 2]
print("packets: %d with 500 Hz, %d with 900 Hz, %d with both" % (len(live), len(sting), len(both)))
# The sting lasts 1 s (50 packets), the live tone 4 s, and the sting
# started 1.2 s into it: all of the sting is mixed over the live tone.
assert 45 <= len(sting) <= 52, "sting packets %d" % len(sting)
assert len(both) >= len(sting) - 2, "sting not mixed with the live input"
assert 190 <= len(live) <= 205, "live packets %d" % len(live)
first_live = live[0]["t"]
assert sting[0]["t"] - first_live > 1.0, "sting before it was played"
assert live[-1]["t"] - sting[-1]["t"] > 1.0, "no live tone alone after the sting"
PY
echo "PASS: file tracks"
