#!/usr/bin/python3
"""Subscribe to a Janus VideoRoom publisher with aiortc and decode its audio: a test peer.

  /usr/bin/python3 tests/lib/janus_listen.py --janus http://127.0.0.1:8088/janus
      --room 1234 --out FILE.wav --seconds S [--display NAME] [--wait S]
      [--ice-host ADDR]... [--stats-file F] [--verbose]
  /usr/bin/python3 tests/lib/janus_listen.py --janus URL --room 1234 --list

It asks Janus itself (not the WHIP shim) who publishes: "listparticipants" every
0.2 s until a publisher named --display is in the room (at most --wait seconds),
then subscribes the VideoRoom way, where Janus makes the offer: "join" as a
subscriber to that feed -> Janus's offer; aiortc answers; "start" with the
answer.  The decoded audio (48 kHz s16, as aiortc decodes Opus) goes to --out for
--seconds from the first frame; then "leave", detach, destroy.
It writes a JSON summary to --stats-file (and stdout): feed, frames, the
subscriber leg's ICE/DTLS states, DTLS role and SRTP profile (aiortc's, on the
leg from Janus to here), and the Janus events of the handle.
--list prints the room's participants as Janus lists them (a JSON array) and exits.
Exit status: 0 with audio recorded (or the list printed); 1 on any failure, with the reason on stderr.
Every wait is bounded: --wait for the publisher, 15 s per Janus request, 20 s for
the first frame.
"""
import os
import sys

try:
    import aiortc  # noqa: F401 (only the import test)
    import aiohttp
except ImportError:  # pyenv's python3 may shadow Debian's packages
    if os.path.exists("/usr/bin/python3") and \
            os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

import argparse
import asyncio
import json
import logging
import time

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aiortc_peer import drain_to_wav, use_ice_hosts  # noqa: E402
from janus_api import JanusSession, brief  # noqa: E402

log = logging.getLogger("janus-listen")
FIRST_FRAME_S = 20


async def find_publisher(s, handle, room, display, wait):
    deadline = time.monotonic() + wait
    while True:
        reply = await s.message(handle, {"request": "listparticipants", "room": room})
        people = reply.get("plugindata", {}).get("data", {}).get("participants", [])
        for p in people:
            if p.get("publisher") and p.get("display") == display:
                return p["id"]
        if time.monotonic() > deadline:
            raise RuntimeError(f"no publisher '{display}' in room {room} after {wait} s: {people}")
        await asyncio.sleep(0.2)


def leg_info(pc):
    """DTLS role, SRTP profile and ICE pair of the subscriber leg (aiortc internals)."""
    info = {"state": pc.connectionState, "ice_state": pc.iceConnectionState}
    try:
        dtls = pc.getTransceivers()[0].receiver.transport
        info.update(dtls_state=dtls.state, dtls_role=dtls._role)
        from OpenSSL._util import ffi, lib
        prof = lib.SSL_get_selected_srtp_profile(dtls.ssl._ssl)
        if prof != ffi.NULL:
            info["srtp_profile"] = ffi.string(prof.name).decode()
        pair = dtls.transport._connection._nominated.get(1)
        if pair:
            info["pair"] = "%s:%d -> %s:%d" % (pair.local_candidate.host,
                                              pair.local_candidate.port, *pair.remote_addr)
    except Exception as exc:
        info["error"] = repr(exc)
    return info


async def participants(a, http):
    s = await JanusSession.create(http, a.janus)
    try:
        handle = await s.attach("janus.plugin.videoroom")
        reply = await s.message(handle, {"request": "listparticipants", "room": a.room})
        return reply.get("plugindata", {}).get("data", {}).get("participants", [])
    finally:
        await s.destroy()


async def listen(a, http):
    s = await JanusSession.create(http, a.janus)
    pc, out = None, {"room": a.room}
    try:
        handle = await s.attach("janus.plugin.videoroom")
        feed = out["feed"] = await find_publisher(s, handle, a.room, a.display, a.wait)
        ev = await s.message(handle, {"request": "join", "ptype": "subscriber", "room": a.room,
                                      "streams": [{"feed": feed}]})
        offer = ev.get("jsep")
        if not offer or offer.get("type") != "offer":
            raise RuntimeError(f"Janus sent no offer: {brief(ev)}")
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        frames = [0]
        tasks = []

        @pc.on("track")
        def on_track(track):
            if track.kind == "audio" and not tasks:
                tasks.append(asyncio.ensure_future(drain_to_wav(track, a.out, frames)))

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        await s.message(handle, {"request": "start"},
                        jsep={"type": "answer", "sdp": pc.localDescription.sdp})
        t0 = time.monotonic()
        while frames[0] == 0:
            if time.monotonic() - t0 > FIRST_FRAME_S:
                raise RuntimeError(f"no audio frame from Janus in {FIRST_FRAME_S} s: "
                                   f"{leg_info(pc)}")
            await asyncio.sleep(0.05)
        out["first_frame_s"] = round(time.monotonic() - t0, 2)
        await asyncio.sleep(a.seconds)
        out.update(frames=frames[0], leg=leg_info(pc))
        try:
            await s.message(handle, {"request": "leave"}, timeout=5)
        except Exception as exc:
            log.info("leave: %r", exc)
        await pc.close()
        pc = None
        for t in tasks:
            try:
                await asyncio.wait_for(t, 5)
            except Exception as exc:
                log.warning("recorder: %r", exc)
        out["events"] = [brief(e) for e in s.by_handle.get(handle, [])]
        return out
    finally:
        if pc is not None:
            await pc.close()
        await s.destroy()


async def main(a):
    use_ice_hosts(a.ice_host or ["127.0.0.1"])
    async with aiohttp.ClientSession() as http:
        try:
            out = await (participants if a.list else listen)(a, http)
        except Exception as exc:
            print(f"janus_listen: {exc}", file=sys.stderr)
            return 1
    text = json.dumps(out, indent=1)
    print(text)
    if a.stats_file:
        with open(a.stats_file, "w") as f:
            f.write(text + "\n")
    return 0


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add = ap.add_argument
    add("--janus", required=True, help="Janus HTTP API base, e.g. http://127.0.0.1:8088/janus")
    add("--room", type=int, default=1234)
    add("--display", default="callbridge", help="the publisher's display name")
    add("--out", help="WAV file for the decoded audio")
    add("--list", action="store_true", help="print the room's participants and exit")
    add("--seconds", type=float, default=5.0, help="how long to record after the first frame")
    add("--wait", type=float, default=15.0, help="how long to wait for the publisher")
    add("--ice-host", action="append", metavar="ADDR", help="gather on ADDR (default 127.0.0.1)")
    add("--stats-file", help="write the JSON summary here too")
    add("--verbose", action="store_true")
    return ap.parse_args(argv)


if __name__ == "__main__":
    args = parse_args(sys.argv[1:])
    if not args.list and not args.out:
        sys.exit("janus_listen: --out FILE is needed (or --list)")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not args.verbose:
        for noisy in ("aioice", "aiortc", "aiohttp"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    sys.exit(asyncio.run(main(args)))
