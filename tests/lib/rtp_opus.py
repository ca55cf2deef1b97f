#!/usr/bin/python3
"""An independent receiver for callbridge's plain RTP (srtp = none): listens
on a UDP port, decodes every SSRC's Opus packets with libopus (through
ctypes, not our C code) and writes, per SSRC, OUT/<ssrc>.wav (48 kHz float,
a lost packet as silence, so holes stay holes) and OUT/packets.json: for
every packet its seq, RTP timestamp, arrival time (CLOCK_MONOTONIC, the
clock `date` and the bridge share no more than that: all tests compare
times taken here), size and the RMS of each tone asked for with --tones.

--metadata NAME also runs `pw-metadata -m -n NAME` and records every change
it prints with the time it was read, on the same clock as the packets, as
OUT/metadata.json: so a status change can be set against the packet it is
about without trusting the bridge's clock.

--port 0 binds a port the kernel picks, written to --port-file once bound.
Stops after --seconds, or on SIGTERM/SIGINT."""
import argparse
import ctypes
import json
import math
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import time

import numpy as np

RATE = 48000


class Opus:
    def __init__(self, channels):
        lib = ctypes.CDLL("libopus.so.0")
        err = ctypes.c_int()
        lib.opus_decoder_create.restype = ctypes.c_void_p
        self.lib = lib
        self.channels = channels
        self.dec = lib.opus_decoder_create(RATE, channels, ctypes.byref(err))
        if not self.dec or err.value != 0:
            raise RuntimeError("opus_decoder_create: %d" % err.value)
        self.buf = (ctypes.c_float * (5760 * channels))()

    def decode(self, payload):
        n = self.lib.opus_decode_float(ctypes.c_void_p(self.dec), payload, len(payload),
                                       self.buf, 5760, 0)
        if n < 0:
            raise RuntimeError("opus_decode_float: %d" % n)
        return list(self.buf[:n * self.channels]), n


def rtp_payload(data):
    cc = data[0] & 0x0f
    off = 12 + 4 * cc
    if data[0] & 0x10:
        if off + 4 > len(data):
            return None
        words = struct.unpack("!H", data[off + 2:off + 4])[0]
        off += 4 + 4 * words
    end = len(data)
    if data[0] & 0x20:
        end -= data[-1]
    return data[off:end] if off < end else None


def tone_rms(mono, freq):
    """Amplitude of one frequency over a block (a single-bin DFT)."""
    if len(mono) == 0:
        return 0.0
    x = np.asarray(mono)
    c = np.exp(-2j * np.pi * freq * np.arange(len(x)) / RATE)
    return float(2.0 * abs(np.dot(x, c)) / len(x))


def write_wav(path, samples, channels):
    data = struct.pack("<%df" % len(samples), *samples)
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE")
        f.write(b"fmt " + struct.pack("<IHHIIHH", 16, 3, channels, RATE,
                                      RATE * 4 * channels, 4 * channels, 32))
        f.write(b"data" + struct.pack("<I", len(data)) + data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--out", required=True, help="a directory")
    ap.add_argument("--channels", type=int, default=1)
    ap.add_argument("--tones", default="", help="comma separated Hz, measured per packet")
    ap.add_argument("--metadata", help="a metadata object to watch with pw-metadata -m")
    a = ap.parse_args()
    tones = [float(x) for x in a.tones.split(",") if x]
    os.makedirs(a.out, exist_ok=True)

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", a.port))
    watcher = None
    if a.metadata:
        watcher = subprocess.Popen(["pw-metadata", "-m", "-n", a.metadata],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   bufsize=0)
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % s.getsockname()[1])
        os.replace(a.port_file + ".tmp", a.port_file)
    stop = [False]

    def on_signal(*_):
        stop[0] = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    streams, changes, pending = {}, [], b""
    end = time.monotonic() + a.seconds
    change_re = re.compile(r"key:'([^']*)' value:'([^']*)'")
    while not stop[0] and time.monotonic() < end:
        fds = [s] + ([watcher.stdout] if watcher else [])
        ready, _, _ = select.select(fds, [], [], 0.05)
        now = time.monotonic()
        if watcher and watcher.stdout in ready:
            chunk = os.read(watcher.stdout.fileno(), 65536)
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                m = change_re.search(line.decode("utf-8", "replace"))
                if m:
                    changes.append({"t": now, "key": m.group(1), "value": m.group(2)})
        if s not in ready:
            continue
        data = s.recv(65536)
        if len(data) < 12 or data[0] >> 6 != 2 or 192 <= data[1] <= 223:
            continue   # RTCP: not decoded here
        seq, ts, ssrc = struct.unpack("!HII", data[2:12])
        st = streams.setdefault(ssrc, {"opus": Opus(a.channels), "pcm": [], "packets": [],
                                       "next": None})
        payload = rtp_payload(data)
        if payload is None:
            continue
        if st["next"] is not None and ((ts - st["next"]) & 0xffffffff) < RATE * 10:
            gap = (ts - st["next"]) & 0xffffffff
            st["pcm"].extend([0.0] * gap * a.channels)
        pcm, n = st["opus"].decode(payload)
        st["next"] = (ts + n) & 0xffffffff
        mono = pcm[::a.channels]
        rec = {"seq": seq, "ts": ts, "t": now, "size": len(data), "frames": n,
               "rms": math.sqrt(sum(x * x for x in mono) / max(len(mono), 1))}
        for f in tones:
            rec["tone%g" % f] = tone_rms(mono, f)
        st["packets"].append(rec)
        st["pcm"].extend(pcm)
    if watcher:
        watcher.terminate()
        watcher.wait()
    out = {"streams": {}, "metadata": changes}
    for ssrc, st in streams.items():
        write_wav(os.path.join(a.out, "%08x.wav" % ssrc), st["pcm"], a.channels)
        out["streams"]["%08x" % ssrc] = st["packets"]
    with open(os.path.join(a.out, "packets.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    sys.exit(main())
