#!/usr/bin/python3
"""A WHIP (RFC 9725) front for Janus's VideoRoom, over Janus's HTTP API: a test peer.

  /usr/bin/python3 tests/lib/janus_whip.py --janus http://127.0.0.1:8088/janus
      --port-file F [--host 127.0.0.1] [--port 0] [--token T] [--display NAME] [--verbose]

Janus 1.1.2 speaks no WHIP of its own; this shim makes one publisher per POST:
POST /whip/<room> (application/sdp offer, one audio m-line):
  a Janus session; attach janus.plugin.videoroom; "joinandconfigure" as a publisher
  in VideoRoom <room> with the offer; a trickle {"completed": true} (Janus holds an
  ICE failure open until it knows the peer's candidates are all in, src/ice.c); the
  event with the JSEP answer -> 201, the answer, Location: /resource/<id>, ETag,
  Accept-Patch.  The session lives on, kept alive, until DELETE.
PATCH /resource/<id> (application/trickle-ice-sdpfrag): each a=candidate goes to
  Janus as a trickle, a=end-of-candidates as {"completed": true} -> 204; new ICE
  credentials (a restart) -> 422, as RFC 9725 allows.
DELETE /resource/<id>: detach the handle, destroy the session -> 200.
GET /stats (no auth): counters posts, created, refused, rejected, patches,
  trickles, deletes; per resource: room, feed (the publisher's id in the room,
  which a subscriber asks Janus for), session, handle, deleted, and the Janus
  events of the handle (webrtcup, media, hangup, ...), SDP left out.
OPTIONS -> 204 with CORS.
401 bad or missing bearer (with --token); 404 unknown resource; 415 wrong
Content-Type; 422 an offer Janus refuses (its reason in the body); 502 Janus
unreachable.  SIGTERM/SIGINT destroy every Janus session and exit 0.
The port is 0 unless --port names one; --port-file is written whole, then renamed.
"""
import os
import sys

try:
    from aiohttp import web
    import aiohttp
except ImportError:  # pyenv's python3 may shadow Debian's packages
    if os.path.exists("/usr/bin/python3") and \
            os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

import argparse
import asyncio
import logging
import signal
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from janus_api import JanusError, JanusSession, brief  # noqa: E402

log = logging.getLogger("janus-whip")


def ice_ufrag(sdp):
    for line in sdp.splitlines():
        if line.startswith("a=ice-ufrag:"):
            return line[len("a=ice-ufrag:"):].strip()
    return None


class Resource:
    def __init__(self, room, session, handle, feed, mid, ufrag):
        self.id = uuid.uuid4().hex[:16]
        self.etag = '"' + uuid.uuid4().hex[:12] + '"'
        self.room, self.session, self.handle, self.feed = room, session, handle, feed
        self.mid, self.ufrag, self.deleted = mid, ufrag, False

    def stats(self):
        return {"room": self.room, "feed": self.feed, "session": self.session.id,
                "handle": self.handle, "deleted": self.deleted,
                "events": [brief(e) for e in self.session.by_handle.get(self.handle, [])]}


