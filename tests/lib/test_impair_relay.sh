#!/usr/bin/env bash
# Self-test for tests/lib/impair-relay: sends numbered RTP-, RTCP- and
# non-RTP-shaped UDP datagrams through the relay to a Python receiver on
# loopback and checks loss ratio, burst shape, jitter/reordering, the delay
# distribution, duplication, the reverse path, stopping, determinism with
# --seed, and that the stats file matches exactly what the receiver saw.
#
#   test_impair_relay.sh [PATH/TO/impair-relay]
#
# The relay is taken from $1, else $CB_IMPAIR_RELAY, else
# $CALLBRIDGE_BUILD_ROOT/tests/lib/impair-relay (default build root: build/).
# Loopback only. Exit 0 if all checks pass, 1 otherwise.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
RELAY="${1:-${CB_IMPAIR_RELAY:-${CALLBRIDGE_BUILD_ROOT:-$root/build}/tests/lib/impair-relay}}"
PY=/usr/bin/python3
[[ -x "$PY" ]] || PY=python3
[[ -x "$RELAY" ]] || { echo "FAIL: relay binary not found: $RELAY" >&2; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/cb-relay.XXXXXX")"
relay_pid=""
cleanup() {
  if [[ -n "$relay_pid" ]] && kill -0 "$relay_pid" 2>/dev/null; then
    kill -KILL "$relay_pid" 2>/dev/null || true
    wait "$relay_pid" 2>/dev/null || true
  fi
  rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pass=0
fail=0

# ---------------------------------------------------------------- probe.py
# probe: sender + receiver in one process. check: scenario assertions that
# print "ok   - ..." / "FAIL - ..." lines.
cat >"$tmp/probe.py" <<'PY'
import atexit, json, math, os, select, signal, socket, struct, subprocess, sys, time

SSRC_A, SSRC_B, SSRC_RTCP = 0x11223344, 0x55667788, 0xaabbccdd

def kind_of(i, rtcp_every, other_every):
    if rtcp_every and i % rtcp_every == rtcp_every - 1:
        return "rtcp"
    if other_every and i % other_every == other_every // 2:
        return "other"
    return "rtp"

def start_relay(relay_argv, recv_port, stats, ready):
    """Starts the relay on a kernel-chosen listen port; returns (proc, port)."""
    for f in (stats, ready):
        if os.path.exists(f):
            os.unlink(f)
    proc = subprocess.Popen(relay_argv[:1] + ["--listen", "127.0.0.1:0",
                            "--forward", f"127.0.0.1:{recv_port}",
                            "--stats-file", stats, "--ready-file", ready,
                            "--duration", "300"] + relay_argv[1:])  # safety net: never outlives us long
    atexit.register(lambda: proc.poll() is None and proc.kill())
    for _ in range(100):
        if os.path.exists(ready):
            return proc, int(open(ready).read())
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    sys.exit("relay did not start")

def stop_relay(proc, sig=signal.SIGTERM):
    proc.send_signal(sig)
    rc = proc.wait(timeout=10)
    if rc != 0:
        sys.exit(f"relay exited with {rc}")

def probe(a):
    """probe COUNT PPS RTCP_EVERY OTHER_EVERY ECHO LINGER OUT.json STATS RELAY [ARGS...]"""
    count, pps = int(a[0]), float(a[1])
    rtcp_every, other_every, echo, linger, out = int(a[2]), int(a[3]), a[4] == "1", float(a[5]), a[6]
    stats, relay_argv = a[7], a[8:]
    S = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    S.bind(("127.0.0.1", 0))
    S.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
    R = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    R.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
    R.bind(("127.0.0.1", 0))
    proc, relay_port = start_relay(relay_argv, R.getsockname()[1], stats, stats + ".ready")
    dst = ("127.0.0.1", relay_port)
    seq = {SSRC_A: 1000, SSRC_B: 60000}   # B wraps past 65535 on purpose
    sent = []      # [idx, kind, ssrc, seq]
    got = []       # [idx, kind, ssrc, seq, delay_ms]
    echoes = []    # [idx]
    t0 = time.monotonic_ns() + 20_000_000
    period = int(1e9 / pps)
    i = 0
    end = None
    while True:
        now = time.monotonic_ns()
        if i < count and now >= t0 + i * period:
            k = kind_of(i, rtcp_every, other_every)
            tail = struct.pack("!QI", time.monotonic_ns(), i) + bytes(16)
            if k == "rtp":
                ssrc = SSRC_A if i % 2 == 0 else SSRC_B
                s = seq[ssrc]
                seq[ssrc] = (s + 1) & 0xffff
                pkt = struct.pack("!BBHII", 0x80, 111, s, i * 960 & 0xffffffff, ssrc) + tail
            elif k == "rtcp":
                ssrc, s = SSRC_RTCP, -1
                pkt = struct.pack("!BBHI", 0x80, 200, 6, ssrc) + bytes(4) + tail
            else:
                ssrc, s = 0, -1
                pkt = struct.pack("!BBHI", 0x00, 0x01, 0, 0x2112a442) + bytes(4) + tail
            S.sendto(pkt, dst)
            sent.append([i, k, ssrc, s])
            i += 1
            if i == count:
                end = time.monotonic_ns() + int(linger * 1e9)
            continue
        if end is not None and now >= end:
            break
        nxt = t0 + i * period if i < count else end
        r, _, _ = select.select([R, S], [], [], max(0, nxt - now) / 1e9)
        for sock in r:
            data, frm = sock.recvfrom(65536)
            t = time.monotonic_ns()
            if len(data) < 24:
                continue
            ts, idx = struct.unpack("!QI", data[12:24])
            if sock is R:
                b0, b1 = data[0], data[1]
                if b0 >> 6 == 2 and 192 <= b1 <= 223:
                    k, ssrc, s = "rtcp", struct.unpack("!I", data[4:8])[0], -1
                elif b0 >> 6 == 2:
                    k = "rtp"
                    s, ssrc = struct.unpack("!H", data[2:4])[0], struct.unpack("!I", data[8:12])[0]
                else:
                    k, ssrc, s = "other", 0, -1
                got.append([idx, k, ssrc, s, (t - ts) / 1e6])
                if echo:
                    R.sendto(data, frm)
            else:
                echoes.append([idx, (t - ts) / 1e6])
    json.dump({"sent": sent, "got": got, "echoes": echoes}, open(out, "w"))
    stop_relay(proc)

def drain(a):
    """drain STATS RELAY [ARGS...]: 10 datagrams, SIGINT at once; prints how many arrived"""
    R = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    R.bind(("127.0.0.1", 0))
    R.settimeout(2)
    proc, port = start_relay(a[1:], R.getsockname()[1], a[0], a[0] + ".ready")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(10):
        s.sendto(b"x" * 20, ("127.0.0.1", port))
    time.sleep(0.1)
    stop_relay(proc, signal.SIGINT)
    n = 0
    try:
        while n < 10:
            R.recv(100)
            n += 1
    except socket.timeout:
        pass
    print(n)

def handoff(a):
    """handoff DIR RELAY: the relay binds port 0 for both its sockets and
    reports them (--port-file), then learns where to forward from
    --forward-file, written only after the receiver, which needed the relay's
    forwarding port first, has bound port 0 itself.  Prints "ok" when a
    datagram went through both ways and came from the reported ports."""
    d, relay = a[0], a[1]
    ports, fwd = os.path.join(d, "handoff.ports"), os.path.join(d, "handoff.forward")
    proc = subprocess.Popen([relay, "--listen", "127.0.0.1:0", "--forward-bind", "127.0.0.1:0",
                             "--forward-file", fwd, "--port-file", ports, "--bidirectional",
                             "--duration", "30"])
    atexit.register(lambda: proc.poll() is None and proc.kill())
    for _ in range(100):
        if os.path.exists(ports) or proc.poll() is not None:
            break
        time.sleep(0.05)
    listen_port, forward_port = map(int, open(ports).read().split())
    R = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    R.bind(("127.0.0.1", 0))
    R.settimeout(2)
    # a torn write must not be taken for an address: no newline yet
    with open(fwd, "w") as f:
        f.write("127.0.0.1:%d" % R.getsockname()[1])
        f.flush()
        time.sleep(0.2)
        f.write("\n")
    S = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    S.bind(("127.0.0.1", 0))
    S.settimeout(2)
    S.sendto(b"\x80" + b"f" * 19, ("127.0.0.1", listen_port))
    data, frm = R.recvfrom(100)
    assert frm == ("127.0.0.1", forward_port), (frm, forward_port)
    R.sendto(b"\x80" + b"r" * 19, frm)
    data, frm = S.recvfrom(100)
    assert frm == ("127.0.0.1", listen_port) and data[1:2] == b"r", (frm, data)
    stop_relay(proc)
    print("ok")

def load_stats(path):
    st = {}
    for line in open(path):
        line = line.rstrip("\n")
        if "=" in line:
            k, v = line.split("=", 1)
            st[k] = v
    return st

class Checker:
    def __init__(self):
        self.n_ok = self.n_fail = 0
    def __call__(self, cond, what, detail=""):
        if cond:
            self.n_ok += 1
            print(f"ok   - {what}")
        else:
            self.n_fail += 1
            print(f"FAIL - {what}" + (f": {detail}" if detail else ""))

def reorders(indices):
    """first arrivals whose index is below the highest index seen before"""
    seen, hi, n = set(), -1, 0
    for i in indices:
        if i in seen:
            continue
        seen.add(i)
        if i < hi:
            n += 1
        hi = max(hi, i)
    return n

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * (len(xs) - 1) + 0.5))]

