/* Receive-side jitter buffer for one incoming RTP audio stream.
 *
 * Packets go in as they arrive (late, early, twice or never); slots come out
 * in playout order, one after the other, along a timeline that has no holes:
 * each slot says what audio to produce next (decode a packet, decode the next
 * packet's in-band FEC, conceal, or output silence while buffering) and for
 * how many samples. The buffer knows nothing about the codec beyond each
 * packet's duration, which the caller supplies; the actions map directly onto
 * Opus (opus_decode, decode_fec=1, PLC with data=NULL).
 *
 * Timing: the buffer measures its margin, how far the playout point trails
 * the sender's timeline as seen through the least-delayed recent packets,
 * i.e. how much extra network delay the packet for the next slot may have
 * and still make it. The target is a margin: it starts at target_ms, grows
 * at once when packets arrive later than the margin absorbs (all but a few
 * outliers: one packet in 256 over the last 4 s, at most 7; none at 20 ms
 * frames), and comes back once the path has been calm for 10 s. The latency is the margin plus the
 * audio the caller has queued; playing starts when it reaches
 * target_samples() (the target margin plus how far ahead the caller pulls).
 * A cb_rate_control fed with latency() and target_samples() keeps it there
 * against clock drift and takes it down gently after the target drops;
 * concealment stretched in when the target grows or while an empty buffer
 * waits for a late packet (up to the target), and DTX gaps cut short
 * when the latency is above it, do the coarse work.
 *
 * Not thread-safe: one thread puts and gets. No allocation after new(). */
#ifndef CALLBRIDGE_JITTER_BUFFER_H
#define CALLBRIDGE_JITTER_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest payload put() accepts: anything bigger did not fit a UDP datagram
 * on an Ethernet path in the first place. */
#define CB_JITTER_MAX_PAYLOAD 1500

struct cb_jitter_buffer;

struct cb_jitter_buffer_config {
	uint32_t clock_rate;	/* RTP clock rate, 48000 for Opus */
	uint32_t target_ms;	/* latency kept while the path is calm: the floor of the adaptive target */
	uint32_t max_ms;	/* hard cap: packets further ahead of the playout point are dropped;
				 * the adaptive target stays below 3/4 of it */
};

enum cb_jitter_action {
	CB_JITTER_PLAY,		/* decode payload (samples = its duration) */
	CB_JITTER_FEC,		/* payload is the packet AFTER the missing one: decode its in-band FEC,
				 * opus_decode(decode_fec=1, frame_size=samples); without LBRR data
				 * Opus falls back to PLC by itself */
	CB_JITTER_CONCEAL,	/* packet loss concealment for samples: opus_decode(NULL) */
	CB_JITTER_SILENCE,	/* (re)buffering: output samples of silence, leave the decoder alone */
};

struct cb_jitter_slot {
	enum cb_jitter_action action;
	const uint8_t *payload;	/* PLAY, FEC; NULL otherwise. Valid until the next put or get. */
	size_t len;
	uint32_t samples;	/* audio to produce, at clock_rate; a multiple of 2.5 ms unless the
				 * sender's packets are not */
	uint32_t timestamp;	/* RTP timestamp at which this slot starts on the sender's timeline */
	uint32_t advance;	/* how far this slot moved along the sender's timeline: == samples,
				 * except 0 for SILENCE while buffering, for CONCEAL inserted to
				 * deepen the buffer and for CONCEAL while the buffer waits, empty,
				 * for a late packet, and > samples when part of a DTX gap was skipped
				 * to shrink it. The next slot's timestamp is timestamp + advance. */
	uint32_t ssrc;
	bool new_stream;	/* first audio slot of a new stream (start, SSRC change): reset the
				 * decoder before using this slot */
};

struct cb_jitter_stats {
	uint64_t received;		/* packets of the current stream, duplicates excluded */
	uint64_t duplicates;		/* put() returned -EALREADY */
	uint64_t late;			/* put() returned -ETIME: its slot had been played or concealed */
	uint64_t reordered;		/* arrived after a packet with a higher sequence number */
	uint64_t lost;			/* sequence numbers passed without their packet (FEC-recovered
					 * ones included); counted once the gap is known to be a loss
					 * rather than DTX */
	uint64_t concealed;		/* CONCEAL slots handed out, for any reason */
	uint64_t fec_recovered;		/* FEC slots handed out */
	uint64_t red_recovered;		/* PLAY slots of frames that came only as an RFC 2198
					 * redundant copy, their own packet lost */
	uint64_t dropped_overflow;	/* put() returned -ENOSPC */
	uint64_t stale;			/* put() returned -ESTALE: the previous SSRC, after a switch */
	uint64_t ssrc_changes;
	uint64_t resyncs;		/* timeline restarted: sequence/timestamp jump or long outage */
	uint64_t underruns;		/* buffer ran empty while playing and the missing audio then
					 * arrived too late to play */
	uint64_t stretched;		/* CONCEAL slots inserted to grow the buffer towards the target */
	uint64_t skipped_samples;	/* DTX gap samples skipped to shrink the buffer */
	uint32_t jitter;		/* RFC 3550 interarrival jitter, timestamp units */
	uint32_t depth_ms;		/* buffered audio ahead of the playout point */
	uint32_t target_ms;		/* current adaptive target margin (target_ms when calm) */
	uint32_t peak_delay_ms;		/* largest delay over the fastest recent packet, last few seconds */
	uint32_t pull_ahead_ms;		/* most audio the caller held queued at a get(), lately */
};

