/* One session of a call: a transport, the keys it is protected with, the
 * RTP session its senders and receivers share, and what both sides said
 * (session descriptions).  The bridge owns a list of them and never asks
 * which kind of transport one has; the streams and remotes name the
 * session that carries them (today: transport = udp or ice make exactly
 * one, from the config; WHIP and WHEP will make one per published stream
 * and per played resource).
 *
 * Made and ended on the main thread.  The workers reach the transport,
 * keying and RTP session through their outputs and inputs. */
#ifndef CALLBRIDGE_CALL_SESSION_H
#define CALLBRIDGE_CALL_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "crypto/keying.h"
#include "rtp/rtp-session.h"
#include "session/session-desc.h"
#include "transport/ice-transport.h"
#include "transport/transport.h"
#include "whip/whip-session.h"

struct cb_call_session {
	struct cb_transport *transport;
	struct cb_ice_transport *ice;	/* the same transport's ICE side, or NULL */
	struct cb_whip_session *whip;	/* transport = webrtc: its WHIP or WHEP session */
	char name[CB_NAME_MAX + 1];	/* for status: the stream or remote it carries */
	struct cb_keying keying;
	struct cb_rtp_session rtp;
	struct cb_session_desc local;	/* ours: what the SDP file says */
	struct cb_session_desc remote;	/* the peer's, as far as it is known */
	bool receiving;			/* a key to authenticate the peer with */
	/* Main thread: ended while the call goes on (cb_call_session_end),
	 * its DELETE waited for until then (monotonic ns); 0: not ending. */
	uint64_t end_deadline_ns;

	/* Main thread: gathering as last logged and written to the SDP. */
	char ice_candidates[1024];
	uint32_t ice_gatherings;
};

/* The call's one session of transport = udp or ice, from the config: binds
 * or starts gathering, and hands the keys of the file (or a fresh random
 * sending key) to its keying.  On failure a reason in err. */
int cb_call_session_open(struct cb_call_session **out, const struct cb_config *config,
			 char *err, size_t err_len);
/* transport = webrtc: a session of its own for one stream (WHIP) or one
 * remote (WHEP); keys come from its DTLS handshake.  config's keying is
 * ignored: the session's own is used. */
int cb_call_session_open_whip(struct cb_call_session **out, const char *name,
			      const struct cb_whip_session_config *config, char *err,
			      size_t err_len);
/* [endpoint]: a session whose peers are browsers at callbridge's own
 * WHIP path (a publisher slot, keyed by each publisher's DTLS) or WHEP
 * path (a fan-out to the viewers: the session itself sends in clear, the
 * fan-out protects per viewer).  Takes transport over. */
int cb_call_session_open_endpoint(struct cb_call_session **out, const char *name,
				  struct cb_transport *transport, bool whep);
/* Ends the session (a WHIP/WHEP one with a DELETE, waited for a moment). */
void cb_call_session_close(struct cb_call_session *s);
/* Ends it without waiting: a WHIP/WHEP session sends its DELETE and stops
 * recovering; cb_call_session_end_done() turns true once the server
 * answered or the wait ran out, and cb_call_session_close() then frees it
 * at once (before that it waits what is left of the bounded moment). */
void cb_call_session_end(struct cb_call_session *s, uint64_t now_ns);
bool cb_call_session_end_done(struct cb_call_session *s, uint64_t now_ns);

/* The ICE transport's parameters for transport = ice (the caller wipes
 * them: they hold passwords). */
void cb_call_session_ice_params(struct cb_ice_params *p, const struct cb_config *config);

/* The address to show for status and logs: the bound socket, or the
 * configured local address under ICE. */
const char *cb_call_session_local_text(struct cb_call_session *s);

#endif