def common(c, r, st, name):
    """checks that every scenario shares: stats file == receiver's view"""
    sent, got = r["sent"], r["got"]
    I = lambda k: int(st.get(k, "-1"))
    c(I("received") == len(sent), f"{name}: received={I('received')} == sent {len(sent)}")
    c(I("forwarded") == len(got), f"{name}: forwarded={I('forwarded')} == datagrams at receiver {len(got)}")
    c(I("received") - I("dropped") + I("duplicated") == I("forwarded") and I("unsent") == 0
      and I("overflow") == 0 and I("send_errors") == 0,
      f"{name}: received - dropped + duplicated == forwarded, nothing unsent/overflowed")
    sent_idx = {s[0] for s in sent}
    got_idx = {g[0] for g in got}
    c(I("dropped") == len(sent_idx - got_idx),
      f"{name}: dropped={I('dropped')} == missing at receiver {len(sent_idx - got_idx)}")
    for k in ("rtp", "rtcp", "other"):
        s_k = {s[0] for s in sent if s[1] == k}
        g_k = [g for g in got if g[1] == k]
        ok = (I(f"{k}_received") == len(s_k) and I(f"{k}_forwarded") == len(g_k)
              and I(f"{k}_dropped") == len(s_k - {g[0] for g in g_k}))
        c(ok, f"{name}: {k}_received/forwarded/dropped match receiver",
          f"stats {I(k+'_received')}/{I(k+'_forwarded')}/{I(k+'_dropped')} vs "
          f"{len(s_k)}/{len(g_k)}/{len(s_k - {g[0] for g in g_k})}")
    # per SSRC, RTP: the dropped sequence numbers must be exactly the missing ones
    for ssrc in sorted({s[2] for s in sent if s[1] == "rtp"}):
        key = f"ssrc.{ssrc:08x}"
        s_seq = [s[3] for s in sent if s[1] == "rtp" and s[2] == ssrc]
        g_seq = {g[3] for g in got if g[1] == "rtp" and g[2] == ssrc}
        missing = sorted(set(s_seq) - g_seq)
        listed = st.get(f"{key}.rtp_dropped_seqs", "")
        listed = sorted(int(x) for x in listed.split(",") if x)
        c(listed == missing and I(f"{key}.rtp_dropped") == len(missing)
          and I(f"{key}.rtp_received") == len(s_seq)
          and I(f"{key}.rtp_forwarded") == len([g for g in got if g[1] == "rtp" and g[2] == ssrc]),
          f"{name}: {key} rtp counters and dropped seqs match receiver ({len(missing)} lost)",
          f"relay {listed[:20]} vs receiver {missing[:20]}")
    rt = [s for s in sent if s[1] == "rtcp"]
    if rt:
        key = f"ssrc.{rt[0][2]:08x}"
        c(I(f"{key}.rtcp_received") == len(rt)
          and I(f"{key}.rtcp_forwarded") == len([g for g in got if g[1] == "rtcp"]),
          f"{name}: {key} rtcp counters match receiver")

