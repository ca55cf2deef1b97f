/* A browser's offer to a WHIP or WHEP endpoint, judged and answered
 * (RFC 9725 section 4.2; JSEP, RFC 8829 section 5.3).  Pure: text in,
 * verdict and answer out, so the fuzzer and the unit tests drive it
 * without a network.
 *
 * The verdict follows what RFC 9725 and browsers expect:
 * - 400: not SDP at all (the parser's line and reason);
 * - 406: no audio section, or audio without Opus (callbridge carries
 *   Opus audio only: a video-only offer is refused, not half answered);
 * - 422: more than one audio section (RFC 9725: one track of a kind), no
 *   ICE credentials or sha-256 fingerprint, a direction that cannot work
 *   (a WHIP offer that will not send, a WHEP one that will not receive),
 *   no BUNDLE-able transport (rtcp-mux is required).
 * Other sections (video, data) are answered rejected (port 0), as JSEP
 * requires, so an OBS offer with audio and video still gets its audio. */
#ifndef CALLBRIDGE_ENDPOINT_OFFER_H
#define CALLBRIDGE_ENDPOINT_OFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls/dtls-session.h"
#include "session/session-desc.h"

#define CB_OFFER_MAX 16384		/* larger bodies get 413 before this */
#define CB_OFFER_REJECTED_MAX 2048

/* What the path serves. */
struct cb_offer_terms {
	bool whep;			/* we send (WHEP) or receive (WHIP) */
	struct cb_session_media media;	/* channels, ptime, ssrc, fec, level id */
};

struct cb_offer_result {
	unsigned int status;		/* 0: accepted, else the HTTP status */
	char reason[256];
	struct cb_session_desc peer;	/* the offer's facts (secret: ICE pwd) */
	struct cb_session_media ours;	/* the answer's audio section */
	enum cb_dtls_role role;		/* ours: client when the offer says actpass */
	/* Rejected sections, as SDP lines, before and after the audio one. */
	char rejected_before[CB_OFFER_REJECTED_MAX];
	char rejected_after[CB_OFFER_REJECTED_MAX];
};

/* Always fills r (status and reason on refusal); returns 0 or -EINVAL. */
int cb_offer_check(const char *text, size_t len, const struct cb_offer_terms *terms,
		   struct cb_offer_result *r);

/* The answer: ours (ICE credentials and candidates, fingerprint, setup
 * from r->role) for the accepted audio section, the rejected sections
 * around it.  Returns the length or a negative errno. */
int cb_offer_answer(const struct cb_offer_result *r, const struct cb_session_desc *ours_desc,
		    char *buf, size_t cap);

#endif
