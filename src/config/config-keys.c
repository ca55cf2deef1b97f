/* callbridge: every key a call file may hold.
 *
 * The loader recognises keys, applies defaults and range-checks only through
 * this table, a reload decides what to do with a changed key only through
 * its reload column (reload-plan.c), `pw-callbridge --help-keys` prints it,
 * and test-manpage checks man/callbridge.ini.5 against it: adding a key here
 * is the whole job apart from storing its value (config-check.c), comparing
 * it (config-compare.c) and documenting it (the tests insist on all three).
 *
 * Defaults are written as a user would write them and go through the same
 * parser as the file, so a default can never disagree with the syntax.
 *
 * The reload column is where every reload decision comes from: FIXED
 * keys define the session (its addresses, its keys, its ICE agent, its
 * frame size), a RECREATE key changes what an encoder, a node or a jitter
 * buffer was made with, LIVE keys are read again in place.  A key file
 * (srtp-key-file, ...) behaves as the key it loads.  With transport =
 * webrtc a [stream] or [remote] is one WHIP or WHEP session: its URL and
 * token recreate it, a new session.
 */
#include "config/config.h"

#define SUITES "AES_CM_128_HMAC_SHA1_80|AES_CM_128_HMAC_SHA1_32|" \
	"AEAD_AES_128_GCM|AEAD_AES_256_GCM|none"