def check(a):
    name, js, stats = a[0], a[1], a[2]
    r = json.load(open(js))
    st = load_stats(stats)
    I = lambda k: int(st.get(k, "-1"))
    F = lambda k: float(st.get(k, "nan"))
    c = Checker()
    sent, got = r["sent"], r["got"]
    n = len(sent)
    lost = n - len({g[0] for g in got})
    delays = [g[4] for g in got]
    common(c, r, st, name)

    if name == "clean":
        c(lost == 0 and len(got) == n, f"{name}: all {n} delivered")
        c(reorders([g[0] for g in got]) == 0 and I("reordered") == 0, f"{name}: no reordering")
        c(max(delays) < 10, f"{name}: max one-way delay {max(delays):.2f} ms < 10")

    elif name == "loss-jitter":     # --loss 0.05 --delay-ms 20 --jitter-ms 30 (uniform)
        p = 0.05
        tol = 4 * math.sqrt(n * p * (1 - p))
        c(abs(lost - n * p) <= tol, f"{name}: loss {lost}/{n} = {lost/n:.3f} ~ {p} (+-{tol/n:.3f})")
        ro = reorders([g[0] for g in got])
        c(ro > 0, f"{name}: jitter reordered {ro} datagrams at the receiver")
        c(ro == I("reordered"), f"{name}: relay reordered={I('reordered')} == receiver {ro}")
        c(min(delays) >= 19.8, f"{name}: min delay {min(delays):.2f} ms >= 20")
        # The top percentile, not the maximum: one late wake-up of the relay
        # on a loaded machine (CI saw 55.3 ms) says nothing about its draws.
        c(pct(delays, .99) <= 50 + 5,
          f"{name}: 99th percentile delay {pct(delays, .99):.2f} ms <= 50 (+5 slack; max {max(delays):.2f})")
        m = sum(delays) / len(delays)
        c(abs(m - 35) <= 2.5, f"{name}: mean delay {m:.2f} ms ~ 35")
        q1, q2, q3 = pct(delays, .25), pct(delays, .5), pct(delays, .75)
        c(abs(q1 - 27.5) <= 3 and abs(q2 - 35) <= 3 and abs(q3 - 42.5) <= 3,
          f"{name}: uniform quartiles {q1:.1f}/{q2:.1f}/{q3:.1f} ~ 27.5/35/42.5")
        c(F("max_delay_ms") >= 45 and 19.9 <= F("min_delay_ms") <= 25,
          f"{name}: relay min/max_delay_ms {F('min_delay_ms'):.2f}/{F('max_delay_ms'):.2f} span the jitter")
        c(abs(F("mean_delay_ms") - m) < 1.0, f"{name}: relay mean_delay_ms {F('mean_delay_ms'):.2f} ~ receiver {m:.2f}")

    elif name == "normal":          # --delay-ms 10 --jitter-ms 30 --jitter-dist normal
        m = sum(delays) / len(delays)
        sd = math.sqrt(sum((d - m) ** 2 for d in delays) / len(delays))
        c(abs(m - 25) <= 1.5, f"{name}: mean delay {m:.2f} ms ~ 25")
        c(3.5 <= sd <= 6.5, f"{name}: sd {sd:.2f} ms ~ 5")
        c(min(delays) >= 9.8 and pct(delays, .99) <= 45,
          f"{name}: delays within [10, 40] (+slack; 99th percentile {pct(delays, .99):.2f}, max {max(delays):.2f})")

    elif name == "fifo":            # --delay-ms 15 --jitter-ms 40 --no-reorder
        c(reorders([g[0] for g in got]) == 0 and I("reordered") == 0,
          f"{name}: --no-reorder keeps order despite 40 ms jitter")
        c(min(delays) >= 14.8, f"{name}: min delay {min(delays):.2f} ms >= 15")
        c(max(delays) > 30, f"{name}: jitter still applied (max {max(delays):.2f} ms)")

    elif name == "burst":           # --loss 0.1 --burst 3
        missing = sorted({s[0] for s in sent} - {g[0] for g in got})
        runs, run = [], 1
        for a_, b_ in zip(missing, missing[1:] + [None]):
            if b_ == a_ + 1:
                run += 1
            else:
                runs.append(run)
                run = 1
        runs = runs if missing else []
        c(missing and all(x % 3 == 0 for x in runs),
          f"{name}: every loss run is a multiple of 3 ({len(runs)} runs)", str(runs[:20]))
        tol = 4 * math.sqrt(n * 0.1 * 0.9) * 3
        c(abs(lost - n * 0.1) <= tol, f"{name}: loss {lost}/{n} = {lost/n:.3f} ~ 0.1")

    elif name == "dup":             # --duplicate 0.05
        extra = len(got) - len({g[0] for g in got})
        c(extra == I("duplicated") and extra > 0,
          f"{name}: receiver saw {extra} duplicates == relay duplicated={I('duplicated')}")
        tol = 4 * math.sqrt(n * 0.05 * 0.95)
        c(abs(extra - n * 0.05) <= tol, f"{name}: duplicate ratio {extra/n:.3f} ~ 0.05")

    elif name == "bidir":           # --bidirectional (clean reverse)
        e = r["echoes"]
        c(len(e) == len(got) and I("reverse_forwarded") == len(e) and I("reverse_received") == len(got),
          f"{name}: {len(e)} echoes back == reverse_received/forwarded ({I('reverse_received')}/{I('reverse_forwarded')})")
        c(I("reverse_dropped") == 0, f"{name}: clean reverse path drops nothing")

    elif name == "bidir-impaired":  # --bidirectional --impair-reverse --loss 0.2
        e = r["echoes"]
        c(I("reverse_received") == len(got) and I("reverse_forwarded") == len(e)
          and I("reverse_dropped") == len(got) - len(e) and I("reverse_dropped") > 0,
          f"{name}: reverse loss {I('reverse_dropped')}/{I('reverse_received')} matches echoes {len(e)}")
        rtt = [x[1] for x in e]
        c(min(rtt) >= 2 * 5 - 0.3, f"{name}: round trip {min(rtt):.2f} ms >= 2 x 5 ms delay")
    else:
        c(False, f"unknown scenario {name}")
    sys.exit(1 if c.n_fail else 0)

