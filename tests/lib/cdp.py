#!/usr/bin/python3
"""A small Chrome DevTools Protocol client for the browser tests.

  /usr/bin/python3 tests/lib/cdp.py USER_DATA_DIR --until JS [--timeout 30]
      [--print JS] [--screenshot FILE.png]

Finds the debugging port Chromium wrote to USER_DATA_DIR/DevToolsActivePort
(it was started with --remote-debugging-port=0: no port is picked ahead),
attaches to its page, evaluates JS --until it is true (every 0.5 s, at most
--timeout seconds), then prints the value of --print and saves a screenshot.
Exit 0 when the condition held, 2 when it timed out (still printing and
saving what there is), 3 when no browser answered.
"""
import os
import sys

try:
    import aiohttp
except ImportError:  # pyenv's python3 may shadow Debian's packages
    if os.path.exists("/usr/bin/python3") and \
            os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

import argparse
import asyncio
import base64
import itertools
import json
import time


async def main(a):
    deadline = time.monotonic() + a.timeout
    port_file = os.path.join(a.user_data_dir, "DevToolsActivePort")
    while not os.path.exists(port_file):
        if time.monotonic() > deadline:
            print("no DevToolsActivePort in %s" % a.user_data_dir, file=sys.stderr)
            return 3
        await asyncio.sleep(0.2)
    port = int(open(port_file).read().split()[0])
    ids = itertools.count(1)
    async with aiohttp.ClientSession() as http:
        page = None
        while page is None and time.monotonic() < deadline:
            async with http.get("http://127.0.0.1:%d/json/list" % port) as r:
                page = next((t for t in await r.json() if t["type"] == "page"), None)
            if page is None:
                await asyncio.sleep(0.2)
        if page is None:
            print("no page in the browser", file=sys.stderr)
            return 3
        async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            async def call(method, **params):
                i = next(ids)
                await ws.send_json({"id": i, "method": method, "params": params})
                while True:
                    msg = json.loads((await ws.receive()).data)
                    if msg.get("id") == i:
                        return msg.get("result", {})

            async def value(expr):
                r = await call("Runtime.evaluate", expression=expr, returnByValue=True)
                return r.get("result", {}).get("value")

            ok = False
            while time.monotonic() < deadline:
                try:
                    ok = bool(await value(a.until))
                except Exception:
                    ok = False
                if ok:
                    break
                await asyncio.sleep(0.5)
            if a.print:
                print(await value(a.print), flush=True)
            if a.screenshot:
                shot = await call("Page.captureScreenshot", format="png")
                with open(a.screenshot, "wb") as f:
                    f.write(base64.b64decode(shot["data"]))
            return 0 if ok else 2


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("user_data_dir")
    ap.add_argument("--until", required=True)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--print")
    ap.add_argument("--screenshot")
    sys.exit(asyncio.run(main(ap.parse_args())))