class Shim:
    def __init__(self, args):
        self.a, self.res, self.http, self.port = args, {}, None, None
        self.count = dict(posts=0, created=0, refused=0, rejected=0, patches=0, trickles=0,
                          deletes=0)

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
            "Access-Control-Expose-Headers": "Location, ETag, Link, Accept-Patch"})
        return resp

    def reply(self, status, reason, **headers):
        log.info("%d %s", status, reason)
        return web.Response(status=status, text=reason + "\n", headers=headers)

    def refuse(self, request):
        if self.a.token is None or request.headers.get("Authorization") == f"Bearer {self.a.token}":
            return None
        self.count["refused"] += 1
        return self.reply(401, "bad or missing bearer token", **{"WWW-Authenticate": "Bearer"})

    async def options(self, request):
        return web.Response(status=204, headers={"Accept-Post": "application/sdp",
                                                 "Accept-Patch": "application/trickle-ice-sdpfrag"})

    async def post(self, request):
        self.count["posts"] += 1
        if (no := self.refuse(request)) is not None:
            return no
        if request.content_type != "application/sdp":
            self.count["rejected"] += 1
            return self.reply(415, "Content-Type must be application/sdp")
        room, offer = int(request.match_info["room"]), await request.text()
        try:
            session = await JanusSession.create(self.http, self.a.janus)
        except Exception as exc:
            self.count["rejected"] += 1
            return self.reply(502, f"Janus is not reachable: {exc!r}")
        try:
            handle = await session.attach("janus.plugin.videoroom")
            join = {"request": "joinandconfigure", "room": room, "ptype": "publisher",
                    "display": self.a.display}
            pending = asyncio.ensure_future(
                session.message(handle, join, jsep={"type": "offer", "sdp": offer}))
            # Sent while Janus takes the offer in: it queues early trickles.
            await session.trickle(handle, {"completed": True})
            event = await pending
        except (JanusError, asyncio.TimeoutError, aiohttp.ClientError) as exc:
            await session.destroy()
            self.count["rejected"] += 1
            return self.reply(422, f"Janus refused the offer: {exc!r}")
        data = event.get("plugindata", {}).get("data", {})
        answer = event.get("jsep", {}).get("sdp")
        if data.get("videoroom") != "joined" or not answer:
            await session.destroy()
            self.count["rejected"] += 1
            return self.reply(422, f"Janus did not answer: {brief(event)}")
        mid = next((ln[6:].strip() for ln in offer.splitlines() if ln.startswith("a=mid:")), "0")
        r = Resource(room, session, handle, data.get("id"), mid, ice_ufrag(offer))
        self.res[r.id] = r
        self.count["created"] += 1
        log.info("201 room %d: publisher %s -> /resource/%s", room, r.feed, r.id)
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
        cands, end, mid = [], False, r.mid
        for line in (await request.text()).splitlines():
            line = line.strip()
            if line.startswith("a=ice-ufrag:") and line[12:] != r.ufrag:
                return self.reply(422, "ICE restart is not supported by this shim")
            if line.startswith("a=mid:"):
                mid = line[6:]
            elif line.startswith("a=candidate:"):
                cands.append(line[2:])
            end = end or line == "a=end-of-candidates"
        try:
            for c in cands:
                await r.session.trickle(r.handle, {"sdpMid": mid, "sdpMLineIndex": 0,
                                                   "candidate": c})
            if end:
                await r.session.trickle(r.handle, {"completed": True})
        except (JanusError, aiohttp.ClientError) as exc:
            return self.reply(422, f"Janus refused the trickle: {exc!r}")
        self.count["trickles"] += len(cands) + end
        log.info("204 PATCH %s: %d candidate(s)%s", r.id, len(cands), ", end" if end else "")
        return web.Response(status=204)

    async def delete(self, request):
        if (no := self.refuse(request)) is not None:
            return no
        r = self.lookup(request)
        await self.close(r)
        self.count["deletes"] += 1
        return self.reply(200, f"DELETE {r.id}")

    async def close(self, r):
        if r.deleted:
            return
        r.deleted = True
        try:
            await r.session.detach(r.handle)
        except Exception as exc:
            log.info("detach %s: %r", r.id, exc)
        await r.session.destroy()

    async def stats(self, request):
        return web.json_response({"port": self.port, **self.count,
                                  "resources": {k: r.stats() for k, r in self.res.items()}})

    def app(self):
        app = web.Application(middlewares=[self.cors])
        for path in ("/whip/{room}", "/resource/{id}"):
            app.router.add_route("OPTIONS", path, self.options)
        app.router.add_post("/whip/{room:[0-9]+}", self.post)
        app.router.add_patch("/resource/{id}", self.patch)
        app.router.add_delete("/resource/{id}", self.delete)
        app.router.add_get("/stats", self.stats)
        return app


async def main(args):
    shim = Shim(args)
    shim.http = aiohttp.ClientSession()
    runner = web.AppRunner(shim.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, args.host, args.port).start()
    shim.port = runner.addresses[0][1]
    if args.port_file:
        tmp = f"{args.port_file}.tmp.{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{shim.port}\n")
        os.replace(tmp, args.port_file)
    log.info("listening on %s:%d, Janus at %s", args.host, shim.port, args.janus)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    live = [r for r in shim.res.values() if not r.deleted]
    log.info("stopping: destroying %d Janus session(s)", len(live))
    await asyncio.gather(*(shim.close(r) for r in live), return_exceptions=True)
    await runner.cleanup()
    await shim.http.close()


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add = ap.add_argument
    add("--janus", required=True, help="Janus HTTP API base, e.g. http://127.0.0.1:8088/janus")
    add("--host", default="127.0.0.1", help="HTTP bind address")
    add("--port", type=int, default=0, help="HTTP port (0: the kernel picks)")
    add("--port-file", help="write the bound port here (atomically)")
    add("--token", help="require Authorization: Bearer TOKEN on POST/PATCH/DELETE")
    add("--display", default="callbridge", help="the publisher's display name in the room")
    add("--verbose", action="store_true", help="debug logs")
    return ap.parse_args(argv)


if __name__ == "__main__":
    a = parse_args(sys.argv[1:])
    logging.basicConfig(level=logging.DEBUG if a.verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not a.verbose:
        logging.getLogger("aiohttp").setLevel(logging.WARNING)
    asyncio.run(main(a))
    sys.exit(0)
