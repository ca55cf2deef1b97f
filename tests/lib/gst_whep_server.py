#!/usr/bin/python3
"""WHEP server on GStreamer's webrtcbin: a second independent DTLS/ICE stack for callbridge.

  /usr/bin/python3 tests/lib/gst_whep_server.py --port-file F [--host 127.0.0.1] [--port 0]
      [--token T] [--tone-hz 660] [--dtls-passive] [--verbose]

POST /whep/<name> (application/sdp, a recvonly offer with one Opus audio m-line):
  a pipeline  audiotestsrc (sine, --tone-hz, -12 dBFS, live) ! opusenc ! rtpopuspay
  (the offer's Opus payload type) ! webrtcbin;  set-remote-description, create-answer,
  set-local-description; once ICE gathering is complete -> 201 with the answer (its
  candidates and a=end-of-candidates in it), Location: /resource/<id>, ETag.
PATCH /resource/<id> (application/trickle-ice-sdpfrag): candidates go to
  add-ice-candidate -> 204.
DELETE /resource/<id>: the pipeline stops -> 200.
GET /stats (no auth): counters posts, created, refused, rejected, patches, deletes,
  errors; per resource: name, pt, connection and ICE states, dtls_state, dtls_role
  (webrtcbin's own: "client" or "server"), srtp_profile (what webrtcbin's dtlsenc
  says its handshake selected, in RFC 5764 names), packets_sent, bytes_sent.
401 bad or missing bearer (with --token); 404 unknown resource; 415 wrong Content-Type;
422 no Opus audio m-line, or webrtcbin refused the offer.  SIGTERM/SIGINT stop every
pipeline and exit 0.  The port is 0 unless --port names one; --port-file is written
whole, then renamed.

GStreamer 1.22 (Debian 12) facts behind the choices:
- libnice (under webrtcbin) gathers on every interface but loopback, and webrtcbin
  gives no way to name addresses: its "ice-agent" property cannot be read from
  Python (PyGObject takes over webrtcbin's floating reference and frees the ICE
  object: criticals, then a crash).  A test that wants one known address runs in a
  network namespace with one (cb_netns_address in tests/lib/common.sh).
- webrtcbin matches a sink pad linked before the offer to the offer's audio m-line
  and answers it sendonly; the payloader's caps, fixed by a capsfilter, give the
  answer's rtpmap (webrtcbin writes OPUS in upper case).
- webrtcbin answers a=setup:active (the DTLS client).  --dtls-passive rewrites its
  answer to passive before set-local-description; webrtcbin takes its role from
  the local answer's setup (gstwebrtcbin.c), so it is then the DTLS server.
- Promises and the on-ice-candidate signal come on webrtcbin's threads: they hand
  over to asyncio with call_soon_threadsafe.  No GLib main loop is needed.
"""
import os
import sys

try:
    import gi
    gi.require_version("Gst", "1.0")
    gi.require_version("GstWebRTC", "1.0")
    gi.require_version("GstSdp", "1.0")
    from gi.repository import Gst, GstSdp, GstWebRTC
    from aiohttp import web
except (ImportError, ValueError):  # pyenv's python3 may shadow Debian's packages
    if os.path.exists("/usr/bin/python3") and \
            os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

import argparse
import asyncio
import logging
import re
import signal
import uuid

log = logging.getLogger("gst-whep")
GATHER_S = 5
PROMISE_S = 5

# dtlsenc's "srtp-cipher" and "srtp-auth", what its handshake selected (0 before;
# GstDtlsSrtpCipher AES_128_ICM = 1, GstDtlsSrtpAuth HMAC_SHA1_32 = 1, _80 = 2:
# GStreamer 1.22's DTLS knows no GCM) -> the profile's RFC 5764 name.
PROFILES = {(1, 2): "AES_CM_128_HMAC_SHA1_80", (1, 1): "AES_CM_128_HMAC_SHA1_32"}


def opus_pt(sdp):
    """The Opus payload type of the offer's only audio m-line, or (status, reason)."""
    sections = re.split(r"\r?\n(?=m=)", sdp)
    audio = [s for s in sections[1:] if s.startswith("m=audio") and not s.startswith("m=audio 0 ")]
    if len(audio) != 1:
        return None, (422, f"one audio m-line wanted, the offer has {len(audio)}")
    if not re.search(r"^a=(recvonly|sendrecv)\s*$", audio[0], re.M):
        return None, (422, "a WHEP offer is recvonly (or sendrecv)")
    m = re.search(r"^a=rtpmap:(\d+) opus/48000", audio[0], re.M | re.I)
    if not m:
        return None, (422, "the audio m-line offers no Opus")
    return int(m.group(1)), None


async def promised(loop, emit):
    """Run EMIT(promise) and wait (bounded) for the promise's reply."""
    fut = loop.create_future()

    def done(promise):
        loop.call_soon_threadsafe(lambda: fut.done() or fut.set_result(promise.get_reply()))
    emit(Gst.Promise.new_with_change_func(done))
    return await asyncio.wait_for(fut, PROMISE_S)


