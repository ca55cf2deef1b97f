# Shared by the benchmarks that measure through one PipeWire graph
# (run-latency.sh, run-peers.sh, run-scale.sh): sourced after
# tests/lib/common.sh. The caller defines die() and a pids array (what
# its stop_pids() ends).

# wait_port "NODE:PORT" [TIMEOUT_S]: until the port exists.
wait_port() {
  local i
  for ((i = 0; i < ${2:-15} * 10; i++)); do
    pw-link -i -o 2>/dev/null | grep -qxF "$1" && return 0
    sleep 0.1
  done
  return 1
}

# The reference every latency figure is measured against: a mono null sink
# the impulses play into; its monitor feeds both the system under test and
# the recorder's left channel.
make_reference_sink() {
  pw-cli create-node adapter '{ factory.name=support.null-audio-sink node.name=cb-lat-ref
      node.description="latency reference" media.class=Audio/Sink object.linger=true
      audio.rate=48000 audio.channels=1 audio.position=[MONO] }' >/dev/null
  wait_port cb-lat-ref:monitor_MONO || die "the reference sink did not appear"
}

# start_recorder WAV: one two-channel recorder, left = the reference, right
# = what the caller links in; the lag between them is exact on the graph's
# timeline.
start_recorder() {
  pw-record --target 0 --rate 48000 --channels 2 --channel-map FL,FR --format f32 \
    -P '{ node.name=cb-lat-rec node.description="latency recorder" }' "$1" 2>/dev/null &
  pids+=($!)
  wait_port cb-lat-rec:input_FL || die "the recorder did not appear"
  pw-link cb-lat-ref:monitor_MONO cb-lat-rec:input_FL
}

# cpu_ticks PID...: utime + stime of the given processes, summed.
cpu_ticks() {
  local p sum=0 f s
  for p in "$@"; do
    f="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
    f="${f##*) }"            # drop "pid (comm) " (comm may hold spaces)
    read -r -a s <<<"$f"
    sum=$((sum + s[11] + s[12]))   # fields 14 and 15 of stat
  done
  echo "$sum"
}
