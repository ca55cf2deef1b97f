#!/usr/bin/env bash
# Mouth-to-ear latency of a callbridge call on loopback: prints figures, it
# is not a pass/fail test.
#
# Usage: bench/run-latency.sh [--ptimes "2.5 5 10 20"] [--jitter "10 40"]
#                             [--sessions "default small"] [--seconds 10]
#                             [--period 0.5] [--warmup 15] [--application APP]
#                             [--build DIR] [--no-build] [--keep] [--verbose]
#                             [--track-keys "KEY=VALUE ..."]
#
#   --jitter    the [remote] latency values (jitter-buffer target, ms) to try
#   --sessions  which PipeWire sessions to run the cases in:
#                 default    the stock configuration: quanta are powers of two,
#                            so a node asking for 480 frames gets 256
#                 small      a conf.d fragment with default.clock.min-quantum = 32
#                            and clock.power-of-two-quantum = false: the graph
#                            runs at exactly the quantum the tracks ask for (half a frame)
#                 force<N>   the stock configuration with clock.force-quantum = N
#                            in the settings metadata (force1024: what a desktop
#                            graph at its default quantum gives)
#   --warmup    seconds the call runs before the impulses, for the jitter
#               buffer's target to settle (see bench/README.md)
#   --load      a CPU-bound neighbour (a busy loop at normal priority, pinned
#               to CPU 0) runs through each case: warm-up and train
#   --rt no     the bridges run without CAP_SYS_NICE, so their workers' and
#               data loop's SCHED_FIFO request is refused (as for a user
#               without real-time permission); default yes: as granted
#   --track-keys  more keys for alice's [track mic] (e.g. voice processing:
#               "echo-cancel=true noise-suppression=moderate"; bench/run-voice.sh)
#   --application  auto|voip|audio|lowdelay: the Opus application of alice's
#               stream (default: the stream default, auto = lowdelay below a
#               10 ms frame, audio from 10 ms up); the floor uses that
#               application's look-ahead
#
# The call: two pw-callbridge processes in one private PipeWire session
# (scripts/private-session.sh), alice's track `mic` -> Opus/RTP/SRTP over UDP
# on 127.0.0.1 -> bob's `[remote peer]`, default settings except ptime and
# the [remote] latency (mono track and remote, as in tests/integration/duplex.sh).
# Each bridge needs the other's port before it starts, so the ports are
# fixed (5004, 5006), and the whole run is in a network namespace of its own
# (cb_private_netns), where nothing else can hold them; its loopback is the
# same code path as the host's.
#
# The common time base, sample-accurate:
#
#   pw-cat impulses.wav -> cb-lat-ref (null sink, the graph's driver)
#                            monitor_MONO -+-> callbridge.alice.mic  ~~ call ~~>
#                                          |
#                                          +-> cb-lat-rec:input_FL   (reference)
#   callbridge.bob.remote.peer:capture_MONO --> cb-lat-rec:input_FR  (received)
#
# cb-lat-rec is ONE pw-record node with two input ports. In a graph cycle the
# null sink's monitor hands the same buffer to alice's track and to the
# recorder's left port, and the recorder's adapter interleaves its two ports'
# buffers of that same cycle into one frame. So sample n of the left channel
# is what entered alice's track at graph position n, and sample n of the right
# channel is what bob's remote source produced at graph position n: the lag
# between the two is the latency on the graph timeline, exact to the sample,
# whatever the scheduling jitter of pw-cat, the recorder or the bridges. (A
# calibration run per session links the monitor to both recorder ports and
# must read 0 samples.) Two separate pw-record processes would not do: each
# has its own start time and buffering.
#
# Every node of the call is kept on one driver for the whole case, so nothing
# is re-clocked while measuring: the reference sink is created first and the
# recorder is linked to it before the bridges start, so the null sink is
# already driving when the bridges' nodes appear and they join it directly (a
# driver change later would stall the graph for a moment and make bob's
# jitter buffer grow its target for the next 10 s).
#
# Per case: start the recorder, start alice and bob, link, let the call run
# --warmup seconds and until bob's stats file shows the jitter-buffer target
# back at the configured [remote] latency, read the graph quantum with
# pw-profiler (the cycle duration of the driver whose followers are alice's
# track and bob's remote), play the impulse train (a 1 ms chirp every
# --period s for --seconds s), stop. bench/latency.py then cross-correlates
# each reference impulse with the received channel.
#
# The floor: frame (ptime) + Opus encoder look-ahead (OPUS_GET_LOOKAHEAD from
# libopus for the application the stream uses: 312 samples = 6.5 ms for
# audio/voip, 120 = 2.5 ms for lowdelay) + one graph quantum (the remote's
# source must hand a whole quantum to the graph at the start of a cycle; the
# track gets a whole quantum at once).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
ptimes="2.5 5 10 20"
jitters="10 40"
sessions="default small"
seconds=10
period=0.5
warmup=15
application=""
load=0
rt=yes
track_keys=""
build_it=1
keep=0
verbose=0
cmdline="bench/run-latency.sh${*:+ $*}"
args=("$@")   # for cb_private_netns, which runs the script again

