#!/usr/bin/env bash
# Private, isolated PipeWire + WirePlumber + D-Bus session for tests.
#
# As a library (tests `source` it; it does not change the caller's set -e/-u):
#   source scripts/private-session.sh
#   cb_session_start [DIR]        # exports XDG_RUNTIME_DIR, DBUS_SESSION_BUS_ADDRESS, ...
#   cb_session_restart_pipewire [SIG [DOWN_S]]  # kill (default TERM) pipewire and
#                                 # wireplumber, stay down DOWN_S seconds, restart
#   cb_session_restart_wireplumber  # WirePlumber alone (a stalled one)
#   cb_session_stop               # kill all, remove DIR unless CB_KEEP_SESSION=1
# As a command:
#   scripts/private-session.sh run CMD...   # exit status is CMD's
#   eval "$(scripts/private-session.sh shell)"; ...; scripts/private-session.sh stop "$CB_SESSION_DIR"
#
# Knobs (environment):
#   CB_SESSION_PIPEWIRE_CONF_D  dir whose *.conf are copied to pipewire.conf.d/ before start
#   CB_SESSION_TIMEOUT          seconds to wait for readiness (default 10)
#   CB_KEEP_SESSION=1           keep DIR (logs in DIR/logs) after stop
#   CB_SESSION_NO_TRAP=1        do not install the EXIT/INT/TERM cleanup trap
#   CB_SESSION_MODULE_DIR       dir(s) searched for modules before the system dir: a
#                               build dir works with `name = libpipewire-module-foo`
#                               (searched up to 8 levels deep). PipeWire 0.3.65 does NOT
#                               accept an absolute path as a module name.
#   PIPEWIRE_MODULE_DIR / SPA_PLUGIN_DIR / PIPEWIRE_DEBUG are passed through on purpose.
#
# Works as root with no audio hardware, no systemd user session and no RT
# privileges: DISABLE_RTKIT=1 makes module-rt skip RTKit instead of asking
# D-Bus, and WirePlumber's ALSA/BlueZ/V4L2/libcamera monitors are disabled so
# neither host devices nor the (absent) system bus are touched.

# Variables from a surrounding desktop session that would make clients talk
# to (or configure themselves from) something other than our private daemon.
_CB_LEAKY_VARS=(PULSE_SERVER PULSE_RUNTIME_PATH PULSE_COOKIE PULSE_SINK PULSE_SOURCE
  PIPEWIRE_REMOTE PIPEWIRE_CORE PIPEWIRE_CONFIG_DIR PIPEWIRE_CONFIG_PREFIX
  PIPEWIRE_CONFIG_NAME PIPEWIRE_NODE PIPEWIRE_PROPS PIPEWIRE_LATENCY PIPEWIRE_QUANTUM
  PIPEWIRE_RATE PIPEWIRE_AUTOCONNECT PIPEWIRE_LINK_PASSIVE JACK_DEFAULT_SERVER
  WIREPLUMBER_CONFIG_DIR WIREPLUMBER_DATA_DIR WIREPLUMBER_CONFIG_FILE
  DBUS_SESSION_BUS_PID DBUS_STARTER_ADDRESS DBUS_STARTER_BUS_TYPE)

_cb_log() { printf 'private-session: %s\n' "$*" >&2; }

# True while PID exists and is not a zombie (our daemons may be reparented to
# an init that never reaps, so `kill -0` alone would report dead ones alive).
_cb_alive() {
  local st
  [[ -n "${1:-}" && -r "/proc/$1/stat" ]] || return 1
  st="$(<"/proc/$1/stat")" 2>/dev/null || return 1
  st="${st##*) }"
  [[ "${st%% *}" != Z ]]
}

# Signal (default TERM), wait up to 3 s, then KILL. Reaps it if our child.
_cb_kill_wait() {
  local pid="${1:-}" sig="${2:-TERM}" i
  [[ -n "$pid" ]] || return 0
  if _cb_alive "$pid"; then
    kill -"$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < 30; i++)); do _cb_alive "$pid" || break; sleep 0.1; done
    if _cb_alive "$pid"; then
      _cb_log "pid $pid ignored SIGTERM, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 20; i++)); do _cb_alive "$pid" || break; sleep 0.1; done
    fi
  fi
  wait "$pid" 2>/dev/null || true
}

