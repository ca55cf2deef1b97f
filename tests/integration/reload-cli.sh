#!/usr/bin/env bash
# `pw-callbridge reload [CALL]` against a running pw-callbridge:
#   a good file: exit 0, "CALL: reloaded (...)" on stdout, and the change
#   shows (a new track's node, a changed capture target in status);
#   a file with an error: exit 1, the FILE:LINE error on stderr, and the
#   call keeps running (its stream's packets go on growing, its nodes stay);
#   a changed fixed key: exit 1 naming FILE:LINE of the key;
#   a call that does not exist: exit 1.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

work="$(mktemp -d /tmp/cb-reload-cli.XXXXXX)"
listener=""
cleanup() {
  local rc=$?
  [[ -n "$listener" ]] && kill -TERM "$listener" 2>/dev/null
  (exit "$rc"); cb_cleanup_bridges
}
cb_trap_exit cleanup
cb_session_start "$work/session"

python3 "$CB_SOURCE_ROOT/tests/lib/rtp_listen.py" --port 0 --port-file "$work/listen.port" \
  --seconds 60 --out "$work/wire.json" &
listener=$!
listen="$(cb_port_file "$work/listen.port" "$listener")" || cb_fail "the RTP listener did not start"
cat > "$work/rc.ini" <<INI
[call]
name = rc
local = 127.0.0.1:0
remote = 127.0.0.1:$listen
srtp = none
bundle = true
sdp-file = none
ptime = 20

[track a]
channels = 1
INI
"$CB_BIN" --config "$work/rc.ini" > "$work/rc.log" 2>&1 & cb_bridge_pids+=($!)
cb_wait_node callbridge.rc.a 10 || { cat "$work/rc.log"; cb_fail "the call did not start"; }
cb_wait_status rc 10 || cb_fail "no status"

packets() {
  "$CB_BIN" status --json rc | /usr/bin/python3 -c \
    'import json,sys; print(json.load(sys.stdin)["rc"]["streams"]["a"]["packets"])'
}
capture_of() {
  "$CB_BIN" status --json rc | /usr/bin/python3 -c \
    'import json,sys; print(json.load(sys.stdin)["rc"]["tracks"][sys.argv[1]]["capture"])' "$1"
}
capture_is() { [[ "$(capture_of "$1")" == "$2" ]]; }
# reload [CALL]: runs it, keeps stdout, stderr and the exit status.
reload() {
  rc=0
  "$CB_BIN" reload "$@" > "$work/out" 2> "$work/err" || rc=$?
  cat "$work/out" "$work/err"
}

cb_note "a good file (CALL left out: one call runs): exit 0, a new node"
printf '\n[track b]\nchannels = 1\ncapture = nothere\n' >> "$work/rc.ini"
reload
[[ $rc == 0 ]] || cb_fail "good reload: exit $rc"
grep -qxF "rc: reloaded (2 added, 0 removed, 0 changed in place, 0 recreated)" "$work/out" ||
  cb_fail "good reload printed: $(cat "$work/out")"
cb_wait_node callbridge.rc.b 5 || cb_fail "the new track's node did not appear"
cb_wait_until 5 capture_is b waiting:nothere || cb_fail "capture of b: $(capture_of b)"

cb_note "a live change: the capture target"
sed -i 's/^capture = nothere$/capture = elsewhere/' "$work/rc.ini"
reload rc
[[ $rc == 0 ]] || cb_fail "live reload: exit $rc"
grep -qF "rc: reloaded (0 added, 0 removed, 1 changed in place" "$work/out" || cb_fail "live reload printed: $(cat "$work/out")"
cb_wait_until 5 capture_is b waiting:elsewhere || cb_fail "capture of b: $(capture_of b)"

cb_note "a file with an error: exit 1 with FILE:LINE, and the call goes on"
before="$(packets)"
sed -i 's/^\[track a\]$/[track a]\ngian = 3/' "$work/rc.ini"
line="$(grep -n '^gian = 3$' "$work/rc.ini" | cut -d: -f1)"
reload rc
[[ $rc == 1 ]] || cb_fail "bad reload: exit $rc, want 1"
grep -qxF "$work/rc.ini:$line: unknown key 'gian' in [track a]" "$work/err" ||
  cb_fail "bad reload did not print FILE:LINE: $(cat "$work/err")"
[[ ! -s "$work/out" ]] || cb_fail "bad reload printed on stdout: $(cat "$work/out")"
sleep 1
after="$(packets)"
(( after > before + 20 )) || cb_fail "the stream stopped after the bad reload ($before -> $after packets)"
cb_has_node callbridge.rc.a && cb_has_node callbridge.rc.b || cb_fail "a node went with the bad reload"
echo "the call ran on: stream a $before -> $after packets over the rejected reload"

cb_note "a changed fixed key: exit 1 naming its line"
sed -i '/^gian = 3$/d; s/^ptime = 20$/ptime = 10/' "$work/rc.ini"
line="$(grep -n '^ptime = 10$' "$work/rc.ini" | cut -d: -f1)"
reload rc
[[ $rc == 1 ]] || cb_fail "fixed-key reload: exit $rc, want 1"
grep -qF "$work/rc.ini:$line: reload rejected: [call] ptime cannot change while the call runs" "$work/err" ||
  cb_fail "fixed-key reload printed: $(cat "$work/err")"

cb_note "no such call: exit 1"
reload nosuch
[[ $rc == 1 ]] || cb_fail "reload of a missing call: exit $rc, want 1"
grep -qF "no callbridge call named nosuch is running" "$work/err" || cb_fail "said: $(cat "$work/err")"

cb_note "fixed again, the same request works"
sed -i 's/^ptime = 10$/ptime = 20/' "$work/rc.ini"
reload rc
[[ $rc == 0 ]] || cb_fail "reload after the fix: exit $rc"
kill -0 "${cb_bridge_pids[0]}" || cb_fail "the bridge exited"
kill -TERM "$listener"; wait "$listener" || true; listener=""
/usr/bin/python3 - "$work/wire.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
# Stream a went on with one SSRC and contiguous sequence numbers throughout.
for ssrc, p in d["rtp"].items():
    gaps = sum(1 for x, y in zip(p, p[1:]) if (y["seq"] - x["seq"]) % 65536 != 1)
    print("ssrc %s: %d packets, %d sequence gaps" % (ssrc, len(p), gaps))
    assert gaps == 0
assert max(len(p) for p in d["rtp"].values()) > 100
PY
echo "PASS: pw-callbridge reload: exit 0 with the change, exit 1 with FILE:LINE and the call going on"
