#!/usr/bin/python3
"""WAV analyser for callbridge tests (python3 + numpy only).

Usage (exit 0 = pass, 1 = fail, 2 = usage or unreadable file):
  analyze.py tones  FILE --expect 440,1000 [--absent 660] [--channel N|all|mix]
                         [--start S] [--end S] [--min-db -40]
  analyze.py gaps   FILE [--max-gap-ms 20] [--threshold-db -50] [--start S] [--end S]
  analyze.py level  FILE [--start S] [--end S] [--channel N|all|mix]
                         [--min-db DB] [--max-db DB]
  analyze.py clicks FILE [--channel N|all|mix] [--factor 2.0] [--start S] [--end S]

Channels are 0-based; "all" checks every channel on its own, "mix" averages them.
dBFS: a full-scale sine is 0 dBFS in `tones` (amplitude) and -3 dBFS RMS in `level`.
Reads PCM 8/16/24/32-bit int and 32/64-bit float WAV, incl. WAVE_FORMAT_EXTENSIBLE
and the unfinalised headers (data size 0 or 0xffffffff) of a killed recorder.

Tone files (sox; any rate, channel count, length, level):
  sox -n -r 48000 -c 1 tone.wav synth 5 sine 440 gain -12
  sox -n -r 44100 -c 2 two.wav synth 5 sine 440 sine 1000 gain -12  # L=440 R=1000
  sox -n -r 48000 -c 1 mix.wav synth 5 sine 440 synth 5 sine mix 1000 gain -12
  sox -n -r 48000 -c 1 -e floating-point -b 32 f.wav synth 2 sine 1000 gain -6
  silence gap: sox -n -r 48000 -c 1 z.wav trim 0 0.030; sox a.wav z.wav b.wav out.wav
"""
import os
import sys

try:
    import numpy as np
except ImportError:  # pyenv's python3 may shadow Debian's, which has python3-numpy
    if os.path.exists("/usr/bin/python3") and \
            os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

import argparse
import struct

EPS = 1e-20


class WavError(Exception):
    pass


def read_wav(path):
    """Return (samples float64 array shape (n, channels) in [-1, 1], rate)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 12 or data[0:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise WavError("not a RIFF/WAVE file")
    pos, fmt, pcm = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = pos + 8
        if cid == b"fmt ":
            fmt = data[body:body + size]
        elif cid == b"data":
            # Recorders killed mid-write leave 0 or 0xffffffff: take the rest.
            if size == 0 or size == 0xFFFFFFFF or body + size > len(data):
                size = len(data) - body
            pcm = data[body:body + size]
            break
        pos = body + size + (size & 1)
    if fmt is None or pcm is None:
        raise WavError("missing fmt or data chunk")
    tag, channels, rate, _, align, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == 0xFFFE and len(fmt) >= 26:  # WAVE_FORMAT_EXTENSIBLE: subformat GUID
        tag = struct.unpack("<H", fmt[24:26])[0]
    if channels < 1 or align < 1:
        raise WavError("bad fmt chunk")
    width = align // channels
    pcm = pcm[:len(pcm) - len(pcm) % align]
    raw = np.frombuffer(pcm, dtype=np.uint8)
    if tag == 3 and width in (4, 8):
        x = np.frombuffer(pcm, dtype="<f4" if width == 4 else "<f8").astype(np.float64)
    elif tag == 1 and width == 1:
        x = (raw.astype(np.float64) - 128.0) / 128.0
    elif tag == 1 and width == 2:
        x = np.frombuffer(pcm, dtype="<i2") / 32768.0
    elif tag == 1 and width == 3:
        b = raw.reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = np.where(v & 0x800000, v - (1 << 24), v) / float(1 << 23)
    elif tag == 1 and width == 4:
        x = np.frombuffer(pcm, dtype="<i4") / float(1 << 31)
    else:
        raise WavError("unsupported WAV format tag %d with %d bits" % (tag, bits))
    return np.asarray(x, dtype=np.float64).reshape(-1, channels), rate


def db(power):
    return 10.0 * np.log10(np.maximum(power, EPS))


def trim(x, rate, start, end):
    a = int(round((start or 0.0) * rate))
    b = len(x) if end is None else int(round(end * rate))
    return x[max(a, 0):max(min(b, len(x)), 0)]


def pick_channels(x, spec):
    """List of (label, mono signal) according to --channel."""
    if spec == "all":
        return [("ch%d" % c, x[:, c]) for c in range(x.shape[1])]
    if spec == "mix":
        return [("mix", x.mean(axis=1))]
    c = int(spec)
    if not 0 <= c < x.shape[1]:
        raise WavError("channel %d out of range (file has %d)" % (c, x.shape[1]))
    return [("ch%d" % c, x[:, c])]


def spectrum(sig, rate):
    """Average power spectrum over 100 ms Hann blocks, scaled so a sine of
    amplitude A peaks at A^2 (0 dBFS for full scale). Digitally silent blocks
    (under -100 dBFS, e.g. before a recorder got its first buffer) are left
    out so they do not dilute the level of what was heard."""
    n = int(rate * 0.1)
    if len(sig) < n:
        raise WavError("need at least 100 ms of audio, have %.1f ms" % (1e3 * len(sig) / rate))
    w = np.hanning(n)
    frames = sig[:len(sig) // n * n].reshape(-1, n)
    live = frames[(frames ** 2).mean(axis=1) > 1e-10]
    frames = (live if len(live) else frames) * w
    p = (np.abs(np.fft.rfft(frames, axis=1)) ** 2).mean(axis=0)
    return p * (2.0 / w.sum()) ** 2, rate / float(n)


def tone_level(p, binw, freq, tol=0.02):
    """(power, measured Hz) of the strongest spectral peak whose interpolated
    frequency is within freq*(1±tol). Power sums the peak bin and its two
    neighbours divided by Hann's noise bandwidth (1.5 bins), so it reads the
    tone's true level wherever it falls between bins. No such peak: (None, None)."""
    lo = max(int(np.floor(freq * (1 - tol) / binw)) - 2, 1)
    hi = min(int(np.ceil(freq * (1 + tol) / binw)) + 2, len(p) - 2)
    best = None
    for k in range(lo, hi + 1):
        if not (p[k] > EPS and p[k] >= p[k - 1] and p[k] >= p[k + 1]):
            continue
        a, b, c = db(p[k - 1]), db(p[k]), db(p[k + 1])
        den = a - 2.0 * b + c
        delta = min(max(0.5 * (a - c) / den, -0.5), 0.5) if den < 0 else 0.0
        fk = (k + delta) * binw
        if abs(fk - freq) <= max(freq * tol, 0.25 * binw):
            lvl = p[k - 1:k + 2].sum() / 1.5
            if best is None or lvl > best[0]:
                best = (lvl, fk)
    return best if best is not None else (None, None)


