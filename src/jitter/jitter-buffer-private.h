/* The jitter buffer's insides, shared by its two halves: jitter-buffer.c
 * (lifecycle, put, levels, statistics) and jitter-playout.c (get: what to
 * play next). Nothing outside src/jitter includes this. */
#ifndef CALLBRIDGE_JITTER_BUFFER_PRIVATE_H
#define CALLBRIDGE_JITTER_BUFFER_PRIVATE_H

#include "jitter/jitter-buffer.h"
#include "jitter/jitter-estimator.h"

enum entry_state { ENTRY_EMPTY, ENTRY_STORED, ENTRY_MISSED, ENTRY_DONE };
enum jb_state { JB_IDLE, JB_BUFFERING, JB_PLAYING };

struct entry {
	int64_t seq, ts;	/* extended */
	uint32_t samples;
	uint16_t len;
	uint8_t state;		/* MISSED: passed without it, a copy is late; DONE: a copy is a duplicate */
	bool redundant;		/* STORED from an RFC 2198 copy, not the packet itself */
	uint8_t data[CB_JITTER_MAX_PAYLOAD];
};

struct cb_jitter_buffer {
	struct cb_jitter_buffer_config cfg;
	struct entry *ring;
	uint32_t mask;
	int64_t quantum;	/* 2.5 ms: the granularity Opus decodes and conceals in */
	int64_t max_frame;	/* 120 ms: the longest single Opus decode */
	int64_t max_ahead, dry_limit;

	enum jb_state state;
	bool have_ssrc, have_old_ssrc, new_stream, resync, dry;
	uint32_t ssrc, old_ssrc;
	uint64_t old_ssrc_until;

	/* The timeline, in extended (64-bit, wrap-free) numbers. next_seq is
	 * the first sequence number not yet played or passed; play_ts the start
	 * of the next slot. */
	int64_t next_seq, play_ts, high_seq, high_ts, newest_end;
	int64_t frame;		/* duration of the last packet: the unit of concealment */
	int64_t dry_samples;
	int64_t held;		/* concealed while empty with the timeline held (advance 0), not yet
				 * made good: a late packet then plays after it, a lost one's time
				 * is skipped instead of concealed twice */
	unsigned rejects;

	struct cb_jitter_estimator est;
	int64_t known_target;	/* the target when get() last looked */
	int64_t stretch_budget;	/* target growth not yet stretched in */

	struct cb_jitter_stats stats;
};

static inline struct entry *entry_at(const struct cb_jitter_buffer *jb, int64_t seq)
{
	return &jb->ring[(uint64_t)seq & jb->mask];
}

/* Marks [next_seq, to) as passed: a copy arriving later is late. */
static inline void pass_to(struct cb_jitter_buffer *jb, int64_t to)
{
	for (int64_t s = jb->next_seq; s < to; s++) {
		struct entry *e = entry_at(jb, s);
		if (e->state == ENTRY_STORED && e->seq != s)
			continue;	/* a newer packet's storage */
		e->seq = s;
		e->state = e->state == ENTRY_STORED ? ENTRY_DONE : ENTRY_MISSED;
	}
	if (to > jb->next_seq)
		jb->next_seq = to;
}

/* How late a packet for the next slot may be and still make it. */
static inline bool margin(const struct cb_jitter_buffer *jb, uint64_t now, double *out)
{
	return cb_jitter_estimator_margin(&jb->est, now, jb->play_ts, out);
}

/* What latency() is steered to: the target margin for the last slot of a
 * burst of get()s, plus what the caller already holds when it makes one. */
static inline double latency_goal(const struct cb_jitter_buffer *jb)
{
	return (double)(jb->est.target + cb_jitter_estimator_pull_ahead(&jb->est));
}

#endif
