#!/usr/bin/env bash
# `pw-callbridge status` against a live duplex call (alice <-> bob, SRTP):
#   --json: alice's packets sent grow between two reads;
#   a tone at -20 dBFS RMS into alice's track shows as her track's level
#   (20 +- 2, speaking) and, through the RFC 6464 extension on the wire, as
#   the level of bob's remote (20 +- 2, voice);
#   a GStreamer peer sending to alice with a key she does not have makes
#   her authentication failures count up;
#   CALL selects one call, an unknown CALL exits 1, the text and --watch
#   screens show the tracks (the watch screen with a level meter);
#   another client writing malformed values and terminal escapes into
#   alice's metadata: --json still parses, with the values as strings, the
#   text screens carry no control character, and alice keeps sending.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
# Each bridge needs the other's port before it starts: fixed ports, in a
# network namespace of the test's own where nothing else can take them.
cb_private_netns "$@"
source "$CB_SOURCE_ROOT/tests/lib/gst.sh"

work="$(mktemp -d /tmp/cb-status.XXXXXX)"
cb_trap_exit cb_cleanup_bridges

port_a=5004; port_b=5006
key_a="$(cb_random_key)"
key_b="$(cb_random_key)"
wrong="$(cb_random_key)"
cb_duplex_configs "$port_a" "$port_b" "$key_a" "$key_b" <<INI
sdp-file = $work/@NAME@.sdp

[track mic]
channels = 1

[remote peer]
channels = 1
INI

