"""A client of Janus's HTTP API (Janus 1.1.2), shared by janus_whip.py and janus_listen.py.

  async with aiohttp.ClientSession() as http:
      s = await JanusSession.create(http, "http://127.0.0.1:8088/janus")
      h = await s.attach("janus.plugin.videoroom")
      ev = await s.message(h, {"request": "joinandconfigure", ...}, jsep={...})
      await s.trickle(h, {"completed": True})
      await s.destroy()

Janus 1.1.2 facts behind it (src/janus.c, src/transports/janus_http.c):
- Every request is a JSON POST with "janus" (the verb) and a "transaction" of ours.
  create -> {"janus": "success", "data": {"id": SESSION}}; attach -> data.id = HANDLE.
- A plugin "message" either answers at once ({"janus": "success", "plugindata"}:
  synchronous requests such as listparticipants) or with {"janus": "ack"}; the result
  then comes as an event carrying the same transaction, read by long-polling
  GET /janus/SESSION?maxev=1 (an empty poll returns {"janus": "keepalive"} after 30 s).
- A session with no request for session_timeout (60 s by default) is destroyed, so a
  keepalive goes every 15 s while the session lives.
- Events without a transaction ("webrtcup", "media", "hangup", "slowlink", "detached",
  plugin events of other participants) are kept in .events (bounded) and by handle.
"""
import asyncio
import collections
import logging
import uuid

import aiohttp

log = logging.getLogger("janus-api")

KEEPALIVE_S = 15
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=10)
POLL_TIMEOUT = aiohttp.ClientTimeout(total=45)


class JanusError(Exception):
    pass


class JanusSession:
    def __init__(self, http, base, sid):
        self.http, self.base, self.id = http, base.rstrip("/"), sid
        self.url = f"{self.base}/{sid}"
        self.waiting = {}                  # transaction -> Future of its event
        self.events = collections.deque(maxlen=200)
        self.by_handle = collections.defaultdict(list)
        self.closed = False
        self.tasks = [asyncio.ensure_future(self._poll()), asyncio.ensure_future(self._keepalive())]

    @staticmethod
    async def post(http, url, body):
        body = {**body, "transaction": uuid.uuid4().hex[:12]}
        async with http.post(url, json=body, timeout=REQUEST_TIMEOUT) as r:
            if r.status != 200:
                raise JanusError(f"{body['janus']}: HTTP {r.status}")
            reply = await r.json(content_type=None)
        if reply.get("janus") == "error":
            err = reply.get("error", {})
            raise JanusError(f"{body['janus']}: Janus error {err.get('code')} {err.get('reason')}")
        return body["transaction"], reply

    @classmethod
    async def create(cls, http, base):
        _, reply = await cls.post(http, base.rstrip("/"), {"janus": "create"})
        return cls(http, base, reply["data"]["id"])

    async def request(self, body, handle=None):
        url = self.url if handle is None else f"{self.url}/{handle}"
        return await self.post(self.http, url, body)

    async def attach(self, plugin):
        _, reply = await self.request({"janus": "attach", "plugin": plugin})
        return reply["data"]["id"]

    async def message(self, handle, body, jsep=None, timeout=15):
        """A plugin message; returns the synchronous reply's plugindata or the event."""
        req = {"janus": "message", "body": body}
        if jsep is not None:
            req["jsep"] = jsep
        # The future is made before the POST: Janus may send the event before
        # the HTTP reply to the POST reaches us.
        txn = uuid.uuid4().hex[:12]
        fut = self.waiting[txn] = asyncio.get_running_loop().create_future()
        try:
            url = f"{self.url}/{handle}"
            async with self.http.post(url, json={**req, "transaction": txn},
                                      timeout=REQUEST_TIMEOUT) as r:
                if r.status != 200:
                    raise JanusError(f"message: HTTP {r.status}")
                reply = await r.json(content_type=None)
            kind = reply.get("janus")
            if kind == "error":
                err = reply.get("error", {})
                raise JanusError(f"message: Janus error {err.get('code')} {err.get('reason')}")
            if kind == "success":
                return reply
            event = await asyncio.wait_for(fut, timeout)
        finally:
            self.waiting.pop(txn, None)
        data = event.get("plugindata", {}).get("data", {})
        if "error" in data:
            raise JanusError(f"{body.get('request')}: plugin error {data.get('error_code')} "
                             f"{data['error']}")
        return event

    async def trickle(self, handle, candidate):
        await self.request({"janus": "trickle", "candidate": candidate}, handle)

    async def detach(self, handle):
        await self.request({"janus": "detach"}, handle)

    async def destroy(self):
        if self.closed:
            return
        self.closed = True
        for t in self.tasks:
            t.cancel()
        try:
            await self.request({"janus": "destroy"})
        except Exception as exc:  # Janus may already have dropped it
            log.info("destroy %s: %r", self.id, exc)

    async def _poll(self):
        while not self.closed:
            try:
                async with self.http.get(f"{self.url}?maxev=1", timeout=POLL_TIMEOUT) as r:
                    ev = await r.json(content_type=None)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.closed:
                    return
                log.warning("session %s: long poll failed: %r", self.id, exc)
                await asyncio.sleep(0.5)
                continue
            if not isinstance(ev, dict) or ev.get("janus") == "keepalive":
                continue
            fut = self.waiting.get(ev.get("transaction"))
            if fut is not None and not fut.done() and ev.get("janus") == "event":
                fut.set_result(ev)
                continue
            log.info("session %s event: %s", self.id, brief(ev))
            self.events.append(ev)
            if "sender" in ev:
                self.by_handle[ev["sender"]].append(ev)

    async def _keepalive(self):
        while not self.closed:
            await asyncio.sleep(KEEPALIVE_S)
            try:
                await self.request({"janus": "keepalive"})
            except Exception as exc:
                log.warning("session %s: keepalive failed: %r", self.id, exc)


def brief(ev):
    """An event without its SDP, for logs and /stats."""
    out = {k: v for k, v in ev.items() if k not in ("jsep", "session_id", "transaction")}
    if "jsep" in ev:
        out["jsep"] = ev["jsep"].get("type")
    return out