while (($#)); do
  case "$1" in
    --ptimes) ptimes="$2"; shift 2 ;;
    --jitter) jitters="$2"; shift 2 ;;
    --sessions) sessions="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --period) period="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --application) application="$2"; shift 2 ;;
    --load) load=1; shift ;;
    --rt) rt="$2"; shift 2 ;;
    --track-keys) track_keys="$2"; shift 2 ;;
    --build) build="$(cd "$2" && pwd)"; shift 2 ;;
    --no-build) build_it=0; shift ;;
    --keep) keep=1; shift ;;
    --verbose) verbose=1; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "run-latency.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

for s in $sessions; do
  [[ "$s" =~ ^(default|small|force[0-9]+)$ ]] || { echo "run-latency.sh: unknown session '$s'" >&2; exit 2; }
done
[[ "$rt" =~ ^(yes|no)$ ]] || { echo "run-latency.sh: --rt wants yes or no" >&2; exit 2; }
[[ -z "$application" || "$application" =~ ^(auto|voip|audio|lowdelay)$ ]] ||
  { echo "run-latency.sh: application '$application' is not one of auto voip audio lowdelay" >&2; exit 2; }
for p in $ptimes; do
  [[ "$p" =~ ^(2.5|5|10|20|40|60)$ ]] || { echo "run-latency.sh: ptime '$p' is not one of 2.5 5 10 20 40 60" >&2; exit 2; }
done

export CALLBRIDGE_SOURCE_ROOT="$root" CALLBRIDGE_BUILD_ROOT="$build"
# shellcheck source-path=SCRIPTDIR source=../tests/lib/common.sh
source "$root/tests/lib/common.sh"
# shellcheck source=lib.sh
source "$root/bench/lib.sh"
cb_private_netns "${args[@]}"
LAT=(/usr/bin/python3 "$root/bench/latency.py")

if ((build_it)); then
  ninja -C "$build" src/tools/pw-callbridge >/dev/null
fi
[[ -x "$CB_BIN" ]] || { echo "run-latency.sh: $CB_BIN not built" >&2; exit 1; }
for t in pw-cat pw-record pw-link pw-cli pw-dump pw-profiler pw-metadata; do
  command -v "$t" >/dev/null || { echo "run-latency.sh: $t missing (pipewire-bin)" >&2; exit 1; }
done

work="$(mktemp -d /tmp/bench-latency.XXXXXX)"
# --rt no: without CAP_SYS_NICE (and RLIMIT_RTPRIO 0 as set here) every
# SCHED_FIFO request of the bridges fails, as it does for a user whom
# neither limits.conf nor RTKit grants real-time.
launch=()
if [[ "$rt" == no ]]; then
  launch=(setpriv --bounding-set=-sys_nice --inh-caps=-sys_nice prlimit --rtprio=0 --)
