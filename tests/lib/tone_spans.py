#!/usr/bin/python3
"""Where tones sound in a WAV, without needing to know when recording began.

For each frequency (or group "F1+F2", counted as one), prints the total time
it is present, its first and last moment and the longest hole in between,
as JSON {"F": {"seconds", "first", "last", "longest_gap"}}. A 20 ms window
counts for a frequency when its amplitude there is above --min-db and at
least 3 times that of any other listed frequency.

  tone_spans.py FILE 500,900,500+900 [--min-db -40] [--channel 0]"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analyze import read_wav  # noqa: E402  (also re-execs into numpy's python)
import numpy as np  # noqa: E402

WINDOW = 0.02


def amplitude(block, freq, rate):
    n = np.arange(len(block))
    c = np.exp(-2j * np.pi * freq * n / rate)
    return 2.0 * abs(np.dot(block, c)) / len(block)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("freqs")
    ap.add_argument("--min-db", type=float, default=-40.0)
    ap.add_argument("--channel", type=int, default=0)
    a = ap.parse_args()
    x, rate = read_wav(a.file)
    sig = x[:, a.channel]
    names = a.freqs.split(",")
    freqs = sorted(set(float(f) for n in names for f in n.split("+")))
    win = int(rate * WINDOW)
    floor = 10 ** (a.min_db / 20.0)
    hits = {f: [] for f in freqs}
    for i in range(0, len(sig) - win + 1, win):
        block = sig[i:i + win]
        amps = [amplitude(block, f, rate) for f in freqs]
        order = np.argsort(amps)
        best = int(order[-1])
        # a glitch smears energy over frequencies: count clear windows only
        if amps[best] < floor or (len(amps) > 1 and amps[best] < 3 * amps[int(order[-2])]):
            continue
        hits[freqs[best]].append(i / float(rate))
    out = {}
    for n in names:
        times = sorted(t for f in n.split("+") for t in hits[float(f)])
        gaps = [b - a - WINDOW for a, b in zip(times, times[1:])]
        out[n] = {"seconds": round(len(times) * WINDOW, 3),
                  "first": times[0] if times else None,
                  "last": times[-1] + WINDOW if times else None,
                  "longest_gap": round(max(gaps), 3) if gaps else 0.0}
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
