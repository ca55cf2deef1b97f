/* How much the jitter buffer must hold. Tracks each packet's network delay
 * relative to the fastest recent packet and turns the worst of it, short of
 * a few outliers, into an adaptive target margin; also the RFC 3550 interarrival jitter, and how far
 * ahead of the output the caller pulls audio. Arithmetic on timestamps and
 * arrival times only; everything is in timestamp units (samples). */
#ifndef CALLBRIDGE_JITTER_ESTIMATOR_H
#define CALLBRIDGE_JITTER_ESTIMATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "util/recent-max.h"

#define CB_JITTER_ESTIMATOR_WINDOWS 4
/* The largest delays each window keeps: the most a target may pass over
 * is one less (see jitter-estimator.c, outliers). */
#define CB_JITTER_ESTIMATOR_TOP 8

/* One second of packets. */
struct cb_jitter_window {
	double min_transit;
	double top[CB_JITTER_ESTIMATOR_TOP];	/* largest delays, largest first */
	uint32_t n_top, packets;
};

struct cb_jitter_estimator {
	uint32_t clock_rate;
	int64_t floor, cap;	/* bounds of the target */
	int64_t slack;		/* added to the peak delay: the estimate's own noise */

	uint64_t origin_ns;	/* arrival times count from here */
	bool have_transit;
	double last_transit;
	double jitter;		/* RFC 3550 */
	double base;		/* smallest transit lately: the fastest packet */
	double peak;		/* largest delay over base lately */
	double covered;		/* what the target covers: the peak, short of a few outliers */
	struct cb_jitter_window win[CB_JITTER_ESTIMATOR_WINDOWS];
	uint64_t win_start;

	int64_t target;		/* the margin to keep */
	uint64_t calm_since;

	struct cb_recent_max pull;	/* most queued at a hand-out lately */
};

void cb_jitter_estimator_init(struct cb_jitter_estimator *est, uint32_t clock_rate,
		int64_t floor, int64_t cap);

/* A new stream: forget everything, the target back at the floor. */
void cb_jitter_estimator_reset(struct cb_jitter_estimator *est);

/* A new timeline of the same stream (its timestamps jumped): the delays
 * start over, counted from origin_ns; the target is kept, the path has not
 * changed. */
void cb_jitter_estimator_restart(struct cb_jitter_estimator *est, uint64_t origin_ns);

/* A packet with extended timestamp ts arrived; frame is the stream's packet
 * duration. Updates jitter, delays and the target. */
void cb_jitter_estimator_observe(struct cb_jitter_estimator *est, int64_t ts,
		uint64_t arrival_ns, int64_t frame);

/* How far the timeline position play_ts trails the sender at now_ns, as the
 * fastest recent packet shows it: how much extra delay the packet for
 * play_ts may have and still be in time. False before the first packet. */
bool cb_jitter_estimator_margin(const struct cb_jitter_estimator *est, uint64_t now_ns,
		int64_t play_ts, double *out);

/* The caller had queued samples of audio not yet played when it asked for
 * more. */
void cb_jitter_estimator_note_pull(struct cb_jitter_estimator *est, uint64_t now_ns, uint32_t queued);

static inline uint32_t cb_jitter_estimator_pull_ahead(const struct cb_jitter_estimator *est)
{
	return (uint32_t)cb_recent_max_get(&est->pull);
}

#endif
