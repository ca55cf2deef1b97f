#!/usr/bin/env bash
# Links that persist (issue 16), with no pw-link anywhere in this test:
#   capture: alice's [track mic] has `capture = vmic`, a virtual microphone
#   made here with pw-loopback (pw-cat plays into its Audio/Sink side,
#   vmic.in; its Audio/Source side is vmic).  The bridge links vmic into
#   the track by itself, and alice sends it to bob, whose remote node is
#   recorded and decoded: the tone is there.
#   playback: bob's [remote peer] has `playback = speakers`, a null sink
#   from the session's config; a recording of that sink's monitor has the
#   tone.
#   default: alice's [track dflt] has `capture = default`, made vmic with
#   wpctl set-default; it links to vmic.
# Then the microphone goes away (its node destroyed: status says
# waiting:vmic, the log says so once) and is made again, and then PipeWire
# itself restarts; after each the tone reaches bob's remote node and the
# speakers' monitor again, with no action on the bridges.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

work="$(mktemp -d /tmp/cb-links.XXXXXX)"
export CB_SESSION_TIMEOUT="${CB_SESSION_TIMEOUT:-30}"
lb_pid=""
cleanup() {
  local rc=$?
  [[ -n "$lb_pid" ]] && kill "$lb_pid" 2>/dev/null
  (exit "$rc"); cb_cleanup_bridges   # it exits with the status it is entered with
}
cb_trap_exit cleanup

# The speakers: a sink the session has from its config, so it comes back
# with PipeWire as a real device would.
mkdir -p "$work/conf.d"
cat > "$work/conf.d/speakers.conf" <<'CONF'
context.objects = [
    { factory = adapter
      args = {
          factory.name = support.null-audio-sink
          node.name = speakers
          node.description = "Test speakers"
          media.class = Audio/Sink
          audio.position = [ FL FR ]
      }
    }
]
CONF
export CB_SESSION_PIPEWIRE_CONF_D="$work/conf.d"
cb_session_start "$work/session"

key="$(cb_random_key)"
cat > "$work/bob.ini" <<INI
[call]
name = bob
local = 127.0.0.1:0
remote-srtp-key = $key
sdp-file = none
ptime = 20

[remote peer]
channels = 1
latency = 40
playback = speakers
INI
"$CB_BIN" --config "$work/bob.ini" > "$work/bob.log" 2>&1 & cb_bridge_pids+=($!)
bob_port="$(cb_bridge_port "$work/bob.log" bob)" || cb_fail "bob did not start"

cat > "$work/alice.ini" <<INI
[call]
name = alice
local = 127.0.0.1:0
remote = 127.0.0.1:$bob_port
srtp-key = $key
sdp-file = none
ptime = 20

[stream main]
channels = 1

[track mic]
channels = 1
stream = main
capture = vmic

; Nowhere (the discard port): only its link is looked at.
[stream aside]
channels = 1
remote = 127.0.0.1:9

[track dflt]
channels = 1
stream = aside
capture = default
INI
"$CB_BIN" --config "$work/alice.ini" > "$work/alice.log" 2>&1 & cb_bridge_pids+=($!)
cb_wait_node callbridge.alice.mic 10 || { cat "$work/alice.log"; cb_fail "alice's track did not appear"; }

start_mic() {
  pw-loopback -n vmic-loop -c 1 \
    --capture-props='media.class=Audio/Sink node.name=vmic.in' \
    --playback-props='media.class=Audio/Source node.name=vmic' \
    > "$work/loopback.log" 2>&1 &
  lb_pid=$!
  cb_wait_node vmic 10 || { cat "$work/loopback.log"; cb_fail "the virtual microphone did not appear"; }
}
stop_mic() {
  kill "$lb_pid" 2>/dev/null || true
  wait "$lb_pid" 2>/dev/null || true
  lb_pid=""
}

