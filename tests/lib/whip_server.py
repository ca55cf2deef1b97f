#!/usr/bin/python3
"""WHIP (RFC 9725) / WHEP test server on aiortc: an independent peer for callbridge.

  /usr/bin/python3 tests/lib/whip_server.py --port-file F [--host 127.0.0.1] [--token T]
      [--record-dir DIR] [--tone-hz 880 | --play FILE] [--link-stun HOST:PORT]...
      [--link-turn HOST:PORT,USER,CREDENTIAL]... [--fail-first N] [--no-trickle] [--ice-host ADDR]... [--port N]
      [--bad-fingerprint] [--two-audio] [--dtls-passive] [--counter-offer] [--verbose]
(it re-executes itself under Debian's /usr/bin/python3 if the imports fail)

POST /whip/<name>: an application/sdp offer with one sendonly Opus audio m-line ->
  201, the answer, a relative Location: /resource/<id>, ETag, Accept-Patch and a
  Link: <stun:..>; rel="ice-server" per --link-stun. The audio is decoded into
  DIR/<name>.wav (48 kHz s16 stereo as aiortc decodes Opus; <name>-2.wav next time).
POST /whep/<name>: a recvonly offer -> 201, answer sending a sine of --tone-hz at
  -12 dBFS (20 ms frames, 48 kHz), or --play FILE looped.
PATCH /resource/<id>: trickle-ice-sdpfrag, If-Match: the ETag or * -> 204.
DELETE /resource/<id> -> 200, peer connection closed.
GET /stats (no auth): counters posts, created, refused, unavailable, rejected,
  patches, patches_ok, deletes; per path ("paths": {"/whip/<name>": {posts, created,
  deletes}}, a DELETE counted under the path its resource was POSTed to); per
  resource: kind, name, deleted, state, ice_state,
  dtls_state, dtls_role, srtp_profile, codec, pair, packets, frames_received,
  frames_sent, recording.
OPTIONS -> 204; every answer carries CORS headers.
400 malformed SDP/sdpfrag; 401 bad/missing bearer (with --token; "refused" counts
them); 404 unknown resource; 412 stale If-Match; 415 wrong Content-Type; 428 no
If-Match; 422 no Opus audio m-line, a second one (RFC 9725: one track per kind),
the wrong direction, an ICE restart, a candidate after end-of-candidates; 405 any
PATCH under --no-trickle; 503 + Retry-After: 1 to the first N authorized POSTs.

aiortc 1.4 / aioice 0.8 (Debian 12) facts behind the choices:
- aioice's get_host_addresses() skips 127.0.0.1 and aiortc starts no ICE without a
  local candidate: --ice-host (default 127.0.0.1; "all" = aioice's list + loopback)
  sets the addresses gathered on. Checked against libnice (webrtcbin) on 127.0.0.1.
- iceServers=[]: no STUN/TURN of our own; nothing leaves the host.
- aiortc refuses an offer (400 here) without rtcp-mux or ICE ufrag/pwd, or whose
  a=setup is not actpass; it checks only a sha-256 fingerprint.
- aiortc answers a=setup:active (DTLS client), offers only SRTP_AES128_CM_SHA1_80
  and follows the offer's Opus PT: /stats shows dtls_role, srtp_profile, codec.
- Trickle works until the peer signals end-of-candidates (in the offer, as aiortc's
  own non-trickle offers do, or by PATCH); then aioice refuses more and we answer
  422. aiortc has no ICE restart: 422, as RFC 9725 says.
- The tone track, the WAV writer and the loopback fix live in aiortc_peer.py,
  shared with whip_client.py (the reference client).
- The port is 0 unless --port names one (a restart inside a test's private network
  namespace); --port-file is written to a temporary name and renamed.
- --bad-fingerprint and --two-audio spoil the answer for the client's negative tests.
- SIGTERM/SIGINT close every peer connection and WAV file, exit 0. (wave rewrites
  the header on every write, so even a killed server leaves a readable file.)
"""
import os
import sys

try:
    import aiortc  # noqa: F401 (only the import test)
    from aiohttp import web
except ImportError:  # pyenv's python3 may shadow Debian's packages
    if os.path.exists("/usr/bin/python3") and \
            os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