/* Returns 0, -EINVAL for a config that cannot work, -ENOMEM. */
int cb_jitter_buffer_new(struct cb_jitter_buffer **out, const struct cb_jitter_buffer_config *config);
void cb_jitter_buffer_free(struct cb_jitter_buffer *jb);

/* Forgets the stream and the statistics, as if newly created. */
void cb_jitter_buffer_reset(struct cb_jitter_buffer *jb);

/* Stores one packet (after SRTP unprotect). samples is its duration,
 * opus_packet_get_nb_samples() for Opus; arrival_ns is a monotonic clock
 * reading, the same clock get() is given. The payload is copied.
 * Returns 0 when stored, or:
 *  -EALREADY  duplicate of a packet stored or played
 *  -ETIME     too late: its slot was already played, recovered or concealed
 *  -ENOSPC    too far ahead of the playout point (max_ms, or storage full)
 *  -ESTALE    from the SSRC that was replaced a moment ago
 *  -EINVAL    empty or oversized payload, or an implausible duration
 * A packet from a new SSRC restarts the buffer: nothing of the old stream is
 * handed out after it. */
int cb_jitter_buffer_put(struct cb_jitter_buffer *jb, uint32_t ssrc, uint16_t seq,
		uint32_t timestamp, const uint8_t *payload, size_t len, uint32_t samples,
		uint64_t arrival_ns);

/* A copy of an earlier packet, carried again in a later one (an RFC 2198
 * redundant block): it fills the hole at seq if that packet has not come
 * and its slot has not been played, concealed or recovered yet.  It never
 * replaces a packet that came, teaches the timing nothing and restarts
 * nothing; the packet itself arriving later replaces the copy.  Call it
 * after putting the packet that carried it.  Returns 0 when it filled a
 * hole, -EALREADY when the packet is there, -ETIME when its slot is
 * gone, -ESTALE for another SSRC or before the timeline started, -EINVAL
 * as put(), and for a timestamp that contradicts its neighbours. */
int cb_jitter_buffer_put_redundant(struct cb_jitter_buffer *jb, uint32_t ssrc, uint16_t seq,
		uint32_t timestamp, const uint8_t *payload, size_t len, uint32_t samples);

/* The next slot of the playout timeline; call it whenever more audio is
 * needed, with the current time and how much audio the caller already holds
 * queued: handed out by earlier calls, not yet played (decoded PCM waiting
 * in its ring, plus anything not yet decoded, in samples at clock_rate).
 * queued tells the buffer how far ahead of the output the caller pulls,
 * which the latency target must include: without it, the later slots of a
 * refill burst look short of margin and the buffer stretches for nothing.
 * Always fills slot. */
void cb_jitter_buffer_get_queued(struct cb_jitter_buffer *jb, uint64_t now_ns, uint32_t queued,
		struct cb_jitter_slot *slot);

/* get_queued() with queued = 0: only right for a caller that asks for each
 * slot as it is about to be played. */
void cb_jitter_buffer_get(struct cb_jitter_buffer *jb, uint64_t now_ns, struct cb_jitter_slot *slot);

/* Audio received and not yet handed out (up to the end of the newest
 * packet, holes included), in samples. Jumps by a packet at every put and
 * get, and runs dry in every DTX gap, so it is a poor input for rate control:
 * use latency() for that. */
uint32_t cb_jitter_buffer_depth_samples(const struct cb_jitter_buffer *jb);

/* The rate controller's level, in samples: the buffering latency from the
 * sender's present to the audio leaving the caller's queue, i.e. the margin
 * plus queued (the caller's queued audio at this moment, as for
 * get_queued()).
 * Moves smoothly with time, not by packets, and stays put through DTX.
 * Returns false while (re)buffering, when there is nothing to regulate: the
 * caller then keeps its last rate factor. */
bool cb_jitter_buffer_latency(const struct cb_jitter_buffer *jb, uint64_t now_ns,
		uint32_t queued, double *samples);

/* What latency() is to be kept at, in samples: the adaptive target margin
 * plus the most the caller has held queued at a get() lately. */
uint32_t cb_jitter_buffer_target_samples(const struct cb_jitter_buffer *jb);

void cb_jitter_buffer_stats(const struct cb_jitter_buffer *jb, struct cb_jitter_stats *out);

#endif
