#!/usr/bin/python3
"""WHIP/WHEP client on GStreamer's webrtcbin (a second independent DTLS,
SRTP and ICE stack, libnice and OpenSSL under GStreamer's own code):

  /usr/bin/python3 tests/lib/gst_whip_client.py publish URL --token T [--tone-hz 440] [--seconds 5]
  /usr/bin/python3 tests/lib/gst_whip_client.py play URL --token T --record FILE.wav [--seconds 5]

POSTs a non-trickle offer (sendonly Opus from audiotestsrc, or recvonly),
sets the answer, streams or records for --seconds once connected, then
DELETEs.  Prints one JSON line; exit 0, 3 when refused, 5 when no
connection came."""
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urljoin

import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

import argparse  # noqa: E402


def request(method, url, token, body=None, ctype=None):
    req = urllib.request.Request(url, data=body.encode() if body else None, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("publish", "play"))
    ap.add_argument("url")
    ap.add_argument("--token", required=True)
    ap.add_argument("--tone-hz", type=float, default=440.0)
    ap.add_argument("--record")
    ap.add_argument("--seconds", type=float, default=5.0)
    a = ap.parse_args()
    Gst.init(None)
    out = {"mode": a.mode}
    if a.mode == "publish":
        pipe = Gst.parse_launch(
            "webrtcbin name=w bundle-policy=max-bundle audiotestsrc is-live=true wave=sine "
            "freq=%g volume=0.25 ! audioconvert ! audioresample ! opusenc ! rtpopuspay pt=111 ! "
            "application/x-rtp,media=audio,encoding-name=OPUS,payload=111 ! w." % a.tone_hz)
        w = pipe.get_by_name("w")
    else:
        pipe = Gst.Pipeline.new("play")
        w = Gst.ElementFactory.make("webrtcbin", "w")
        w.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
        pipe.add(w)
        caps = Gst.Caps.from_string("application/x-rtp,media=audio,encoding-name=OPUS,"
                                    "payload=111,clock-rate=48000,encoding-params=(string)2")
        w.emit("add-transceiver", GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY, caps)

        def on_pad(_, pad):
            if pad.direction != Gst.PadDirection.SRC:
                return
            sink = Gst.parse_bin_from_description(
                "rtpopusdepay ! opusdec ! audioconvert ! audioresample ! "
                "audio/x-raw,rate=48000,channels=2,format=S16LE ! wavenc ! "
                "filesink location=%s" % a.record, True)
            pipe.add(sink)
            sink.sync_state_with_parent()
            pad.link(sink.get_static_pad("sink"))
            out["track"] = True
        w.connect("pad-added", on_pad)

    loop = GLib.MainLoop()
    state = {"connected": threading.Event(), "gathered": threading.Event()}

    def on_ice_state(obj, _):
        s = obj.get_property("ice-connection-state")
        out.setdefault("ice", []).append(s.value_nick)
        if s in (GstWebRTC.WebRTCICEConnectionState.CONNECTED,
                 GstWebRTC.WebRTCICEConnectionState.COMPLETED):
            state["connected"].set()

    def on_gathering(obj, _):
        if obj.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            state["gathered"].set()

    w.connect("notify::ice-connection-state", on_ice_state)
    w.connect("notify::ice-gathering-state", on_gathering)
    result = {}

    def on_offer(promise, _):
        reply = promise.get_reply()  # keep it: the offer lives in it
        offer = reply.get_value("offer")
        w.emit("set-local-description", offer, Gst.Promise.new())

    def negotiate():
        # Once: webrtcbin may ask again while the first offer is in flight.
        if result.get("offered"):
            return
        result["offered"] = True
        w.emit("create-offer", None, Gst.Promise.new_with_change_func(on_offer, None))

    w.connect("on-negotiation-needed", lambda *_: negotiate())
    threading.Thread(target=loop.run, daemon=True).start()
    pipe.set_state(Gst.State.PLAYING)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (
            state["gathered"].is_set() and w.get_property("local-description") is not None):
        time.sleep(0.05)
    if w.get_property("local-description") is None:
        out["error"] = "no offer"
        print(json.dumps(out), flush=True)
        sys.exit(5)
    sdp = w.get_property("local-description").sdp.as_text()
    status, headers, body = request("POST", a.url, a.token, sdp, "application/sdp")
    out["status"] = status
    if status != 201:
        out["error"] = body.strip()
        print(json.dumps(out), flush=True)
        pipe.set_state(Gst.State.NULL)
        sys.exit(3)
    location = urljoin(a.url, {k.lower(): v for k, v in headers.items()}["location"])
    res, msg = GstSdp.SDPMessage.new_from_text(body)
    answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, msg)
    w.emit("set-remote-description", answer, Gst.Promise.new())
    code = 0
    if not state["connected"].wait(15):
        out["error"], code = "no connection", 5
    else:
        time.sleep(a.seconds)
    out["delete_status"] = request("DELETE", location, a.token)[0]
    pipe.send_event(Gst.Event.new_eos())
    time.sleep(0.5)
    pipe.set_state(Gst.State.NULL)
    print(json.dumps(out), flush=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