class Resource:
    def __init__(self, name, pt, args, loop):
        self.id, self.name, self.pt = uuid.uuid4().hex[:16], name, pt
        self.etag = '"' + uuid.uuid4().hex[:12] + '"'
        self.deleted, self.loop, self.candidates = False, loop, []
        self.dtls_passive = args.dtls_passive
        self.gathered = asyncio.Event()
        amp = 10 ** (-12 / 20)
        self.pipe = Gst.parse_launch(
            f"webrtcbin name=w bundle-policy=max-bundle "
            f"audiotestsrc is-live=true wave=sine freq={args.tone_hz} volume={amp} "
            f"! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1 "
            f"! opusenc bitrate=64000 frame-size=20 ! rtpopuspay pt={pt} "
            f"! application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload={pt} "
            f"! w.")
        self.w = self.pipe.get_by_name("w")
        self.w.connect("on-ice-candidate", self.on_candidate)
        self.w.connect("notify::ice-gathering-state", self.on_gathering)
        self.bus = self.pipe.get_bus()
        self.errors, self.keyed, self.last = [], {}, {}

    def on_candidate(self, _w, mline, cand):
        self.loop.call_soon_threadsafe(self.candidates.append, (mline, cand))

    def on_gathering(self, w, _pspec):
        if w.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            self.loop.call_soon_threadsafe(self.gathered.set)

    def poll_bus(self):
        while (msg := self.bus.pop_filtered(Gst.MessageType.ERROR | Gst.MessageType.WARNING)):
            err, dbg = msg.parse_error() if msg.type == Gst.MessageType.ERROR else msg.parse_warning()
            text = f"{msg.src.get_name()}: {err.message}"
            log.warning("%s %s (%s)", self.id, text, dbg)
            if msg.type == Gst.MessageType.ERROR:
                self.errors.append(text)

    async def answer(self, offer_text):
        ok, msg = GstSdp.SDPMessage.new_from_text(offer_text)
        if ok != GstSdp.SDPResult.OK:
            raise ValueError("GstSdp cannot parse the offer")
        offer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.OFFER, msg)
        self.pipe.set_state(Gst.State.PLAYING)
        await promised(self.loop, lambda p: self.w.emit("set-remote-description", offer, p))
        reply = await promised(self.loop, lambda p: self.w.emit("create-answer", None, p))
        answer = reply.get_value("answer") if reply else None
        if answer is None:
            raise ValueError(f"webrtcbin made no answer: {reply.to_string() if reply else None}")
        if self.dtls_passive:
            text = answer.sdp.as_text().replace("a=setup:active", "a=setup:passive")
            ok, msg = GstSdp.SDPMessage.new_from_text(text)
            answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, msg)
        await promised(self.loop, lambda p: self.w.emit("set-local-description", answer, p))
        await asyncio.wait_for(self.gathered.wait(), GATHER_S)
        text = answer.sdp.as_text()
        if "a=candidate:" not in text:
            # All in the first section: the answer bundles everything into it.
            lines = "".join(f"a={c}\r\n" for m, c in self.candidates if m == 0 and c)
            head, sep, rest = text.partition("\r\nm=")
            sect, sep2, more = rest.partition("\r\nm=")
            text = head + sep + sect.rstrip("\r\n") + "\r\n" + lines + "a=end-of-candidates" \
                + ("\r\nm=" + more if sep2 else "\r\n")
        return text

    def dtlsenc(self):
        it = self.w.iterate_recurse()
        while True:
            ok, el = it.next()
            if ok != Gst.IteratorResult.OK:
                return None
            if el.get_factory() and el.get_factory().get_name() == "dtlsenc":
                return el

    def refresh(self):
        """States now; DTLS role and SRTP profile kept from when DTLS was connected
        (after DELETE the transport reads "closed").  Runs every 0.5 s and on /stats."""
        self.poll_bus()
        out = {"name": self.name, "pt": self.pt, "deleted": self.deleted, "errors": self.errors,
               "state": self.w.get_property("connection-state").value_nick,
               "ice_state": self.w.get_property("ice-connection-state").value_nick}
        try:
            t = self.w.emit("get-transceiver", 0)
            dtls = t.get_property("sender").get_property("transport")
            out["dtls_state"] = dtls.get_property("state").value_nick
            enc = self.dtlsenc()
            key = (enc.get_property("srtp-cipher"), enc.get_property("srtp-auth")) if enc else (0, 0)
            if out["dtls_state"] == "connected" and 0 not in key and not self.keyed:
                self.keyed = {"dtls_role": "client" if dtls.get_property("client") else "server",
                              "srtp_profile": PROFILES.get(key, "cipher %d auth %d" % key)}
                log.info("%s: DTLS connected as %s, %s", self.id, self.keyed["dtls_role"],
                         self.keyed["srtp_profile"])
        except Exception as exc:
            out["dtls_error"] = repr(exc)
        out.update(self.keyed)
        return out

    async def stats(self):
        out = self.refresh() if not self.deleted else {**self.last, "deleted": True}
        if not self.deleted:
            try:
                reply = await promised(self.loop, lambda p: self.w.emit("get-stats", None, p))
                reply.foreach(lambda _f, v: self.add_rtp(out, v) or True)
            except Exception as exc:
                out["stats_error"] = repr(exc)
        return out

    @staticmethod
    def add_rtp(out, value):
        s = value if isinstance(value, Gst.Structure) else None
        log.debug("stats: %s", s.to_string() if s else value)
        if s is not None and s.get_name() == "outbound-rtp":
            out["packets_sent"] = s.get_value("packets-sent")
            out["bytes_sent"] = s.get_value("bytes-sent")

    async def close(self):
        """Stop; what /stats says of it stays as it was just before."""
        if not self.deleted:
            self.last = await self.stats()
            self.stop()

    def stop(self):
        if not self.deleted:
            self.deleted = True
            self.pipe.set_state(Gst.State.NULL)