fi
rt_seen=()
stall_lines=()
pids=()       # bridges, recorder, player of the running case
load_pid=""   # --load's neighbour
sampler_pid=""  # bob's stats, once a second
stop_pids() {
  local p
  # SIGTERM: a background job of a script starts with SIGINT ignored.
  if [[ -n "$sampler_pid" ]]; then kill -TERM "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=""; fi
  if [[ -n "$load_pid" ]]; then kill -TERM "$load_pid" 2>/dev/null || true; wait "$load_pid" 2>/dev/null || true; load_pid=""; fi
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_pids
  cb_session_stop
  if ((keep)); then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

note() { if ((verbose)); then echo "  $*" >&2; fi; }
die() { echo "run-latency.sh: $*" >&2; exit 1; }

node_id() { # NODE_NAME
  pw-dump 2>/dev/null | /usr/bin/python3 -c '
import json, sys
for o in json.load(sys.stdin):
    if o.get("type", "").endswith("Node") and (o.get("info") or {}).get("props", {}).get("node.name") == sys.argv[1]:
        print(o["id"]); break' "$1"
}

# bob's remote as the stats file has it: KEY of [remote peer].
remote_stat() { # FILE KEY
  /usr/bin/python3 -c '
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    print([r for r in d["remotes"] if r["name"] == "peer"][0][sys.argv[2]])
except Exception:
    print("")' "$1" "$2"
}

lookahead_table="$("${LAT[@]}" lookahead)"
# The application a ptime's stream really uses: auto (the default) is
# restricted-lowdelay below 10 ms and audio from 10 ms up (src/audio/opus-encoder.c).
effective_app() { # PTIME
  local a="${application:-auto}"
  if [[ "$a" == auto ]]; then
    awk -v p="$1" 'BEGIN { print (p < 10) ? "lowdelay" : "audio" }'
  else
    echo "$a"
  fi
}
lookahead_of() { # PTIME
  awk -v a="$(effective_app "$1")" '$1 == a { print $2 }' <<<"$lookahead_table"
}
lookahead_all="$("${LAT[@]}" lookahead | tr '\n' ' ')"
"${LAT[@]}" impulses "$work/impulses.wav" --seconds "$seconds" --period "$period" >/dev/null
"${LAT[@]}" impulses "$work/calibrate.wav" --seconds 1.5 --period "$period" >/dev/null
results="$work/results.jsonl"
: > "$results"
settings_lines=()
calibrations=()

start_session() { # NAME
  local name="$1" confd=""
  if [[ "$name" == small ]]; then
    confd="$work/conf.d-small"
    mkdir -p "$confd"
    # vm.overrides too: PipeWire raises min-quantum to 1024 when it detects a VM.
    cat > "$confd/50-callbridge-latency.conf" <<'CONF'
context.properties = {
    default.clock.min-quantum   = 32
    clock.power-of-two-quantum  = false
    vm.overrides = { default.clock.min-quantum = 32 }
}
CONF
  fi
  CB_SESSION_PIPEWIRE_CONF_D="$confd" CB_SESSION_NO_TRAP=1 cb_session_start "$work/session-$name" 2>/dev/null ||
    die "session $name did not start"
  if [[ "$name" == force* ]]; then
    pw-metadata -n settings 0 clock.force-quantum "${name#force}" >/dev/null
  fi
  make_reference_sink
  settings_lines+=("$name: $(pw-metadata -n settings 2>/dev/null | sed -n "s/.*key:'\(clock\.[a-z-]*\)' value:'\([^']*\)'.*/\1=\2/p" |
    grep -E 'quantum' | tr '\n' ' ')")
}

# Both recorder ports fed by the same monitor: must read 0 samples.
calibrate() { # SESSION
  local dir="$work/$1-calibrate" out
  mkdir -p "$dir"
  start_recorder "$dir/rec.wav"
  pw-link cb-lat-ref:monitor_MONO cb-lat-rec:input_FR
  sleep 0.3
  pw-cat --playback --target cb-lat-ref "$work/calibrate.wav" 2>/dev/null
  sleep 0.3
  stop_pids
  out="$("${LAT[@]}" measure "$dir/rec.wav" --max-lag-ms 100 | tail -n 1)"
  calibrations+=("$1: reference -> both recorder ports: $out")
}

write_config() { # NAME LOCAL REMOTE SEND_KEY RECV_KEY PTIME JITTER DIR
  cat > "$8/$1.ini" <<INI
[call]
name = $1
local = 127.0.0.1:$2
remote = 127.0.0.1:$3
srtp-key = $4
remote-srtp-key = $5
sdp-file = $8/$1.sdp
stats-file = $8/$1.json
ptime = $6
remote-timeout = 3

$(if [[ -n "$application" ]]; then printf '[stream out]\nchannels = 1\napplication = %s\n\n' "$application"; fi)
[track mic]
channels = 1
$(if [[ -n "$application" ]]; then echo "stream = out"; fi)
$(if [[ "$1" == alice ]]; then for kv in $track_keys; do echo "${kv%%=*} = ${kv#*=}"; done; fi)

[remote peer]
channels = 1
latency = $7
INI
}

