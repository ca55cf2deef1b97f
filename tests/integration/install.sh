#!/usr/bin/env bash
# `meson install` into a temporary prefix puts everything where it belongs
# (the daemon, the module in the directory -Dpipewire-moduledir names, the
# man pages, the systemd user unit running the installed daemon, the
# examples), and the installed module works the way README says:
# `pw-cli -m load-module libpipewire-module-callbridge '{ config = FILE }'`
# in a private session makes the call's nodes and metadata, answers
# `pw-callbridge reload`, and takes its nodes with it when pw-cli ends.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"

work="$(mktemp -d /tmp/cb-install.XXXXXX)"
cli=""
cleanup() {
  local rc=$?
  [[ -n "$cli" ]] && kill "$cli" 2>/dev/null && wait "$cli" 2>/dev/null
  (exit "$rc"); cb_cleanup_bridges
}
cb_trap_exit cleanup

prefix="$work/prefix"
moddir="$prefix/lib/pipewire-0.3"
cb_note "configure a fresh build for prefix $prefix, build what is installed, install"
start=$(date +%s)
meson setup "$work/build" "$CB_SOURCE_ROOT" --prefix="$prefix" -Dbuildtype=plain \
  -Dpipewire-moduledir="$moddir" > "$work/setup.log" 2>&1 ||
  { cat "$work/setup.log"; cb_fail "meson setup failed"; }
ninja -C "$work/build" src/tools/pw-callbridge modules/libpipewire-module-callbridge.so \
  > "$work/build.log" 2>&1 || { tail -n 30 "$work/build.log"; cb_fail "build failed"; }
meson install -C "$work/build" --no-rebuild > "$work/install.log" 2>&1 ||
  { cat "$work/install.log"; cb_fail "meson install failed"; }
echo "built and installed in $(( $(date +%s) - start )) s"

for f in bin/pw-callbridge lib/pipewire-0.3/libpipewire-module-callbridge.so \
    share/man/man1/pw-callbridge.1 share/man/man5/callbridge.ini.5 \
    lib/systemd/user/pw-callbridge@.service share/doc/callbridge/examples/example.ini \
    share/doc/callbridge/examples/callbridge.conf share/doc/callbridge/examples/demo.ini; do
  [[ -s "$prefix/$f" ]] || { find "$prefix" -type f >&2; cb_fail "$f was not installed"; }
done
grep -qxF "ExecStart=$prefix/bin/pw-callbridge --config %h/.config/callbridge/%i.ini" \
  "$prefix/lib/systemd/user/pw-callbridge@.service" || cb_fail "the unit does not run the installed daemon"
[[ "$("$prefix/bin/pw-callbridge" --version)" == "pw-callbridge "* ]] || cb_fail "the installed daemon does not run"
"$prefix/bin/pw-callbridge" --config "$prefix/share/doc/callbridge/examples/demo.ini" --check > /dev/null ||
  cb_fail "the installed demo.ini does not check"

cb_session_start "$work/session"
cat > "$work/call.ini" <<INI
[call]
name = inst
local = 127.0.0.1:0
remote = 127.0.0.1:9
srtp = none
sdp-file = none

[track t]
channels = 1
INI
sysdir="$(pkg-config --variable=moduledir libpipewire-0.3)"
[[ ! -e "$sysdir/libpipewire-module-callbridge.so" ]] ||
  echo "note: a system-wide module exists too; the prefix comes first in the search"
cb_note "pw-cli -m load-module from the prefix"
PIPEWIRE_MODULE_DIR="$moddir:$sysdir" pw-cli -m load-module libpipewire-module-callbridge \
  "{ config = $work/call.ini }" > "$work/pw-cli.log" 2>&1 &
cli=$!
cb_wait_node callbridge.inst.t 10 || { cat "$work/pw-cli.log"; cb_fail "no node from the installed module"; }
cb_wait_status inst 10 || cb_fail "no status from the installed module"
grep -q 'track *t ' <<<"$("$prefix/bin/pw-callbridge" status inst)" || cb_fail "status does not show track t"

cb_note "pw-callbridge reload reaches the module too (track u and its own stream: 2 added)"
printf '\n[track u]\nchannels = 1\n' >> "$work/call.ini"
out="$("$prefix/bin/pw-callbridge" reload inst)" || cb_fail "reload failed"
grep -qF "inst: reloaded (2 added" <<<"$out" || cb_fail "reload said: $out"
cb_wait_node callbridge.inst.u 10 || cb_fail "the reload did not add track u"

kill "$cli"; wait "$cli" 2>/dev/null || true; cli=""
cb_wait_node_gone 'callbridge.inst.*' 10 || cb_fail "the call's nodes stayed after pw-cli ended"
echo "PASS: meson install into a prefix; the installed module loads with pw-cli -m load-module"