# field CALL GROUP NAME FIELD: a field of `pw-callbridge status --json`.
field() {
  "$CB_BIN" status --json "$1" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
v = d[sys.argv[1]][sys.argv[2]][sys.argv[3]].get(sys.argv[4])
print(v)' "$@" 2>/dev/null
}
is() { [[ "$(field "$1" "$2" "$3" "$4")" == "$5" ]]; }
wait_field() { # CALL GROUP NAME FIELD VALUE SECONDS
  cb_wait_until "$6" is "$1" "$2" "$3" "$4" "$5" ||
    { tail -n 20 "$work"/*.log; cb_fail "status $2.$3.$4 is '$(field "$1" "$2" "$3" "$4")', want '$5'"; }
}

# tone_through LABEL FREQ: plays FREQ into the microphone, records bob's
# remote node and the speakers' monitor, and decodes both.
tone_through() {
  local label="$1" freq="$2" rec_r rec_s play
  cb_tone "$work/$label.wav" "$freq" 48000 1 3 -12
  pw-record --target callbridge.bob.remote.peer "$work/$label-remote.wav" & rec_r=$!
  pw-record -P '{ stream.capture.sink = true }' --target speakers "$work/$label-speakers.wav" & rec_s=$!
  sleep 0.5
  pw-cat --playback --target vmic.in "$work/$label.wav" & play=$!
  wait "$play" || cb_fail "$label: pw-cat failed"
  sleep 1
  kill -INT "$rec_r" "$rec_s"; wait "$rec_r" "$rec_s" || true
  cb_note "$label: $freq Hz at bob's remote node (captured by alice through capture = vmic)"
  "${CB_ANALYZE[@]}" tones "$work/$label-remote.wav" --expect "$freq" --min-db -30 ||
    cb_fail "$label: the tone did not reach bob"
  cb_note "$label: $freq Hz at the speakers' monitor (bob's remote linked by playback = speakers)"
  "${CB_ANALYZE[@]}" tones "$work/$label-speakers.wav" --expect "$freq" --channel all --min-db -30 ||
    cb_fail "$label: the tone is not at the speakers"
}

cb_note "before the microphone exists: waiting, said once in the log"
wait_field alice tracks mic capture waiting:vmic 10
sleep 0.5
n="$(grep -c 'callbridge.alice.mic: capture vmic: not there; waiting for it' "$work/alice.log" || true)"
[[ "$n" == 1 ]] || cb_fail "the missing target was logged $n times, want once"

start_mic
vmic_id="$(cb_node_id vmic)"
wpctl set-default "$vmic_id" || cb_fail "wpctl set-default $vmic_id failed"
wait_field alice tracks mic capture linked:vmic 10
wait_field alice tracks dflt capture linked:vmic 10
# bob's remote node appears with alice's first packet, and is linked then.
cb_wait_node callbridge.bob.remote.peer 10 || { cat "$work/bob.log"; cb_fail "bob's remote node did not appear"; }
wait_field bob remotes peer playback linked:speakers 10
tone_through first 500

cb_note "the microphone goes away: waiting:vmic, logged once"
stop_mic
wait_field alice tracks mic capture waiting:vmic 10
sleep 1
n="$(grep -c 'callbridge.alice.mic: capture vmic: not there; waiting for it' "$work/alice.log" || true)"
[[ "$n" == 2 ]] || cb_fail "'not there' logged $n times in all, want 2 (start, unplug)"
cb_note "... and comes back"
start_mic
wait_field alice tracks mic capture linked:vmic 10
tone_through replugged 700

cb_note "PipeWire restarts (the microphone comes back with it)"
cb_session_restart_pipewire TERM 1 || cb_fail "PipeWire did not come back"
stop_mic          # its connection died with the daemon
start_mic
cb_wait_node callbridge.alice.mic 15 || { cat "$work/alice.log"; cb_fail "alice's node did not come back"; }
cb_wait_node callbridge.bob.remote.peer 15 || { cat "$work/bob.log"; cb_fail "bob's remote node did not come back"; }
wait_field alice tracks mic capture linked:vmic 15
wait_field bob remotes peer playback linked:speakers 15
tone_through restarted 900

for p in "${cb_bridge_pids[@]}"; do kill -0 "$p" || cb_fail "a bridge exited"; done
echo "PASS: capture and playback links made, and made again after a replug and a PipeWire restart"
