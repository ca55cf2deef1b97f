#!/usr/bin/python3
"""Regenerates the real offers and answers in this folder from the WebRTC
peers Debian ships, all on this machine, nothing sent off it:

  apt-get install -y chromium firefox-esr python3-aiortc janus \
      gstreamer1.0-nice gstreamer1.0-plugins-bad python3-gi python3-gst-1.0 \
      gir1.2-gst-plugins-bad-1.0
  /usr/bin/python3 tests/data/sdp/capture.py [OUTDIR]

Run it with Debian's python (/usr/bin/python3): another python3 earlier on
PATH may not see the packages.  The browsers load a page from a server on
127.0.0.1 that this script runs; no STUN or TURN server is configured, so
candidates are host candidates of the local interfaces.  Each SDP is
written exactly as the program produced it (CRLF, trailing line end).
callbridge-*.sdp are not made here: tests/unit/sdp/test-sdp-golden.c
writes them (CALLBRIDGE_SDP_REGEN=1)."""

import asyncio
import http.server
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

OUT = os.path.abspath(os.environ.get('SDP_CAPTURE_OUT') or
                      (sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != '--webrtcbin'
                       else os.path.dirname(__file__)))

PAGE = """<!doctype html><html><body><script>
// ?mode=offer&name=N[&video=1]  or  ?mode=answer&name=N&from=M
const q = new URLSearchParams(location.search);
async function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise(r => {
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') r(); });
    setTimeout(r, 5000);
  });
}
async function run() {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const stream = await navigator.mediaDevices.getUserMedia(
    { audio: true, video: q.get('video') === '1' });
  if (q.get('mode') === 'answer') {
    const offer = await (await fetch('/sdp/' + q.get('from'))).text();
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  }
  stream.getTracks().forEach(t => pc.addTrack(t, stream));
  await pc.setLocalDescription();
  await gathered(pc);
  await fetch('/result/' + q.get('name'), { method: 'POST', body: pc.localDescription.sdp });
}
run().catch(e => fetch('/error/' + q.get('name'), { method: 'POST', body: String(e) }));
</script></body></html>"""

FIREFOX_PREFS = {
    'media.navigator.streams.fake': True,
    'media.navigator.permission.disabled': True,
    'media.peerconnection.ice.obfuscate_host_addresses': False,
    # Nothing but the page: no updates, telemetry, safe browsing, portals.
    'app.update.enabled': False, 'app.update.auto': False, 'app.normandy.enabled': False,
    'browser.shell.checkDefaultBrowser': False,
    'browser.startup.homepage_override.mstone': 'ignore',
    'datareporting.policy.dataSubmissionEnabled': False,
    'datareporting.healthreport.uploadEnabled': False,
    'toolkit.telemetry.enabled': False, 'toolkit.telemetry.unified': False,
    'network.captive-portal-service.enabled': False,
    'network.connectivity-service.enabled': False,
    'browser.safebrowsing.malware.enabled': False,
    'browser.safebrowsing.phishing.enabled': False,
    'browser.safebrowsing.downloads.enabled': False,
    'extensions.update.enabled': False, 'extensions.blocklist.enabled': False,
    'services.settings.server': 'http://127.0.0.1:9/',
    'network.dns.disablePrefetch': True, 'network.prefetch-next': False,
    'network.trr.mode': 5,
}

CHROMIUM_FLAGS = [
    '--headless=new', '--no-sandbox', '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream', '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-default-apps', '--disable-domain-reliability',
    '--metrics-recording-only', '--no-pings', '--disable-breakpad',
    '--remote-debugging-port=0',
]


def write(name, sdp):
    with open(os.path.join(OUT, name + '.sdp'), 'w', newline='') as f:
        f.write(sdp)
    print('wrote', name + '.sdp', flush=True)


def read(name):
    with open(os.path.join(OUT, name + '.sdp'), newline='') as f:
        return f.read()


class Pages(http.server.BaseHTTPRequestHandler):
    results = {}

    def log_message(self, *args):
        pass

    def reply(self, body, ctype='text/plain'):
        data = body.encode()
        self.send_response(200)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.startswith('/page.html'):
            self.reply(PAGE, 'text/html')
        elif self.path.startswith('/sdp/'):
            self.reply(read(self.path[5:]))
        else:
            self.send_error(404)

    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length'])).decode()
        kind, name = self.path.strip('/').split('/', 1)
        Pages.results[name] = (kind, body)
        self.reply('ok')


