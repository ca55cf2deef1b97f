#!/usr/bin/env bash
# The command-line contract and the wire format, with a real PipeWire:
#   --help/--version; --check exit 0/1 with FILE:LINE messages naming keys,
#   transport = webrtc files too;
#   a bad config starts nothing; exit 2 when PipeWire is not running or the
#   port is in use; a world-readable key file draws a warning; keys never in
#   the log; on the wire (srtp = none, read by an independent listener): one
#   SSRC per stream, contiguous sequence numbers, timestamps advancing by the
#   frame, marker on the first packet, an RTCP SR with SDES, and a BYE when
#   SIGTERM ends the call.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

work="$(mktemp -d /tmp/cb-cli.XXXXXX)"
cb_pid=""
cleanup() {
  [[ -n "$cb_pid" ]] && kill -KILL "$cb_pid" 2>/dev/null
  cb_session_stop
  rm -rf "$work"
}
cb_trap_exit cleanup
passed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }

grep -q '^pw-callbridge [0-9]' <<<"$("$CB_BIN" --version)" && ok "--version"
grep -q -- '--check' <<<"$("$CB_BIN" --help)" && ok "--help"
grep -q 'remote-srtp-key' <<<"$("$CB_BIN" --help-keys)" && ok "--help-keys lists keys"
"$CB_BIN" >/dev/null 2>&1 && cb_fail "no arguments must fail" || [[ $? == 1 ]] && ok "usage error exits 1"

"$CB_BIN" --config "$CB_SOURCE_ROOT/config/demo.ini" --check >/dev/null && ok "demo.ini is valid"
"$CB_BIN" --config "$CB_SOURCE_ROOT/config/example.ini" --check >/dev/null && ok "example.ini is valid"

cat > "$work/bad.ini" <<'INI'
[call]
name = Bad Name
ptime = 7
srtp = AES_CM_128_HMAC_SHA1_80
srtp-key = c2hvcnQ=
remote = no-such-host.invalid:5004

[stream s]
bitrate = 5

[track t]
stream = nowhere
colour = blue
INI
status=0
"$CB_BIN" --config "$work/bad.ini" --check 2> "$work/bad.err" || status=$?
[[ "$status" == 1 ]] || cb_fail "--check on a bad file: exit $status, want 1"
for want in "bad.ini:2: name" "bad.ini:3: ptime" "bad.ini:5: srtp-key" "bad.ini:6: remote" \
            "bad.ini:9: bitrate" "bad.ini:12: stream" "bad.ini:13:"; do
  grep -qF "$want" "$work/bad.err" || { cat "$work/bad.err"; cb_fail "missing error '$want'"; }
done
grep -q "colour" "$work/bad.err" || cb_fail "unknown key not named"
! grep -q "c2hvcnQ" "$work/bad.err" || cb_fail "key material in an error message"
ok "--check reports every error as FILE:LINE naming the key"

# A [remote] that can never receive (SRTP on, no remote-srtp-key): --check
# still says OK, and warns naming the section's line; README's call file
# (its first ini block) carries a key and draws no such warning.
cat > "$work/deaf.ini" <<'INI'
[call]
name = deaf
remote = 192.0.2.10:5004

[remote guest]
channels = 1
INI
"$CB_BIN" --config "$work/deaf.ini" --check > "$work/deaf.out" 2> "$work/deaf.err" ||
  { cat "$work/deaf.err"; cb_fail "--check of a file with a deaf [remote] failed"; }
grep -qF "warning: $work/deaf.ini:5: [remote guest] can never receive: [call] has no remote-srtp-key" \
  "$work/deaf.err" || { cat "$work/deaf.err"; cb_fail "no warning for a [remote] that cannot receive"; }
grep -qF "deaf.ini: OK" "$work/deaf.out" || cb_fail "--check did not say OK"
awk '/^```ini$/ { n++; next } /^```$/ { if (n == 1) exit } n == 1' "$CB_SOURCE_ROOT/README.md" \
  > "$work/readme.ini"
grep -q '^\[remote guest\]' "$work/readme.ini" || cb_fail "README's first ini block is not the call file"
(umask 077; cb_random_key > "$work/studio.key"; cb_random_key > "$work/guest.key")
"$CB_BIN" --config "$work/readme.ini" --check > /dev/null 2> "$work/readme.err" ||
  { cat "$work/readme.err"; cb_fail "README's call file does not check"; }
! grep -q "never receive" "$work/readme.err" || { cat "$work/readme.err"; cb_fail "README's call file cannot receive"; }
ok "--check warns when a [remote] can never receive; README's call file can"

# transport = webrtc: the keys are listed, a good file checks OK, a bad one
# names each key and section; tokens and URL queries never shown.
grep -q '^  whip ' <<<"$("$CB_BIN" --help-keys)" && grep -q '^  dtls-certificate-file ' <<<"$("$CB_BIN" --help-keys)" \
  && ok "--help-keys lists the webrtc keys"
