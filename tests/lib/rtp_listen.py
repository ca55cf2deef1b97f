#!/usr/bin/python3
"""Listens on a UDP port for clear RTP/RTCP (srtp = none) and writes what it
saw as JSON: per SSRC the RTP packets (seq, ts, marker, pt, size, arrival)
and the RTCP packet types. Stops after --seconds or on SIGTERM/SIGINT.

Used by tests to check the wire format without trusting our own parser."""
import argparse
import json
import signal
import socket
import struct
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.host, a.port))
    s.settimeout(0.1)
    stop = [False]

    def on_signal(*_):
        stop[0] = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    rtp, rtcp, other = {}, [], 0
    end = time.monotonic() + a.seconds
    while not stop[0] and time.monotonic() < end:
        try:
            data, _ = s.recvfrom(65536)
        except socket.timeout:
            continue
        now = time.monotonic()
        if len(data) < 8 or data[0] >> 6 != 2:
            other += 1
            continue
        if 192 <= data[1] <= 223:
            # walk the compound packet
            off, types = 0, []
            while off + 4 <= len(data):
                pt = data[off + 1]
                length = (struct.unpack("!H", data[off + 2:off + 4])[0] + 1) * 4
                ssrc = struct.unpack("!I", data[off + 4:off + 8])[0] if off + 8 <= len(data) else None
                types.append({"pt": pt, "ssrc": ssrc, "count": data[off] & 0x1f})
                off += length
            rtcp.append({"t": now, "packets": types})
            continue
        if len(data) < 12:
            other += 1
            continue
        seq, ts, ssrc = struct.unpack("!HII", data[2:12])
        rtp.setdefault(str(ssrc), []).append({
            "seq": seq, "ts": ts, "m": data[1] >> 7, "pt": data[1] & 0x7f,
            "size": len(data), "t": now})
    with open(a.out, "w") as f:
        json.dump({"rtp": rtp, "rtcp": rtcp, "other": other}, f)


if __name__ == "__main__":
    sys.exit(main())