import argparse
import re
import asyncio
import logging
import signal
import uuid

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaPlayer
from aiortc.sdp import SessionDescription, candidate_from_sdp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aiortc_peer import ToneTrack, drain_to_wav, use_ice_hosts  # noqa: E402

log = logging.getLogger("whip-server")


def check_offer(sdp, kind):
    """None if SDP is an offer we take for KIND ("whip"/"whep"), else (status, reason)."""
    if not sdp.lstrip().startswith("v=0") or "\nm=" not in sdp.replace("\r", ""):
        return 400, "not an SDP offer (no v=0 or no m= line)"
    try:
        desc = SessionDescription.parse(sdp)
    except Exception as exc:  # aiortc's parser raises assorted errors
        return 400, f"SDP parse error: {exc!r}"
    audio = [m for m in desc.media if m.kind == "audio" and m.port != 0]
    if not audio:
        return 422, "offer has no audio m-line"
    if len(audio) > 1:
        return 422, "one audio track per session (RFC 9725)"
    if not any(c.mimeType.lower() == "audio/opus" for c in audio[0].rtp.codecs):
        return 422, "audio m-line offers no Opus"
    want = ("sendonly", "sendrecv") if kind == "whip" else ("recvonly", "sendrecv")
    if (audio[0].direction or "sendrecv") not in want:
        return 422, f"{kind} needs an audio m-line that is {' or '.join(want)}"
    return None


class Resource:
    def __init__(self, kind, name, pc, recording):
        self.id, self.kind, self.name, self.pc = uuid.uuid4().hex[:16], kind, name, pc
        self.etag = '"' + uuid.uuid4().hex[:12] + '"'
        self.recording, self.frames, self.task, self.track = recording, [0], None, None
        self.deleted, self.dtls, self.packets = False, {}, None

    def transports(self):
        """(RTCDtlsTransport, RTCIceTransport) of the first m-line (all are bundled)."""
        dtls = self.pc.getTransceivers()[0].receiver.transport if self.pc.getTransceivers() else None
        return dtls, dtls and dtls.transport

    def read_dtls(self):
        """Best effort, from aiortc internals: DTLS role, SRTP profile, codec, ICE pair."""
        dtls, ice = self.transports()
        if dtls is None:
            return
        info = {"dtls_state": dtls.state, "dtls_role": getattr(dtls, "_role", None)}
        try:
            from OpenSSL._util import ffi, lib
            prof = lib.SSL_get_selected_srtp_profile(dtls.ssl._ssl)
            if prof != ffi.NULL:
                info["srtp_profile"] = ffi.string(prof.name).decode()
            c = self.pc.getTransceivers()[0]._codecs[0]
            info["codec"] = f"{c.mimeType}/{c.clockRate}/{c.channels} pt {c.payloadType}"
            pair = ice._connection._nominated.get(1)
            if pair:
                info["pair"] = "%s:%d -> %s:%d" % (pair.local_candidate.host,
                                                  pair.local_candidate.port, *pair.remote_addr)
        except Exception:
            pass
        self.dtls.update({k: v for k, v in info.items() if v is not None})

    async def read_packets(self):
        try:
            for s in (await self.pc.getStats()).values():
                if s.type == "inbound-rtp":
                    self.packets = {"received": s.packetsReceived, "lost": s.packetsLost,
                                    "ssrc": s.ssrc}
                elif s.type == "outbound-rtp":
                    self.packets = {"sent": s.packetsSent}
        except Exception:
            pass

    def stats(self):
        return {"kind": self.kind, "name": self.name, "deleted": self.deleted,
                "state": self.pc.connectionState, "ice_state": self.pc.iceConnectionState,
                **self.dtls, "packets": self.packets, "frames_received": self.frames[0],
                "frames_sent": getattr(self.track, "frames", None), "recording": self.recording}


def spoil_fingerprint(sdp):
    """--bad-fingerprint: the answer names a certificate aiortc does not hold (last byte flipped)."""
    out = []
    for line in sdp.split("\r\n"):
        if line.startswith("a=fingerprint:sha-256 "):
            last = int(line[-2:], 16) ^ 0xff
            line = f"{line[:-2]}{last:02X}"
        out.append(line)
    return "\r\n".join(out)