# Poll CMD until it succeeds, PID (the daemon we wait for) dies, or
# CB_SESSION_TIMEOUT expires; failing fast on a dead daemon (bad config,
# missing module) saves the whole timeout.
_cb_wait_for() {
  local what="$1" pid="$2" deadline
  shift 2
  deadline=$((SECONDS + ${CB_SESSION_TIMEOUT:-10}))
  until "$@" >/dev/null 2>&1; do
    if ! _cb_alive "$pid"; then
      _cb_log "$what: process $pid exited"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      _cb_log "timed out after ${CB_SESSION_TIMEOUT:-10}s waiting for $what"
      return 1
    fi
    sleep 0.1
  done
}

# Output is captured, not piped to `grep -q`, which could exit early and
# SIGPIPE pw-cli. pw-dump hides empty metadata objects, so ask pw-cli for
# WirePlumber's "default" metadata; the Dummy-Driver node must be there too.
_cb_pw_ready() {
  local out
  out="$(timeout 3 pw-cli info 0)" && [[ "$out" == *PipeWire:Interface:Core* ]]
}
_cb_wp_ready() {
  local m n
  m="$(timeout 3 pw-cli ls Metadata)" && [[ "$m" == *'metadata.name = "default"'* ]] &&
    n="$(timeout 3 pw-cli ls Node)" && [[ "$n" == *'node.name = "Dummy-Driver"'* ]]
}

