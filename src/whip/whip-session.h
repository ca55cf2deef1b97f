/* One WHIP or WHEP session (RFC 9725): an ICE transport with a DTLS layer
 * around it, keyed into the caller's keying object, and the HTTP client
 * that negotiates it.
 *
 * It outlives the server's resource: when the path breaks (ICE fails,
 * the server falls silent, DTLS fails) or a POST finds no server, it
 * restarts ICE with new credentials, resets DTLS and POSTs a new offer,
 * with a growing pause (1 s to 30 s), after a best-effort DELETE of the
 * old resource.  The transport the workers hold stays the same object,
 * so nodes, SSRCs and sequence numbers carry on.  401/403 and refused
 * offers are final.  WHIP publishes one of the call's streams (one audio
 * m-line, sendonly); WHEP plays one resource (recvonly).
 *
 * The media workers use cb_whip_session_transport() like any other
 * transport from the start: until DTLS has keys they drop and count what
 * they would send, so nothing leaves in clear.
 *
 * Made, asked and closed from the main thread; all of its work runs on
 * the GLib thread (doc/threads.md). */
#ifndef CALLBRIDGE_WHIP_SESSION_H
#define CALLBRIDGE_WHIP_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/keying.h"
#include "rtp/rtp-session.h"
#include "dtls/certificate.h"
#include "session/session-desc.h"
#include "transport/ice-params.h"
#include "transport/transport.h"
#include "whip/whip-client.h"

struct cb_whip_session_config {
	bool whep;
	char url[CB_WHIP_URL_MAX];
	char token[CB_WHIP_TOKEN_MAX];		/* secret; "" for none */
	/* Servers, policy, local address and the name for logs; this side's
	 * credentials are made per session. */
	struct cb_ice_params ice;
	const struct cb_dtls_certificate *certificate;	/* borrowed */
	uint32_t suites;			/* SRTP profiles to offer; 0: all four */
	struct cb_session_media media;		/* our m-line (mid, Opus, SSRC) */
	char name[64];				/* the call */
	char cname[128];
	struct cb_keying *keying;		/* borrowed: DTLS puts keys here */
	struct cb_rtp_session *rtp;		/* borrowed: the answer's payload type
						 * and level id go here (may be NULL) */
};

/* What status shows of a session. */
struct cb_whip_info {
	const char *kind;			/* "whip", "whep" */
	char url[CB_WHIP_URL_MAX];		/* without its query */
	const char *http_state;
	unsigned int http_status;
	char failure[200];			/* the last one, kept until keys flow again */
	uint32_t recoveries;			/* sessions POSTed anew after a break */
	/* The answer's choices, once answered. */
	bool answered;
	uint8_t payload_type;
	int audio_level_ext_id;
	uint32_t remote_ssrc;			/* WHEP: the SSRC the server sends with */
};

struct cb_whip_session;

/* Starts gathering and posts the offer. On failure a reason in err. */
int cb_whip_session_new(struct cb_whip_session **out, const struct cb_whip_session_config *config,
			char *err, size_t err_len);
/* DELETEs the resource (waiting at most wait_ms for the answer), then
 * frees everything. */
void cb_whip_session_close(struct cb_whip_session *s, uint32_t wait_ms);
/* Sends the DELETE and returns at once: the session no longer retries or
 * posts anew; cb_whip_session_ended() says when the server answered (or
 * there was nothing to delete), and cb_whip_session_close() then frees it
 * without a second DELETE.  For a session ended while the call goes on
 * (a reload removed its stream or remote). */
void cb_whip_session_end(struct cb_whip_session *s);
bool cb_whip_session_ended(struct cb_whip_session *s);

struct cb_transport *cb_whip_session_transport(struct cb_whip_session *s);
void cb_whip_session_info(struct cb_whip_session *s, struct cb_whip_info *info);

#endif
