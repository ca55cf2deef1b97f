#!/usr/bin/env bash
# Loss protection at small frames: how many frames a receiver conceals at a
# given random loss with Opus in-band FEC and with RFC 2198 redundancy (RED),
# and what RED costs in receive buffering. Prints figures; not a pass/fail test.
#
# Usage: bench/run-loss.sh [--loss 0.05] [--seconds 20] [--runs 1] [--seed 15]
#                          [--cases "5:0:0 5:0:1 5:0:2 20:1:0 20:0:1 20:1:1"]
#                          [--build DIR] [--no-build] [--keep]
#
#   --cases  PTIME:FEC:REDUNDANCY triples, each one call; the default is
#            ptime 5 with redundancy 0, 1, 2 (FEC off: CELT only, it does
#            nothing there) and ptime 20 with FEC alone, RED alone, both
#   --runs   how many times the whole set runs; every run is printed
#
# The call: two pw-callbridge processes in one private PipeWire session,
# alice's mono track `mic` -> Opus/RTP/SRTP -> tests/lib/impair-relay
# (--loss, the same --seed in every case, so each case loses the same
# datagram indices) -> bob's `[remote peer]`, [remote] latency at its
# default (5 ms). A 600 Hz tone plays for --seconds.
#
# Columns:
#   dropped     datagrams the relay dropped, of those it received
#   underrun    sample frames bob's source node had to pad (its ring ran dry)
#   concealed%  frames Opus concealed (PLC slots, plus FEC slots whose next
#               packet had no FEC: CELT only) per frame sent
#   fec / red   frames rebuilt from in-band FEC / from RED copies
#   target      bob's jitter-buffer target at the end (ms)
#   depth med   bob's jitter-buffer depth, median of the once-a-second stats
#               samples of the second half of the tone (ms; the start-up
#               offset takes seconds to drain): what the receiver holds
#               back; RED should not raise it by more than one frame over
#               the same ptime without RED
#   kbit/s      alice's payload bitrate (median of the samples)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
loss=0.05
seconds=20
runs=1
seed=15
cases="5:0:0 5:0:1 5:0:2 20:1:0 20:0:1 20:1:1"
build_it=1
keep=0
cmdline="bench/run-loss.sh${*:+ $*}"

while (($#)); do
  case "$1" in
    --loss) loss="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --cases) cases="$2"; shift 2 ;;
    --build) build="$(cd "$2" && pwd)"; shift 2 ;;
    --no-build) build_it=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "run-loss.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for c in $cases; do
  [[ "$c" =~ ^(2\.5|5|10|20|40|60):[01]:[0-2]$ ]] ||
    { echo "run-loss.sh: case '$c' is not PTIME:FEC(0|1):REDUNDANCY(0..2)" >&2; exit 2; }
done

((build_it)) && ninja -C "$build" -j1 >/dev/null
export CALLBRIDGE_SOURCE_ROOT="$root" CALLBRIDGE_BUILD_ROOT="$build"
# shellcheck source-path=SCRIPTDIR source=../tests/lib/common.sh
source "$root/tests/lib/common.sh"

