/* One encoded stream to many WHEP viewers: a transport (transport.h) that
 * the send worker sees as one output, in clear (its session's keying is
 * suite none), and that hands every packet to each viewer protected with
 * that viewer's own SRTP keys.  So a stream is encoded ONCE however many
 * browsers play it: a viewer costs a copy, an SRTP protect and a send
 * (about 2 us a packet here), never an Opus encoder (about 400 us a 20 ms
 * frame at complexity 10).
 *
 * Per viewer the payload type is rewritten to the one its offer chose
 * (Chrome 111, Firefox 109, aiortc 96), and the RFC 6464 extension id to
 * its own, so one packet fits every viewer.
 *
 * Threads: send from the send worker; add and remove from the GLib thread
 * (the endpoint's HTTP handlers).  A mutex guards the viewer list; it is
 * held for one packet's fan-out, never by a real-time thread.  Nothing is
 * received through it (fd -1): each viewer's RTCP stays on its own
 * transport, which the endpoint drains. */
#ifndef CALLBRIDGE_ENDPOINT_FANOUT_H
#define CALLBRIDGE_ENDPOINT_FANOUT_H

#include <stdatomic.h>
#include <stdint.h>

#include "crypto/keying.h"
#include "transport/transport.h"

#define CB_FANOUT_MAX 64

/* Written by the send worker, read by status. */
struct cb_fanout_counters {
	atomic_uint_fast64_t packets;		/* RTP and RTCP sent to this viewer */
	atomic_uint_fast64_t no_key;		/* dropped before its DTLS finished */
	atomic_uint_fast64_t errors;		/* protect or send failed */
};

struct cb_fanout_viewer {
	struct cb_transport *transport;		/* borrowed: DTLS around ICE */
	struct cb_keying *keying;		/* borrowed: its DTLS keys */
	uint8_t payload_type;			/* the viewer's, from its offer */
	int audio_level_ext_id;			/* its own, 0: leave the packet's */
	struct cb_fanout_counters *counters;	/* borrowed */
};

int cb_fanout_new(struct cb_transport **out, int audio_level_ext_id);
/* -ENOSPC when full.  The viewer's structures must stay until removed. */
int cb_fanout_add(struct cb_transport *t, const struct cb_fanout_viewer *viewer);
/* After this returns no packet goes to `transport` any more. */
void cb_fanout_remove(struct cb_transport *t, struct cb_transport *transport);
uint32_t cb_fanout_count(struct cb_transport *t);
/* Whether t is a fan-out transport. */
bool cb_is_fanout(struct cb_transport *t);

#endif
