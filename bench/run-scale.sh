#!/usr/bin/env bash
# How many streams one machine carries: two pw-callbridge processes in one
# private PipeWire session, alice with N file tracks (a looped tone each,
# so no link and no player is needed) forwarded as N streams, bob with N
# [remote]s receiving them (matched by SSRC), for --seconds at --ptime.
# Per N it prints: CPU of each process (utime + stime from /proc, as a
# share of one core), memory (RSS after 10 s and at the end), what alice's
# streams sent and ran short of (underrun frames), what bob's remotes
# concealed, played late or ran short of, and whether N held:
#   held = no underrun at either end, concealed <= 0.1 % of the frames, and
#          RSS at the end within 5 % of RSS after 10 s.
# Then the largest N that held, and the efficiency: that N / the
# libopus-only ceiling measured in the same run (build/bench/bench-opus:
# cores / (encode + decode CPU per stream-second), i.e. the streams the
# machine could carry if nothing but the codec cost anything).
# Prints figures; it is not a pass/fail test.
#
# Xruns: pw-top in PipeWire 0.3.65 has no batch mode, so the graph's own
# xrun counter is not read here; an xrun that costs audio shows as an
# underrun of a stream (alice) or a remote (bob), which is counted.
#
# Usage: bench/run-scale.sh [--n "8 16 32 64"] [--ptime 20] [--seconds 60]
#                           [--build DIR] [--no-build] [--keep]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
ns="8 16 32 64"
ptime=20
seconds=60
build_it=1
keep=0
cmdline="bench/run-scale.sh${*:+ $*}"
args=("$@")

while (($#)); do
  case "$1" in
    --n) ns="$2"; shift 2 ;;
    --ptime) ptime="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --build) build="$(cd "$2" && pwd)"; shift 2 ;;
    --no-build) build_it=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "run-scale.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for n in $ns; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] && ((n <= 64)) || { echo "run-scale.sh: N '$n' is not 1..64" >&2; exit 2; }
done
[[ "$ptime" =~ ^(2.5|5|10|20|40|60)$ ]] || { echo "run-scale.sh: ptime '$ptime' is not one of 2.5 5 10 20 40 60" >&2; exit 2; }
((seconds >= 20)) || { echo "run-scale.sh: --seconds wants at least 20" >&2; exit 2; }

export CALLBRIDGE_SOURCE_ROOT="$root" CALLBRIDGE_BUILD_ROOT="$build"
# shellcheck source-path=SCRIPTDIR source=../tests/lib/common.sh
source "$root/tests/lib/common.sh"
# shellcheck source=lib.sh
source "$root/bench/lib.sh"
# Fixed ports, so each bridge knows the other's before it starts.
cb_private_netns "${args[@]}"

if ((build_it)); then
  ninja -C "$build" src/tools/pw-callbridge bench/bench-opus >/dev/null
fi
for b in "$CB_BIN" "$build/bench/bench-opus"; do
  [[ -x "$b" ]] || { echo "run-scale.sh: $b not built" >&2; exit 1; }
done

