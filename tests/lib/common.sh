# Shared helpers for the integration tests (sourced, bash).
#
# Each test runs inside its own private PipeWire session (scripts/
# private-session.sh) and cleans up after itself, so tests never see each
# other's nodes or ports.

CB_SOURCE_ROOT="${CALLBRIDGE_SOURCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
CB_BUILD_ROOT="${CALLBRIDGE_BUILD_ROOT:-$CB_SOURCE_ROOT/build}"
CB_BIN="$CB_BUILD_ROOT/src/tools/pw-callbridge"
CB_ANALYZE=(python3 "$CB_SOURCE_ROOT/tests/lib/analyze.py")

# Every test's own EXIT trap stops its bridges first and then the session;
# the library's trap would stop PipeWire under running bridges.
export CB_SESSION_NO_TRAP=1
# shellcheck source=../../scripts/private-session.sh
source "$CB_SOURCE_ROOT/scripts/private-session.sh"

cb_fail() { echo "FAIL: $*" >&2; exit 1; }
cb_note() { echo "--- $*" >&2; }

# ---- Ports ----------------------------------------------------------------
# Tests never race for ports: nothing here picks a "free" port for some
# process to bind later, since anything else on the machine (CI runs other
# jobs) could take it in between.  Either the listener binds port 0 and the
# test hands on the port it got (cb_bridge_port for pw-callbridge,
# cb_port_file for rtp_listen.py, impair-relay and other listeners of ours),
# or, where a peer must listen on a port fixed in advance (ffmpeg reading an
# SDP file, coturn, two bridges that each need the other's port before they
# start, a bridge restarted on the port its peer sends to), the whole test
# runs in a network namespace of its own (cb_private_netns), where nothing
# else can hold a port.  tests/lib/lint_ports.py keeps it that way.

# cb_private_netns "$@": first thing after sourcing this file, before the
# test makes anything (the script starts over): runs the rest of the test in
# a new network namespace that has only its own loopback, so the fixed ports
# it uses are its own.  Everything the test starts -- its PipeWire session
# too, whose sockets are paths in the file system -- lives in it, and the
# namespace goes away with the last of them: nothing to clean up, nothing
# left behind by a killed test.  Needs root, as the ice-netns tests do.
cb_private_netns() {
  if ! cb_in_private_netns; then
    unshare --net true 2>/dev/null ||
      cb_fail "cb_private_netns: cannot make a network namespace (unshare --net needs root)"
    export CB_PRIVATE_NETNS=$$
    # unshare execs in this same process, so $$ stays the marker.
    exec unshare --net -- "$BASH" "$0" "$@"
  fi
  ip link set lo up || cb_fail "cb_private_netns: cannot bring up lo"
}
cb_in_private_netns() { [[ "${CB_PRIVATE_NETNS:-}" == "$$" ]]; }

# cb_netns_address ADDR: in the private namespace (after cb_private_netns),
# one address that is not loopback, ADDR/24 on a veth pair (cbv0, with its
# peer cbv1 up for carrier), and no IPv6.  For peers that gather no ICE
# candidates on loopback: Janus skips IFF_LOOPBACK interfaces (src/ice.c)
# and libnice under webrtcbin gathers on every interface but loopback, so
# in a namespace with only lo they would offer nothing; here ADDR is then
# their only candidate, the same on every machine.
cb_netns_address() {
  cb_in_private_netns || cb_fail "cb_netns_address: only inside cb_private_netns"
  if [[ -d /proc/sys/net/ipv6 ]]; then
    echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 &&
      echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 ||
      cb_fail "cb_netns_address: cannot turn IPv6 off"
  fi
  ip link add cbv0 type veth peer name cbv1 || cb_fail "cb_netns_address: cannot make a veth pair"
  ip addr add "$1/24" dev cbv0 && ip link set cbv0 up && ip link set cbv1 up ||
    cb_fail "cb_netns_address: cannot set $1 up"
}

# cb_bridge_port LOG CALL [SECONDS]: the UDP port a bridge started with
# local = ADDR:0 got, from the line it logs at start, "call CALL: N tracks,
# M streams, local ADDR:PORT, SRTP ...".  Give each start a fresh LOG: one
# holding an earlier start's line would not wait for the new one.  Waits up
# to SECONDS (default 10); else says so, with the log's last lines, and
# returns 1.
cb_bridge_port() {
  local log="$1" call="$2" secs="${3:-10}" port=""
  if ! cb_wait_until "$secs" _cb_logged_port "$log" "$call"; then
    echo "no 'call $call: ... local ADDR:PORT' line in $log after $secs s:" >&2
    tail -n 20 "$log" >&2 2>/dev/null || true
    return 1
  fi
  echo "${port%%$'\n'*}"
}
_cb_logged_port() { # sets the caller's port
  port="$(sed -n "s/.*\] call $2: [0-9]* tracks, [0-9]* streams, local [^ ,]*:\([1-9][0-9]*\), .*/\1/p" "$1" 2>/dev/null)"
  [[ -n "$port" ]]
}