cb_session_start "$work/session"
"$CB_BIN" --config "$work/alice.ini" > "$work/alice.log" 2>&1 & cb_bridge_pids+=($!)
"$CB_BIN" --config "$work/bob.ini" > "$work/bob.log" 2>&1 & cb_bridge_pids+=($!)
for n in callbridge.alice.mic callbridge.bob.mic callbridge.bob.remote.peer; do
  cb_wait_node "$n" 10 || { cat "$work"/*.log; cb_fail "node $n did not appear"; }
done
sleep 0.5

status_json() { "$CB_BIN" status --json "$@"; }
field() { # FILE PYTHON-EXPRESSION over d
  /usr/bin/python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($2)" "$1"
}

cb_note "packets sent grow"
cb_wait_status alice && cb_wait_status bob || cb_fail "status never showed the calls"
status_json alice > "$work/s1.json" || cb_fail "status --json alice failed"
sleep 1
status_json alice > "$work/s2.json"
p1=$(field "$work/s1.json" 'd["alice"]["streams"]["mic"]["packets"]')
p2=$(field "$work/s2.json" 'd["alice"]["streams"]["mic"]["packets"]')
echo "alice packets: $p1 -> $p2"
(( p2 >= p1 + 30 )) || cb_fail "packets did not grow ($p1 -> $p2)"
[[ $(field "$work/s2.json" 'sorted(d)') == "['alice']" ]] || cb_fail "CALL did not select alice"
[[ $(field "$work/s2.json" 'd["alice"]["transport"]["state"]') == udp ]] || cb_fail "transport state"

cb_note "levels: alice's track and, over the wire, bob's remote"
cb_tone "$work/tone.wav" 1000 48000 1 4 -17
pw-cat --playback --target callbridge.alice.mic "$work/tone.wav" & play=$!
sleep 1
# A loaded machine may starve the player for a moment: a few reads, one
# of which must show both levels.
check_levels() {
  status_json > "$work/s3.json"
  field "$work/s3.json" 'd["alice"]["tracks"]["mic"], d["bob"]["remotes"]["peer"]'
  /usr/bin/python3 - "$work/s3.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t, r = d["alice"]["tracks"]["mic"], d["bob"]["remotes"]["peer"]
assert 18 <= t["level"] <= 22 and t["speaking"], "alice's track: %r" % t
assert 18 <= r["level"] <= 22 and r["voice"], "bob's remote: %r" % r
assert r["packets"] > 50 and r["auth_failures"] == 0, r
PY
}
ok=0
for i in 1 2 3 4 5; do check_levels && { ok=1; break; }; sleep 0.3; done
wait "$play"
[[ $ok == 1 ]] || cb_fail "levels in status"

cb_note "a peer with the wrong key: authentication failures count up"
a1=$(status_json alice | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["alice"]["receive"]["auth_failures"])')
cb_gst_send_tone "$port_a" "$wrong" 700 2 0x0badcafe > "$work/gst.log" 2>&1 || { cat "$work/gst.log"; cb_fail "gst sender"; }
sleep 0.5
a2=$(status_json alice | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["alice"]["receive"]["auth_failures"])')
echo "alice auth failures: $a1 -> $a2"
[[ "$a1" == 0 ]] || cb_fail "auth failures before the wrong key: $a1"
(( a2 >= 50 )) || cb_fail "auth failures did not count up ($a1 -> $a2)"
cb_lacks_node callbridge.alice.remote.0badcafe || cb_fail "the wrong key got a node"

cb_note "text, --watch, unknown CALL"
"$CB_BIN" status > "$work/text.txt"
grep -q '^call alice' "$work/text.txt" && grep -q '^call bob' "$work/text.txt" &&
  grep -q 'track *mic *level=' "$work/text.txt" || { cat "$work/text.txt"; cb_fail "text status"; }
timeout -s TERM 1.5 "$CB_BIN" status --watch bob > "$work/watch.txt" || true
grep -q 'CALL bob' "$work/watch.txt" && grep -q 'remote peer .*dBov \[' "$work/watch.txt" ||
  { cat "$work/watch.txt"; cb_fail "watch screen"; }
rc=0; "$CB_BIN" status nosuchcall >/dev/null 2>&1 || rc=$?
[[ $rc == 1 ]] || cb_fail "unknown CALL exited $rc, not 1"
cb_note "another client writes malformed values into alice's metadata"
esc=$'\033]0;owned\007'
timeout 10 pw-metadata -n callbridge.alice 0 stream.evil "$esc" >/dev/null
timeout 10 pw-metadata -n callbridge.alice 0 track.mic.control '{garbage' >/dev/null
timeout 10 pw-metadata -n callbridge.alice 0 remote.half '{"level": 3, "voice": tr' >/dev/null
sleep 0.3
status_json alice > "$work/s4.json"
/usr/bin/python3 - "$work/s4.json" <<'PY' || { cat "$work/s4.json"; cb_fail "status --json with malformed values"; }
import json, sys
d = json.load(open(sys.argv[1]))["alice"]
assert d["streams"]["evil"] == "\x1b]0;owned\x07", d["streams"]
assert d["controls"]["mic"] == "{garbage", d["controls"]
assert d["remotes"]["half"] == '{"level": 3, "voice": tr', d["remotes"]
assert d["streams"]["mic"]["packets"] > 0, d["streams"]
PY
"$CB_BIN" status alice > "$work/text2.txt"
timeout -s TERM 1.5 "$CB_BIN" status --watch alice > "$work/watch2.txt" || true
for f in text2 watch2; do
  # the watch screen's own clear-screen sequence aside
  if sed 's/\x1b\[H\x1b\[2J//g' "$work/$f.txt" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]'; then
    cat -v "$work/$f.txt"; cb_fail "$f screen passed a control character through"
  fi
done
grep -q 'stream  *evil  *?]0;owned?' "$work/text2.txt" || { cat -v "$work/text2.txt"; cb_fail "text shows the value"; }
p3=$(status_json alice | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["alice"]["streams"]["mic"]["packets"])')
sleep 0.5
p4=$(status_json alice | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["alice"]["streams"]["mic"]["packets"])')
(( p4 > p3 )) || cb_fail "alice stopped sending after the malformed values ($p3 -> $p4)"
grep -q "control track.mic.control = {garbage ignored" "$work/alice.log" ||
  { tail "$work/alice.log"; cb_fail "the bad control was not logged"; }
echo "PASS: status"