work="$(mktemp -d /tmp/bench-scale.XXXXXX)"
pids=()
stop_pids() {
  local p
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
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

/usr/bin/python3 - "$work/tone.wav" <<'PY'
# 1 s of a 440 Hz tone at -12 dBFS, 48 kHz mono, a whole number of periods
# so the loop has no seam.
import math, struct, sys, wave
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(48000)
    w.writeframes(b"".join(struct.pack("<h", int(8191 * math.sin(2 * math.pi * 440 * i / 48000)))
                           for i in range(48000)))
PY

ticks="$(getconf CLK_TCK)"
rss_kb() { # PID
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

write_configs() { # N DIR
  local n="$1" dir="$2" i ssrc ka kb
  ka="$(cb_random_key)"; kb="$(cb_random_key)"
  {
    printf '[call]\nname = alice\nlocal = 127.0.0.1:5004\nremote = 127.0.0.1:5006\n'
    printf 'srtp-key = %s\nremote-srtp-key = %s\nptime = %s\nsdp-file = none\nstats-file = %s/alice.json\n\n' \
      "$ka" "$kb" "$ptime" "$dir"
    for ((i = 1; i <= n; i++)); do
      ssrc="$(printf '0x%08x' $((0x10000000 + i)))"
      printf '[stream s%d]\nchannels = 1\nssrc = %s\nremote = 127.0.0.1:5006\n\n' "$i" "$ssrc"
      printf '[track t%d]\nchannels = 1\nstream = s%d\nfile = %s/tone.wav\nloop = true\n\n' "$i" "$i" "$work"
    done
  } > "$dir/alice.ini"
  {
    printf '[call]\nname = bob\nlocal = 127.0.0.1:5006\nremote = 127.0.0.1:5004\n'
    printf 'srtp-key = %s\nremote-srtp-key = %s\nptime = %s\nsdp-file = none\nstats-file = %s/bob.json\n\n' \
      "$kb" "$ka" "$ptime" "$dir"
    for ((i = 1; i <= n; i++)); do
      ssrc="$(printf '0x%08x' $((0x10000000 + i)))"
      printf '[remote r%d]\nchannels = 1\nssrc = %s\n\n' "$i" "$ssrc"
    done
  } > "$dir/bob.ini"
  chmod 600 "$dir/alice.ini" "$dir/bob.ini"
}

results="$work/results.jsonl"
: > "$results"

run_n() { # N
  local n="$1" dir a b i ca0 cb0 ca1 cb1 t0 t1 rss_a0 rss_b0 rss_a1 rss_b1
  dir="$work/n$n"
  mkdir -p "$dir"
  write_configs "$n" "$dir"
  CB_SESSION_NO_TRAP=1 cb_session_start "$work/session-$n" 2>/dev/null ||
    { echo "run-scale.sh: the private session did not start" >&2; exit 1; }
  "$CB_BIN" --config "$dir/alice.ini" > "$dir/alice.log" 2>&1 & a=$!; pids+=("$a")
  "$CB_BIN" --config "$dir/bob.ini" > "$dir/bob.log" 2>&1 & b=$!; pids+=("$b")
  cb_wait_node "callbridge.alice.t$n" 30 && cb_wait_node "callbridge.bob.remote.r$n" 30 ||
    { tail -n 5 "$dir"/*.log >&2; echo "run-scale.sh: N=$n: the nodes did not appear" >&2; exit 1; }
  sleep 10
  cp "$dir/alice.json" "$dir/alice-0.json"; cp "$dir/bob.json" "$dir/bob-0.json"
  ca0="$(cpu_ticks "$a")"; cb0="$(cpu_ticks "$b")"; t0="$(date +%s.%N)"
  rss_a0="$(rss_kb "$a")"; rss_b0="$(rss_kb "$b")"
  sleep "$((seconds - 10))"
  ca1="$(cpu_ticks "$a")"; cb1="$(cpu_ticks "$b")"; t1="$(date +%s.%N)"
  rss_a1="$(rss_kb "$a")"; rss_b1="$(rss_kb "$b")"
  sleep 0.3   # the stats file is rewritten every second or so
  cp "$dir/alice.json" "$dir/alice-1.json"; cp "$dir/bob.json" "$dir/bob-1.json"
  stop_pids
  cb_session_stop 2>/dev/null || true
  /usr/bin/python3 - "$dir" "$n" "$ptime" "$ticks" "$ca0" "$ca1" "$cb0" "$cb1" "$t0" "$t1" \
    "$rss_a0" "$rss_a1" "$rss_b0" "$rss_b1" >> "$results" <<'PY'
import json, sys
d, n, ptime, hz = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
ca0, ca1, cb0, cb1 = (float(x) for x in sys.argv[5:9])
t0, t1 = float(sys.argv[9]), float(sys.argv[10])
rss = [int(x) for x in sys.argv[11:15]]
def load(name):
    with open("%s/%s.json" % (d, name)) as f:
        return json.load(f)
a0, a1, b0, b1 = load("alice-0"), load("alice-1"), load("bob-0"), load("bob-1")
def total(doc, kind, key):
    return sum(x.get(key, 0) or 0 for x in doc.get(kind, []))
def delta(d0, d1, kind, key):
    return total(d1, kind, key) - total(d0, kind, key)
span = t1 - t0
frames = int(span * 1000 / ptime) * n
out = {
    "n": n, "ptime": ptime, "seconds": span,
    "cpu_alice": (ca1 - ca0) / hz / span * 100, "cpu_bob": (cb1 - cb0) / hz / span * 100,
    "rss_alice": rss[:2], "rss_bob": rss[2:],
    "packets": delta(a0, a1, "streams", "packets"),
    "send_underrun": delta(a0, a1, "streams", "underrun_frames"),
    "received": delta(b0, b1, "remotes", "packets"),
    "concealed": delta(b0, b1, "remotes", "concealed"),
    "late": delta(b0, b1, "remotes", "late"),
    "recv_underrun": delta(b0, b1, "remotes", "underrun_frames"),
    "active_remotes": sum(1 for x in b1.get("remotes", []) if x.get("packets", 0) > 0),
    "frames": frames,
}
out["concealed_pct"] = 100.0 * out["concealed"] / frames if frames else 0
grow = max(rss[1] / rss[0] if rss[0] else 1, rss[3] / rss[2] if rss[2] else 1)
out["rss_growth"] = grow
out["held"] = (out["send_underrun"] == 0 and out["recv_underrun"] == 0 and
               out["concealed_pct"] <= 0.1 and grow <= 1.05 and out["active_remotes"] == n)
print(json.dumps(out))
PY
}

for n in $ns; do
  echo "--- N = $n" >&2
  run_n "$n"
done
ceiling_line="$("$build/bench/bench-opus" --ptime "$ptime" --seconds 20 --repeat 3)"

echo "callbridge at scale on one machine: N file tracks -> N streams -> N remotes between two bridges, ptime $ptime, ${seconds} s per N (the first 10 s not counted)"
printf 'host: %s, %s CPUs; %s\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" "$(nproc)" \
  "$(pipewire --version 2>/dev/null | sed -n 's/^Linked with libpipewire /libpipewire /p')"
echo
/usr/bin/python3 - "$results" "$ceiling_line" "$(nproc)" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
kv = dict(x.split("=", 1) for x in sys.argv[2].split())
cores = int(sys.argv[3])
enc, dec = float(kv["encode_cpu"]), float(kv["decode_cpu"])
ceiling = cores / (enc + dec)
print("| N | CPU alice % | CPU bob % | RSS alice kB (10 s -> end) | RSS bob kB | packets sent / received | send underrun | concealed (%) | late | recv underrun | remotes heard | held |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print("| %d | %.1f | %.1f | %d -> %d | %d -> %d | %d / %d | %d | %d (%.3f) | %d | %d | %d | %s |" % (
        r["n"], r["cpu_alice"], r["cpu_bob"], r["rss_alice"][0], r["rss_alice"][1],
        r["rss_bob"][0], r["rss_bob"][1], r["packets"], r["received"], r["send_underrun"],
        r["concealed"], r["concealed_pct"], r["late"], r["recv_underrun"], r["active_remotes"],
        "yes" if r["held"] else "no"))
print()
held = [r["n"] for r in rows if r["held"]]
best = max(held) if held else 0
per = [(r["cpu_alice"] + r["cpu_bob"]) / 100 / r["n"] for r in rows if r["n"]]
print("libopus-only ceiling: %d cores / (encode %.4f + decode %.4f CPU s per stream-second) = %.0f streams"
      % (cores, enc, dec, ceiling))
print("largest N that held: %d; efficiency N / ceiling = %.2f (goal >= 0.5)" % (best, best / ceiling))
for r in rows:
    c = (r["cpu_alice"] + r["cpu_bob"]) / 100 / r["n"]
    print("  N=%d: callbridge CPU per stream (both ends) %.4f core = %.2fx bare libopus (encode + decode);"
          " codec share %.2f" % (r["n"], c, c / (enc + dec), (enc + dec) / c))
print("(the config allows at most 64 streams and 64 remotes per call, so N / ceiling cannot pass 64 / ceiling;")
print(" the codec share per stream says the same without that cap)")
PY
echo
echo "command: $cmdline   (in $root, build dir $build)"
