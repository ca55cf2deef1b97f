#!/usr/bin/python3
"""Where tones sound in a WAV, without needing to know when recording began:
for each frequency given, the total time it is present (20 ms windows whose
Goertzel amplitude at that frequency is above --min-db and dominates the
other listed frequencies) and the span from its first to its last window.
Prints JSON {"FREQ": {"seconds": S, "first": T0, "last": T1}}.

  tone_spans.py FILE 500,900 [--min-db -40] [--channel 0]"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analyze import read_wav  # noqa: E402  (also re-execs into numpy's python)
import numpy as np  # noqa: E402


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
    freqs = [float(f) for f in a.freqs.split(",")]
    win = int(rate * 0.02)
    floor = 10 ** (a.min_db / 20.0)
    out = {("%g" % f): {"seconds": 0.0, "first": None, "last": None} for f in freqs}
    for i in range(0, len(sig) - win + 1, win):
        block = sig[i:i + win]
        amps = [amplitude(block, f, rate) for f in freqs]
        best = int(np.argmax(amps))
        if amps[best] < floor:
            continue
        o = out["%g" % freqs[best]]
        o["seconds"] += 0.02
        t = i / float(rate)
        o["first"] = t if o["first"] is None else o["first"]
        o["last"] = t + 0.02
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
