#!/usr/bin/python3
"""Reference WHIP/WHEP client on aiortc (the peer that tests whip_server.py).

  /usr/bin/python3 tests/lib/whip_client.py publish URL [--tone-hz 440] [common]
  /usr/bin/python3 tests/lib/whip_client.py play URL [--record FILE.wav] [common]
  common: [--token T] [--seconds 3] [--retries 3] [--connect-timeout 10]
          [--trickle] [--ice-host ADDR ...]

It POSTs a non-trickle offer (sendonly audio for publish, recvonly for play),
waits on 503 for Retry-After (capped at 5 s, at most --retries times), never
retries any other error, resolves a relative Location against the POST URL,
waits for the connection, streams or records for --seconds, then DELETEs.
--trickle leaves the candidates and end-of-candidates out of the offer and
sends them after the 201 by PATCH (trickle-ice-sdpfrag, If-Match: ETag),
probing the server on the way: first a stale If-Match (expects 412), then the
candidates (204), end-of-candidates (204), and a candidate after it (422).
A 405 or 422 where 204 was hoped for just stops the trickling, quietly.
Prints one JSON line with what happened; exit 0 on success, 3 when the server
refused (4xx), 4 when 503s outlasted the retries or the server was unreachable,
5 when no connection came.
"""
import os
import sys

try:
    import aiohttp
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
except ImportError:  # pyenv's python3 may shadow Debian's packages
    if os.path.exists("/usr/bin/python3") and \
            os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

import argparse
import asyncio
import json
import time
from urllib.parse import urljoin

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aiortc_peer import ToneTrack, drain_to_wav, use_ice_hosts  # noqa: E402


async def run(a):
    use_ice_hosts(a.ice_host or ["127.0.0.1"])
    out = {"mode": a.mode, "statuses": [], "attempt_times": []}
    auth = {"Authorization": f"Bearer {a.token}"} if a.token else {}
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    frames, task = [0], None
    connected, ended = asyncio.Event(), asyncio.Event()

    @pc.on("connectionstatechange")
    def on_state():
        out.setdefault("states", []).append(pc.connectionState)
        if pc.connectionState == "connected":
            connected.set()
        elif pc.connectionState in ("closed", "failed"):
            ended.set()

    tone = ToneTrack(a.tone_hz)
    if a.mode == "publish":
        pc.addTrack(tone)
        pc.getTransceivers()[0].direction = "sendonly"
    else:
        pc.addTransceiver("audio", direction="recvonly")

        @pc.on("track")
        def on_track(track):
            nonlocal task
            task = asyncio.ensure_future(drain_to_wav(track, a.record, frames))

    await pc.setLocalDescription(await pc.createOffer())
    offer = pc.localDescription.sdp
    if a.trickle:
        offer = "".join(x for x in offer.splitlines(True)
                        if not x.startswith(("a=candidate:", "a=end-of-candidates")))
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        t0 = time.monotonic()
        for attempt in range(a.retries + 1):
            out["attempt_times"].append(round(time.monotonic() - t0, 2))
            try:
                r = await http.post(a.url, data=offer,
                                    headers={**auth, "Content-Type": "application/sdp"})
                body = await r.text()
            except aiohttp.ClientError as exc:
                out["error"] = repr(exc)
                await pc.close()
                return out, 4
            out["statuses"].append(r.status)
            if r.status == 503 and attempt < a.retries:
                after = r.headers.get("Retry-After", "1").strip()  # seconds (a date: 1 s)
                await asyncio.sleep(min(5.0, float(after) if after.isdigit() else 1.0))
                continue
            if r.status != 201:
                out["error"] = body.strip()
                await pc.close()
                return out, 4 if r.status >= 500 else 3
            location = urljoin(str(r.url), r.headers["location"])
            etag = r.headers.get("etag")
            out.update(location=location, etag=etag, link=r.headers.get("link"))
            answer = body
            break
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        # aiortc keeps connectionState "connected" after the peer's DTLS close_notify
        # (ICE is still up): the DTLS transport's own state shows the end.
        dtls = pc.getTransceivers()[0].receiver.transport
        dtls.on("statechange", lambda: dtls.state == "closed" and ended.set())
        out["answer_setup"] = [x for x in answer.splitlines() if x.startswith("a=setup:")]
        out["answer_rtpmap"] = [x for x in answer.splitlines() if x.startswith("a=rtpmap:")]
        if a.trickle:
            out["patch"] = await trickle(http, location, etag, auth, pc)
        code = 0
        try:
            await asyncio.wait_for(connected.wait(), a.connect_timeout)
        except asyncio.TimeoutError:
            out["error"], code = "no connection", 5
        if code == 0:
            try:  # stream for --seconds, unless the server ends the session first
                await asyncio.wait_for(ended.wait(), a.seconds)
                out["ended_by_peer"] = True
            except asyncio.TimeoutError:
                pass
        try:
            async with http.delete(location, headers=auth) as r:
                out["delete_status"] = r.status
        except aiohttp.ClientError as exc:  # the server may be gone: still tidy up here
            out["delete_error"] = repr(exc)
        await pc.close()
        if task is not None:
            await asyncio.wait_for(task, 5)
        out["frames_received"], out["frames_sent"] = frames[0], tone.frames
        return out, code


async def trickle(http, location, etag, auth, pc):
    """PATCH our candidates, then end-of-candidates; returns each request's status."""
    lines = pc.localDescription.sdp.splitlines()
    head = [x for x in lines if x.startswith(("a=ice-ufrag:", "a=ice-pwd:"))][:2]
    # RFC 8840 section 9: media-level lines follow an m= line naming the section.
    head.append("m=audio 9 UDP/TLS/RTP/SAVPF 0")
    head.append(f"a=mid:{pc.getTransceivers()[0].mid}")
    cands = [x for x in lines if x.startswith("a=candidate:")]
    res = {}
    for what, match, body in (("stale_etag", '"stale"', cands[:1]), ("candidates", etag, cands),
                              ("end", etag, ["a=end-of-candidates"]),
                              ("after_end", etag, cands[:1])):
        hdrs = {**auth, "Content-Type": "application/trickle-ice-sdpfrag", "If-Match": match}
        async with http.patch(location, data="\r\n".join(head + body) + "\r\n", headers=hdrs) as r:
            res[what] = r.status
        if r.status in (405, 422) and what in ("candidates", "end"):
            break  # the server does not take trickle (any more): stop, no error
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=("publish", "play"))
    ap.add_argument("url")
    ap.add_argument("--token")
    ap.add_argument("--tone-hz", type=float, default=440.0)
    ap.add_argument("--record", help="play: write the received audio here (WAV)")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--retries", type=int, default=3)
    ap.add_argument("--connect-timeout", type=float, default=10.0)
    ap.add_argument("--trickle", action="store_true")
    ap.add_argument("--ice-host", action="append", metavar="ADDR")
    a = ap.parse_args()
    out, code = asyncio.run(run(a))
    print(json.dumps(out), flush=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