printf 'call-token-s3cr3t\n' > "$work/show.token"
printf 'stream-token-s3cr3t\n' > "$work/program.token"
chmod 600 "$work/show.token"
chmod 644 "$work/program.token"
cat > "$work/webrtc.ini" <<'INI'
[call]
name = show
transport = webrtc
bearer-token-file = show.token

[ice]
stun-server = 127.0.0.1:9

[stream program]
whip = https://sfu.example.com/whip/program?key=q-s3cr3t
bearer-token-file = program.token

[track music]
stream = program

[remote guest]
whep = https://sfu.example.com/whep/guest
INI
"$CB_BIN" --config "$work/webrtc.ini" --check > "$work/webrtc.out" 2> "$work/webrtc.err" \
  || { cat "$work/webrtc.err"; cb_fail "--check of a webrtc file failed"; }
grep -qF "webrtc.ini: OK" "$work/webrtc.out" || cb_fail "--check of a webrtc file did not print OK"
grep -qF "webrtc.ini:11: bearer-token-file:" "$work/webrtc.err" || cb_fail "no warning for a readable token file"
cat > "$work/webrtc-bad.ini" <<'INI'
[call]
name = show
transport = webrtc
srtp-key = c2hvcnQ=
remote = 127.0.0.1:9

[ice]
ufrag = abcd

[stream program]
bitrate = 32000

[stream other]
whip = ftp://sfu.example.com/whip?key=q-s3cr3t

[track music]
stream = program

[track solo]

[remote guest]
INI
status=0
"$CB_BIN" --config "$work/webrtc-bad.ini" --check 2> "$work/webrtc-bad.err" || status=$?
[[ "$status" == 1 ]] || cb_fail "--check on a bad webrtc file: exit $status, want 1"
for want in "webrtc-bad.ini:4: srtp-key: keys come from DTLS" "webrtc-bad.ini:5: remote:" \
            "webrtc-bad.ini:8: ufrag: ICE credentials are made per session" \
            "webrtc-bad.ini:10: [stream program] has no whip" "webrtc-bad.ini:14: whip:" \
            "webrtc-bad.ini:19: [track solo]" "webrtc-bad.ini:21: [remote guest] has no whep"; do
  grep -qF "$want" "$work/webrtc-bad.err" || { cat "$work/webrtc-bad.err"; cb_fail "missing error '$want'"; }
done
! grep -q "s3cr3t" "$work/webrtc.err" "$work/webrtc.out" "$work/webrtc-bad.err" \
  || cb_fail "a token or a URL query in a message"
ok "--check of webrtc files: OK, or FILE:LINE errors naming keys and sections"

# PipeWire not running: exit 2, clear message.  Until the wire check
# (which gets a listener of its own) the call sends to the discard port.
cat > "$work/good.ini" <<INI
[call]
name = cli
local = 127.0.0.1:0
remote = 127.0.0.1:9
srtp = none
sdp-file = $work/cli.sdp
ptime = 20

[track voice]
channels = 1
INI
status=0
XDG_RUNTIME_DIR="$work/empty" PIPEWIRE_RUNTIME_DIR="$work/empty" \
  "$CB_BIN" --config "$work/good.ini" 2> "$work/nopw.err" || status=$?
[[ "$status" == 2 ]] || { cat "$work/nopw.err"; cb_fail "without PipeWire: exit $status, want 2"; }
grep -qi "pipewire" "$work/nopw.err" || cb_fail "no clear message without PipeWire"
ok "no PipeWire: exit 2 with a message"

cb_session_start "$work/session"

# A bad config starts nothing, even with PipeWire there.
status=0
"$CB_BIN" --config "$work/bad.ini" 2>/dev/null || status=$?
[[ "$status" == 1 ]] || cb_fail "running a bad file: exit $status, want 1"
cb_lacks_node 'callbridge.*' || cb_fail "a node appeared for a bad config"
ok "bad config: exit 1, no node"

# Port in use: exit 2, nodes cleaned up.  The port is one another socket
# holds (bound to port 0) for the whole check.
python3 "$CB_SOURCE_ROOT/tests/lib/rtp_listen.py" --port 0 --port-file "$work/held.port" \
  --seconds 30 --out "$work/held.json" &
holder=$!
held="$(cb_port_file "$work/held.port" "$holder")" || cb_fail "no socket to hold a port"
sed "s/^local = .*/local = 127.0.0.1:$held/" "$work/good.ini" > "$work/busy.ini"
status=0
"$CB_BIN" --config "$work/busy.ini" 2> "$work/busy.err" || status=$?
kill "$holder"; wait "$holder" 2>/dev/null || true
[[ "$status" == 2 ]] || { cat "$work/busy.err"; cb_fail "port in use: exit $status, want 2"; }
grep -qi "in use" "$work/busy.err" || cb_fail "port in use: unclear message"
cb_lacks_node 'callbridge.*' || cb_fail "nodes left behind after a failed start"
ok "port in use: exit 2, nothing left behind"