def cmd_tones(a, x, rate):
    expect = [float(f) for f in a.expect.split(",") if f] if a.expect else []
    absent = [float(f) for f in a.absent.split(",") if f] if a.absent else []
    ok = True
    for label, sig in pick_channels(x, a.channel):
        p, binw = spectrum(sig, rate)
        floor = float(np.median(p[1:]))
        peaks = np.argsort(p[1:])[::-1][:3] + 1
        print("%s: noise floor %.1f dB/bin, strongest bins: %s" % (label, db(floor), ", ".join(
            "%.0f Hz %.1f dBFS" % (k * binw, db(p[k])) for k in peaks)))
        best = None
        for f in expect:
            lvl, at = tone_level(p, binw, f)
            if lvl is None:
                print("  expect %g Hz: no peak within 2%% -> MISSING" % f)
                ok = False
                continue
            snr = db(lvl) - db(floor)
            good = snr >= 20.0 and db(lvl) >= a.min_db
            best = lvl if best is None else max(best, lvl)
            print("  expect %g Hz: %.1f dBFS at %.1f Hz, %.1f dB above floor -> %s" % (
                f, db(lvl), at, snr, "ok" if good else "MISSING"))
            ok &= good
        for f in absent:
            lvl, at = tone_level(p, binw, f)
            limit = max(db(best) - 30.0, -60.0) if best is not None else -60.0
            if lvl is None:
                print("  absent %g Hz: no peak within 2%% -> ok" % f)
                continue
            good = db(lvl) <= limit
            print("  absent %g Hz: %.1f dBFS at %.1f Hz (limit %.1f) -> %s" % (
                f, db(lvl), at, limit, "ok" if good else "PRESENT"))
            ok &= good
    print("PASS tones" if ok else "FAIL tones: expected tone missing or absent tone present")
    return 0 if ok else 1


def envelope_db(x, rate, win_ms):
    """Per-window RMS in dBFS of the loudest channel, non-overlapping windows."""
    n = max(int(rate * win_ms / 1000.0), 1)
    blocks = len(x) // n
    if blocks == 0:
        return np.zeros(0), n
    frames = x[:blocks * n].reshape(blocks, n, x.shape[1])
    return db((frames ** 2).mean(axis=1).max(axis=1)), n