_cb_tail_logs() {
  local f
  for f in "${CB_SESSION_DIR:-}"/logs/*.log; do
    [[ -f "$f" ]] || continue
    _cb_log "--- last lines of $f"
    tail -n 15 "$f" >&2 || true
  done
}

# Start pipewire, then wireplumber, in the current session dir; logs append so
# a restart keeps the history of the previous instance.
_cb_start_daemons() {
  local d="$CB_SESSION_DIR"
  env -u DISPLAY -u WAYLAND_DISPLAY pipewire </dev/null >>"$d/logs/pipewire.log" 2>&1 &
  echo "$!" >"$d/pipewire.pid"
  _cb_wait_for "pipewire (pw-cli info 0)" "$!" _cb_pw_ready || return 1
  wireplumber </dev/null >>"$d/logs/wireplumber.log" 2>&1 &
  echo "$!" >"$d/wireplumber.pid"
  _cb_wait_for "wireplumber (default metadata)" "$!" _cb_wp_ready || return 1
}

_cb_stop_daemons() {
  local d="$CB_SESSION_DIR" p
  for p in wireplumber pipewire; do
    [[ -f "$d/$p.pid" ]] && _cb_kill_wait "$(<"$d/$p.pid")" "${1:-TERM}"
    rm -f "$d/$p.pid"
  done
  # A killed pipewire leaves its socket and lock behind; the new one recreates them.
  rm -f "$XDG_RUNTIME_DIR/pipewire-0" "$XDG_RUNTIME_DIR/pipewire-0.lock"
}

cb_session_start() {
  local d="${1:-}" v f created=0
  local -
  set +x
  if [[ -n "${CB_SESSION_DIR:-}" && -f "${CB_SESSION_DIR}/pipewire.pid" ]]; then
    _cb_log "a session is already running in $CB_SESSION_DIR"
    return 1
  fi
  if [[ -z "$d" ]]; then
    d="$(mktemp -d "${TMPDIR:-/tmp}/cb-session.XXXXXX")" || return 1
    created=1
  elif [[ ! -d "$d" ]]; then
    mkdir -p "$d" || return 1
    created=1
  fi
  d="$(cd "$d" && pwd)" || return 1
  for v in "${_CB_LEAKY_VARS[@]}"; do unset "$v"; done

  export CB_SESSION_DIR="$d"
  echo "$created" >"$d/.created-by-session"
  mkdir -p "$d/runtime" "$d/config/pipewire/pipewire.conf.d" "$d/state" "$d/data" \
    "$d/cache" "$d/logs" "$d/config/wireplumber/main.lua.d" \
    "$d/config/wireplumber/bluetooth.lua.d" || return 1
  chmod 0700 "$d" "$d/runtime"

  export XDG_RUNTIME_DIR="$d/runtime" PIPEWIRE_RUNTIME_DIR="$d/runtime"
  export XDG_CONFIG_HOME="$d/config" XDG_STATE_HOME="$d/state"
  export XDG_DATA_HOME="$d/data" XDG_CACHE_HOME="$d/cache"
  export DISABLE_RTKIT=1 CB_SESSION_LOGS="$d/logs"
  if [[ -n "${CB_SESSION_MODULE_DIR:-}" ]]; then
    # PIPEWIRE_MODULE_DIR replaces the built-in path, so the system dir must
    # follow or protocol-native etc. are not found (daemon and clients alike).
    local sysdir
    sysdir="$(pkg-config --variable=moduledir libpipewire-0.3 2>/dev/null)" || sysdir=""
    sysdir="${sysdir:-/usr/lib/$(uname -m)-linux-gnu/pipewire-0.3}"
    export PIPEWIRE_MODULE_DIR="$CB_SESSION_MODULE_DIR:$sysdir"
  fi

  # No hardware, no system bus: keep WirePlumber from probing either.
  printf '%s\n' 'alsa_monitor.enabled = false' 'v4l2_monitor.enabled = false' \
    'libcamera_monitor.enabled = false' >"$d/config/wireplumber/main.lua.d/51-callbridge-test.lua"
  echo 'bluez_monitor.enabled = false' >"$d/config/wireplumber/bluetooth.lua.d/51-callbridge-test.lua"

  # Test hook: fragments must be in place before pipewire reads its config.
  if [[ -n "${CB_SESSION_PIPEWIRE_CONF_D:-}" ]]; then
    for f in "$CB_SESSION_PIPEWIRE_CONF_D"/*.conf; do
      [[ -f "$f" ]] && cp -- "$f" "$d/config/pipewire/pipewire.conf.d/"
    done
  fi

  # Own bus at a known path inside the runtime dir (the stock session.conf
  # would put the socket in /tmp). --nofork so $! is the daemon itself.
  export DBUS_SESSION_BUS_ADDRESS="unix:path=$d/runtime/bus"
  dbus-daemon --session --nofork --nopidfile --address="$DBUS_SESSION_BUS_ADDRESS" \
    </dev/null >>"$d/logs/dbus.log" 2>&1 &
  echo "$!" >"$d/dbus.pid"
  if ! _cb_wait_for "dbus-daemon" "$!" test -S "$d/runtime/bus" || ! _cb_start_daemons; then
    _cb_tail_logs
    CB_KEEP_SESSION=1 cb_session_stop
    _cb_log "session failed to start; logs kept in $d/logs"
    return 1
  fi

  if [[ "${CB_SESSION_NO_TRAP:-0}" != 1 ]]; then
    # Chain onto an existing EXIT trap rather than replacing it.
    local tp old=""
    tp="$(trap -p EXIT)"
    if [[ -n "$tp" ]]; then
      local -a _cb_t=()
      eval "_cb_t=(${tp})" # trap -p output is shell-quoted: trap -- 'CMD' EXIT
      old="${_cb_t[2]}"
    fi
    # shellcheck disable=SC2064 # expand the old command now, on purpose
    trap "cb_session_stop; ${old}" EXIT
    [[ -n "$(trap -p INT)" ]] || trap 'exit 130' INT
    [[ -n "$(trap -p TERM)" ]] || trap 'exit 143' TERM
  fi
  _cb_log "session ready in $d"
}

cb_session_restart_pipewire() {
  [[ -n "${CB_SESSION_DIR:-}" && -d "$CB_SESSION_DIR" ]] || { _cb_log "no session"; return 1; }
  _cb_stop_daemons "${1:-TERM}"
  sleep "${2:-0}"
  _cb_start_daemons || { _cb_tail_logs; return 1; }
  _cb_log "pipewire and wireplumber restarted"
}

# WirePlumber 0.4.13 can stall for good when a client goes away while it
# is still taking in that client's objects (see pipeline/bridge.c, "The
# metadata object is exported a second after the nodes"); then every
# client that lists the graph waits on it.  The nodes themselves belong to
# the PipeWire daemon, which removes a dead client's nodes whatever
# WirePlumber does, so restarting WirePlumber alone changes nothing a test
# asserts about nodes.
cb_session_restart_wireplumber() {
  local d="${CB_SESSION_DIR:-}"
  [[ -n "$d" && -f "$d/wireplumber.pid" ]] || { _cb_log "no session"; return 1; }
  _cb_kill_wait "$(<"$d/wireplumber.pid")" KILL
  wireplumber </dev/null >>"$d/logs/wireplumber.log" 2>&1 &
  echo "$!" >"$d/wireplumber.pid"
  _cb_wait_for "wireplumber (default metadata)" "$!" _cb_wp_ready || return 1
  _cb_log "wireplumber restarted"
  return 0
}

cb_session_stop() {
  local d="${CB_SESSION_DIR:-}"
  [[ -n "$d" && -d "$d" ]] || return 0
  local -
  set +e
  XDG_RUNTIME_DIR="$d/runtime" _cb_stop_daemons
  [[ -f "$d/dbus.pid" ]] && _cb_kill_wait "$(<"$d/dbus.pid")"
  rm -f "$d/dbus.pid"
  if [[ "${CB_KEEP_SESSION:-0}" == 1 ]]; then
    _cb_log "session stopped; kept $d (logs in $d/logs)"
  elif [[ "$(cat "$d/.created-by-session" 2>/dev/null)" == 1 ]]; then
    rm -rf -- "$d"
  else
    # Caller-supplied dir: remove only what we made, keep logs.
    rm -rf -- "$d/runtime" "$d/config" "$d/state" "$d/data" "$d/cache" "$d/.created-by-session"
  fi
  unset CB_SESSION_DIR CB_SESSION_LOGS
}

# ---- command mode -------------------------------------------------------
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  case "${1:-}" in
    run)
      shift
      [[ $# -gt 0 ]] || { _cb_log "usage: $0 run CMD..."; exit 2; }
      cb_session_start
      rc=0
      # Background + wait so a TERM/INT (meson timeout, Ctrl-C) is handled at
      # once and forwarded, instead of after CMD finishes; <&0 keeps stdin.
      "$@" <&0 &
      child=$!
      trap 'kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 143' TERM
      trap 'kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 130' INT
      wait "$child" || rc=$?
      cb_session_stop
      trap - EXIT
      exit "$rc"
      ;;
    shell)
      # Leave the daemons running for an interactive user: no cleanup trap.
      CB_SESSION_NO_TRAP=1 cb_session_start "${2:-}"
      for v in CB_SESSION_DIR CB_SESSION_LOGS XDG_RUNTIME_DIR PIPEWIRE_RUNTIME_DIR \
        XDG_CONFIG_HOME XDG_STATE_HOME XDG_DATA_HOME XDG_CACHE_HOME \
        DBUS_SESSION_BUS_ADDRESS DISABLE_RTKIT PIPEWIRE_MODULE_DIR; do
        if [[ -n "${!v:-}" ]]; then printf 'export %s=%q\n' "$v" "${!v}"; fi
      done
      printf 'unset %s\n' "${_CB_LEAKY_VARS[*]}"
      # shellcheck disable=SC2016 # the printed line is for the user's shell
      printf '# stop with: %q stop "$CB_SESSION_DIR"\n' "$0"
      ;;
    stop)
      CB_SESSION_DIR="${2:-${CB_SESSION_DIR:-}}"
      [[ -n "$CB_SESSION_DIR" ]] || { _cb_log "usage: $0 stop DIR"; exit 2; }
      cb_session_stop
      ;;
    *)
      _cb_log "usage: $0 run CMD... | shell [DIR] | stop DIR"
      exit 2
      ;;
  esac
fi
