#!/usr/bin/env bash
# Voice processing in a simulated room, in the graph itself: bob sends a
# speech-like far end; it plays from alice's remote node; a filter-chain made
# here delays it 40 ms and attenuates it 10 dB (the room and its speakers)
# into alice's `mic` track, where a near-end tone joins it.  What alice
# sends is decoded at bob's remote node, with echo-cancel off and then on
# (a reload, which must keep the node):
#   - the far end must drop by 20 dB or more after 5 s (5..7.8 s) and in
#     most seconds of single talk (the median of 1..8 s), the near-end
#     tone stay within 3 dB alone and in double talk, and no 100 ms of it
#     be cut by more than 12 dB in double talk;
#   - status must show the ERLE (20 dB or more) by 6.5 s and after the
#     double talk, and the room's delay;
# then noise suppression (white noise plus a tone: noise down 10 dB, tone
# within 3 dB) and gain control (a -40 dBFS tone rises within 10 s, a -6 dBFS
# one is not clipped), each by a reload of the same node.  Status must show
# ERLE, the delay found, the AGC gain and voice presence.  Every figure is
# printed whether it passes or not.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
# Each bridge needs the other's port before it starts: fixed ports, in a
# network namespace of the test's own.
cb_private_netns "$@"

work="$(mktemp -d /tmp/cb-voice.XXXXXX)"
cb_trap_exit cb_cleanup_bridges

port_a=5004; port_b=5006
key_a="$(cb_random_key)"
key_b="$(cb_random_key)"

cb_duplex_configs "$port_a" "$port_b" "$key_a" "$key_b" <<INI
sdp-file = none
stats-file = $work/@NAME@.json
ptime = 10

[stream mic]
channels = 1
bitrate = 128000
application = audio

[track mic]
channels = 1
stream = mic
;VOICE

[remote peer]
channels = 1
latency = 20
INI

set_voice() {   # set_voice KEY=VALUE...: alice's [track mic] voice keys
  local lines="" kv
  for kv in "$@"; do lines+="${kv%%=*} = ${kv#*=}\n"; done
  sed -i "/^;VOICE$/,/^\[remote peer\]$/{/^;VOICE$/!{/^\[remote peer\]$/!d}}" "$work/alice.ini"
  sed -i "s/^;VOICE$/;VOICE\n${lines}/" "$work/alice.ini"
}
set_voice echo-cancel=false

/usr/bin/python3 - "$work" <<'PY'
# The signals, 48 kHz mono 16-bit.  far.wav: speech-like noise (150..3500 Hz,
# syllables at 2 Hz with pauses) at about -20 dBFS rms while on, 0..11 s.
# near.wav: silence to 8 s, then a 1 kHz tone at -20 dBFS peak to 13 s.
import sys, wave, numpy as np
work, rate = sys.argv[1], 48000
rng = np.random.default_rng(12345)
def save(name, x):
    with wave.open("%s/%s" % (work, name), "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())
n = 13 * rate
t = np.arange(n) / rate
spec = np.fft.rfft(rng.standard_normal(n))
f = np.fft.rfftfreq(n, 1 / rate)
spec[(f < 150) | (f > 3500)] = 0
noise = np.fft.irfft(spec, n)
env = np.maximum(np.sin(2 * np.pi * 2 * t), 0) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.37 * t))
far = noise / np.sqrt(np.mean(noise ** 2)) * env
far *= 0.1 / np.sqrt(np.mean(far[env > 0.3] ** 2))
far[t >= 11] = 0
save("far-in.wav", far)
save("near-in.wav", np.where(t >= 8, 0.1 * np.sin(2 * np.pi * 1000 * t), 0))
# noise suppression: white noise at -30 dBFS rms, a 1 kHz tone at -20 dBFS
# peak gated 400 ms on / 400 ms off (a steady tone is, to a noise
# suppressor, noise to learn), 10 s.
n = 10 * rate; t = np.arange(n) / rate
gate = (np.floor(t / 0.4) % 2 == 0)
save("ns-in.wav", 0.0316 * rng.standard_normal(n) + gate * 0.1 * np.sin(2 * np.pi * 1000 * t))
# gain control: 12 s of a 440 Hz tone at -40 dBFS peak, then 6 s at -6 dBFS.
n = 18 * rate; t = np.arange(n) / rate
save("agc-in.wav", np.where(t < 12, 0.01, 0.5) * np.sin(2 * np.pi * 440 * t))
PY