def browser(argv, name, query, timeout=60):
    """Runs a browser on the page until it posts its description."""
    proc = subprocess.Popen(argv + [f'http://127.0.0.1:{PORT}/page.html?{query}'],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + timeout
        while name not in Pages.results and time.time() < deadline:
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(10)
    kind, body = Pages.results.get(name, ('error', 'timed out'))
    if kind != 'result':
        raise RuntimeError(f'{name}: {body}')
    write(name, body)


def chromium(name, query):
    with tempfile.TemporaryDirectory() as profile:
        browser(['chromium', f'--user-data-dir={profile}'] + CHROMIUM_FLAGS, name, query)


def firefox(name, query):
    with tempfile.TemporaryDirectory() as profile:
        with open(os.path.join(profile, 'user.js'), 'w') as f:
            for key, value in FIREFOX_PREFS.items():
                f.write(f'user_pref({json.dumps(key)}, {json.dumps(value)});\n')
        browser(['firefox-esr', '--headless', '--no-remote', '--profile', profile],
                name, query)


async def aiortc_offer_answer():
    from aiortc import RTCPeerConnection, RTCSessionDescription
    from aiortc.mediastreams import AudioStreamTrack
    pc = RTCPeerConnection()
    pc.addTrack(AudioStreamTrack())
    await pc.setLocalDescription(await pc.createOffer())
    write('aiortc-offer', pc.localDescription.sdp)
    await pc.close()
    pc = RTCPeerConnection()
    await pc.setRemoteDescription(RTCSessionDescription(read('chromium-offer'), 'offer'))
    pc.addTrack(AudioStreamTrack())
    await pc.setLocalDescription(await pc.createAnswer())
    write('aiortc-answer', pc.localDescription.sdp)
    await pc.close()


def webrtcbin(mode, name, offer_file=None):
    """Runs in a child process (--webrtcbin): GStreamer wants its own main loop."""
    import gi
    gi.require_version('Gst', '1.0')
    gi.require_version('GstWebRTC', '1.0')
    gi.require_version('GstSdp', '1.0')
    from gi.repository import GLib, Gst, GstSdp, GstWebRTC
    Gst.init(None)
    pipe = Gst.parse_launch(
        'webrtcbin name=w bundle-policy=max-bundle audiotestsrc is-live=true ! opusenc ! '
        'rtpopuspay pt=97 ! application/x-rtp,media=audio,encoding-name=OPUS,payload=97 ! w.')
    w = pipe.get_by_name('w')
    loop = GLib.MainLoop()

    def on_gathering(*args):
        if w.get_property('ice-gathering-state') == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            write(name, w.get_property('local-description').sdp.as_text())
            GLib.idle_add(loop.quit)

    def describe(kind):
        p = Gst.Promise.new()
        w.emit('create-' + kind, None, p)
        p.wait()
        reply = p.get_reply()   # keep it: the description lives in it
        p2 = Gst.Promise.new()
        w.emit('set-local-description', reply.get_value(kind), p2)
        p2.wait()

    def answer():
        _, msg = GstSdp.SDPMessage.new_from_text(read(offer_file))  # a name here
        p = Gst.Promise.new()
        w.emit('set-remote-description', GstWebRTC.WebRTCSessionDescription.new(
            GstWebRTC.WebRTCSDPType.OFFER, msg), p)
        p.wait()
        describe('answer')

    w.connect('notify::ice-gathering-state', on_gathering)
    pipe.set_state(Gst.State.PLAYING)
    if mode == 'offer':
        GLib.timeout_add(500, lambda: threading.Thread(target=describe, args=('offer',)).start())
    else:
        threading.Thread(target=answer).start()
    GLib.timeout_add_seconds(20, loop.quit)
    loop.run()
    pipe.set_state(Gst.State.NULL)
    if not os.path.exists(os.path.join(OUT, name + '.sdp')):
        sys.exit(f'webrtcbin: no {mode} within 20 s')


JANUS_CONFIG = """general: {
	configs_folder = "%(dir)s"
	plugins_folder = "/usr/lib/x86_64-linux-gnu/janus/plugins"
	transports_folder = "/usr/lib/x86_64-linux-gnu/janus/transports"
	events_folder = "/usr/lib/x86_64-linux-gnu/janus/events"
	loggers_folder = "/usr/lib/x86_64-linux-gnu/janus/loggers"
	debug_level = 3
}
media: {
}
nat: {
}
plugins: {
	disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so"
}
transports: {
	disable = "libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so,libjanus_websockets.so"
}
loggers: {
	disable = "libjanus_jsonlog.so"
}
events: {
	broadcast = false
}
"""

JANUS_HTTP = """general: {
	base_path = "/janus"
	http = true
	port = %(port)d
	ip = "127.0.0.1"
	https = false
}
admin: {
	admin_http = false
	admin_https = false
}
"""


class Janus:
    """The Janus HTTP API (create, attach, message, long-poll) on loopback."""

    def __init__(self, port):
        self.base = f'http://127.0.0.1:{port}/janus'

    def post(self, path, body):
        body['transaction'] = '%x' % random.getrandbits(48)
        req = urllib.request.Request(self.base + path, json.dumps(body).encode(),
                                     {'Content-Type': 'application/json'})
        return json.load(urllib.request.urlopen(req, timeout=10))

    def attach(self, plugin):
        sid = self.post('', {'janus': 'create'})['data']['id']
        hid = self.post(f'/{sid}', {'janus': 'attach', 'plugin': plugin})['data']['id']
        return sid, hid

    def message(self, sid, hid, body, jsep=None):
        msg = {'janus': 'message', 'body': body}
        if jsep:
            msg['jsep'] = jsep
        self.post(f'/{sid}/{hid}', msg)
        if jsep:   # the offer carries its candidates: say there are no more
            self.post(f'/{sid}/{hid}', {'janus': 'trickle', 'candidate': {'completed': True}})
        for _ in range(20):
            r = json.load(urllib.request.urlopen(f'{self.base}/{sid}?maxev=1', timeout=40))
            r = r[0] if isinstance(r, list) and r else r
            if r.get('janus') == 'event':
                data = r['plugindata']['data']
                if 'error' in data:
                    raise RuntimeError(f'janus: {data["error"]}')
                if 'jsep' in r:
                    return r
        raise RuntimeError('janus: no answer')


async def janus_captures():
    from aiortc import RTCPeerConnection, RTCSessionDescription
    from aiortc.mediastreams import AudioStreamTrack
    port = 18000 + random.randrange(1000)
    with tempfile.TemporaryDirectory() as cfg:
        with open(os.path.join(cfg, 'janus.jcfg'), 'w') as f:
            f.write(JANUS_CONFIG % {'dir': cfg})
        with open(os.path.join(cfg, 'janus.transport.http.jcfg'), 'w') as f:
            f.write(JANUS_HTTP % {'port': port})
        for plugin in ('echotest', 'videoroom'):   # room 1234 is in the default
            shutil.copy(f'/etc/janus/janus.plugin.{plugin}.jcfg', cfg)
        proc = subprocess.Popen(['janus', '-F', cfg, '-C', os.path.join(cfg, 'janus.jcfg')],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            j = Janus(port)
            for _ in range(50):
                try:
                    j.post('', {'janus': 'info'})
                    break
                except OSError:
                    await asyncio.sleep(0.2)
            sid, hid = j.attach('janus.plugin.echotest')
            r = j.message(sid, hid, {'audio': True},
                          {'type': 'offer', 'sdp': read('chromium-offer')})
            write('janus-echotest-answer', r['jsep']['sdp'])

            # A VideoRoom subscriber's offer needs a publisher that is up:
            # aiortc publishes for real (ICE and DTLS over the local address).
            pc = RTCPeerConnection()
            pc.addTrack(AudioStreamTrack())
            await pc.setLocalDescription(await pc.createOffer())
            sid, hid = j.attach('janus.plugin.videoroom')
            r = await asyncio.to_thread(
                j.message, sid, hid, {'request': 'joinandconfigure', 'room': 1234,
                                      'ptype': 'publisher', 'display': 'capture'},
                {'type': 'offer', 'sdp': pc.localDescription.sdp})
            write('janus-videoroom-answer', r['jsep']['sdp'])
            await pc.setRemoteDescription(RTCSessionDescription(r['jsep']['sdp'], 'answer'))
            for _ in range(100):
                if pc.connectionState == 'connected':
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(1)
            sid2, hid2 = j.attach('janus.plugin.videoroom')
            r = await asyncio.to_thread(
                j.message, sid2, hid2, {'request': 'join', 'room': 1234, 'ptype': 'subscriber',
                                        'streams': [{'feed': r['plugindata']['data']['id']}]})
            write('janus-videoroom-offer', r['jsep']['sdp'])
            await pc.close()
        finally:
            proc.terminate()
            proc.wait(10)


def main():
    global PORT
    if len(sys.argv) > 1 and sys.argv[1] == '--webrtcbin':
        webrtcbin(*sys.argv[2:])
        return
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Pages)
    PORT = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()

    chromium('chromium-offer', 'mode=offer&name=chromium-offer')
    chromium('chromium-offer-av', 'mode=offer&name=chromium-offer-av&video=1')
    firefox('firefox-offer', 'mode=offer&name=firefox-offer')
    firefox('firefox-answer', 'mode=answer&name=firefox-answer&from=chromium-offer')
    asyncio.run(aiortc_offer_answer())
    chromium('chromium-answer', 'mode=answer&name=chromium-answer&from=aiortc-offer')
    me = [sys.executable, os.path.abspath(__file__), '--webrtcbin']
    env = dict(os.environ, SDP_CAPTURE_OUT=OUT)
    subprocess.run(me + ['offer', 'webrtcbin-offer'], check=True, timeout=60, env=env)
    subprocess.run(me + ['answer', 'webrtcbin-answer', 'chromium-offer'], check=True,
                   timeout=60, env=env)
    asyncio.run(janus_captures())
    server.shutdown()


if __name__ == '__main__':
    main()
