#!/usr/bin/env bash
# callbridge side by side with JackTrip and Jamulus, the low-latency tools
# musicians use: mouth-to-ear latency through the same PipeWire graph, with
# the same impulse correlator (bench/latency.py), in the same run, and the
# CPU each system spends. Prints figures; it is not a pass/fail test.
#
# Usage: bench/run-peers.sh [--runs 5] [--seconds 10] [--period 0.5]
#                           [--warmup 10] [--systems "callbridge jacktrip jamulus"]
#                           [--ptime 2.5] [--build DIR] [--no-build] [--keep] [--verbose]
#
# Every run starts each system afresh and prints its own row: no run is
# dropped and none is picked. The ratios at the end are of medians of the
# per-run medians, and every run's figures are printed above them.
#
# The graph: one private PipeWire + WirePlumber session (stock settings) in
# a network namespace of the script's own (cb_private_netns), so the fixed
# ports JackTrip and Jamulus need cannot be held by anything else. The same
# reference sink and two-port recorder as bench/run-latency.sh:
#
#   pw-cat impulses -> cb-lat-ref (null sink, driver)
#                        monitor_MONO -+-> SYSTEM's input (sender side)
#                                      +-> cb-lat-rec:input_FL  (reference)
#   SYSTEM's output (receiver side) ----> cb-lat-rec:input_FR  (received)
#
# so the lag is exact on the graph's timeline. The systems:
#
#   callbridge  two pw-callbridge processes, alice's track mic -> Opus/RTP/SRTP
#               over UDP -> bob's [remote peer]; defaults except ptime (2.5)
#   jacktrip    JackTrip 1.7.0 peer to peer under pw-jack, 16-bit PCM, one
#               channel, queue 2 (-q 2): no codec, so its floor is lower than
#               any Opus call's
#   jamulus     Jamulus 3.9.1: a local server (-F, fast updates) and two
#               headless clients under pw-jack, default jitter buffers (auto);
#               its path is client -> server (mix) -> client, Opus-coded both ways
#
# Every JACK client runs with PIPEWIRE_LATENCY=64/48000, the quantum
# callbridge's ptime-2.5 nodes ask for, so the graph runs all three at the
# same quantum (printed per run, from pw-profiler).
#
# CPU: the utime + stime of each system's processes over the impulse train
# (from /proc), as a share of one core, for the whole two-party call (both
# ends, both directions; Jamulus's server included).
#
# Needs jacktrip and jamulus: scripts/deps.sh --bench installs them.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
runs=5
seconds=10
period=0.5
warmup=10
systems="callbridge jacktrip jamulus"
ptime=2.5
build_it=1
keep=0
verbose=0
cmdline="bench/run-peers.sh${*:+ $*}"
args=("$@")

while (($#)); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --period) period="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --systems) systems="$2"; shift 2 ;;
    --ptime) ptime="$2"; shift 2 ;;
    --build) build="$(cd "$2" && pwd)"; shift 2 ;;
    --no-build) build_it=0; shift ;;
    --keep) keep=1; shift ;;
    --verbose) verbose=1; shift ;;
    -h|--help) sed -n '2,44p' "$0"; exit 0 ;;
    *) echo "run-peers.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for s in $systems; do
  [[ "$s" =~ ^(callbridge|jacktrip|jamulus)$ ]] || { echo "run-peers.sh: unknown system '$s'" >&2; exit 2; }
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "run-peers.sh: --runs wants a positive count" >&2; exit 2; }

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
need=(pw-cat pw-record pw-link pw-cli pw-profiler pw-jack)
[[ " $systems " == *" jacktrip "* ]] && need+=(jacktrip)
[[ " $systems " == *" jamulus "* ]] && need+=(Jamulus)
for t in "${need[@]}"; do
  command -v "$t" >/dev/null || { echo "run-peers.sh: $t missing (scripts/deps.sh --bench installs it)" >&2; exit 1; }
done
[[ -x "$CB_BIN" ]] || { echo "run-peers.sh: $CB_BIN not built" >&2; exit 1; }