if __name__ == "__main__":
    {"probe": probe, "check": check, "drain": drain, "handoff": handoff}[sys.argv[1]](sys.argv[2:])
PY

# ---------------------------------------------------------------- helpers
# The probe starts the relay itself on a kernel-chosen listen port (reported
# through --ready-file) after binding its own receiver: no port races.
tally() { # reads check output on stdin
  local line
  while IFS= read -r line; do
    echo "$line"
    case "$line" in
      "ok   - "*) pass=$((pass + 1)) ;;
      "FAIL - "*) fail=$((fail + 1)) ;;
    esac
  done
}

ok()  { pass=$((pass + 1)); echo "ok   - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }

# scenario NAME COUNT PPS RTCP_EVERY OTHER_EVERY ECHO LINGER -- RELAY-ARGS...
scenario() {
  local name="$1" count="$2" pps="$3" rtcp="$4" other="$5" echo_="$6" linger="$7"
  shift 8
  echo "# $name: $count datagrams at $pps pps, relay $*"
  if ! "$PY" "$tmp/probe.py" probe "$count" "$pps" "$rtcp" "$other" "$echo_" "$linger" \
        "$tmp/$name.json" "$tmp/$name.stats" "$RELAY" "$@" 2>"$tmp/$name.err"; then
    bad "$name: probe/relay failed: $(tail -3 "$tmp/$name.err")"
    return 0
  fi
  tally < <("$PY" "$tmp/probe.py" check "$name" "$tmp/$name.json" "$tmp/$name.stats" || true)
}

# ---------------------------------------------------------------- scenarios
scenario clean          100  50 25 40 0 0.3 -- --seed 7
scenario loss-jitter    500  50 25 40 0 0.5 -- --loss 0.05 --delay-ms 20 --jitter-ms 30 --seed 42
scenario normal         250  50 25 40 0 0.5 -- --delay-ms 10 --jitter-ms 30 --jitter-dist normal --seed 42
scenario fifo           150  50 25 40 0 0.5 -- --delay-ms 15 --jitter-ms 40 --no-reorder --seed 3
scenario burst         2000 500 25 40 0 0.3 -- --loss 0.1 --burst 3 --seed 42
scenario dup           2000 500 25 40 0 0.3 -- --duplicate 0.05 --seed 42
scenario bidir          200 100 25 40 1 0.3 -- --bidirectional --seed 42
scenario bidir-impaired 300 100 25 40 1 0.3 -- --bidirectional --impair-reverse --loss 0.2 --delay-ms 5 --seed 42

# Determinism: the same seed gives the same fate to the n-th datagram whatever
# the timing (here 500 vs 1000 pps and a different delay); another seed differs.
echo "# determinism"
dropped_of() { grep -E '^ssrc\.[0-9a-f]{8}\.rtp_dropped_seqs=' "$1" | sort; }
run_quick() { # run_quick NAME PPS RELAY-ARGS...
  local name="$1" pps="$2"
  shift 2
  "$PY" "$tmp/probe.py" probe 1000 "$pps" 25 40 0 0.2 "$tmp/$name.json" "$tmp/$name.stats" \
    "$RELAY" "$@" 2>"$tmp/$name.err" || { bad "$name: $(tail -3 "$tmp/$name.err")"; return 1; }
}
if run_quick seed-a 500 --loss 0.1 --seed 99 &&
   run_quick seed-b 1000 --loss 0.1 --seed 99 --delay-ms 3 &&
   run_quick seed-c 500 --loss 0.1 --seed 100; then
  if [[ -n "$(dropped_of "$tmp/seed-a.stats")" ]] &&
     diff <(dropped_of "$tmp/seed-a.stats") <(dropped_of "$tmp/seed-b.stats") >/dev/null; then
    ok "determinism: --seed 99 drops the same sequence numbers twice"
  else
    bad "determinism: --seed 99 runs differ"
  fi
  if ! diff <(dropped_of "$tmp/seed-a.stats") <(dropped_of "$tmp/seed-c.stats") >/dev/null; then
    ok "determinism: --seed 100 drops different sequence numbers"
  else
    bad "determinism: seeds 99 and 100 drop the same packets"
  fi
fi

# --duration: the relay stops by itself and writes its stats.
echo "# duration"
t0=$(date +%s%N)
rc=0
"$RELAY" --listen 127.0.0.1:0 --forward 127.0.0.1:9 --duration 1 --delay-ms 50 \
  --stats-file "$tmp/duration.stats" 2>"$tmp/duration.err" &
relay_pid=$!
wait "$relay_pid" || rc=$?
relay_pid=""
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [[ $rc -eq 0 && -s "$tmp/duration.stats" && $ms -ge 900 && $ms -lt 2500 ]] &&
   grep -q '^received=0$' "$tmp/duration.stats"; then
  ok "duration: exited by itself after ${ms} ms with stats"
else
  bad "duration: rc=$rc after ${ms} ms, stats: $(head -c 200 "$tmp/duration.stats" 2>/dev/null)"
fi

# SIGINT drains what is pending (due within the delay) before exiting.
echo "# SIGINT drain"
if n=$("$PY" "$tmp/probe.py" drain "$tmp/drain.stats" "$RELAY" --delay-ms 300 2>"$tmp/drain.err") &&
   [[ "$n" == 10 ]] && grep -q '^forwarded=10$' "$tmp/drain.stats" &&
   grep -q '^unsent=0$' "$tmp/drain.stats"; then
  ok "SIGINT: the 10 pending datagrams were delivered before exit"
else
  bad "SIGINT drain: receiver got ${n:-?}, $(grep -E '^(forwarded|unsent)=' "$tmp/drain.stats" 2>/dev/null | tr '\n' ' ') $(tail -2 "$tmp/drain.err")"
fi

# Port 0 both sides, --port-file, and the forward address learnt late.
echo "# port hand-off"
if out=$("$PY" "$tmp/probe.py" handoff "$tmp" "$RELAY" 2>"$tmp/handoff.err") && [[ "$out" == ok ]]; then
  ok "hand-off: ports reported by --port-file, forward address read from --forward-file"
else
  bad "hand-off: ${out:-} $(tail -3 "$tmp/handoff.err")"
fi
# No forward address: it gives up by itself (here after a signal) instead of hanging.
"$RELAY" --listen 127.0.0.1:0 --forward-file "$tmp/never" --port-file "$tmp/never.ports" 2>"$tmp/never.err" &
relay_pid=$!
for ((i = 0; i < 50; i++)); do [[ -s "$tmp/never.ports" ]] && break; sleep 0.1; done
kill -TERM "$relay_pid"; rc=0; wait "$relay_pid" || rc=$?; relay_pid=""
if [[ $rc == 1 ]] && grep -q "stopped while waiting for $tmp/never" "$tmp/never.err" &&
   [[ "$(cat "$tmp/never.ports")" =~ ^[1-9][0-9]*\ [1-9][0-9]*$ ]]; then
  ok "--forward-file: ports written, a signal ends the wait"
else
  bad "--forward-file wait: rc=$rc, ports '$(cat "$tmp/never.ports" 2>/dev/null)', $(tail -2 "$tmp/never.err")"
fi

# Bad arguments are refused.
echo "# arguments"
if "$RELAY" --listen 127.0.0.1:1 2>/dev/null; then bad "missing --forward accepted"; else ok "missing --forward refused"; fi
if "$RELAY" --listen 127.0.0.1:1 --forward 127.0.0.1:2 --loss 2 2>/dev/null; then bad "--loss 2 accepted"; else ok "--loss 2 refused"; fi
if "$RELAY" --listen 127.0.0.1:1 --forward 127.0.0.1:2 --forward-file /nonexistent 2>/dev/null; then
  bad "--forward with --forward-file accepted"; else ok "--forward with --forward-file refused"; fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
