"""aiortc peer parts shared by whip_server.py and whip_client.py (run under /usr/bin/python3).

use_ice_hosts(): aioice 0.8 never gathers on 127.0.0.1, and aiortc starts no ICE
  without a local candidate, so a loopback-only test must name its addresses.
ToneTrack: a sine AudioStreamTrack, 20 ms 48 kHz mono s16 frames in real time.
drain_to_wav(): reads a received track into a WAV file (the wave module patches the
  header after every write, so the file stays readable if the process is killed).
"""
import asyncio
import fractions
import time
import wave

import aioice.ice
import numpy as np
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError
from av import AudioFrame

RATE, SAMPLES = 48000, 960  # 20 ms frames
_aioice_hosts = aioice.ice.get_host_addresses


def use_ice_hosts(hosts):
    """Make aioice gather host candidates on exactly HOSTS ("all": its own list + 127.0.0.1)."""
    if "all" in hosts:
        aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: \
            (["127.0.0.1"] if use_ipv4 else []) + _aioice_hosts(use_ipv4, use_ipv6)
    else:
        aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: list(hosts)


class ToneTrack(AudioStreamTrack):
    """A sine of HZ, peak DBFS, mono 48 kHz s16 in 20 ms frames, paced in real time."""

    def __init__(self, hz, dbfs=-12.0):
        super().__init__()
        self.hz, self.amp = hz, 32767 * 10 ** (dbfs / 20)
        self.n, self.t0, self.frames = 0, None, 0

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        if self.t0 is None:
            self.t0 = time.monotonic()
        else:
            await asyncio.sleep(max(0.0, self.t0 + self.n / RATE - time.monotonic()))
        t = (np.arange(SAMPLES) + self.n) / RATE
        pcm = np.round(self.amp * np.sin(2 * np.pi * self.hz * t)).astype("<i2")
        frame = AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = RATE, self.n, fractions.Fraction(1, RATE)
        self.n += SAMPLES
        self.frames += 1
        return frame


async def drain_to_wav(track, path, counter):
    """Read TRACK until it ends, writing its frames to PATH (if not None); count in counter[0]."""
    w = None
    try:
        while True:
            frame = await track.recv()
            counter[0] += 1
            if path is None:
                continue
            if frame.format.name != "s16" or frame.sample_rate != RATE:
                raise RuntimeError(f"decoded audio is {frame.format.name}/{frame.sample_rate}")
            if w is None:
                w = wave.open(path, "wb")
                w.setnchannels(len(frame.layout.channels))
                w.setsampwidth(2)
                w.setframerate(RATE)
            w.writeframes(frame.to_ndarray().astype("<i2").tobytes())
    except MediaStreamError:
        pass
    finally:
        if w is not None:
            w.close()