work="$(mktemp -d /tmp/cb-bench-loss.XXXXXX)"
cleanup() {
  local rc=$?
  set +e
  _cb_stop_bridges
  cb_session_stop
  ((keep)) && echo "kept $work" >&2 || rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
CB_SESSION_NO_TRAP=1 cb_session_start "$work/session" 2>/dev/null
cb_tone "$work/tone.wav" 600 48000 1 "$seconds" -12

# one_case RUN PTIME FEC RED: prints one row
one_case() {
  local run="$1" ptime="$2" fec="$3" red="$4" tag key bob_port relay_port relay play sampler
  tag="r$run-p${ptime/./_}-f$fec-r$red"
  key="$(cb_random_key)"
  cb_call_section "$work/bob-$tag.ini" bob 0 9 "$(cb_random_key)" "$key"
  cat >> "$work/bob-$tag.ini" <<INI
ptime = $ptime
sdp-file = none
stats-file = $work/bob-$tag.json
remote-timeout = 30

[remote peer]
channels = 1
INI
  "$CB_BIN" --config "$work/bob-$tag.ini" > "$work/bob-$tag.log" 2>&1 & cb_bridge_pids+=($!)
  bob_port="$(cb_bridge_port "$work/bob-$tag.log" bob)" || { echo "bob did not start" >&2; return 1; }
  "$build/tests/lib/impair-relay" --listen 127.0.0.1:0 --ready-file "$work/relay-$tag.port" \
    --forward "127.0.0.1:$bob_port" --loss "$loss" --seed "$seed" \
    --stats-file "$work/relay-$tag.stats" --quiet & relay=$!
  relay_port="$(cb_port_file "$work/relay-$tag.port" "$relay")" || return 1
  cb_call_section "$work/alice-$tag.ini" alice 0 "$relay_port" "$key" "$(cb_random_key)"
  cat >> "$work/alice-$tag.ini" <<INI
ptime = $ptime
sdp-file = none
stats-file = $work/alice-$tag.json

[stream main]
channels = 1
fec = $( ((fec)) && echo true || echo false )
redundancy = $red

[track mic]
channels = 1
stream = main
INI
  "$CB_BIN" --config "$work/alice-$tag.ini" > "$work/alice-$tag.log" 2>&1 & cb_bridge_pids+=($!)
  cb_wait_node callbridge.alice.mic 10 || { echo "alice's track did not appear" >&2; return 1; }
  pw-cat --playback --target callbridge.alice.mic "$work/tone.wav" & play=$!
  cb_wait_node callbridge.bob.remote.peer 10 || { echo "bob's remote did not appear" >&2; return 1; }
  # the stats files, once a second while the tone plays
  ( while kill -0 "$play" 2>/dev/null; do
      cat "$work/bob-$tag.json" 2>/dev/null | tr -d '\n'; echo
      cat "$work/alice-$tag.json" 2>/dev/null | tr -d '\n'; echo
      sleep 1
    done > "$work/samples-$tag" ) & sampler=$!
  wait "$play" || true
  wait "$sampler" || true
  sleep 1.5
  _cb_stop_bridges
  cb_stop_pid "$relay"
  /usr/bin/python3 - "$work" "$tag" "$run" "$ptime" "$fec" "$red" <<'PY'
import json, statistics, sys
work, tag, run, ptime, fec, red = sys.argv[1:]
bob = json.load(open("%s/bob-%s.json" % (work, tag)))
alice = json.load(open("%s/alice-%s.json" % (work, tag)))
relay = dict(l.strip().split("=", 1) for l in open("%s/relay-%s.stats" % (work, tag)) if "=" in l)
r = [x for x in bob["remotes"] if x["name"] == "peer"][0]
s = alice["streams"][0]
depths, rates = [], []
# the second half of the samples: the start-up offset takes seconds to drain
for line in open("%s/samples-%s" % (work, tag)):
    try:
        d = json.loads(line)
    except ValueError:
        continue
    for x in d.get("remotes", []):
        if x.get("name") == "peer" and x.get("active"):
            depths.append(x["depth_ms"])
    for x in d.get("streams", []):
        if x.get("bitrate"):
            rates.append(x["bitrate"] / 1000)
depths = depths[len(depths) // 2:]
rates = rates[len(rates) // 2:]
frames = s["frames"] or 1
concealed = r["concealed"] + r["fec_empty"]
print("%3s  %5s  %3s  %3d  %4d/%-5d  %6.2f%%  %4d  %4d  %6d  %6s  %9s  %6s" % (
    run, ptime, "on" if fec == "1" else "off", int(red), int(relay["rtp_dropped"]),
    int(relay["rtp_received"]), 100.0 * concealed / frames, r["fec_recovered"] - r["fec_empty"],
    r["red_recovered"], r["underrun_frames"], r["target_ms"],
    "%.0f" % statistics.median(depths) if depths else "-",
    "%.0f" % statistics.median(rates) if rates else "-"))
PY
}

echo "# $cmdline"
echo "# loss $loss (relay seed $seed), ${seconds} s of a 600 Hz tone per case, [remote] latency 5 (default)"
printf '%3s  %5s  %3s  %3s  %10s  %7s  %4s  %4s  %6s  %6s  %9s  %6s\n' run ptime fec red dropped concealed% fec red underrun target depth_med kbit/s
for ((run = 1; run <= runs; run++)); do
  for c in $cases; do
    IFS=: read -r p f r <<< "$c"
    one_case "$run" "$p" "$f" "$r" || echo "$run $p $f $r: the case failed (see --keep)"
  done
done
