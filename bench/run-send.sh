#!/usr/bin/env bash
# The send-path figures: callbridge (rings -> mix -> Opus -> RTP -> SRTP ->
# null sink) against bare libopus on the same signal (the floor) and against
# the equivalent GStreamer pipeline on the same audio.
#
# Usage: bench/run-send.sh [--repeat R] [--seconds S] [--build DIR] [--no-build]
#                          [--no-gst] [--verbose]
#
# Every run r of a case does, in this order:
#   bench-send --repeat 1 --machine   ours and bare libopus in one process,
#                                     taking turns every second of audio,
#                                     in-process CPU time of each
#   gst-launch-1.0 (full) and (null)  the order flipping from run to run
# and the table shows medians over the runs (ratios: the median of the
# per-run ratios, so both sides of a ratio come from the same moment).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
repeat=5
seconds=20
gst=1
verbose=0
build_it=1
cmdline="bench/run-send.sh${*:+ $*}"

while (($#)); do
  case "$1" in
    --repeat) repeat="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --no-build) build_it=0; shift ;;
    --no-gst) gst=0; shift ;;
    --verbose) verbose=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run-send.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

if ((build_it)); then
  ninja -C "$build" bench/bench-send >/dev/null
fi
bin="$build/bench/bench-send"

if ((gst)); then
  for e in filesrc wavparse audioconvert opusenc rtpopuspay srtpenc fakesink; do
    if ! gst-inspect-1.0 "$e" >/dev/null 2>&1; then
      echo "run-send.sh: GStreamer element $e missing (gstreamer1.0-plugins-good/-bad); use --no-gst" >&2
      exit 1
    fi
  done
fi

work="$(mktemp -d /tmp/bench-send.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# The stream settings: callbridge's defaults (stereo, 64 kbit/s, complexity
# 10, FEC with 10 % expected loss, no DTX, application audio).
bitrate=64000
channels=2
complexity=10
loss=10
common=(--seconds "$seconds" --bitrate "$bitrate" --channels "$channels" --complexity "$complexity"
        --fec on --loss "$loss" --dtx off --application audio)
# 30 bytes, master key || salt, the same as bench-send uses
key=e1f97a0d3e018be0d64fa32c06de41390ec675ad498afeebb6960b3aabe6

# label | bench-send arguments | ptime ms
cases=(
  "1 track forwarded, 1 stream|--tracks 1 --mode forward|20"
  "4 tracks mixed into 1 stream|--tracks 4 --mode mix|20"
  "8 tracks forwarded, 8 streams|--tracks 8 --mode forward|20"
  "1 track forwarded, ptime 10|--tracks 1 --mode forward|10"
)

# CPU seconds (user + system, from the kernel's rusage) the command used.
cpu_of() {
  local out TIMEFORMAT='%3U %3S'
  if ! out=$( { time "$@" >/dev/null 2>"$work/cmd.err"; } 2>&1 ); then
    echo "run-send.sh: failed: $*" >&2
    cat "$work/cmd.err" >&2
    return 1
  fi
  awk '{ printf "%.3f\n", $1 + $2 }' <<<"$out"
}

# gst-launch-1.0 arguments for M branches, one per stream's WAV file.
gst_full() {
  local prefix="$1" m="$2" ptime="$3" args=(-q) i
  for ((i = 0; i < m; i++)); do
    args+=(filesrc "location=$prefix.$i.wav" ! wavparse ! audioconvert !
           opusenc "bitrate=$bitrate" bitrate-type=constrained-vbr "frame-size=$ptime"
                   "complexity=$complexity" inband-fec=true "packet-loss-percentage=$loss"
                   dtx=false audio-type=generic bandwidth=auto !
           rtpopuspay pt=111 !
           srtpenc "key=$key" rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 !
           fakesink)
  done
  printf '%s\n' "${args[@]}"
}

# The same source and conversion to what opusenc takes (S16LE), nothing more:
# subtracted, so only encode + pay + SRTP remain.
gst_null() {
  local prefix="$1" m="$2" args=(-q) i
  for ((i = 0; i < m; i++)); do
    args+=(filesrc "location=$prefix.$i.wav" ! wavparse ! audioconvert !
           audio/x-raw,format=S16LE ! fakesink)
  done
  printf '%s\n' "${args[@]}"
}

field() { # field NAME LINE
  sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"
}