def cmd_gaps(a, x, rate):
    if a.channel != "all":
        x = pick_channels(x, a.channel)[0][1][:, None]
    env, n = envelope_db(x, rate, a.window_ms)
    loud = np.nonzero(env > a.threshold_db)[0]
    if len(loud) == 0:
        print("FAIL gaps: no sound above %.1f dBFS" % a.threshold_db)
        return 1
    first, last = loud[0], loud[-1]
    quiet = (env[first:last + 1] <= a.threshold_db).astype(np.int8)
    edges = np.diff(np.concatenate(([0], quiet, [0])))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    best_len, best_at = 0, first
    if len(starts):
        i = int(np.argmax(ends - starts))
        best_len, best_at = int(ends[i] - starts[i]), first + int(starts[i])
    ms = best_len * n * 1000.0 / rate
    where = (a.start or 0.0) + best_at * n / float(rate)
    span = (a.start or 0.0) + first * n / float(rate), (a.start or 0.0) + (last + 1) * n / float(rate)
    print("sound %.3f-%.3f s; longest gap below %.1f dBFS: %.1f ms at %.3f s" % (
        span[0], span[1], a.threshold_db, ms, where))
    if ms > a.max_gap_ms:
        print("FAIL gaps: %.1f ms gap at %.3f s exceeds %.1f ms" % (ms, where, a.max_gap_ms))
        return 1
    print("PASS gaps")
    return 0


def cmd_level(a, x, rate):
    ok = True
    for label, sig in pick_channels(x, a.channel):
        rms = db(np.mean(sig ** 2)) if len(sig) else db(0)
        peak = float(np.max(np.abs(sig))) if len(sig) else 0.0
        print("%s: rms %.1f dBFS, peak %.4f (%.1f dBFS)" % (label, rms, peak, db(peak ** 2)))
        if a.min_db is not None and rms < a.min_db:
            print("FAIL level: %s rms %.1f < %.1f dBFS" % (label, rms, a.min_db))
            ok = False
        if a.max_db is not None and rms > a.max_db:
            print("FAIL level: %s rms %.1f > %.1f dBFS" % (label, rms, a.max_db))
            ok = False
    if ok:
        print("PASS level")
    return 0 if ok else 1


def cmd_clicks(a, x, rate):
    """A sine of amplitude A and frequency f never steps more than
    2*A*sin(pi*f/rate) between samples; flag steps `factor` times larger.
    f is the highest tone within 20 dB of the strongest one."""
    ok = True
    for label, sig in pick_channels(x, a.channel):
        p, binw = spectrum(sig, rate)
        p[:2] = 0  # ignore DC
        strong = np.nonzero(p >= p.max() * 0.01)[0]
        f = float(strong.max() * binw + binw) if len(strong) else 0.0
        amp = float(np.max(np.abs(sig)))
        limit = a.factor * 2.0 * amp * np.sin(np.pi * min(f, rate / 4.0) / rate) + 2.0 / 32768
        d = np.abs(np.diff(sig))
        bad = np.nonzero(d > limit)[0]
        print("%s: tone ~%.0f Hz, peak %.3f, max step %.4f, allowed %.4f, %d clicks" % (
            label, f, amp, float(d.max()) if len(d) else 0.0, limit, len(bad)))
        if len(bad):
            times = ", ".join("%.4f s" % ((a.start or 0.0) + (i + 1) / float(rate)) for i in bad[:5])
            print("  first clicks at: %s" % times)
            ok = False
    print("PASS clicks" if ok else "FAIL clicks: discontinuities found")
    return 0 if ok else 1


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    opts = {"tones": [("--expect", str, ""), ("--absent", str, ""), ("--min-db", float, -40.0)],
            "gaps": [("--max-gap-ms", float, 20.0), ("--threshold-db", float, -50.0),
                     ("--window-ms", float, 1.0)],
            "level": [("--min-db", float, None), ("--max-db", float, None)],
            "clicks": [("--factor", float, 2.0)]}
    for name, extra in opts.items():
        p = sub.add_parser(name)
        p.add_argument("file")
        p.add_argument("--start", type=float, default=None, help="seconds")
        p.add_argument("--end", type=float, default=None, help="seconds")
        p.add_argument("--channel", default="all", help="N (0-based), all or mix")
        for flag, typ, default in extra:
            p.add_argument(flag, type=typ, default=default)
    a = ap.parse_args(argv)
    try:
        x, rate = read_wav(a.file)
        print("%s: %d Hz, %d ch, %.3f s" % (a.file, rate, x.shape[1], len(x) / float(rate)))
        x = trim(x, rate, a.start, a.end)
        return {"tones": cmd_tones, "gaps": cmd_gaps, "level": cmd_level,
                "clicks": cmd_clicks}[a.cmd](a, x, rate)
    except (OSError, WavError, ValueError) as e:
        print("ERROR %s: %s" % (a.cmd, e))
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
