#!/usr/bin/env bash
# RFC 6464 audio levels on the wire.  One stream mixes a music track
# (ignore-audio-level = true) and a voice track.  The packets go, SRTP
# protected, to a plain UDP listener that reads the header extension, which
# SRTP leaves in the clear:
#   nothing playing      -> 127, V=0 (and small Opus packets)
#   music only           -> 127, V=0 although the packets now carry audio
#   music + voice tone   -> the voice at -20 dBFS RMS: 20 +- 2, V=1
#   music only again     -> V=1 through the 500 ms hangover, then 127, V=0
# The SDP must announce the extension.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

work="$(mktemp -d /tmp/cb-levels.XXXXXX)"
listener=""
cleanup() {
  local rc=$?
  set +e    # a failing command here must not skip stopping the bridges
  [[ -z "$listener" ]] || { kill -TERM "$listener" 2>/dev/null; wait "$listener" 2>/dev/null; }
  (exit "$rc")
  cb_cleanup_bridges    # takes the test's status from $?
}
cb_trap_exit cleanup

cb_session_start "$work/session"
# The listener binds port 0 and says which port it got; the bridge sends there.
/usr/bin/python3 "$CB_SOURCE_ROOT/tests/lib/rtp_listen.py" --port 0 --port-file "$work/listen.port" \
  --seconds 60 --out "$work/wire.json" & listener=$!
port="$(cb_port_file "$work/listen.port" "$listener")" || cb_fail "the RTP listener did not start"
cat > "$work/lv.ini" <<INI
[call]
name = lv
local = 127.0.0.1:0
remote = 127.0.0.1:$port
sdp-file = $work/lv.sdp
ptime = 20

[stream mix]
channels = 1

[track music]
stream = mix
channels = 1
ignore-audio-level = true

[track voice]
stream = mix
channels = 1
INI

"$CB_BIN" --config "$work/lv.ini" > "$work/lv.log" 2>&1 & cb_bridge_pids+=($!)
for n in callbridge.lv.music callbridge.lv.voice; do
  cb_wait_node "$n" 10 || { cat "$work/lv.log"; cb_fail "node $n did not appear"; }
done
grep -q '^a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on' "$work/lv.sdp" ||
  { cat "$work/lv.sdp"; cb_fail "the SDP does not announce the audio level"; }
grep -q '^a=crypto:' "$work/lv.sdp" || cb_fail "the stream is meant to be SRTP protected"

cb_tone "$work/music.wav" 300 48000 1 8 -6
# A full-scale sine is -3 dBFS RMS: gain -17 puts it at -20 dBFS RMS.
cb_tone "$work/voice.wav" 1000 48000 1 2 -17
now() { date +%s.%N; }

t_silence=$(now); sleep 1.5
pw-cat --playback --target callbridge.lv.music "$work/music.wav" & music=$!
sleep 0.5; t_music=$(now); sleep 1.5
t_voice=$(now)
pw-cat --playback --target callbridge.lv.voice "$work/voice.wav"
t_voice_end=$(now)
wait "$music"
t_end=$(now)
kill -TERM "$listener"; wait "$listener" || true; listener=""

/usr/bin/python3 - "$work/wire.json" "$t_silence" "$t_music" "$t_voice" "$t_voice_end" "$t_end" <<'PY'
import json, sys
wire = json.load(open(sys.argv[1]))
t_silence, t_music, t_voice, t_voice_end, t_end = map(float, sys.argv[2:])
assert len(wire["rtp"]) == 1, "expected one SSRC, got %d" % len(wire["rtp"])
pkts = list(wire["rtp"].values())[0]
assert all("level" in p for p in pkts), "a packet without the audio level extension"

def window(a, b):
    return [p for p in pkts if a <= p["wall"] < b]

def describe(ps):
    levels = sorted(set((p["level"], p["v"]) for p in ps))
    return "%d packets, (level, V): %s" % (len(ps), levels[:8])

silence = window(t_silence + 0.3, t_silence + 1.4)
music = window(t_music + 0.3, t_voice - 0.1)
# pw-cat needs a moment to connect: judge the voice in its middle second.
voice = window(t_voice + 0.6, t_voice_end - 0.4)
after = window(t_voice_end + 0.8, t_voice_end + 2.3)
print("silence:", describe(silence))
print("music:  ", describe(music))
print("voice:  ", describe(voice))
print("after:  ", describe(after))
for name, ps in (("silence", silence), ("music", music), ("voice", voice), ("after", after)):
    assert len(ps) >= 20, "%s: only %d packets" % (name, len(ps))
for name, ps in (("silence", silence), ("music", music), ("after", after)):
    bad = [p for p in ps if p["level"] != 127 or p["v"] != 0]
    assert not bad, "%s: %d packets not 127/V=0, e.g. %r" % (name, len(bad), bad[:3])
# V holds through a short dropout of the player (hangover); a loaded
# machine may starve the player for a packet or two, so the level must be
# right in nearly all packets, not in every one.
bad_v = [p for p in voice if p["v"] != 1]
assert not bad_v, "voice: %d packets with V=0, e.g. %r" % (len(bad_v), bad_v[:3])
good = [p for p in voice if 18 <= p["level"] <= 22]
print("voice: %d of %d packets at 20 +- 2" % (len(good), len(voice)))
assert len(good) >= 0.9 * len(voice), "voice: levels %r" % [p["level"] for p in voice]
# The music really is in the stream: Opus packets grow from silence to music.
size = lambda ps: sum(p["size"] for p in ps) / float(len(ps))
print("mean packet size: silence %.1f, music %.1f bytes" % (size(silence), size(music)))
assert size(music) > 1.5 * size(silence), "the music does not seem to be sent"
# Hangover: V stays set for about 500 ms after the voice stops.
tail = window(t_voice_end - 0.3, t_voice_end + 1.5)
v_on = [p for p in tail if p["v"] == 1]
assert v_on, "no V=1 around the end of the voice"
hang = max(p["wall"] for p in v_on) - max(p["wall"] for p in tail if p["level"] <= 22)
print("V stayed set %.0f ms after the last loud packet" % (hang * 1000))
assert 0.3 <= hang <= 0.8, "hangover of %.0f ms, expected about 500" % (hang * 1000)
PY
echo "PASS: levels"