# cb_port_file FILE [PID [SECONDS]]: the line of ports a listener of ours
# that bound port 0 wrote to FILE (rtp_listen.py --port-file, impair-relay
# --ready-file / --port-file: written whole, then renamed into place), once
# it is there.  Fails (1, with a message) after SECONDS (default 10), or as
# soon as PID, the listener, has exited without writing it.
cb_port_file() {
  local file="$1" pid="${2:-}" secs="${3:-10}" line
  cb_wait_until "$secs" _cb_port_file_or_exit "$file" "$pid" || true
  if [[ ! -s "$file" ]]; then
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      echo "pid $pid exited without writing its port to $file" >&2
    else
      echo "no port in $file after $secs s" >&2
    fi
    return 1
  fi
  read -r line < "$file"
  [[ "$line" =~ ^[1-9][0-9]*( [1-9][0-9]*)*$ ]] || { echo "$file: not a line of ports: '$line'" >&2; return 1; }
  echo "$line"
}
_cb_port_file_or_exit() { [[ -s "$1" ]] || { [[ -n "$2" ]] && ! kill -0 "$2" 2>/dev/null; }; }

# Node presence, read from one captured `pw-cli ls Node`.  Never pipe
# pw-cli into `grep -q` under pipefail: grep exits at its first match, the
# writer takes SIGPIPE, and a node that is there reads as gone (this made
# peer-restart fail in CI).  A PATTERN is a glob over node.name; an exact
# name matches itself.
cb_node_names() {
  local out i
  for i in 1 2 3 4; do
    if out="$(pw-cli ls Node 2>/dev/null)"; then
      sed -n 's/^[[:space:]]*node\.name = "\([^"]*\)"$/\1/p' <<<"$out"
      return 0
    fi
    # Three tries in vain: WirePlumber 0.4.13 has stalled (a client left
    # while it took in that client's objects) and every graph listing
    # waits on it.  Said loudly, and WirePlumber alone is restarted: the
    # nodes are the daemon's, so what is asserted about them holds.
    if (( i == 3 )) && declare -F cb_session_restart_wireplumber >/dev/null; then
      echo "pw-cli ls Node failed 3 times: WirePlumber stalled; restarting it" >&2
      cb_session_restart_wireplumber || break
    else
      sleep 0.2
    fi
  done
  echo "pw-cli ls Node failed" >&2
  return 2
}

# 0: a node matches PATTERN; 1: none does; 2: the list could not be read.
cb_has_node() {
  local names name
  names="$(cb_node_names)" || return 2
  while IFS= read -r name; do
    # shellcheck disable=SC2053 # PATTERN is a glob on purpose
    [[ -n "$name" && "$name" == $1 ]] && return 0
  done <<<"$names"
  return 1
}

# True only when the list was read and no node matches PATTERN, so a failing
# pw-cli never passes for "gone".
cb_lacks_node() {
  local rc=0
  cb_has_node "$1" || rc=$?
  [[ $rc == 1 ]]
}