const struct cb_key_info cb_config_keys[] = {
	/* ---- [call] ---- */
	{ "call", "name", CB_KEY_TYPE_NAME, CB_RELOAD_FIXED, NULL, "[a-z0-9_-]{1,32}", 0, 0,
	  "Name of the call, used in PipeWire node names and the default SDP file name; required." },
	{ "call", "transport", CB_KEY_TYPE_ENUM, CB_RELOAD_FIXED, "udp", "udp|ice|webrtc", 0, 0,
	  "How packets travel: plain UDP to fixed addresses; ice: one ICE transport (libnice, STUN, TURN) set up by the [ice] section, all streams BUNDLEd with rtcp-mux; webrtc: each [stream] published as a WHIP session and each [remote] played from a WHEP one, keyed by DTLS-SRTP." },
	{ "call", "local", CB_KEY_TYPE_ADDRESS, CB_RELOAD_FIXED, "0.0.0.0:0", "HOST:PORT", 0, 65535,
	  "Local address RTP and RTCP (multiplexed) are bound to; port 0 picks any free port. With transport = ice it restricts the host candidates to this address and port (0.0.0.0 gathers every interface)." },
	{ "call", "remote", CB_KEY_TYPE_ADDRESS, CB_RELOAD_LIVE, NULL, "HOST:PORT", 1, 65535,
	  "Where streams are sent unless their [stream] section has its own remote." },
	{ "call", "srtp", CB_KEY_TYPE_ENUM, CB_RELOAD_FIXED, "AES_CM_128_HMAC_SHA1_80", SUITES, 0, 0,
	  "SRTP protection suite for both directions; none sends plain RTP. With transport = webrtc the one DTLS-SRTP profile to offer; without this key all four are offered, GCM first, and none is an error." },
	{ "call", "srtp-key", CB_KEY_TYPE_BASE64_KEY, CB_RELOAD_FIXED, NULL, "BASE64", 0, 0,
	  "Base64 master key and salt this side sends with; a random key is made at start when absent." },
	{ "call", "srtp-key-file", CB_KEY_TYPE_PATH, CB_RELOAD_FIXED, NULL, "PATH", 0, 0,
	  "File holding the base64 sending key instead of srtp-key; relative to the config file." },
	{ "call", "remote-srtp-key", CB_KEY_TYPE_BASE64_KEY, CB_RELOAD_FIXED, NULL, "BASE64", 0, 0,
	  "Base64 master key and salt the peer sends with, used to decrypt what it sends." },
	{ "call", "remote-srtp-key-file", CB_KEY_TYPE_PATH, CB_RELOAD_FIXED, NULL, "PATH", 0, 0,
	  "File holding the base64 key of the peer instead of remote-srtp-key; relative to the config file." },
	{ "call", "bearer-token-file", CB_KEY_TYPE_PATH, CB_RELOAD_FIXED, NULL, "PATH", 0, 0,
	  "transport = webrtc: file holding the token sent as \"Authorization: Bearer\" with every WHIP and WHEP request of a section without its own; relative to the config file, should be mode 600." },
	{ "call", "dtls-certificate-file", CB_KEY_TYPE_PATH, CB_RELOAD_FIXED, NULL, "PATH", 0, 0,
	  "transport = webrtc: PEM file with the DTLS certificate and its private key, for a fingerprint that stays; without it a fresh ECDSA P-256 one is made per run." },
	{ "call", "sdp-file", CB_KEY_TYPE_PATH, CB_RELOAD_LIVE, "", "PATH|none", 0, 0,
	  "Where the SDP describing the call is written; empty picks $XDG_RUNTIME_DIR/callbridge-NAME.sdp, none writes nothing." },
	{ "call", "stats-file", CB_KEY_TYPE_PATH, CB_RELOAD_LIVE, "", "PATH", 0, 0,
	  "A JSON file rewritten every second with the call's counters, for scripts and tests; empty writes none." },
	{ "call", "ptime", CB_KEY_TYPE_PTIME, CB_RELOAD_FIXED, "20", "2.5|5|10|20|40|60", 2.5, 60,
	  "Packet duration in milliseconds, one Opus frame per packet." },
	{ "call", "bundle", CB_KEY_TYPE_BOOL, CB_RELOAD_LIVE, "false", "true|false", 0, 0,
	  "Send streams without their own remote all to the call's remote port, told apart by SSRC (a callbridge peer); false sends them to consecutive even ports (port, port+2, ...), as plain RTP receivers such as ffmpeg need." },
	{ "call", "accept-unknown", CB_KEY_TYPE_BOOL, CB_RELOAD_LIVE, "true", "true|false", 0, 0,
	  "Play incoming streams whose SSRC matches no [remote] section, with [remote] defaults." },
	{ "call", "remote-timeout", CB_KEY_TYPE_INT, CB_RELOAD_LIVE, "10", "1..3600", 1, 3600,
	  "Seconds without packets after which an incoming stream is considered gone." },

	/* ---- [ice]: the ICE transport of transport = ice; with webrtc only
	 * the STUN and TURN keys and policy apply ---- */
	{ "ice", "role", CB_KEY_TYPE_ENUM, CB_RELOAD_FIXED, "controlling", "controlling|controlled", 0, 0,
	  "ICE role: the controlling side knows the other's address and nominates the pair; the controlled side may know nothing and learns the peer from its checks." },
	{ "ice", "ufrag", CB_KEY_TYPE_STRING, CB_RELOAD_FIXED, NULL, "4..256 ice-chars", 0, 0,
	  "This side's ICE username fragment (letters, digits, + and /), at least 4 characters; required." },
	{ "ice", "pwd", CB_KEY_TYPE_STRING, CB_RELOAD_FIXED, NULL, "22..256 ice-chars", 0, 0,
	  "This side's ICE password (letters, digits, + and /), at least 22 characters; required, never logged." },
	{ "ice", "remote-ufrag", CB_KEY_TYPE_STRING, CB_RELOAD_FIXED, NULL, "4..256 ice-chars", 0, 0,
	  "The other side's ICE username fragment (its ufrag); required." },
	{ "ice", "remote-pwd", CB_KEY_TYPE_STRING, CB_RELOAD_FIXED, NULL, "22..256 ice-chars", 0, 0,
	  "The other side's ICE password (its pwd); required." },
	{ "ice", "remote-candidates", CB_KEY_TYPE_STRING, CB_RELOAD_FIXED, "", "HOST:PORT[, ...]", 0, 0,
	  "Comma-separated addresses ([v6]:port for IPv6, at most 8) where the other side can be reached; may be empty on the controlled side, which learns the peer from its checks." },
	{ "ice", "stun-server", CB_KEY_TYPE_ADDRESS, CB_RELOAD_FIXED, NULL, "HOST:PORT", 1, 65535,
	  "STUN server used to learn this side's public (server-reflexive) address; resolved when the file is loaded." },
	{ "ice", "turn-server", CB_KEY_TYPE_ADDRESS, CB_RELOAD_FIXED, NULL, "HOST:PORT", 1, 65535,
	  "TURN server that relays media when no direct path works; resolved when the file is loaded." },
	{ "ice", "turn-transport", CB_KEY_TYPE_ENUM, CB_RELOAD_FIXED, "udp", "udp|tcp|tls", 0, 0,
	  "How this side talks to the TURN server." },
	{ "ice", "turn-username", CB_KEY_TYPE_STRING, CB_RELOAD_FIXED, NULL, "TEXT", 0, 0,
	  "TURN user name; required with turn-server." },
	{ "ice", "turn-password", CB_KEY_TYPE_STRING, CB_RELOAD_FIXED, NULL, "TEXT", 0, 0,
	  "TURN password; never logged. Prefer turn-password-file." },
	{ "ice", "turn-password-file", CB_KEY_TYPE_PATH, CB_RELOAD_FIXED, NULL, "PATH", 0, 0,
	  "File holding the TURN password instead of turn-password; relative to the config file, should be mode 600." },
	{ "ice", "policy", CB_KEY_TYPE_ENUM, CB_RELOAD_FIXED, "all", "all|relay", 0, 0,
	  "Which local candidates are used: all, or relay (only TURN relayed candidates, hiding this side's addresses)." },

	/* ---- [endpoint]: callbridge serves WHIP and WHEP to browsers ---- */
	{ "endpoint", "listen", CB_KEY_TYPE_ADDRESS, CB_RELOAD_FIXED, "0.0.0.0:8443", "HOST:PORT", 0, 65535,
	  "Address and port the WHIP/WHEP HTTP server listens on; port 0 picks a free one (logged). Bind to a LAN or VPN address rather than 0.0.0.0 where you can." },
	{ "endpoint", "tls", CB_KEY_TYPE_BOOL, CB_RELOAD_FIXED, "true", "true|false", 0, 0,
	  "Serve https; false serves plain http, for localhost or behind a reverse proxy that terminates TLS (browsers allow the microphone only on https or localhost)." },
	{ "endpoint", "tls-certificate-file", CB_KEY_TYPE_PATH, CB_RELOAD_FIXED, NULL, "PATH", 0, 0,
	  "PEM certificate (chain) for https, with tls-key-file; without both a self-signed certificate is made per run and its sha-256 fingerprint logged." },
	{ "endpoint", "tls-key-file", CB_KEY_TYPE_PATH, CB_RELOAD_FIXED, NULL, "PATH", 0, 0,
	  "PEM private key of tls-certificate-file, unencrypted; should be mode 600." },
	{ "endpoint", "bearer-token-file", CB_KEY_TYPE_PATH, CB_RELOAD_FIXED, NULL, "PATH", 0, 0,
	  "File holding the token guests present as \"Authorization: Bearer\" (the printed links carry it in the URL fragment); required, relative to the config file, should be mode 600." },
	{ "endpoint", "allow-origin", CB_KEY_TYPE_STRING, CB_RELOAD_FIXED, "", "ORIGIN|*", 0, 0,
	  "CORS: the Access-Control-Allow-Origin sent, for pages served from elsewhere; empty sends none (the guest page is same-origin and needs none)." },
	{ "endpoint", "page", CB_KEY_TYPE_BOOL, CB_RELOAD_FIXED, "true", "true|false", 0, 0,
	  "Serve the guest page at /: microphone, level meter, connection state, and the program if the link names one." },
	{ "endpoint", "consent-timeout", CB_KEY_TYPE_INT, CB_RELOAD_FIXED, "10", "2..120", 2, 120,
	  "Seconds without a packet from a guest or viewer (or after ICE failed) before its session is ended, as if it had sent DELETE." },
	{ "endpoint", "max-viewers", CB_KEY_TYPE_INT, CB_RELOAD_FIXED, "20", "1..64", 1, 64,
	  "WHEP viewers at most per stream; one more gets 503. Every viewer shares the stream's one encoder." },

	/* ---- [stream NAME]: an outgoing RTP stream ---- */
	{ "stream", "channels", CB_KEY_TYPE_INT, CB_RELOAD_RECREATE, "2", "1..2", 1, 2,
	  "Number of audio channels encoded." },
	{ "stream", "bitrate", CB_KEY_TYPE_INT, CB_RELOAD_LIVE, "64000", "6000..510000", 6000, 510000,
	  "Opus target bitrate in bits per second." },
	{ "stream", "fec", CB_KEY_TYPE_BOOL, CB_RELOAD_LIVE, "true", "true|false", 0, 0,
	  "Opus in-band forward error correction, so a lost packet can be rebuilt from the next." },
	{ "stream", "dtx", CB_KEY_TYPE_BOOL, CB_RELOAD_LIVE, "false", "true|false", 0, 0,
	  "Opus discontinuous transmission: send almost nothing during silence." },
	{ "stream", "expected-loss", CB_KEY_TYPE_INT, CB_RELOAD_LIVE, "10", "0..100", 0, 100,
	  "Packet loss in percent the encoder prepares for; tunes how much in-band FEC is sent." },
	{ "stream", "complexity", CB_KEY_TYPE_INT, CB_RELOAD_LIVE, "10", "0..10", 0, 10,
	  "Opus encoder complexity; lower uses less CPU for slightly worse quality." },
	{ "stream", "application", CB_KEY_TYPE_ENUM, CB_RELOAD_RECREATE, "auto", "auto|voip|audio|lowdelay", 0, 0,
	  "Opus application mode: voip favours speech, audio music, lowdelay the smallest delay; auto is lowdelay below 10 ms frames (CELT-only there anyway), audio from 10 ms up." },
	{ "stream", "payload-type", CB_KEY_TYPE_INT, CB_RELOAD_RECREATE, "111", "96..127", 96, 127,
	  "RTP payload type number of the stream." },
	{ "stream", "remote", CB_KEY_TYPE_ADDRESS, CB_RELOAD_LIVE, NULL, "HOST:PORT", 1, 65535,
	  "Destination of this stream; without it the stream goes to the call's remote." },
	{ "stream", "ssrc", CB_KEY_TYPE_SSRC, CB_RELOAD_RECREATE, NULL, "1..0xffffffff", 1, 4294967295.0,
	  "A fixed SSRC for the stream, decimal or 0x-prefixed hex, instead of a random one per run; written to the SDP file as a=ssrc with the cname. Two streams cannot share one." },
	{ "stream", "whip", CB_KEY_TYPE_URL, CB_RELOAD_RECREATE, NULL, "http(s)://HOST/PATH", 0, 0,
	  "transport = webrtc: the WHIP endpoint this stream is published to, as one session; with webrtc a stream needs whip or whep-endpoint." },
	{ "stream", "whep-endpoint", CB_KEY_TYPE_STRING, CB_RELOAD_RECREATE, NULL, "/PATH", 0, 0,
	  "transport = webrtc with [endpoint]: the path (such as /whep/program) where browsers play this stream over WHEP; any number of viewers share one encoder." },
	{ "stream", "bearer-token-file", CB_KEY_TYPE_PATH, CB_RELOAD_RECREATE, NULL, "PATH", 0, 0,
	  "transport = webrtc: file holding this stream's WHIP bearer token, instead of the call's; relative to the config file, should be mode 600." },
	{ "stream", "redundancy", CB_KEY_TYPE_INT, CB_RELOAD_LIVE, "0", "0..2", 0, 2,
	  "RFC 2198 redundancy (RED, red/48000/2 wrapping Opus, as WebRTC negotiates it): how many previous frames each packet carries again, so a lost packet is rebuilt from the next; 0 sends plain Opus. Helps where Opus in-band FEC cannot: frames below 10 ms are CELT-only and carry no FEC. With transport = webrtc red is offered only when above 0, and sent only when the answer keeps it." },

	/* ---- [track NAME]: a PipeWire sink node ---- */
	{ "track", "channels", CB_KEY_TYPE_INT, CB_RELOAD_RECREATE, "2", "1..2", 1, 2,
	  "Number of channels of the sink node." },
	{ "track", "stream", CB_KEY_TYPE_LIST, CB_RELOAD_LIVE, NULL, "NAME[,NAME...]", 1, CB_MAX_TRACK_STREAMS,
	  "Comma-separated streams (at most 4) the track is mixed into; without it the track gets a stream of its own named like the track." },
	{ "track", "gain", CB_KEY_TYPE_FLOAT, CB_RELOAD_LIVE, "0", "-60..24", -60, 24,
	  "Gain in dB applied before mixing." },
	{ "track", "ignore-audio-level", CB_KEY_TYPE_BOOL, CB_RELOAD_LIVE, "false", "true|false", 0, 0,
	  "Leave this track out of the speaking detection (RTP audio level)." },
	{ "track", "speaking-hangover", CB_KEY_TYPE_INT, CB_RELOAD_LIVE, "500", "0..10000", 0, 10000,
	  "Milliseconds a track still counts as speaking after its level drops." },
	{ "track", "file", CB_KEY_TYPE_PATH, CB_RELOAD_LIVE, NULL, "PATH", 0, 0,
	  "An audio file (WAV, FLAC, Ogg, MP3, any rate) played into the track from the start, mixed with what apps play into it; relative to the config file. It must open and decode when the file is loaded." },
	{ "track", "loop", CB_KEY_TYPE_BOOL, CB_RELOAD_LIVE, "false", "true|false", 0, 0,
	  "Play the track's file again and again, with no gap at the seam." },
	{ "track", "capture", CB_KEY_TYPE_TARGET, CB_RELOAD_LIVE, NULL, "default|NODE", 0, 0,
	  "A source the bridge links into the track: default follows the session manager's default source, anything else is a node.name; linked at start and again whenever either side comes back." },
	{ "track", "capture-channels", CB_KEY_TYPE_CHANNELS, CB_RELOAD_LIVE, NULL, "CHANNEL[,CHANNEL]", 1, CB_MAX_CAPTURE_CHANNELS,
	  "Which of the capture source's channels feed the track (FL, FR, MONO, AUX0, ...): one for every channel of the track, or one per channel in order; without it they are matched by position." },
	{ "track", "echo-cancel", CB_KEY_TYPE_LIST, CB_RELOAD_LIVE, "false", "true|false|NAME[,NAME...]", 1, CB_MAX_ECHO_REMOTES,
	  "Cancel the call's own far end from the track (a microphone that hears the call's speakers): true takes what every remote node plays, mixed; or a list of [remote] names (at most 4)." },
	{ "track", "echo-delay", CB_KEY_TYPE_STRING, CB_RELOAD_LIVE, "auto", "auto|0..500", 0, CB_ECHO_DELAY_MAX,
	  "The far end's delay from leaving the bridge to the track, in ms, when the room and device latency are known; auto finds it (delay-agnostic estimation)." },
	{ "track", "noise-suppression", CB_KEY_TYPE_ENUM, CB_RELOAD_LIVE, "off", "off|low|moderate|high|very-high", 0, 0,
	  "Stationary noise suppression (fans, hum, hiss) and how hard it works." },
	{ "track", "gain-control", CB_KEY_TYPE_BOOL, CB_RELOAD_LIVE, "false", "true|false", 0, 0,
	  "Adaptive digital gain control: brings a quiet or uneven voice toward gain-target, with a limiter." },
	{ "track", "gain-target", CB_KEY_TYPE_INT, CB_RELOAD_LIVE, "-3", "-31..0", -31, 0,
	  "The level gain-control aims the voice's peaks at, in dBFS." },
	{ "track", "high-pass", CB_KEY_TYPE_BOOL, CB_RELOAD_LIVE, "false", "true|false", 0, 0,
	  "Take out rumble and DC below about 80 Hz." },

	/* ---- [remote NAME]: an incoming stream ---- */
	{ "remote", "channels", CB_KEY_TYPE_INT, CB_RELOAD_RECREATE, "1", "1..2", 1, 2,
	  "Number of channels of the source node the stream is played into." },
	{ "remote", "ssrc", CB_KEY_TYPE_SSRC, CB_RELOAD_RECREATE, NULL, "0..0xffffffff", 0, 4294967295.0,
	  "SSRC of the incoming stream this section describes, decimal or 0x-prefixed hex." },
	{ "remote", "peer-stream", CB_KEY_TYPE_NAME, CB_RELOAD_RECREATE, NULL, "[a-z0-9_-]{1,32}", 0, 0,
	  "The name of the peer's stream this section plays (a callbridge peer's [stream] name, sent in RTCP SDES as the MID), whatever its SSRC." },
	{ "remote", "payload-type", CB_KEY_TYPE_INT, CB_RELOAD_RECREATE, "111", "96..127", 96, 127,
	  "RTP payload type expected from the peer." },
	{ "remote", "latency", CB_KEY_TYPE_INT, CB_RELOAD_RECREATE, "5", "1..1000", 1, 1000,
	  "Jitter buffer target in milliseconds." },
	{ "remote", "playback", CB_KEY_TYPE_TARGET, CB_RELOAD_LIVE, NULL, "default|NODE", 0, 0,
	  "A sink the bridge links the remote's node into: default follows the session manager's default sink, anything else is a node.name; linked whenever the node appears and again whenever either side comes back." },
	{ "remote", "whep", CB_KEY_TYPE_URL, CB_RELOAD_RECREATE, NULL, "http(s)://HOST/PATH", 0, 0,
	  "transport = webrtc: the WHEP resource played into this remote's node; with webrtc a remote needs whep or whip-endpoint." },
	{ "remote", "whip-endpoint", CB_KEY_TYPE_STRING, CB_RELOAD_RECREATE, NULL, "/PATH", 0, 0,
	  "transport = webrtc with [endpoint]: the path (such as /whip/guest) where one browser at a time publishes into this remote's node; a second gets 409." },
	{ "remote", "bearer-token-file", CB_KEY_TYPE_PATH, CB_RELOAD_RECREATE, NULL, "PATH", 0, 0,
	  "transport = webrtc: file holding this remote's WHEP bearer token, instead of the call's; relative to the config file, should be mode 600." },
};

const size_t cb_config_n_keys = sizeof(cb_config_keys) / sizeof(cb_config_keys[0]);

const char *cb_reload_name(enum cb_reload reload)
{
	switch (reload) {
	case CB_RELOAD_FIXED:
		return "fixed";
	case CB_RELOAD_LIVE:
		return "live";
	case CB_RELOAD_RECREATE:
		return "recreates";
	}
	return NULL;
}