def duplicate_audio(sdp):
    """--two-audio: the answer's audio section twice (RFC 9725 allows one per kind)."""
    head, sep, media = sdp.partition("m=audio")
    if not sep:
        return sdp
    copy = re.sub(r"a=mid:[^\r\n]*", "a=mid:second", media)
    return head + sep + media.rstrip("\r\n") + "\r\nm=audio" + copy


class Server:
    def __init__(self, args):
        self.a, self.res, self.names, self.port = args, {}, {}, None
        self.count = dict(posts=0, created=0, refused=0, unavailable=0, rejected=0,
                          patches=0, patches_ok=0, deletes=0, counter_offers=0,
                          counter_answers=0)
        self.fail_left = args.fail_first
        self.paths = {}

    def count_path(self, kind, name, what):
        p = self.paths.setdefault(f"/{kind}/{name}", dict(posts=0, created=0, deletes=0))
        p[what] += 1

    @web.middleware
    async def cors(self, request, handler):
        try:
            resp = await handler(request)
        except web.HTTPException as exc:
            resp = exc
        resp.headers.update({
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": "OPTIONS, POST, PATCH, DELETE",
            "Access-Control-Allow-Headers": "Authorization, Content-Type, If-Match",
            "Access-Control-Expose-Headers": "Location, ETag, Link, Accept-Patch, Retry-After"})
        return resp

    def reply(self, status, reason, **headers):
        log.info("%d %s", status, reason)
        return web.Response(status=status, text=reason + "\n", headers=headers)

    def refuse(self, request):
        """A 401 response if --token is set and the request does not carry it, else None."""
        if self.a.token is None or request.headers.get("Authorization") == f"Bearer {self.a.token}":
            return None
        self.count["refused"] += 1
        return self.reply(401, f"{request.method} {request.path}: bad or missing bearer token",
                          **{"WWW-Authenticate": "Bearer"})

    async def options(self, request):
        return web.Response(status=204, headers={"Accept-Post": "application/sdp",
                                                 "Accept-Patch": "application/trickle-ice-sdpfrag"})

    async def post(self, request):
        kind, name = request.match_info["kind"], request.match_info["name"]
        self.count["posts"] += 1
        self.count_path(kind, name, "posts")
        if (no := self.refuse(request)) is not None:
            return no
        if self.fail_left > 0:
            self.fail_left -= 1
            self.count["unavailable"] += 1
            return self.reply(503, "busy (--fail-first)", **{"Retry-After": "1"})
        sdp = await request.text()
        bad = (415, "Content-Type must be application/sdp") \
            if request.content_type != "application/sdp" else check_offer(sdp, kind)
        if bad:
            self.count["rejected"] += 1
            return self.reply(*bad)
        recording = None
        if kind == "whip" and self.a.record_dir:
            n = self.names[name] = self.names.get(name, 0) + 1
            recording = os.path.join(self.a.record_dir, name + (f"-{n}" if n > 1 else "") + ".wav")
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        r = Resource(kind, name, pc, recording)

        @pc.on("track")
        def on_track(track):
            if track.kind == "audio" and r.task is None:
                r.task = asyncio.ensure_future(drain_to_wav(track, recording, r.frames))

        @pc.on("connectionstatechange")
        def on_state():
            log.info("%s %s/%s: %s", r.id, kind, name, pc.connectionState)
            r.read_dtls()

        try:
            if kind == "whep" and self.a.counter_offer:
                # WHEP's 406: offer our own instead, answered by PATCH application/sdp.
                r.track = ToneTrack(self.a.tone_hz)
                pc.addTransceiver(r.track, direction="sendonly")
                await pc.setLocalDescription(await pc.createOffer())
                self.res[r.id] = r
                r.counter = True
                self.count["counter_offers"] += 1
                log.info("406 %s/%s -> /resource/%s (counter-offer)", kind, name, r.id)
                return web.Response(status=406, text=pc.localDescription.sdp, headers={
                    "Location": f"/resource/{r.id}", "ETag": r.etag,
                    "Content-Type": "application/sdp"})
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
            if kind == "whep":
                r.track = MediaPlayer(self.a.play, loop=True).audio if self.a.play \
                    else ToneTrack(self.a.tone_hz)
                pc.addTrack(r.track)
            if self.a.dtls_passive:
                # aiortc keeps a role set before the answer (rtcpeerconnection.py,
                # "preserve the currently configured role"): setup:passive, and it
                # is the DTLS server, so the offerer must be the client.
                for t in pc.getTransceivers():
                    t.receiver.transport._role = "server"
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as exc:
            await pc.close()
            self.count["rejected"] += 1
            return self.reply(400, f"offer not accepted: {exc!r}")
        self.res[r.id] = r
        self.count["created"] += 1
        self.count_path(kind, name, "created")
        headers = {"Location": f"/resource/{r.id}", "ETag": r.etag, "Content-Type": "application/sdp",
                   "Accept-Patch": "application/trickle-ice-sdpfrag"}
        links = [f'<stun:{s}>; rel="ice-server"' for s in self.a.link_stun or []]
        for t in self.a.link_turn or []:
            hostport, user, cred = t.split(",", 2)
            links.append(f'<turn:{hostport}?transport=udp>; rel="ice-server"; username="{user}"; '
                         f'credential="{cred}"; credential-type="password"')
        if links:
            headers["Link"] = ", ".join(links)
        answer = pc.localDescription.sdp
        if self.a.bad_fingerprint:
            answer = spoil_fingerprint(answer)
        if self.a.two_audio:
            answer = duplicate_audio(answer)
        log.info("201 %s/%s -> /resource/%s", kind, name, r.id)
        return web.Response(status=201, text=answer, headers=headers)

    def lookup(self, request):
        r = self.res.get(request.match_info["id"])
        if r is None or r.deleted:
            raise web.HTTPNotFound(text="no such resource\n")
        return r

    async def patch(self, request):
        if (no := self.refuse(request)) is not None:
            return no
        r = self.lookup(request)
        self.count["patches"] += 1
        if request.content_type == "application/sdp" and getattr(r, "counter", False):
            try:
                await r.pc.setRemoteDescription(RTCSessionDescription(sdp=await request.text(),
                                                                      type="answer"))
            except Exception as exc:
                return self.reply(400, f"answer not accepted: {exc!r}")
            r.counter = False
            self.count["patches_ok"] += 1
            self.count["counter_answers"] += 1
            return self.reply(204, f"PATCH {r.id}: the answer to the counter-offer")
        if self.a.no_trickle:
            return self.reply(405, "trickle ICE disabled (--no-trickle)", Allow="POST, DELETE, OPTIONS")
        if request.content_type != "application/trickle-ice-sdpfrag":
            return self.reply(415, "Content-Type must be application/trickle-ice-sdpfrag")
        match = request.headers.get("If-Match")
        if match is None:
            return self.reply(428, "If-Match required")
        if match.strip() not in ("*", r.etag):
            return self.reply(412, f"If-Match {match} does not match {r.etag}")
        dtls, ice = r.transports()
        if ice is None or ice.state in ("closed", "failed"):
            return self.reply(422, f"ICE is {ice.state if ice else 'absent'}")
        conn = ice._connection  # aioice.Connection
        cands, end = [], False
        for line in (await request.text()).splitlines():
            line = line.strip()
            if line.startswith("a=ice-ufrag:") and line[12:] != conn.remote_username:
                return self.reply(422, "ICE restart is not supported by aiortc")
            if line.startswith("a=candidate:"):
                try:
                    cands.append(candidate_from_sdp(line[len("a=candidate:"):]))
                except Exception as exc:
                    return self.reply(400, f"bad candidate line: {exc!r}")
            end = end or line == "a=end-of-candidates"
        if conn._remote_candidates_end and (cands or end):
            return self.reply(422, "end-of-candidates already received; aiortc takes no more")
        for c in cands:
            c.sdpMid = r.pc.getTransceivers()[0].mid
            await ice.addRemoteCandidate(c)
        if end:
            await ice.addRemoteCandidate(None)
        self.count["patches_ok"] += 1
        log.info("204 PATCH %s: %d candidate(s)%s", r.id, len(cands), ", end" if end else "")
        return web.Response(status=204)

    async def delete(self, request):
        if (no := self.refuse(request)) is not None:
            return no
        r = self.lookup(request)
        await self.close(r)
        self.count["deletes"] += 1
        self.count_path(r.kind, r.name, "deletes")
        return self.reply(200, f"DELETE {r.id}")

    async def close(self, r):
        if r.deleted:
            return
        r.read_dtls()
        await r.read_packets()
        r.deleted = True
        if r.track is not None:
            r.track.stop()
        await r.pc.close()
        if r.task is not None:
            try:
                await asyncio.wait_for(r.task, 5)
            except Exception as exc:
                log.warning("recorder of %s: %r", r.id, exc)

    async def stats(self, request):
        for r in self.res.values():
            if not r.deleted:
                r.read_dtls()
                await r.read_packets()
        return web.json_response({"port": self.port, **self.count, "paths": self.paths,
                                  "resources": {k: r.stats() for k, r in self.res.items()}})

    def app(self):
        app = web.Application(middlewares=[self.cors])
        for path in ("/{kind:whip|whep}/{name}", "/resource/{id}"):
            app.router.add_route("OPTIONS", path, self.options)
        app.router.add_post(r"/{kind:whip|whep}/{name:[A-Za-z0-9_][A-Za-z0-9_.-]*}", self.post)
        app.router.add_patch("/resource/{id}", self.patch)
        app.router.add_delete("/resource/{id}", self.delete)
        app.router.add_get("/stats", self.stats)
        return app


