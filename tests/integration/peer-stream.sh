#!/usr/bin/env bash
# Stream identity: alice sends two streams, program (500 Hz) and talkback
# (900 Hz, each a looped file track), to bob, whose [remote]s find them by
# name (peer-stream) and are listed in the other order, so first come,
# first served would swap them.  Alice is restarted 10 times, with a new
# pair of random SSRCs each time, half the time by SIGTERM (RTCP BYE) and
# half by SIGKILL (no BYE: bob's remotes still hold the old SSRCs when the
# new ones arrive).  Every time bob's remote.prog plays program's SSRC and
# 500 Hz and remote.talk plays talkback's and 900 Hz, recorded from the
# nodes, and no node appears for an unnamed SSRC.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

work="$(mktemp -d /tmp/cb-peer-stream.XXXXXX)"
cb_trap_exit cleanup
alice=""
cleanup() {
  local rc=$?
  if [[ -n "$alice" ]]; then kill -KILL "$alice" 2>/dev/null; fi
  (exit "$rc"); cb_cleanup_bridges
}

key="$(cb_random_key)"
sox -q -n -r 48000 -c 1 -b 16 "$work/500.wav" synth 1 sine 500 gain -12
sox -q -n -r 48000 -c 1 -b 16 "$work/900.wav" synth 1 sine 900 gain -12

cb_session_start "$work/session"
cat > "$work/bob.ini" <<INI
[call]
name = bob
local = 127.0.0.1:0
remote = 127.0.0.1:9
remote-srtp-key = $key
srtp-key = $(cb_random_key)
sdp-file = none
remote-timeout = 30

[remote talk]
channels = 1
peer-stream = talkback

[remote prog]
channels = 1
peer-stream = program
INI
"$CB_BIN" --config "$work/bob.ini" > "$work/bob.log" 2>&1 & cb_bridge_pids+=($!)
bob_port="$(cb_bridge_port "$work/bob.log" bob)" || cb_fail "bob did not start"
cb_wait_status bob || cb_fail "no status for bob"

cat > "$work/alice.ini" <<INI
[call]
name = alice
local = 127.0.0.1:0
remote = 127.0.0.1:$bob_port
bundle = true
srtp-key = $key
sdp-file = none
ptime = 20

[stream program]
channels = 1

[stream talkback]
channels = 1

[track prog]
channels = 1
stream = program
file = 500.wav
loop = true

[track talk]
channels = 1
stream = talkback
file = 900.wav
loop = true
INI

ssrc_of() { sed -n "s/.*call alice: stream $1 ssrc 0x\([0-9a-f]*\) .*/\1/p" "$2"; }
bob_ssrc() { "$CB_BIN" status --json bob | /usr/bin/python3 -c "
import json, sys
r = json.load(sys.stdin)['bob']['remotes'].get(sys.argv[1])
print('%08x' % r['ssrc'] if r and r['active'] else '')" "$1"; }

for run in 1 2 3 4 5 6 7 8 9 10; do
  log="$work/alice.$run.log"
  "$CB_BIN" --config "$work/alice.ini" > "$log" 2>&1 & alice=$!
  cb_bridge_port "$log" alice > /dev/null || cb_fail "run $run: alice did not start"
  prog="$(ssrc_of program "$log")"; talk="$(ssrc_of talkback "$log")"
  ok=0
  for ((i = 0; i < 50; i++)); do
    if [[ "$(bob_ssrc prog)" == "$prog" && "$(bob_ssrc talk)" == "$talk" ]]; then ok=1; break; fi
    sleep 0.1
  done
  (( ok )) || { tail -n 20 "$work/bob.log"; cb_fail "run $run: bob's remotes hold $(bob_ssrc prog)/$(bob_ssrc talk), not program $prog / talkback $talk"; }
  cb_wait_node callbridge.bob.remote.prog 5 && cb_wait_node callbridge.bob.remote.talk 5 ||
    cb_fail "run $run: bob's remote nodes did not appear"
  sleep 0.3
  pw-record --target callbridge.bob.remote.prog "$work/prog.$run.wav" & rec_p=$!
  pw-record --target callbridge.bob.remote.talk "$work/talk.$run.wav" & rec_t=$!
  sleep 1.2
  kill -INT "$rec_p" "$rec_t"; wait "$rec_p" "$rec_t" || true
  "${CB_ANALYZE[@]}" tones "$work/prog.$run.wav" --start 0.3 --expect 500 --absent 900 > "$work/prog.$run.txt" ||
    { cat "$work/prog.$run.txt"; cb_fail "run $run: remote.prog does not play program"; }
  "${CB_ANALYZE[@]}" tones "$work/talk.$run.wav" --start 0.3 --expect 900 --absent 500 > "$work/talk.$run.txt" ||
    { cat "$work/talk.$run.txt"; cb_fail "run $run: remote.talk does not play talkback"; }
  cb_lacks_node 'callbridge.bob.remote.[0-9a-f]*' || cb_fail "run $run: a node for an unnamed SSRC"
  if (( run % 2 )); then
    kill -TERM "$alice"; wait "$alice" || cb_fail "run $run: alice did not stop cleanly"; how=BYE
  else
    kill -KILL "$alice"; wait "$alice" 2>/dev/null || true; how="no BYE"
  fi
  alice=""
  echo "run $run: program 0x$prog -> remote.prog (500 Hz), talkback 0x$talk -> remote.talk (900 Hz); stopped: $how"
done
grep -c "its peer stream moved to a new SSRC" "$work/bob.log" | sed 's/^/remotes moved over without a BYE: /'
echo "PASS: peer-stream, 10 of 10 restarts"