class Server:
    def __init__(self, args):
        self.a, self.res, self.port = args, {}, None
        self.count = dict(posts=0, created=0, refused=0, rejected=0, patches=0, deletes=0)

    def reply(self, status, reason, **headers):
        log.info("%d %s", status, reason)
        return web.Response(status=status, text=reason + "\n", headers=headers)

    def refuse(self, request):
        if self.a.token is None or request.headers.get("Authorization") == f"Bearer {self.a.token}":
            return None
        self.count["refused"] += 1
        return self.reply(401, "bad or missing bearer token", **{"WWW-Authenticate": "Bearer"})

    async def post(self, request):
        self.count["posts"] += 1
        if (no := self.refuse(request)) is not None:
            return no
        if request.content_type != "application/sdp":
            self.count["rejected"] += 1
            return self.reply(415, "Content-Type must be application/sdp")
        offer = await request.text()
        pt, bad = opus_pt(offer)
        if bad:
            self.count["rejected"] += 1
            return self.reply(*bad)
        r = Resource(request.match_info["name"], pt, self.a, asyncio.get_running_loop())
        try:
            answer = await r.answer(offer)
        except Exception as exc:
            r.poll_bus()
            r.stop()
            self.count["rejected"] += 1
            return self.reply(422, f"webrtcbin refused the offer: {exc!r} {r.errors}")
        self.res[r.id] = r
        self.count["created"] += 1
        log.info("201 whep/%s (Opus pt %d) -> /resource/%s", r.name, pt, r.id)
        return web.Response(status=201, text=answer, headers={
            "Location": f"/resource/{r.id}", "ETag": r.etag, "Content-Type": "application/sdp",
            "Accept-Patch": "application/trickle-ice-sdpfrag"})

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
        if request.content_type != "application/trickle-ice-sdpfrag":
            return self.reply(415, "Content-Type must be application/trickle-ice-sdpfrag")
        n = 0
        for line in (await request.text()).splitlines():
            if line.startswith("a=candidate:"):
                r.w.emit("add-ice-candidate", 0, line[2:].strip())
                n += 1
        log.info("204 PATCH %s: %d candidate(s)", r.id, n)
        return web.Response(status=204)

    async def delete(self, request):
        if (no := self.refuse(request)) is not None:
            return no
        r = self.lookup(request)
        await r.close()
        self.count["deletes"] += 1
        return self.reply(200, f"DELETE {r.id}")

    async def stats(self, request):
        res = {k: await r.stats() for k, r in self.res.items()}
        return web.json_response({"port": self.port, **self.count, "resources": res})

    def app(self):
        app = web.Application()
        app.router.add_post("/whep/{name:[A-Za-z0-9_][A-Za-z0-9_.-]*}", self.post)
        app.router.add_patch("/resource/{id}", self.patch)
        app.router.add_delete("/resource/{id}", self.delete)
        app.router.add_get("/stats", self.stats)
        return app


async def main(args):
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
    log.info("listening on %s:%d (GStreamer %s)", args.host, srv.port, Gst.version_string())
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    while not stop.is_set():
        for r in srv.res.values():
            if not r.deleted:
                r.refresh()
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except asyncio.TimeoutError:
            pass
    for r in srv.res.values():
        await r.close()
    await runner.cleanup()


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add = ap.add_argument
    add("--host", default="127.0.0.1", help="HTTP bind address")
    add("--port", type=int, default=0, help="HTTP port (0: the kernel picks)")
    add("--port-file", help="write the bound port here (atomically)")
    add("--token", help="require Authorization: Bearer TOKEN on POST/PATCH/DELETE")
    add("--tone-hz", type=float, default=660.0, help="the sine sent (default 660)")
    add("--dtls-passive", action="store_true",
        help="answer a=setup:passive: webrtcbin is the DTLS server (its own choice is active)")
    add("--verbose", action="store_true")
    return ap.parse_args(argv)


if __name__ == "__main__":
    a = parse_args(sys.argv[1:])
    logging.basicConfig(level=logging.DEBUG if a.verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("aiohttp").setLevel(logging.WARNING)
    Gst.init(None)
    asyncio.run(main(a))
    sys.exit(0)