async def main(args):
    use_ice_hosts(args.ice_host or ["127.0.0.1"])
    if args.record_dir:
        os.makedirs(args.record_dir, exist_ok=True)
    srv = Server(args)
    runner = web.AppRunner(srv.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, args.host, args.port).start()
    srv.port = runner.addresses[0][1]
    if args.port_file:
        tmp = f"{args.port_file}.tmp.{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{srv.port}\n")
        os.replace(tmp, args.port_file)
    print(srv.port, flush=True)
    log.info("listening on %s:%d", args.host, srv.port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping: closing %d peer connection(s)", sum(not r.deleted for r in srv.res.values()))
    await asyncio.gather(*(srv.close(r) for r in srv.res.values()), return_exceptions=True)
    await runner.cleanup()


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add = ap.add_argument
    add("--host", default="127.0.0.1", help="HTTP bind address")
    add("--port", type=int, default=0,
        help="HTTP port: 0 (default) lets the kernel pick; a fixed one only in a test's own "
             "network namespace, to come back where a killed server was")
    add("--bad-fingerprint", action="store_true", help="answer with a wrong a=fingerprint")
    add("--counter-offer", action="store_true",
        help="WHEP: answer a POST with 406 and an offer of our own, answered by PATCH")
    add("--dtls-passive", action="store_true",
        help="answer a=setup:passive and be the DTLS server (aiortc's own choice is active)")
    add("--two-audio", action="store_true", help="answer with two audio m-lines")
    add("--port-file", help="write the bound port here (atomically)")
    add("--token", help="require Authorization: Bearer TOKEN on POST/PATCH/DELETE")
    add("--record-dir", help="write each WHIP publish to DIR/<name>.wav")
    add("--tone-hz", type=float, default=880.0, help="WHEP tone (default 880)")
    add("--play", help="WHEP: play this file (looped) instead of the tone")
    add("--link-stun", action="append", metavar="HOST:PORT", help="advertise a STUN server (Link)")
    add("--link-turn", action="append", metavar="HOST:PORT,USER,CREDENTIAL",
        help="advertise a TURN server (Link)")
    add("--fail-first", type=int, default=0, metavar="N", help="503 + Retry-After: 1 to N POSTs")
    add("--no-trickle", action="store_true", help="answer every PATCH with 405")
    add("--ice-host", action="append", metavar="ADDR", help='gather on ADDR (127.0.0.1; "all")')
    add("--verbose", action="store_true", help="debug logs from aiortc and aioice")
    return ap.parse_args(argv)


if __name__ == "__main__":
    a = parse_args(sys.argv[1:])
    logging.basicConfig(level=logging.DEBUG if a.verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not a.verbose:
        for noisy in ("aioice", "aiortc", "aiohttp"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    asyncio.run(main(a))
    sys.exit(0)