work="$(mktemp -d /tmp/bench-peers.XXXXXX)"
pids=()
stop_pids() {
  local p
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  sleep 0.2
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_pids
  cb_session_stop 2>/dev/null || true
  if ((keep)); then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

note() { if ((verbose)); then echo "  $*" >&2; fi; }
die() { echo "run-peers.sh: $*" >&2; exit 1; }

# Child pids of the pw-jack wrappers are the JACK clients themselves
# (pw-jack execs), so the pids we started are the ones to read.

"${LAT[@]}" impulses "$work/impulses.wav" --seconds "$seconds" --period "$period" >/dev/null
results="$work/results.txt"
: > "$results"
hz="$(getconf CLK_TCK)"

start_session() {
  CB_SESSION_NO_TRAP=1 cb_session_start "$work/session" 2>/dev/null || die "the session did not start"
  make_reference_sink
}

# Each start_* sets IN and OUT (the ports to link) and SYS_PIDS.
start_callbridge() { # DIR
  local dir="$1" key_a key_b n
  key_a="$(cb_random_key)"; key_b="$(cb_random_key)"
  for n in alice bob; do
    local lp=5004 rp=5006 sk="$key_a" rk="$key_b"
    [[ $n == bob ]] && { lp=5006; rp=5004; sk="$key_b"; rk="$key_a"; }
    cat > "$dir/$n.ini" <<INI
[call]
name = $n
local = 127.0.0.1:$lp
remote = 127.0.0.1:$rp
srtp-key = $sk
remote-srtp-key = $rk
sdp-file = none
stats-file = $dir/$n.json
ptime = $ptime

[track mic]
channels = 1

[remote peer]
channels = 1
INI
    "$CB_BIN" --config "$dir/$n.ini" > "$dir/$n.log" 2>&1 & pids+=($!); SYS_PIDS+=($!)
  done
  IN="callbridge.alice.mic:playback_MONO"
  OUT="callbridge.bob.remote.peer:capture_MONO"
}

start_jacktrip() { # DIR
  local dir="$1"
  # -n 1: one channel; -q 2: the smallest useful queue; -D: no default
  # JACK connections. Fixed ports inside this script's namespace.
  PIPEWIRE_LATENCY=64/48000 pw-jack jacktrip -s -n 1 -J jta -D -q 2 -B 4464 -P 4470 \
    > "$dir/jta.log" 2>&1 & pids+=($!); SYS_PIDS+=($!)
  sleep 0.5
  PIPEWIRE_LATENCY=64/48000 pw-jack jacktrip -c 127.0.0.1 -n 1 -J jtb -D -q 2 -B 4470 -P 4464 \
    > "$dir/jtb.log" 2>&1 & pids+=($!); SYS_PIDS+=($!)
  IN="jta:send_1"
  OUT="jtb:receive_1"
}

start_jamulus() { # DIR
  local dir="$1" c
  QT_QPA_PLATFORM=offscreen Jamulus -s -n -F -p 22124 --serverbindip 127.0.0.1 \
    > "$dir/server.log" 2>&1 & pids+=($!); SYS_PIDS+=($!)
  sleep 0.5
  for c in ja jb; do
    QT_QPA_PLATFORM=offscreen PIPEWIRE_LATENCY=64/48000 pw-jack Jamulus -n -j \
      -i "$dir/$c.ini" -c 127.0.0.1:22124 --clientname "$c" > "$dir/$c.log" 2>&1 &
    pids+=($!); SYS_PIDS+=($!)
  done
  IN="Jamulus ja:input left"
  OUT="Jamulus jb:output left"
}

quantum_of() { # DIR: the quantum of the driver the recorder follows (pw-profiler)
  local prof="$1/profiler" id
  mkdir -p "$prof"
  id="$(pw-dump 2>/dev/null | /usr/bin/python3 -c '
import json, sys
for o in json.load(sys.stdin):
    if o.get("type", "").endswith("Node") and (o.get("info") or {}).get("props", {}).get("node.name") == "cb-lat-rec":
        print(o["id"]); break')"
  (cd "$prof" && timeout -s INT 1 pw-profiler -o profiler.log >/dev/null 2>&1) || true
  "${LAT[@]}" quantum "$prof/profiler.log" "$id" 2>/dev/null | awk '{ print ($1 == 0 ? "?" : $1) }'
}

run_case() { # SYSTEM RUN
  local sys="$1" run="$2" dir t0 t1 w0 w1 q out
  dir="$work/$sys-$run"
  mkdir -p "$dir"
  SYS_PIDS=()
  start_recorder "$dir/rec.wav"
  "start_$sys" "$dir"
  wait_port "$IN" 20 || { tail -n 20 "$dir"/*.log >&2; die "$sys: $IN did not appear"; }
  wait_port "$OUT" 20 || { tail -n 20 "$dir"/*.log >&2; die "$sys: $OUT did not appear"; }
  pw-link cb-lat-ref:monitor_MONO "$IN"
  pw-link "$OUT" cb-lat-rec:input_FR
  sleep "$warmup"
  q="$(quantum_of "$dir")"
  t0="$(cpu_ticks "${SYS_PIDS[@]}")"; w0="$(date +%s.%N)"
  pw-cat --playback --target cb-lat-ref "$work/impulses.wav" 2>/dev/null
  t1="$(cpu_ticks "${SYS_PIDS[@]}")"; w1="$(date +%s.%N)"
  sleep 0.6
  stop_pids
  out="$("${LAT[@]}" measure "$dir/rec.wav" --max-lag-ms 300 --json 2>/dev/null | tail -n 1)"
  /usr/bin/python3 - "$sys" "$run" "$q" "$t0" "$t1" "$w0" "$w1" "$hz" "$out" >> "$results" <<'PY'
import json, sys
sysname, run, q, t0, t1, w0, w1, hz, out = sys.argv[1:]
s = json.loads(out) if out.strip() else {"n": 0, "n_total": 0}
cpu = (int(t1) - int(t0)) / int(hz) / (float(w1) - float(w0)) * 100
print(json.dumps({"system": sysname, "run": int(run), "quantum": q, "cpu_pct": cpu, **s}))
PY
  ((keep)) || rm -f "$dir/rec.wav"
}

echo "mouth-to-ear latency through one PipeWire graph: callbridge (ptime $ptime) vs JackTrip vs Jamulus"
printf 'host: %s, %s CPUs; %s; %s; %s\n' \
  "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" "$(nproc)" \
  "$(pipewire --version 2>/dev/null | sed -n 's/^Linked with libpipewire /libpipewire /p')" \
  "$(jacktrip -v 2>/dev/null | grep -m1 -o 'VERSION: [0-9.]*' || echo 'jacktrip ?')" \
  "Jamulus $(dpkg-query -W -f='${Version}' jamulus 2>/dev/null || echo '?')"
printf 'impulse train: %s s, one 1 ms chirp every %s s; %s s warm-up; %s runs of each system, every run printed\n\n' \
  "$seconds" "$period" "$warmup" "$runs"

start_session
for ((run = 1; run <= runs; run++)); do
  for sys in $systems; do
    echo "--- run $run: $sys" >&2
    run_case "$sys" "$run"
  done
done

/usr/bin/python3 - "$results" "$ptime" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ptime = float(sys.argv[2])
print("| system | run | quantum | impulses | median ms | min..max ms | max-min ms | CPU % of a core (whole call) |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    if r.get("n"):
        print("| %s | %d | %s | %d/%d | %.2f | %.2f..%.2f | %.2f | %.1f |" % (
            r["system"], r["run"], r["quantum"], r["n"], r["n_total"], r["median_ms"],
            r["min_ms"], r["max_ms"], r["max_ms"] - r["min_ms"], r["cpu_pct"]))
    else:
        print("| %s | %d | %s | 0/%d | - | - | - | %.1f |" % (
            r["system"], r["run"], r["quantum"], r["n_total"], r["cpu_pct"]))
med = {}
cpu = {}
for s in sorted(set(r["system"] for r in rows)):
    m = [r["median_ms"] for r in rows if r["system"] == s and r.get("n")]
    if m:
        med[s] = statistics.median(m)
        cpu[s] = statistics.median([r["cpu_pct"] for r in rows if r["system"] == s])
        print("%s: median of the runs' medians %.2f ms (runs %s)" % (
            s, med[s], " ".join("%.2f" % x for x in m)))
# Opus cost at this frame: frame + look-ahead of the application the stream
# uses by default (auto: restricted-lowdelay, 2.5 ms, below a 10 ms frame;
# audio, 6.5 ms, from 10 ms up).
opus_cost = ptime + (2.5 if ptime < 10 else 6.5)
print()
if "callbridge" in med and "jamulus" in med:
    print("callbridge / Jamulus: %.2f   (goal <= 0.8)" % (med["callbridge"] / med["jamulus"]))
if "callbridge" in med and "jacktrip" in med:
    print("callbridge - (JackTrip + Opus cost %.1f ms): %+.2f ms   (goal <= 0)" % (
        opus_cost, med["callbridge"] - med["jacktrip"] - opus_cost))
for s in cpu:
    print("CPU, %s: %.1f %% of one core for the two-party call (median over runs)" % (s, cpu[s]))
PY
echo
echo "command: $cmdline   (in $root, build dir $build)"