# A world-readable key file: warning, and the key never shows up anywhere.
key_b64="$(cb_random_key)"
printf '%s\n' "$key_b64" > "$work/send.key"
chmod 644 "$work/send.key"
sed "s/^srtp = none/srtp = AES_CM_128_HMAC_SHA1_80\nsrtp-key-file = send.key/" "$work/good.ini" > "$work/keyed.ini"
"$CB_BIN" --config "$work/keyed.ini" --check 2> "$work/keyed.err" >/dev/null
grep -q "send.key.*readable" "$work/keyed.err" || { cat "$work/keyed.err"; cb_fail "no warning for a readable key file"; }
"$CB_BIN" -v --config "$work/keyed.ini" > "$work/keyed.log" 2>&1 &
cb_pid=$!
cb_wait_node callbridge.cli.voice 10 || { cat "$work/keyed.log"; cb_fail "keyed call did not start"; }
sleep 1
kill -INT "$cb_pid"; wait "$cb_pid" || cb_fail "keyed call did not end cleanly"
cb_pid=""
grep -q "inline:$key_b64" "$work/cli.sdp" || cb_fail "the SDP file does not carry the configured key"
ok "world-readable key file warns; the key goes to the SDP only"

# The wire: run the clear-RTP call, listen independently, end with SIGTERM.
python3 "$CB_SOURCE_ROOT/tests/lib/rtp_listen.py" --port 0 --port-file "$work/listen.port" \
  --seconds 30 --out "$work/wire.json" &
listener=$!
port="$(cb_port_file "$work/listen.port" "$listener")" || cb_fail "the RTP listener did not start"
sed "s/^remote = .*/remote = 127.0.0.1:$port/" "$work/good.ini" > "$work/wire.ini"
"$CB_BIN" --config "$work/wire.ini" > "$work/run.log" 2>&1 &
cb_pid=$!
cb_wait_node callbridge.cli.voice 10 || cb_fail "track node did not appear"
[[ "$(grep -A20 'node.name = "callbridge.cli.voice"' <<<"$(pw-cli ls Node)")" == *'media.class = "Audio/Sink"'* ]] \
  || cb_fail "track is not an Audio/Sink"
sleep 8      # long enough for one RTCP SR (every 2.5..7.5 s)
kill -TERM "$cb_pid"
status=0; wait "$cb_pid" || status=$?
cb_pid=""
[[ "$status" == 0 ]] || { cat "$work/run.log"; cb_fail "SIGTERM: exit $status, want 0"; }
cb_lacks_node 'callbridge.cli*' || cb_fail "node still there after exit"
sleep 0.3
kill -TERM "$listener"; wait "$listener" || true

/usr/bin/python3 - "$work/wire.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["rtp"]) == 1, "want one SSRC, got %d" % len(d["rtp"])
(ssrc, pkts), = d["rtp"].items()
assert len(pkts) > 300, "too few packets: %d" % len(pkts)
for a, b in zip(pkts, pkts[1:]):
    assert (b["seq"] - a["seq"]) % 65536 == 1, "sequence gap %d -> %d" % (a["seq"], b["seq"])
    assert (b["ts"] - a["ts"]) % 2**32 == 960, "timestamp step %d" % ((b["ts"] - a["ts"]) % 2**32)
    assert b["pt"] == 111
assert pkts[0]["m"] == 1 and all(p["m"] == 0 for p in pkts[1:]), "marker only on the first packet"
types = [[p["pt"] for p in c["packets"]] for c in d["rtcp"]]
assert any(t[:2] == [200, 202] for t in types), "no SR+SDES compound: %r" % types
assert types and 203 in types[-1], "the last RTCP has no BYE: %r" % types
assert all(p["ssrc"] == int(ssrc) for c in d["rtcp"] for p in c["packets"] if p["pt"] in (200, 202))
span = pkts[-1]["t"] - pkts[0]["t"]
rate = (len(pkts) - 1) / span
assert 45 < rate < 55, "packet rate %.1f/s, want 50" % rate
print("wire: %d packets, ssrc %s, %.1f pkt/s, rtcp %r" % (len(pkts), ssrc, rate, types))
PY
ok "wire format: contiguous seq/ts, marker, SR+SDES, BYE on SIGTERM"
! grep -qF "$key_b64" "$work/run.log" "$work/keyed.err" "$work/keyed.log" || cb_fail "a key appeared in the log"
ok "no key in any log"

echo "$passed passed, 0 failed"
