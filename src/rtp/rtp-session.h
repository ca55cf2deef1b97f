/* One RTP session (RFC 3550 section 3): the SSRCs this side sends with in
 * it, and what the peer's receiver reports say about each.  Send and
 * receive share it: the send streams register their SSRCs, the receive
 * worker credits report blocks to them by SSRC, and status reads it.
 * Nothing here belongs to either worker, so neither writes into the
 * other's objects. */
#ifndef CALLBRIDGE_RTP_SESSION_H
#define CALLBRIDGE_RTP_SESSION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "rtp/rtcp.h"
#include "rtp/rtp-red.h"
#include "rtp/rtp-source.h"

#define CB_RTP_SESSION_MAX_SENDERS 64	/* CB_MAX_STREAMS: every stream may share one session (udp, ice) */

/* What the peer's receiver reports say about one of our SSRCs. Written by
 * the receive worker, read by anyone. */
struct cb_rtp_feedback {
	atomic_uint_fast32_t fraction_lost;	/* 1/256 units */
	atomic_int_fast32_t cumulative_lost;
	atomic_int_fast64_t rtt_us;		/* -1 until known */
	atomic_uint_fast64_t reports;
};

struct cb_rtp_sender {
	atomic_uint_fast32_t ssrc;
	atomic_bool used;
	struct cb_rtp_feedback feedback;
};

struct cb_rtp_session {
	struct cb_rtp_sender senders[CB_RTP_SESSION_MAX_SENDERS];
	/* What the session description settled, where it may differ from the
	 * config: a WHIP/WHEP server's answer or counter-offer names the
	 * payload type and RFC 6464 extension id that both sides then use
	 * (RFC 3264 section 6.1).  -1: as configured.  Set on the signalling
	 * thread, read by the workers per packet. */
	atomic_int payload_type;
	atomic_int audio_level_ext_id;
	/* RED (RFC 2198): -1 as configured (CB_RED_PAYLOAD_TYPE, sent when
	 * the stream's redundancy is above 0), CB_RTP_RED_OFF when the
	 * answer left red out (plain Opus goes out), else the negotiated
	 * payload type. Same threads as payload_type. */
	atomic_int red_payload_type;
};

#define CB_RTP_RED_OFF (-2)

void cb_rtp_session_init(struct cb_rtp_session *s);
/* The payload type to send and accept: the negotiated one, else configured. */
static inline uint8_t cb_rtp_session_payload_type(const struct cb_rtp_session *s,
						  uint8_t configured)
{
	int pt = s ? atomic_load_explicit(&s->payload_type, memory_order_relaxed) : -1;
	return pt >= 0 ? (uint8_t)pt : configured;
}
/* The level extension's id: negotiated (0: none), else configured. */
static inline int cb_rtp_session_level_ext_id(const struct cb_rtp_session *s, int configured)
{
	int id = s ? atomic_load_explicit(&s->audio_level_ext_id, memory_order_relaxed) : -1;
	return id >= 0 ? id : configured;
}

/* The RED payload type to send with, or -1 for plain Opus. */
static inline int cb_rtp_session_red_send_pt(const struct cb_rtp_session *s, uint32_t redundancy)
{
	int pt = s ? atomic_load_explicit(&s->red_payload_type, memory_order_relaxed) : -1;
	if (redundancy == 0 || pt == CB_RTP_RED_OFF)
		return -1;
	return pt >= 0 ? pt : CB_RED_PAYLOAD_TYPE;
}
/* The RED payload type taken on receive: RED is understood whatever this
 * side sends. */
static inline uint8_t cb_rtp_session_red_pt(const struct cb_rtp_session *s)
{
	int pt = s ? atomic_load_explicit(&s->red_payload_type, memory_order_relaxed) : -1;
	return pt >= 0 ? (uint8_t)pt : CB_RED_PAYLOAD_TYPE;
}

/* Registers an SSRC we send with (main thread; the receive worker may be
 * running: a slot is published with release order).  NULL when full. */
struct cb_rtp_feedback *cb_rtp_session_add_sender(struct cb_rtp_session *s, uint32_t ssrc);
void cb_rtp_session_remove_sender(struct cb_rtp_session *s, struct cb_rtp_feedback *f);

/* A report block from the peer about one of our SSRCs (receive worker);
 * false when the SSRC is not ours. */
bool cb_rtp_session_report_block(struct cb_rtp_session *s, const struct cb_rtcp_report_block *b,
				 uint64_t now_ntp);

void cb_rtp_feedback_init(struct cb_rtp_feedback *f);

#endif