# cb_wait_until SECONDS COMMAND [ARG...]: runs COMMAND every 0.1 s until it
# succeeds (0), or SECONDS (whole) pass (1).
cb_wait_until() {
  local timeout="$1" i
  shift
  for ((i = 0; i < timeout * 10; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

# cb_node_id NAME: the global id of the node with this exact node.name,
# empty when there is none.
cb_node_id() {
  local out
  out="$(pw-cli ls Node 2>/dev/null)" || return 2
  awk -v want="node.name = \"$1\"" '
    /^[[:space:]]*id [0-9]+, type/ { id = $2; sub(",", "", id) }
    index($0, want) { print id; exit }' <<<"$out"
}

# Waits until a node with this exact node.name exists.
cb_wait_node() { cb_wait_until "${2:-10}" cb_has_node "$1"; }
# Waits until no node matches PATTERN.
cb_wait_node_gone() { cb_wait_until "${2:-10}" cb_lacks_node "$1"; }
cb_wait_file() { cb_wait_until "${2:-10}" test -s "$1"; }

# cb_tone FILE FREQ RATE CHANNELS SECONDS [GAIN_DB]
cb_tone() {
  sox -q -n -r "$3" -c "$4" -b 16 "$1" synth "$5" sine "$2" gain "${6:--12}"
}

# Receives every stream of an SDP file with ffmpeg for SECONDS; writes
# OUTDIR/stream<N>.wav. Gaps in RTP time are filled with silence (aresample
# async) so a lost or late packet shows up as a hole the analyser can see.
# Decoding uses libopus: ffmpeg 5.1's own Opus decoder (Debian 12) mis-decodes
# stereo CELT from libopus encoders, shifting a 440 Hz tone to 450 Hz, while
# libopus and GStreamer's opusdec decode the same packets exactly.
cb_ffmpeg_receive() {
  local sdp="$1" outdir="$2" seconds="$3" n_streams="$4" i args=()
  for ((i = 0; i < n_streams; i++)); do
    args+=(-map "0:$i" -af "aresample=async=1:min_hard_comp=0.005:first_pts=0"
           -t "$seconds" -y "$outdir/stream$i.wav")
  done
  ffmpeg -nostdin -hide_banner -loglevel warning \
    -protocol_whitelist file,udp,rtp,srtp,crypto \
    -analyzeduration 1000000 -probesize 32768 -reorder_queue_size 0 \
    -c:a libopus -i "$sdp" "${args[@]}"
}

# cb_stop_pid PID: stops a helper the test started (a server, a player):
# SIGTERM, at most 10 s, then SIGKILL, and reaps it.  Never fails, so it
# fits in cleanups and under set -e; an empty PID is nothing to stop.
cb_stop_pid() {
  local p="$1" i
  [[ -n "$p" ]] || return 0
  kill -TERM "$p" 2> /dev/null || return 0
  for ((i = 0; i < 100; i++)); do kill -0 "$p" 2> /dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2> /dev/null || true
  wait "$p" 2> /dev/null || true
}

# Bridges started by a test: cb_start_bridge NAME ARGS... appends to this.
cb_bridge_pids=()

# Stops the bridges still running: SIGTERM (a background job of a
# non-interactive shell ignores SIGINT), then SIGKILL after 15 s, so a hung
# bridge cannot keep a cleanup -- and the session behind it -- waiting.
# Sets cb_stop_failed=1 when one did not exit 0.
_cb_stop_bridges() {
  local p status i
  cb_stop_failed=0
  for p in "${cb_bridge_pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${cb_bridge_pids[@]}"; do
    for ((i = 0; i < 150; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then
      echo "cleanup: pw-callbridge $p did not stop in 15 s; killing it" >&2
      kill -KILL "$p" 2>/dev/null
    fi
    status=0; wait "$p" 2>/dev/null || status=$?
    # 127: not our child any more (already waited for by the test).
    if [[ "$status" != 0 && "$status" != 127 ]]; then
      echo "cleanup: pw-callbridge $p exited with $status" >&2
      tail -n 30 "${work:-/nonexistent}"/*.log >&2
      cb_stop_failed=1
    fi
  done
  cb_bridge_pids=()
}

# The EXIT trap of tests that run bridges: stop each bridge, then stop the
# session (in that order: a bridge whose PipeWire vanishes keeps reconnecting), then
# remove $work. A bridge that did not exit 0 (a crash, a sanitizer report)
# fails the test even when its checks passed.
cb_cleanup_bridges() {
  local rc=$?
  set +e
  _cb_stop_bridges
  cb_session_stop
  [[ "${CB_KEEP_SESSION:-0}" == 1 ]] || rm -rf "${work:?}"
  [[ "$cb_stop_failed" == 0 ]] || exit 1
  exit "$rc"
}

# pw-cli 0.3.65 can hang in `ls` when an object goes away while it lists
# (seen with a bridge exiting at that moment). Retry instead of letting the
# test hang until meson kills it.
pw-cli() {
  local out rc i
  for i in 1 2 3; do
    out="$(timeout 5 pw-cli "$@")"; rc=$?  # timeout runs the binary, not this function
    if [[ $rc != 124 ]]; then
      [[ -n "$out" ]] && printf '%s\n' "$out"
      return $rc
    fi
  done
  echo "pw-cli $*: timed out 3 times" >&2
  return 124
}

# Installs FUNC as the EXIT trap, guarded: FUNC runs with errexit off and
# SIGPIPE/INT/TERM/HUP ignored (a test killed with its output pipe closed
# must still reach cb_session_stop), and whatever FUNC leaves behind --
# bridges, the private session -- is stopped after it.  Every integration
# test installs its cleanup this way: an unguarded trap that hit `set -e`
# on a failing kill left PipeWire, WirePlumber and dbus running.
cb_trap_exit() {
  # shellcheck disable=SC2064 # expand FUNC now
  trap "_cb_exit_guard $1" EXIT
}

_cb_exit_guard() {
  local rc=$?
  set +e
  trap '' PIPE INT TERM HUP
  (exit "$rc"); "$@"
  _cb_stop_bridges
  cb_session_stop
  exit "$rc"
}

# A signal ends the test through its EXIT trap, with the usual 128+N status.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# cb_wait_status CALL [TIMEOUT_S]: until `pw-callbridge status` sees the call.
# A bridge exports its metadata object a second after its nodes.
cb_wait_status() {
  local call="$1" timeout="${2:-10}" i
  for ((i = 0; i < timeout * 10; i++)); do
    "$CB_BIN" status --json "$call" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# A fresh AES-CM-128 master key + salt (30 bytes), base64 as the INI takes it.
cb_random_key() { head -c 30 /dev/urandom | base64; }

# cb_token_file FILE: a fresh bearer token (URL-safe), written to FILE with
# mode 600 as callbridge wants a secret file, and printed.
cb_token_file() {
  local token
  token="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
  (umask 077 && printf '%s\n' "$token" > "$1")
  chmod 600 "$1"
  printf '%s\n' "$token"
}

# cb_call_section FILE NAME LOCAL_PORT REMOTE_PORT SEND_KEY RECV_KEY: starts
# FILE with the [call] keys every two-bridge loopback test shares; the
# caller appends the rest (cat >> FILE).  A LOCAL_PORT other than 0 is
# only for a test in its own network namespace (see Ports above).
cb_call_section() {
  [[ "$3" == 0 ]] || cb_in_private_netns ||
    cb_fail "cb_call_section: local port $3 outside cb_private_netns would race with the rest of the machine; use 0"
  cat > "$1" <<INI
[call]
name = $2
local = 127.0.0.1:$3
remote = 127.0.0.1:$4
srtp-key = $5
remote-srtp-key = $6
INI
}

# cb_duplex_configs PORT_A PORT_B KEY_A KEY_B [ALICE_TO BOB_TO] < BODY:
# $work/alice.ini and $work/bob.ini for a two-bridge call on loopback, alice
# on PORT_A sending with KEY_A, bob on PORT_B with KEY_B, each sending to
# the other (or to ALICE_TO / BOB_TO, a relay's ports). Each file is
# cb_call_section's [call] lines, then BODY with @NAME@ as the bridge's name.
cb_duplex_configs() {
  local body
  body="$(cat)"
  cb_call_section "$work/alice.ini" alice "$1" "${5:-$2}" "$3" "$4"
  printf '%s\n' "${body//@NAME@/alice}" >> "$work/alice.ini"
  cb_call_section "$work/bob.ini" bob "$2" "${6:-$1}" "$4" "$3"
  printf '%s\n' "${body//@NAME@/bob}" >> "$work/bob.ini"
}

# cb_endpoint_base LOG CALL [SECONDS]: the URL an [endpoint] bound (listen
# port 0 picks one), from "call CALL: endpoint listening on URL/ (...)".
cb_endpoint_base() {
  local log="$1" call="$2" secs="${3:-10}" url=""
  _cb_endpoint_url() { url="$(sed -n "s|.*call $call: endpoint listening on \(https\{0,1\}://[^ ]*\)/ (.*|\1|p" "$log" 2>/dev/null)"; url="${url%%$'\n'*}"; [[ -n "$url" ]]; }
  if ! cb_wait_until "$secs" _cb_endpoint_url; then
    echo "no 'call $call: endpoint listening on URL' line in $log after $secs s:" >&2
    tail -n 20 "$log" >&2 2>/dev/null || true
    return 1
  fi
  echo "$url"
}

# cb_stereo_apart WAV LEFT_HZ RIGHT_HZ MIN_DB: the left tone is at least
# MIN_DB louder than the right one on the left channel, and the other way
# round on the right: the two channels arrived apart, not mixed to mono.
# (At 128 kb/s Opus keeps two pure tones about 48 dB apart; at 64 kb/s VBR
# spends ~19 kb/s on them and codes mid/side, about 13 dB apart, measured.)
cb_stereo_apart() {
  /usr/bin/python3 - "$@" <<'PY'
import sys, wave
import numpy as np
path, fl, fr, need = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
w = wave.open(path)
assert w.getnchannels() == 2, "not a stereo file"
rate = w.getframerate()
x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2).astype(float)[rate:]
def level(ch, hz):
    sig = x[:, ch] * np.hanning(len(x))
    p = np.abs(np.fft.rfft(sig)) ** 2
    f = np.fft.rfftfreq(len(sig), 1.0 / rate)
    band = (f > hz * 0.98) & (f < hz * 1.02)
    return 10 * np.log10(p[band].max() + 1e-12)
l = level(0, fl) - level(0, fr)
r = level(1, fr) - level(1, fl)
print("%s: left %g Hz over %g Hz by %.1f dB, right %g Hz over %g Hz by %.1f dB" % (path, fl, fr, l, fr, fl, r))
sys.exit(0 if l >= need and r >= need else 1)
PY
}