run_case() { # SESSION PTIME JITTER
  local session="$1" ptime="$2" jitter="$3" dir port_a port_b key_a key_b i t ids prof q qsrc vflag=()
  ((verbose)) && vflag=(--verbose)
  dir="$work/$session-p$ptime-j$jitter"
  mkdir -p "$dir"
  port_a=5004; port_b=5006   # this script's own network namespace
  key_a="$(cb_random_key)"
  key_b="$(cb_random_key)"
  write_config alice "$port_a" "$port_b" "$key_a" "$key_b" "$ptime" "$jitter" "$dir"
  write_config bob "$port_b" "$port_a" "$key_b" "$key_a" "$ptime" "$jitter" "$dir"

  start_recorder "$dir/rec.wav"
  if ((load)); then
    # The neighbour: normal priority, one core, for the whole case.
    taskset -c 0 /usr/bin/python3 -c 'while True: pass' & load_pid=$!
  fi
  "${launch[@]}" "$CB_BIN" --config "$dir/alice.ini" > "$dir/alice.log" 2>&1 & pids+=($!)
  "${launch[@]}" "$CB_BIN" --config "$dir/bob.ini" > "$dir/bob.log" 2>&1 & pids+=($!)
  wait_port callbridge.alice.mic:playback_MONO || { cat "$dir"/*.log >&2; die "alice's track did not appear"; }
  wait_port callbridge.bob.remote.peer:capture_MONO || { cat "$dir"/*.log >&2; die "bob's remote did not appear"; }
  # What the machine itself did to real-time threads through the case
  # (bench/stall-probe.c), on the same clock as the series below: a vCPU
  # not run for some ms is a late burst no setting of ours prevents.
  local probe_pid= train_at case_t0
  case_t0="$(date +%s.%N)"
  if [[ -x "$build/bench/stall-probe" ]]; then
    "$build/bench/stall-probe" --seconds 300 > "$dir/stalls.txt" 2>&1 & probe_pid=$!
  fi
  # bob's receive side once a second, warm-up and train (--verbose prints
  # it): where the latency sits (jitter buffer, decoded ring) and what the
  # drift control does about it.
  /usr/bin/python3 - "$dir/bob.json" "$dir/series.txt" <<'PY' &
import json, sys, time
t0 = time.monotonic()
with open(sys.argv[2], "w", buffering=1) as out:
    out.write("   t_s depth_ms target_ms ring_ms drift_ppm late concealed underrun trimmed read_wait_ms\n")
    while True:
        time.sleep(1)
        try:
            doc = json.load(open(sys.argv[1]))
            r = [r for r in doc["remotes"] if r["name"] == "peer"][0]
            out.write("%6.1f %8d %9d %7.2f %9d %4d %9d %8d %7d %12.2f\n" % (time.monotonic() - t0,
                r["depth_ms"], r["target_ms"], r.get("ring_ms", -1), r.get("drift_ppm", 0),
                r["late"], r["concealed"], r["underrun_frames"], r.get("trimmed_frames", 0),
                (doc.get("receive") or {}).get("read_wait_max_us", -1000) / 1000.0))
        except Exception:
            pass
PY
  sampler_pid=$!
  if grep -q "no real-time priority" "$dir/alice.log" "$dir/bob.log"; then rt_seen+=(refused); else rt_seen+=(granted); fi
  pw-link cb-lat-ref:monitor_MONO callbridge.alice.mic:playback_MONO
  pw-link callbridge.bob.remote.peer:capture_MONO cb-lat-rec:input_FR

  # Steady state: at least --warmup s, and bob's target back at the floor.
  sleep "$warmup"
  for ((i = 0; i < 150; i++)); do
    t="$(remote_stat "$dir/bob.json" target_ms)"
    [[ "$t" == "$jitter" ]] && break
    sleep 0.1
  done
  [[ "$t" == "$jitter" ]] || note "bob's jitter target is $t ms, not $jitter, after the warm-up"

  # The quantum the call's driver runs at, from the profiler.
  ids="$(node_id callbridge.alice.mic) $(node_id callbridge.bob.remote.peer)"
  prof="$dir/profiler"
  mkdir -p "$prof"
  (cd "$prof" && timeout -s INT 1 pw-profiler -o profiler.log >/dev/null 2>&1) || true
  # shellcheck disable=SC2086 # two ids
  read -r q _ < <("${LAT[@]}" quantum "$prof/profiler.log" $ids || true)
  qsrc=1
  if [[ -z "$q" || "$q" == 0 ]]; then
    # No profiler data: what the graph should pick for our node.latency.
    q="$(awk -v p="$ptime" -v s="$session" 'BEGIN { n = p * 24; if (n < 64) n = 64; if (s ~ /^force/) n = substr(s, 6) + 0;
      else if (s != "small") { q = 1; while (q * 2 <= n) q *= 2; n = q } print n }')"
    qsrc=0
  fi

  cp "$dir/bob.json" "$dir/bob-before.json" 2>/dev/null || true
  train_at="$(awk -v a="$(date +%s.%N)" -v b="$case_t0" 'BEGIN { printf("%.1f", a - b) }')"
  pw-cat --playback --target cb-lat-ref "$work/impulses.wav" 2>/dev/null
  sleep 0.6        # the last impulse's way through the call (max lag 450 ms)
  cp "$dir/bob.json" "$dir/bob-after.json" 2>/dev/null || true
  if [[ -n "$probe_pid" ]]; then
    kill -INT "$probe_pid" 2>/dev/null; wait "$probe_pid" || true
    stall_lines+=("$session ptime $ptime latency $jitter (train from $train_at s): $(paste -sd';' "$dir/stalls.txt" | sed 's/;/; /g')")
  fi
  stop_pids

  "${LAT[@]}" case --session "$session" --ptime "$ptime" --jitter "$jitter" \
    --quantum "$q" --quantum-measured "$qsrc" --lookahead "$(lookahead_of "$ptime")" \
    --rec "$dir/rec.wav" --before "$dir/bob-before.json" --after "$dir/bob-after.json" \
    --sender "$dir/alice.json" --period-ms "$(awk -v p="$period" 'BEGIN { print p * 1000 }')" \
    "${vflag[@]}" >> "$results"
  if ((verbose)); then
    echo "  bob's remote, once a second (warm-up, then the train from t = $warmup s):" >&2
    sed 's/^/    /' "$dir/series.txt" >&2
  fi
  ((keep)) || rm -f "$dir/rec.wav"
}

echo "callbridge mouth-to-ear latency on loopback (track -> Opus/RTP/SRTP/UDP -> remote source), sample-accurate"
printf 'host: %s, %s CPUs; %s; libopus %s; OPUS_GET_LOOKAHEAD at 48 kHz: %s(samples)\n' \
  "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" "$(nproc)" \
  "$(pipewire --version 2>/dev/null | sed -n 's/^Linked with libpipewire /libpipewire /p')" \
  "$(pkg-config --modversion opus 2>/dev/null || echo '?')" "$lookahead_all"
printf 'impulse train: %s s, one 1 ms chirp every %s s; %s s warm-up per case; defaults otherwise (mono, 64 kbit/s, application %s, FEC, SRTP AES_CM_128_HMAC_SHA1_80)\n' \
  "$seconds" "$period" "$warmup" "${application:-auto (lowdelay below 10 ms, audio from 10 ms)}"
[[ -z "$track_keys" ]] || echo "alice's [track mic] also: $track_keys"
echo

for session in $sessions; do
  echo "--- session $session" >&2
  start_session "$session"
  calibrate "$session"
  for jitter in $jitters; do
    for ptime in $ptimes; do
      echo "    ptime $ptime, [remote] latency $jitter" >&2
      run_case "$session" "$ptime" "$jitter"
    done
  done
  cb_session_stop 2>/dev/null
done

"${LAT[@]}" table "$results"
echo
echo "quantum: the graph quantum the call's driver ran at (pw-profiler; '?' = not measured, the value"
echo "  PipeWire should pick for node.latency = max(ptime frames / 2, 64)/48000). Sessions' settings metadata:"
printf '    %s\n' "${settings_lines[@]}"
echo "floor: frame + Opus look-ahead (of the application the case used) + one quantum. ratio: measured median / floor."
echo "targets (issue): <= 25 ms at ptime 10, and <= 2x the floor at every ptime."
echo "during the train: bob's remote stats (jitter, depth/target at the end; late, concealed and"
echo "  underrun frames counted while the impulses played)."
echo "for scale: OBS WHIP ~120 ms, PipeWire's RTP modules 100 ms by default, roc 200 ms by default."
printf 'load: %s. workers'"'"' SCHED_FIFO (asked for: --rt %s): %s\n' \
  "$( ((load)) && echo "a busy loop at normal priority on CPU 0 through every case" || echo none)" \
  "$rt" "$(printf '%s\n' "${rt_seen[@]}" | sort | uniq -c | awk '{ printf("%s%s in %s cases", (NR > 1 ? ", " : ""), $2, $1) }')"
if ((${#stall_lines[@]})); then
  echo "the machine through each case (bench/stall-probe: a SCHED_FIFO thread at the lowest priority"
  echo "  on each CPU, waking every 1 ms; its worst wake-up, and stalls over 2 ms at s into the case,"
  echo "  the clock of --verbose's series):"
  printf '    %s\n' "${stall_lines[@]}"
fi
echo "calibration (must be 0 samples):"
printf '    %s\n' "${calibrations[@]}"
echo
echo "command: $cmdline   (in $root, build dir $build)"
