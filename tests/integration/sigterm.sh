#!/usr/bin/env bash
# SIGTERM at any moment ends the bridge cleanly:
#   1. during start: SIGTERM after 0..1300 ms (config load, PipeWire connect,
#      node creation, first packets): exit status 0, and no callbridge node
#      left behind in the graph;
#   2. mid-call: alice and bob in a call, alice gets SIGTERM: exit status 0,
#      alice's nodes gone, and her RTCP BYE reaches bob, whose remote node
#      goes at once (well before the 10 s remote-timeout).
#   3. during a reload: alice in the call, her file gains a track and she
#      gets SIGHUP, then SIGTERM 0..200 ms later (while the new track's node
#      is being made): exit status 0, none of her nodes left (the new one
#      included), and bob's remote node goes at once (her BYE); it comes back
#      each time alice starts again.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
# Each bridge needs the other's port before it starts, and alice starts
# again and again on hers: fixed ports, in a network namespace of the
# test's own where nothing else can take them.
cb_private_netns "$@"

work="$(mktemp -d /tmp/cb-sigterm.XXXXXX)"
cb_trap_exit cb_cleanup_bridges

port_a=5004; port_b=5006
key_a="$(cb_random_key)"
key_b="$(cb_random_key)"
cb_duplex_configs "$port_a" "$port_b" "$key_a" "$key_b" <<INI
sdp-file = $work/@NAME@.sdp
stats-file = $work/@NAME@.json
ptime = 20
remote-timeout = 10

[track mic]
channels = 1

[remote peer]
channels = 1
INI

cb_session_start "$work/session"

cb_note "SIGTERM during start"
for delay in 0 0.005 0.02 0.05 0.1 0.2 0.3 0.45 0.6 1.0 1.1 1.3; do
  "$CB_BIN" --config "$work/alice.ini" > "$work/start-$delay.log" 2>&1 & pid=$!
  # From the first thing main() does, blocking SIGINT and SIGTERM for
  # PipeWire's signalfd (before that the dynamic loader is still running
  # and nothing can catch a signal).
  # Only once exec has happened: bash's forked child briefly blocks the
  # same signals itself, and a SIGTERM sent then kills the shell (143).
  until [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$(readlink -f "$CB_BIN")" ]] &&
        sigblk="$(awk '/^SigBlk:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" &&
        [[ -n "$sigblk" ]] && (( (16#$sigblk & 0x4002) == 0x4002 )); do
    [[ -d "/proc/$pid" ]] || break
  done
  sleep "$delay"
  kill -TERM "$pid"
  status=0; wait "$pid" || status=$?
  [[ "$status" == 0 ]] || { cat "$work/start-$delay.log"; cb_fail "SIGTERM after ${delay}s: exit status $status"; }
  cb_wait_node_gone 'callbridge.alice.*' 2 || cb_fail "SIGTERM after ${delay}s left a node behind"
  echo "SIGTERM after ${delay}s: exit 0, no node left"
done

cb_note "SIGTERM mid-call: BYE ends bob's remote node at once"
"$CB_BIN" --config "$work/alice.ini" > "$work/alice.log" 2>&1 & alice=$!
"$CB_BIN" --config "$work/bob.ini" > "$work/bob.log" 2>&1 & cb_bridge_pids+=($!)
for n in callbridge.alice.mic callbridge.bob.mic callbridge.alice.remote.peer callbridge.bob.remote.peer; do
  cb_wait_node "$n" 10 || { cat "$work"/*.log; kill -TERM "$alice"; cb_fail "node $n did not appear"; }
done
sleep 1
kill -TERM "$alice"
start=$(date +%s%N)
status=0; wait "$alice" || status=$?
[[ "$status" == 0 ]] || { cat "$work/alice.log"; cb_fail "alice exit status $status after SIGTERM mid-call"; }
cb_lacks_node 'callbridge.alice.*' || cb_fail "alice's nodes still there after she exited"
until cb_lacks_node callbridge.bob.remote.peer; do
  # remote-timeout is 10 s: gone within 5 s means the BYE did it
  (( $(date +%s%N) - start < 5000000000 )) || cb_fail "bob's remote node still there 5 s after alice's SIGTERM: no BYE"
  sleep 0.05
done
echo "bob's remote node removed $(( ($(date +%s%N) - start) / 1000000 )) ms after alice's SIGTERM (BYE)"

# Waits until bob's remote node for alice is gone, failing after 5 s
# (remote-timeout is 10 s: gone sooner means a BYE did it); prints the ms.
bye_seen() { # START_NS WHAT
  until cb_lacks_node callbridge.bob.remote.peer; do
    (( $(date +%s%N) - $1 < 5000000000 )) || cb_fail "bob's remote node still there 5 s after alice's SIGTERM $2: no BYE"
    sleep 0.05
  done
  echo "$(( ($(date +%s%N) - $1) / 1000000 ))"
}

cb_note "SIGTERM during a reload"
cp "$work/alice.ini" "$work/alice-base.ini"
for delay in 0 0.01 0.05 0.1 0.2; do
  cp "$work/alice-base.ini" "$work/alice.ini"
  "$CB_BIN" --config "$work/alice.ini" > "$work/reload-$delay.log" 2>&1 & alice=$!
  for n in callbridge.alice.mic callbridge.bob.remote.peer; do
    cb_wait_node "$n" 10 || { cat "$work/reload-$delay.log"; kill -TERM "$alice"; cb_fail "node $n did not appear (reload round ${delay}s)"; }
  done
  printf '\n[track extra]\nchannels = 1\n' >> "$work/alice.ini"
  kill -HUP "$alice"
  sleep "$delay"
  kill -TERM "$alice"
  start=$(date +%s%N)
  status=0; wait "$alice" || status=$?
  [[ "$status" == 0 ]] || { cat "$work/reload-$delay.log"; cb_fail "SIGTERM ${delay}s after SIGHUP: exit status $status"; }
  cb_wait_node_gone 'callbridge.alice.*' 2 || { cb_node_names | grep 'callbridge.alice' >&2; cb_fail "SIGTERM ${delay}s after SIGHUP left a node behind"; }
  ms="$(bye_seen "$start" "${delay}s after SIGHUP")"
  reloaded=no; grep -q "reloaded: " "$work/reload-$delay.log" && reloaded=yes
  echo "SIGTERM ${delay}s after SIGHUP: exit 0, no node left, BYE ended bob's remote in ${ms} ms (reload finished first: $reloaded)"
done
cp "$work/alice-base.ini" "$work/alice.ini"

! grep -q "$key_a\|$key_b" "$work"/*.log || cb_fail "a key appeared in a log"
echo "PASS: SIGTERM during start, mid-call and during a reload"