median() { # numbers on stdin
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

printf 'callbridge send path, offline, CPU time; %s runs per case, median\n' "$repeat"
printf 'stereo %d kbit/s, complexity %d, FEC on (loss %d %%), DTX off, application audio, SRTP AES_CM_128_HMAC_SHA1_80, %s s of audio per stream\n' \
  "$((bitrate / 1000))" "$complexity" "$loss" "$seconds"
printf 'host: %s, %s CPUs; libopus %s, libsrtp2 %s; %s\n' \
  "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" "$(nproc)" \
  "$(pkg-config --modversion opus 2>/dev/null || echo '?')" \
  "$(pkg-config --modversion libsrtp2 2>/dev/null || echo '?')" \
  "$( ((gst)) && gst-launch-1.0 --version | sed -n 's/^GStreamer /GStreamer /p' || echo 'GStreamer not run')"
echo

rows=()
details=()
for c in "${cases[@]}"; do
  IFS='|' read -r label args ptime <<<"$c"
  read -r -a bargs <<<"$args"
  bargs+=(--ptime "$ptime" "${common[@]}")
  prefix="$work/in"
  rm -f "$prefix".*.wav

  info="$("$bin" "${bargs[@]}" --write-wav "$prefix")"
  m="$(field streams "$info")"
  mapfile -t full < <(gst_full "$prefix" "$m" "$ptime")
  mapfile -t null < <(gst_null "$prefix" "$m")

  ours=() floor=() r_opus=() gnet=() r_gst=() match=1 audio_s=0
  for ((r = 0; r < repeat; r++)); do
    flip=()
    ((r % 2)) && flip=(--opus-first)
    line="$("$bin" "${bargs[@]}" --repeat 1 --machine "${flip[@]}")" || match=0
    audio_s="$(field audio_s "$line")"
    o="$(field ours_cpu "$line")"
    f="$(field opus_cpu "$line")"
    [[ "$(field match "$line")" == 1 ]] || match=0
    ours+=("$o") floor+=("$f")
    r_opus+=("$(awk -v a="$o" -v b="$f" 'BEGIN { print a / b }')")
    if ((gst)); then
      if ((r % 2)); then
        gn="$(cpu_of gst-launch-1.0 "${null[@]}")"; gf="$(cpu_of gst-launch-1.0 "${full[@]}")"
      else
        gf="$(cpu_of gst-launch-1.0 "${full[@]}")"; gn="$(cpu_of gst-launch-1.0 "${null[@]}")"
      fi
      net="$(awk -v a="$gf" -v b="$gn" 'BEGIN { print a - b }')"
      gnet+=("$net")
      r_gst+=("$(awk -v a="$o" -v b="$net" 'BEGIN { print a / b }')")
    fi
    if ((verbose)); then
      echo "  [$label] run $r: ours $o s, libopus $f s, gst full ${gf:--} null ${gn:--}" >&2
    fi
  done

  mo="$(printf '%s\n' "${ours[@]}" | median)"
  mf="$(printf '%s\n' "${floor[@]}" | median)"
  ro="$(printf '%s\n' "${r_opus[@]}" | median)"
  if ((gst)); then
    mg="$(printf '%s\n' "${gnet[@]}" | median)"
    rg="$(printf '%s\n' "${r_gst[@]}" | median)"
  else
    mg=nan rg=nan
  fi
  rows+=("$(awk -v l="$label" -v m="$m" -v a="$audio_s" -v o="$mo" -v f="$mf" -v g="$mg" \
              -v ro="$ro" -v rg="$rg" -v ok="$match" 'BEGIN {
    gp = (g == "nan") ? "      -" : sprintf("%7.2f", 100 * g / (a * m))
    rgs = (rg == "nan") ? "     -" : sprintf("%6.2f", rg)
    printf "%-30s %3d %8.1f %8.1f %7.2f %7.2f %s %6.2f%s %s\n", l, m, a / o, a * m / o,
           100 * o / (a * m), 100 * f / (a * m), gp, ro, ok ? " " : "!", rgs
  }')")
  details+=("$label: ours/libopus per run: $(printf '%s\n' "${r_opus[@]}" | awk '{ printf "%.2f ", $1 }')$( ((gst)) && printf '| ours/GStreamer per run: %s' "$(printf '%s\n' "${r_gst[@]}" | awk '{ printf "%.2f ", $1 }')")")
done

printf '%-30s %3s %8s %8s %7s %7s %7s %7s %6s\n' "" "" "RTF" "RTF" "CPU %" "CPU %" "CPU %" "ratio" "ratio"
printf '%-30s %3s %8s %8s %7s %7s %7s %7s %6s\n' "case" "str" "total" "/stream" "/stream" "libopus" "GStr." "vs opus" "vs GSt"
printf '%s\n' "${rows[@]}"
echo
echo "RTF: seconds of audio (per stream) / CPU seconds; /stream multiplies by the streams."
echo "CPU %/stream: share of one core per stream at real time (ours, bare libopus, GStreamer net)."
echo "vs opus: ours / bare libopus on the same signal (floor; target <= 1.10). vs GSt: ours / GStreamer"
echo "(full minus null pipeline); below 1.00 means callbridge is cheaper. '!' = payloads not identical."
echo
printf '%s\n' "${details[@]}"
echo
echo "command: $cmdline   (in $root, build dir $build)"
echo "GStreamer, per stream:  gst-launch-1.0 filesrc location=IN.wav ! wavparse ! audioconvert ! opusenc bitrate=$bitrate bitrate-type=constrained-vbr frame-size=PTIME complexity=$complexity inband-fec=true packet-loss-percentage=$loss dtx=false audio-type=generic bandwidth=auto ! rtpopuspay pt=111 ! srtpenc key=<30 bytes hex> rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 ! fakesink"
echo "  minus:                gst-launch-1.0 filesrc location=IN.wav ! wavparse ! audioconvert ! audio/x-raw,format=S16LE ! fakesink"
echo "  (one gst-launch-1.0 process with one such branch per stream; CPU = user + sys of the process)"
