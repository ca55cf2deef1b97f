#!/usr/bin/python3
"""Listens on a UDP port for clear RTP/RTCP (srtp = none) and writes what it
saw as JSON: per SSRC the RTP packets (seq, ts, marker, pt, size, arrival,
wall-clock arrival, and the RFC 6464 audio level with its V flag when an
RFC 8285 one-byte header extension carries one as ID --level-id) and the
RTCP packet types. Stops after --seconds or on SIGTERM/SIGINT.

--port 0 binds a port the kernel picks; --port-file FILE then gets the
bound port (written to FILE.tmp and renamed once the socket is bound), for
the test to hand to the sender. Tests never pick a "free" port for this
listener to bind later: another process could take it in between.

The RTP header, extension included, is in the clear under SRTP too, so the
levels can be read from SRTP packets as well.

Used by tests to check the wire format without trusting our own parser."""
import argparse
import json
import os
import signal
import socket
import struct
import sys
import time


def audio_level(data, level_id):
    """The level byte of a one-byte (0xBEDE) header extension element, read
    straight from the RFC 3550/8285 layout, independent of our C parser."""
    if not data[0] & 0x10:
        return None
    off = 12 + 4 * (data[0] & 0x0f)
    if off + 4 > len(data):
        return None
    profile, words = struct.unpack("!HH", data[off:off + 4])
    off += 4
    end = off + 4 * words
    if profile != 0xBEDE or end > len(data):
        return None
    while off < end:
        b = data[off]
        if b == 0:
            off += 1
            continue
        eid, elen = b >> 4, (b & 0x0f) + 1
        if eid == 15:
            return None
        if eid == level_id and elen == 1:
            return data[off + 1]
        off += 1 + elen
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--out", required=True)
    ap.add_argument("--level-id", type=int, default=1)
    ap.add_argument("--port-file", help="write the bound port here once bound")
    a = ap.parse_args()

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.host, a.port))
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % s.getsockname()[1])
        os.replace(a.port_file + ".tmp", a.port_file)
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
        rec = {"seq": seq, "ts": ts, "m": data[1] >> 7, "pt": data[1] & 0x7f,
               "size": len(data), "t": now, "wall": time.time()}
        level = audio_level(data, a.level_id)
        if level is not None:
            rec["level"], rec["v"] = level & 0x7f, level >> 7
        rtp.setdefault(str(ssrc), []).append(rec)
    with open(a.out, "w") as f:
        json.dump({"rtp": rtp, "rtcp": rtcp, "other": other}, f)


if __name__ == "__main__":
    sys.exit(main())