cb_session_start "$work/session"
"$CB_BIN" --config "$work/alice.ini" > "$work/alice.log" 2>&1 & cb_bridge_pids+=($!)
"$CB_BIN" --config "$work/bob.ini" > "$work/bob.log" 2>&1 & cb_bridge_pids+=($!)
alice_pid="${cb_bridge_pids[0]}"
for n in callbridge.alice.mic callbridge.bob.mic callbridge.alice.remote.peer callbridge.bob.remote.peer; do
  cb_wait_node "$n" 10 || { cat "$work"/*.log; cb_fail "node $n did not appear"; }
done
mic_id="$(cb_node_id callbridge.alice.mic)"

cb_note "the room: alice's remote node -> 40 ms, -10 dB (a filter-chain) -> alice's mic track"
# A filter-chain, not pw-loopback: its delay is a fixed 40 ms of samples
# inside one node, where pw-loopback's is a ring it steers toward a target
# with a resampler: the room must not move while the canceller learns it.
cat > "$work/room.conf" <<'CONF'
context.properties = { log.level = 2 }
context.spa-libs = {
  audio.convert.* = audioconvert/libspa-audioconvert
  support.* = support/libspa-support
}
context.modules = [
  # Real-time scheduling for the room's data thread, as every other client
  # here has: without it the room missed ~30 cycles a phase on a 2-core
  # machine at quantum 128, each one a jump of the echo path the canceller
  # had to learn again (ERLE 13..33 dB from run to run instead of 40+).
  { name = libpipewire-module-rt flags = [ ifexists nofail ] }
  { name = libpipewire-module-protocol-native }
  { name = libpipewire-module-client-node }
  { name = libpipewire-module-adapter }
  { name = libpipewire-module-filter-chain
    args = {
      node.description = "room"
      media.name = "room"
      filter.graph = {
        nodes = [
          { type = builtin name = delay label = delay config = { "max-delay" = 1.0 }
            control = { "Delay (s)" = 0.040 } }
        ]
      }
      audio.channels = 1
      audio.position = [ MONO ]
      capture.props = { node.name = "cb-room-in" target.object = "callbridge.alice.remote.peer"
                        stream.capture.sink = false node.passive = true }
      playback.props = { node.name = "cb-room-out" target.object = "callbridge.alice.mic"
                         node.passive = true }
    }
  }
]
CONF
pipewire -c "$work/room.conf" > "$work/room.log" 2>&1 & room=$!
cb_wait_node cb-room-out 10 || { cat "$work/room.log"; cb_fail "the room did not start"; }
sleep 0.5
# wpctl takes a cubic volume: 0.681^3 = 0.316, -10 dB.
wpctl set-volume "$(cb_node_id cb-room-out)" 0.681 || cb_fail "cannot attenuate the room"

reloads() { grep -a -c ": reloaded: " "$work/alice.log" || true; }
more_reloads() { (( $(reloads) > $1 )); }
reload_alice() {   # reload_alice WHAT: HUP, then the node must be the same
  local before
  before="$(reloads)"
  kill -HUP "$alice_pid"
  cb_wait_until 5 more_reloads "$before" ||
    { tail -n 20 "$work/alice.log"; cb_fail "alice did not reload ($1)"; }
  grep -a -q "0 added, 0 removed, 1 changed in place, 0 recreated" <(tail -n 3 "$work/alice.log") ||
    cb_fail "reload ($1) was not a change in place"
  [[ "$(cb_node_id callbridge.alice.mic)" == "$mic_id" ]] || cb_fail "reload ($1) made a new node"
}

# run_phase NAME SECONDS [FILE TARGET]...: records what alice sends (bob's
# remote node) while the files play into their targets.  With snap=S set,
# alice's status as of S seconds into the files is kept as alice-NAME-S.json.
run_phase() {
  local name="$1" secs="$2" pids=() rec
  shift 2
  pw-record --target callbridge.bob.remote.peer --channels 1 --rate 48000 "$work/$name.wav" & rec=$!
  sleep 0.5
  while (( $# )); do
    pw-cat --playback --target "$2" "$1" & pids+=($!)
    shift 2
  done
  # alice's status once a second through the phase (the file is rewritten
  # each second), printed with the figures: how soon the ERLE and delay
  # show.
  ( for ((i = 1; i <= ${secs%.*}; i++)); do
      sleep 1; cp "$work/alice.json" "$work/alice-$name-s$i.json" 2>/dev/null || true
    done ) & local sampler=$!
  if [[ -n "${snap:-}" ]]; then
    sleep "$snap"
    cp "$work/alice.json" "$work/alice-$name-$snap.json"
    secs="$(awk -v a="$secs" -v b="$snap" 'BEGIN { print a - b }')"
  fi
  sleep "$secs"
  wait "${pids[@]}" || true
  kill -INT "$rec"; wait "$rec" || true
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
}

cb_note "echo-cancel off"
run_phase off 13.5 "$work/far-in.wav" callbridge.bob.mic "$work/near-in.wav" callbridge.alice.mic
cb_note "echo-cancel on (reload, same node)"
set_voice echo-cancel=true echo-delay=auto
reload_alice echo-cancel
# The status once more at 7.5 s, the end of far-end single talk (the file
# is rewritten each second: it shows 6.5..7.5 s).
snap=7.5 run_phase on 13.5 "$work/far-in.wav" callbridge.bob.mic "$work/near-in.wav" callbridge.alice.mic
cp "$work/alice.json" "$work/alice-echo.json"

cb_note "noise suppression off, then high"
set_voice noise-suppression=off
reload_alice noise-suppression
run_phase ns-off 10 "$work/ns-in.wav" callbridge.alice.mic
set_voice noise-suppression=high
reload_alice noise-suppression
run_phase ns-on 10 "$work/ns-in.wav" callbridge.alice.mic

cb_note "gain control"
set_voice gain-control=true gain-target=-3
reload_alice gain-control
run_phase agc 18 "$work/agc-in.wav" callbridge.alice.mic
cp "$work/alice.json" "$work/alice-agc.json"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([t for t in d["tracks"] if t["name"]=="mic"][0]); print(d["streams"])' "$work/alice-agc.json" >&2
grep -a "voice\|reload" "$work/alice.log" | tail -n 8 >&2
# The far end put back in place for the canceller, if it went astray.
grep -a "far end of remote" "$work/alice.log" | tail -n 20 >&2 || true
kill "$room" 2>/dev/null || true

/usr/bin/python3 - "$work" <<'PY'
import json, sys, wave, numpy as np
work, rate = sys.argv[1], 48000
def load(name):
    with wave.open("%s/%s.wav" % (work, name)) as w:
        assert w.getframerate() == rate, w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), "<i2") / 32768.0
        return x.reshape(-1, w.getnchannels())[:, 0]
def db(p): return 10 * np.log10(max(p, 1e-20))
def tone(x, f):   # amplitude at f (Hann window)
    w = np.hanning(len(x)); s = np.fft.rfft(x * w)
    k = int(round(f * len(x) / rate))
    return 2 * np.max(np.abs(s[k - 2:k + 3])) / np.sum(w)
def onset(x, f, thr, at=0.0):
    # Where the file's time 0 is in the recording: the first 20 ms in which
    # the tone of f Hz that starts at `at` s in the file passes thr.
    n = int(0.02 * rate); ph = np.exp(-2j * np.pi * f * np.arange(n) / rate)
    for k in range(int(at * rate) // n, len(x) // n):
        if 2 * abs(np.dot(x[k * n:(k + 1) * n], ph)) / n > thr:
            return k * n - int(at * rate)
    raise SystemExit("FAIL no %d Hz tone above %.3f in a recording" % (f, thr))
for name in ("off", "on", "ns-off", "ns-on", "agc"):
    x = load(name)
    print("%s: %.2f s, rms per second (dBFS): %s" % (name, len(x) / rate, " ".join(
        "%.0f" % db(np.mean(x[k * rate:(k + 1) * rate] ** 2)) for k in range(len(x) // rate))))
fails = []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok: fails.append(what)

off, on = load("off"), load("on")
o_off, o_on = onset(off, 1000, 0.03, 8), onset(on, 1000, 0.03, 8)
print("echo: file start at %.3f s (off), %.3f s (on) in the recordings" % (o_off / rate, o_on / rate))
seg = lambda x, o, a, b: x[o + int(a * rate):o + int(b * rate)]
echo_off = db(np.mean(seg(off, o_off, 5, 7.8) ** 2))
echo_on = db(np.mean(seg(on, o_on, 5, 7.8) ** 2))
# The last second ends at 7.8 s, as the window: the tone's onset is found
# to a 20 ms block, and up to 6 ms of a tone at -20 dBFS in a second read
# as the far end reads about 8 dB (seen: 7.4 and 8.0 dB in that second in
# runs whose window read 49 and 50 dB).
first_s = [db(np.mean(seg(off, o_off, s, min(s + 1, 7.8)) ** 2)) -
           db(np.mean(seg(on, o_on, s, min(s + 1, 7.8)) ** 2)) for s in range(0, 8)]
print("echo: far end %.1f dBFS off, %.1f dBFS on (5..7.8 s)" % (echo_off, echo_on))
print("echo: drop per second from the start: " + " ".join("%.1f" % d for d in first_s))
# The issue's figures are the checks.  Until the far end was paired with
# the near end by the graph's clock (pipeline/voice-stage.c), the far
# end's drop varied from run to run (13..38 dB over 15 runs, 8.2 dB in a CI
# run) as the pairing stepped by a quantum now and then; since, 46.7 to
# 61.9 dB after 5 s (README lists the runs).
drop = echo_off - echo_on
# Also most seconds after the first (the median of 1..8 s): a canceller
# that loses what it had mid-way and finds it again by 5 s passes the
# window alone.
settled = float(np.median(first_s[1:8]))
check(settled >= 20, "far end down %.1f dB (>= 20), median second of 1..8 s" % settled)
check(drop >= 20, "far end down %.1f dB (>= 20) after 5 s" % drop)
check(echo_off > -45, "the echo was there to cancel: %.1f dBFS with echo-cancel off" % echo_off)

# The near tone in 100 ms blocks (Goertzel near 1 kHz), in dB: in double talk
# (8.1..10.9 s, the far end plays to 11 s) and alone (11.3..12.9 s).  The
# reference (echo-cancel off) is the median block: a packet late on the
# loopback call now and then drops one block of either recording, which is
# the network, not the canceller.
# The tone is looked for within 2% of 1 kHz, the strongest of 41 bins a
# block: bob's remote plays what it gets faster or slower while its drift
# control steers the buffer (the tone alone read 990..1010 Hz here, median
# 997), and a 100 ms block read at 1 kHz exactly loses 5 dB of a tone
# 5.5 Hz off: a CI run's reference read 5.3 dB low, so the tone alone
# "rose" 5.3 dB with the canceller on.
tone_f = 1000 * (1 + 0.001 * np.arange(-20, 21))
def blocks_db(x, o, a, b, freqs=False):
    n = int(0.1 * rate)
    ph = np.exp(-2j * np.pi * np.outer(tone_f, np.arange(n)) / rate)
    out, fs = [], []
    for t in np.arange(a, b - 0.05, 0.1):
        y = seg(x, o, t, t + 0.1)[:n]
        if len(y) < n - 2:
            raise SystemExit("FAIL a recording ends before %.1f s" % (t + 0.1))
        amp = 2 * np.abs(ph[:, :len(y)] @ y) / len(y)
        out.append(20 * np.log10(max(amp.max(), 1e-9)))
        fs.append(tone_f[int(np.argmax(amp))])
    return (np.array(out), np.array(fs)) if freqs else np.array(out)
for name, x, o in (("off", off, o_off), ("on", on, o_on)):
    f = blocks_db(x, o, 11.3, 12.9, freqs=True)[1]
    print("near tone alone, echo-cancel %s: at %.0f..%.0f Hz (median %.0f)"
          % (name, f.min(), f.max(), np.median(f)))
ref = np.median(blocks_db(off, o_off, 8.1, 12.9))
dt = blocks_db(on, o_on, 8.1, 10.9) - ref
alone = blocks_db(on, o_on, 11.3, 12.9) - ref
print("near tone (dB against echo-cancel off, per 100 ms) in double talk: "
      + " ".join("%.1f" % d for d in dt))
print("near tone alone: " + " ".join("%.1f" % d for d in alone))
# Within 3 dB: the tone's power over the double talk, and alone (median).
dt_mean = 10 * np.log10(np.mean(10 ** (dt / 10)))
check(abs(dt_mean) <= 3, "near tone in double talk %+.2f dB (within 3)" % dt_mean)
check(abs(np.median(alone)) <= 3, "near tone alone %+.2f dB (within 3)" % np.median(alone))
# Not cut: the canceller's suppressor ducks the near end at the far end's
# loudest syllables (its extended filter, which the delay-agnostic mode
# needs for echo paths past 60 ms, ducks harder; measured down to -8 dB
# here, -12 dB offline), but no 100 ms of it goes: every block within 12 dB.
check(dt.min() >= -12, "double talk never cut: weakest 100 ms at %+.1f dB (>= -12)" % dt.min())
# Most of it stays: a canceller that cut the near end whenever the far
# end plays would push the median down with it.
check(np.median(dt) >= -6, "near tone in double talk, median 100 ms at %+.1f dB (>= -6)"
      % np.median(dt))

st = json.load(open(work + "/alice-echo.json"))
t = [x for x in st["tracks"] if x["name"] == "mic"][0]
print("status after echo phase: voice_processing %s, erle_db %s, echo_delay_ms %s, voice %s"
      % (t["voice_processing"], t["erle_db"], t["echo_delay_ms"], t["voice"]))
check(t["voice_processing"] is True, "status: processing")
series = []
for i in range(1, 14):
    try:
        x = [y for y in json.load(open("%s/alice-on-s%d.json" % (work, i)))["tracks"]
             if y["name"] == "mic"][0]
        series.append("%s/%s" % (x["erle_db"], x["echo_delay_ms"]))
    except (OSError, ValueError, IndexError):
        series.append("-")
print("status each second of the phase (erle_db/echo_delay_ms): " + " ".join(series))
mid = json.load(open(work + "/alice-on-7.5.json"))
m = [x for x in mid["tracks"] if x["name"] == "mic"][0]
print("status in far-end single talk (6.5..7.5 s): erle_db %s, echo_delay_ms %s"
      % (m["erle_db"], m["echo_delay_ms"]))
# The status ERLE is measured over far-end single talk once the delay is
# found (voice/echo-delay.c: about 2.5 s in here, then half a second of
# echo alone): shown by 4..5 s in every run so far, null before.
check(m["erle_db"] is not None and m["erle_db"] >= 20,
      "status in single talk: erle_db %s >= 20" % m["erle_db"])
# Double talk must not drag it down, nor the near end alone (no far end:
# nothing to measure) make it unknown.
check(t["erle_db"] is not None and t["erle_db"] >= 20,
      "status after double talk: erle_db %s >= 20" % t["erle_db"])
# The room's 40 ms (38.7 ms between the tap and the track, measured), as
# the delay finder finds it (10 ms blocks, refined between them: 40 in
# every run so far; the library's own estimate, when ours is not clear,
# in 4 ms steps, seen 22..50 ms).
check(t["echo_delay_ms"] is not None and 25 <= t["echo_delay_ms"] <= 60,
      "status: echo_delay_ms %s (the room's 40 ms, 25..60)" % t["echo_delay_ms"])
check(t["voice"] is not None, "status: voice %s" % t["voice"])

# The call itself: what bob's remote concealed or dropped as late, over the
# whole test.  A sender whose timestamps fell behind the graph's clock
# (cycles its track missed), or a jitter buffer that, once dry, drops the
# very packet it waited for, conceals seconds of it at a time: 1154 and
# 1275 of about 1400 packets in one phase before both were mended.
rb = [r for r in json.load(open(work + "/bob.json"))["remotes"] if r["name"] == "peer"][0]
print("bob's remote: %d packets, %d concealed, %d late, %d lost"
      % (rb["packets"], rb["concealed"], rb["late"], rb["lost"]))
check(rb["packets"] > 5000 and rb["concealed"] <= rb["packets"] // 100 and rb["late"] <= rb["packets"] // 100,
      "bob's remote concealed %d and had %d late of %d packets (each <= 1%%)"
      % (rb["concealed"], rb["late"], rb["packets"]))

# Noise suppression: tone in its bursts, noise between them, last 5 s.
def ns_figures(name):
    x = load(name); o = onset(x, 1000, 0.05)
    tones, noise = [], []
    for k in range(6, 12):
        tones.append(tone(seg(x, o, k * 0.8 + 0.05, k * 0.8 + 0.35), 1000))
        noise.append(np.mean(seg(x, o, k * 0.8 + 0.45, k * 0.8 + 0.75) ** 2))
    return np.mean(tones), db(np.mean(noise))
t_off, n_off = ns_figures("ns-off")
t_on, n_on = ns_figures("ns-on")
print("noise: %.1f dBFS off, %.1f dBFS on; tone %+.2f dB" % (n_off, n_on, 20 * np.log10(t_on / t_off)))
check(n_off - n_on >= 10, "noise down %.1f dB (>= 10)" % (n_off - n_on))
check(abs(20 * np.log10(t_on / t_off)) <= 3, "tone %+.2f dB (within 3)" % (20 * np.log10(t_on / t_off)))

# Gain control: the -40 dBFS tone's level in 100 ms blocks (median of each
# second), 0..12 s; the -6 dBFS one from 12 s: its level, its peak, and
# how many samples sit at full scale (clipping) once the AGC has had 0.5 s.
x = load("agc"); o = onset(x, 440, 0.003)
def lv(a, b, f=440):
    n = int(0.1 * rate); ph = np.exp(-2j * np.pi * f * np.arange(n) / rate)
    return np.median([20 * np.log10(max(2 * abs(np.dot(seg(x, o, t, t + 0.1)[:n], ph[:len(seg(x, o, t, t + 0.1)[:n])]))
                                       / n, 1e-9)) for t in np.arange(a, b - 0.05, 0.1)])
quiet = [lv(s, s + 1) for s in range(0, 12)]
early, late, loud = quiet[0], lv(9.5, 11.5), lv(13, 17.5)
tail = seg(x, o, 12.5, 17.5)
peak, clipped = np.max(np.abs(tail)), int(np.sum(np.abs(tail) >= 0.999))
print("agc: -40 dBFS tone per second (dBFS): " + " ".join("%.1f" % q for q in quiet))
print("agc: -40 dBFS tone leaves at %.1f dBFS in the first second, %.1f dBFS after 10 s; "
      "-6 dBFS tone at %.1f dBFS, peak %.3f, %d samples at full scale" % (early, late, loud, peak, clipped))
check(late >= -40 + 10 and late >= early,
      "quiet tone rose %.1f dB above its -40 dBFS toward the target after 10 s" % (late + 40))
check(clipped == 0 and loud > -12, "loud tone not clipped (peak %.3f, level %.1f dBFS)" % (peak, loud))
st = json.load(open(work + "/alice-agc.json"))
t = [x for x in st["tracks"] if x["name"] == "mic"][0]
print("status after agc phase: agc_gain_db %s, voice %s" % (t["agc_gain_db"], t["voice"]))
check(t["agc_gain_db"] is not None, "status: agc_gain_db")
sys.exit(1 if fails else 0)
PY
echo "PASS: voice processing"
