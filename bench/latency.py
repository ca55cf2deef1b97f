#!/usr/bin/python3
"""Helpers for bench/run-latency.sh (python3 + numpy only).

  latency.py impulses OUT.wav [--seconds 10] [--period 0.5] [--lead 0.25]
      The test signal: a 1 ms Hann-windowed 1.5 -> 12 kHz chirp every
      --period seconds, mono, 48 kHz, 32-bit float. A chirp rather than a
      tone burst: its autocorrelation has one sharp peak and no side lobes a
      period away, so the lag cannot slip by a cycle of the tone.

  latency.py measure REC.wav [--ref 0] [--rx 1] [--max-lag-ms 450] [--json]
      Per impulse: the onset in the reference channel (the signal as it
      entered alice's track), then the lag of the best cross-correlation of
      that impulse (+-2 ms around it) with the received channel within
      0..max-lag. Both channels come from one recorder node, so the lag is
      exact to the sample. Prints median, min, max, the spread and the
      normalised correlation (how well the impulse survived Opus).

  latency.py lookahead
      OPUS_GET_LOOKAHEAD of a 48 kHz encoder per application, from libopus
      itself (ctypes).

  latency.py quantum PROFILER.LOG NODE_ID [NODE_ID...]
      The graph quantum the driver of these nodes ran at, from a pw-profiler
      log: column 4 is the cycle's duration in microseconds, and each
      follower block (8 columns from column 5) starts with the follower's id.
      Prints "QUANTUM CYCLES".

  latency.py table RESULTS.jsonl
      The table run-latency.sh prints, from one JSON object per case.
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import struct
import sys

try:
    import numpy as np
except ImportError:  # a pyenv python3 may shadow Debian's, which has python3-numpy
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

RATE = 48000


# ---- WAV ---------------------------------------------------------------

def read_wav(path):
    """Returns (rate, float array [frames, channels]). Reads PCM 16/24/32 and
    float 32/64, WAVE_FORMAT_EXTENSIBLE, and the unfinished header a killed
    recorder leaves (data size 0 or 0xffffffff)."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise ValueError("%s: not a WAV file" % path)
    pos, fmt, data = 12, None, None
    while pos + 8 <= len(raw):
        cid, size = raw[pos:pos + 4], struct.unpack("<I", raw[pos + 4:pos + 8])[0]
        body = pos + 8
        if cid == b"fmt ":
            fmt = raw[body:body + size]
        elif cid == b"data":
            if size in (0, 0xffffffff) or body + size > len(raw):
                size = len(raw) - body
            data = raw[body:body + size]
            break
        pos = body + size + (size & 1)
    if fmt is None or data is None:
        raise ValueError("%s: no fmt or data chunk" % path)
    tag, channels, rate = struct.unpack("<HHI", fmt[:8])
    bits = struct.unpack("<H", fmt[14:16])[0]
    if tag == 0xfffe and len(fmt) >= 26:
        tag = struct.unpack("<H", fmt[24:26])[0]
    frame = channels * bits // 8
    data = data[:len(data) // frame * frame]
    if tag == 3 and bits == 32:
        x = np.frombuffer(data, "<f4").astype(np.float64)
    elif tag == 3 and bits == 64:
        x = np.frombuffer(data, "<f8").copy()
    elif tag == 1 and bits == 16:
        x = np.frombuffer(data, "<i2") / 32768.0
    elif tag == 1 and bits == 32:
        x = np.frombuffer(data, "<i4") / 2147483648.0
    elif tag == 1 and bits == 24:
        b = np.frombuffer(data, np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | b[:, 1] << 8 | b[:, 2] << 16
        x = np.where(v >= 1 << 23, v - (1 << 24), v) / 8388608.0
    else:
        raise ValueError("%s: unsupported WAV format tag %d, %d bits" % (path, tag, bits))
    return rate, x.reshape(-1, channels)


def write_wav_f32(path, rate, x):
    x = np.asarray(x, "<f4")
    channels = 1 if x.ndim == 1 else x.shape[1]
    data = x.tobytes()
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE")
        f.write(b"fmt " + struct.pack("<IHHIIHH", 16, 3, channels, rate,
                                      rate * channels * 4, channels * 4, 32))
        f.write(b"data" + struct.pack("<I", len(data)) + data)


# ---- the test signal -----------------------------------------------------

def impulse(rate=RATE, length_s=0.001, f0=1500.0, f1=12000.0, amplitude=0.7):
    n = int(round(rate * length_s))
    t = np.arange(n) / rate
    phase = 2 * np.pi * (f0 * t + (f1 - f0) * t * t / (2 * length_s))
    return amplitude * np.hanning(n + 2)[1:-1] * np.sin(phase)


def cmd_impulses(a):
    period = int(round(a.period * RATE))
    lead = int(round(a.lead * RATE))
    count = int(a.seconds / a.period)
    imp = impulse()
    x = np.zeros(lead + count * period, np.float64)
    for k in range(count):
        x[lead + k * period:lead + k * period + len(imp)] = imp
    write_wav_f32(a.out, RATE, x)
    print("%s: %d impulses, every %.0f ms, %.2f s" % (a.out, count, a.period * 1000, len(x) / RATE))
    return 0


# ---- measuring -----------------------------------------------------------

def onsets(ref, period_min):
    """Start of each impulse in the reference: first sample above a tenth of
    the peak, then nothing for most of a period."""
    env = np.abs(ref)
    peak = env.max() if len(env) else 0.0
    if peak < 1e-4:
        return []
    above = np.flatnonzero(env > 0.1 * peak)
    out, last = [], -period_min
    for i in above:
        if i - last >= period_min:
            out.append(int(i))
            last = i
    return out


def xcorr_valid(seg, tpl):
    """corr[k] = sum tpl[j] * seg[k + j] for k in 0..len(seg)-len(tpl), by FFT."""
    n = len(seg) + len(tpl)
    size = 1 << (n - 1).bit_length()
    c = np.fft.irfft(np.fft.rfft(seg, size) * np.conj(np.fft.rfft(tpl, size)), size)
    return c[:len(seg) - len(tpl) + 1]


def measure(path, ref_ch, rx_ch, max_lag_ms, period_ms):
    rate, x = read_wav(path)
    ref, rx = x[:, ref_ch], x[:, rx_ch]
    pad = int(0.002 * rate)
    max_lag = int(max_lag_ms * rate / 1000)
    rows = []
    for o in onsets(ref, int(0.8 * period_ms * rate / 1000)):
        a, b = o - pad, o + int(0.001 * rate) + pad
        if a < 0 or o + max_lag + (b - a) > len(rx):
            continue
        tpl = ref[a:b]
        seg = rx[a:a + max_lag + (b - a)]
        c = xcorr_valid(seg, tpl)
        lag = int(np.argmax(c))
        got = seg[lag:lag + len(tpl)]
        norm = np.sqrt(np.dot(tpl, tpl) * np.dot(got, got))
        ncc = float(c[lag] / norm) if norm > 0 else 0.0
        gain = float(np.sqrt(np.dot(got, got) / np.dot(tpl, tpl)))
        rows.append({"onset_s": o / rate, "lag": lag, "ms": lag * 1000.0 / rate,
                     "ncc": ncc, "gain": gain})
    return rate, rows


def summary(rows, min_ncc):
    good = [r for r in rows if r["ncc"] >= min_ncc]
    if not good:
        return {"n": 0, "n_total": len(rows)}
    ms = np.array([r["ms"] for r in good])
    return {"n": len(good), "n_total": len(rows), "median_ms": float(np.median(ms)),
            "min_ms": float(ms.min()), "max_ms": float(ms.max()),
            "p10_ms": float(np.percentile(ms, 10)), "p90_ms": float(np.percentile(ms, 90)),
            "std_ms": float(ms.std()), "ncc_min": float(min(r["ncc"] for r in good)),
            "ncc_median": float(np.median([r["ncc"] for r in good]))}


def cmd_measure(a):
    rate, rows = measure(a.rec, a.ref, a.rx, a.max_lag_ms, a.period_ms)
    s = summary(rows, a.min_ncc)
    s["rate"] = rate
    if a.json:
        s["impulses"] = [{"t": round(r["onset_s"], 4), "ms": round(r["ms"], 3),
                          "ncc": round(r["ncc"], 3)} for r in rows]
        print(json.dumps(s))
    else:
        for r in rows:
            print("  impulse at %7.3f s: %8.3f ms (%d samples)  ncc %.3f  gain %.2f" % (
                r["onset_s"], r["ms"], r["lag"], r["ncc"], r["gain"]))
        if s["n"]:
            print("%d/%d impulses: median %.3f ms, min %.3f, max %.3f, std %.3f" % (
                s["n"], s["n_total"], s["median_ms"], s["min_ms"], s["max_ms"], s["std_ms"]))
        else:
            print("no impulse found (%d candidates)" % s["n_total"])
    return 0 if s["n"] else 1


# ---- libopus lookahead ---------------------------------------------------

OPUS_APPS = (("voip", 2048), ("audio", 2049), ("lowdelay", 2051))
OPUS_GET_LOOKAHEAD_REQUEST = 4027


def lookaheads():
    lib = ctypes.CDLL(ctypes.util.find_library("opus") or "libopus.so.0")
    lib.opus_encoder_create.restype = ctypes.c_void_p
    lib.opus_encoder_create.argtypes = [ctypes.c_int32, ctypes.c_int, ctypes.c_int,
                                        ctypes.POINTER(ctypes.c_int)]
    lib.opus_encoder_destroy.argtypes = [ctypes.c_void_p]
    out = {}
    for name, app in OPUS_APPS:
        err = ctypes.c_int(0)
        enc = lib.opus_encoder_create(RATE, 1, app, ctypes.byref(err))
        if not enc or err.value != 0:
            raise RuntimeError("opus_encoder_create(%s) failed: %d" % (name, err.value))
        v = ctypes.c_int32(0)
        lib.opus_encoder_ctl(ctypes.c_void_p(enc), ctypes.c_int(OPUS_GET_LOOKAHEAD_REQUEST),
                             ctypes.byref(v))
        lib.opus_encoder_destroy(enc)
        out[name] = v.value
    return out


def cmd_lookahead(a):
    for name, v in lookaheads().items():
        print("%s %d" % (name, v))
    return 0


# ---- graph quantum from pw-profiler ----------------------------------------

def cmd_quantum(a):
    ids = set(a.ids)
    counts = {}
    with open(a.log) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 5:
                continue
            followers = {cols[i].strip() for i in range(4, len(cols), 8)}
            if not ids & followers:
                continue
            try:
                us = int(cols[3])
            except ValueError:
                continue
            q = int(round(us * RATE / 1e6))
            counts[q] = counts.get(q, 0) + 1
    if not counts:
        print("0 0")
        return 1
    q = max(counts, key=counts.get)
    print("%d %d" % (q, sum(counts.values())))
    return 0


# ---- one case: the measurement plus what the stats files say ----------------

def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def remote_of(d):
    if not d:
        return {}
    r = [x for x in d.get("remotes", []) if x.get("name") == "peer"]
    return r[0] if r else {}


def cmd_case(a):
    rate, rows = measure(a.rec, 0, 1, a.max_lag_ms, a.period_ms)
    m = summary(rows, a.min_ncc)
    before, after = remote_of(load_json(a.before)), remote_of(load_json(a.after))
    sender = load_json(a.sender) or {}
    stream = (sender.get("streams") or [{}])[0]
    remote = {}
    if after:
        remote = {k: after.get(k) for k in ("jitter_ms", "depth_ms", "target_ms", "packets")}
        for k in ("late", "concealed", "underrun_frames", "lost"):
            remote[k] = after.get(k, 0) - before.get(k, 0) if before else after.get(k, 0)
    out = {"session": a.session, "ptime": float(a.ptime), "jitter_ms": a.jitter,
           "quantum": a.quantum, "quantum_measured": bool(a.quantum_measured),
           "lookahead": a.lookahead, "measure": m, "remote": remote,
           "sender": {k: stream.get(k) for k in ("underrun_frames", "dropped_frames", "packets")}}
    if a.verbose:
        out["impulses"] = [round(r["ms"], 3) for r in rows]
        sys.stderr.write("      %s\n" % " ".join("%.2f" % r["ms"] for r in rows))
    print(json.dumps(out))
    if m.get("n"):
        sys.stderr.write("      median %.2f ms (%.2f..%.2f), %d/%d impulses, quantum %d\n" % (
            m["median_ms"], m["min_ms"], m["max_ms"], m["n"], m["n_total"], a.quantum))
    else:
        sys.stderr.write("      no impulse found in %s\n" % a.rec)
    return 0


# ---- the table -------------------------------------------------------------

def fmt_ptime(p):
    return ("%g" % p)


def cmd_table(a):
    cases = [json.loads(line) for line in open(a.results) if line.strip()]
    if not cases:
        print("no results")
        return 1
    head = ("%-9s %6s %5s %5s | %-24s | %-28s | %5s | %-6s | %s" %
            ("session", "jitter", "ptime", "quant", "measured ms: median (min..max)",
             "floor ms = frame+la+quantum", "ratio", "target",
             "bob during train: jitter, depth/target at end, late/concealed/underrun"))
    print(head)
    print("-" * len(head))
    for c in cases:
        q = c.get("quantum", 0)
        q_ms = q * 1000.0 / RATE
        la_ms = c["lookahead"] * 1000.0 / RATE
        floor = c["ptime"] + la_ms + q_ms
        m = c["measure"]
        st = c.get("remote") or {}
        extra = "-"
        if st:
            extra = "%.2f ms, %s/%s ms, %s/%s/%s" % (
                st.get("jitter_ms") or 0, st.get("depth_ms"), st.get("target_ms"),
                st.get("late"), st.get("concealed"), st.get("underrun_frames"))
        if m.get("n"):
            meas = "%6.2f (%6.2f..%6.2f)" % (m["median_ms"], m["min_ms"], m["max_ms"])
            r = m["median_ms"] / floor
            ratio = "%5.2f" % r
            ok = r <= 2.0 and (c["ptime"] != 10 or m["median_ms"] <= 25.0)
            target = "ok" if ok else "MISS"
        else:
            meas, ratio, target = "no impulses found", "-", "-"
        qtxt = "%d%s" % (q, "" if c.get("quantum_measured", True) else "?")
        print("%-9s %6s %5s %5s | %-30s | %6.2f = %4g+%.2f+%5.2f | %5s | %-6s | %s" % (
            c["session"], "%d ms" % c["jitter_ms"], fmt_ptime(c["ptime"]), qtxt, meas,
            floor, c["ptime"], la_ms, q_ms, ratio, target, extra))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("impulses")
    s.add_argument("out")
    s.add_argument("--seconds", type=float, default=10.0)
    s.add_argument("--period", type=float, default=0.5)
    s.add_argument("--lead", type=float, default=0.25)
    s.set_defaults(fn=cmd_impulses)
    s = sub.add_parser("measure")
    s.add_argument("rec")
    s.add_argument("--ref", type=int, default=0)
    s.add_argument("--rx", type=int, default=1)
    s.add_argument("--max-lag-ms", type=float, default=450.0)
    s.add_argument("--period-ms", type=float, default=500.0)
    s.add_argument("--min-ncc", type=float, default=0.5)
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_measure)
    s = sub.add_parser("lookahead")
    s.set_defaults(fn=cmd_lookahead)
    s = sub.add_parser("quantum")
    s.add_argument("log")
    s.add_argument("ids", nargs="+")
    s.set_defaults(fn=cmd_quantum)
    s = sub.add_parser("case")
    s.add_argument("--session", required=True)
    s.add_argument("--ptime", required=True)
    s.add_argument("--jitter", type=int, required=True)
    s.add_argument("--quantum", type=int, required=True)
    s.add_argument("--quantum-measured", type=int, default=1)
    s.add_argument("--lookahead", type=int, required=True)
    s.add_argument("--rec", required=True)
    s.add_argument("--before")
    s.add_argument("--after")
    s.add_argument("--sender")
    s.add_argument("--max-lag-ms", type=float, default=450.0)
    s.add_argument("--period-ms", type=float, default=500.0)
    s.add_argument("--min-ncc", type=float, default=0.5)
    s.add_argument("--verbose", action="store_true")
    s.set_defaults(fn=cmd_case)
    s = sub.add_parser("table")
    s.add_argument("results")
    s.set_defaults(fn=cmd_table)
    a = p.parse_args()
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
