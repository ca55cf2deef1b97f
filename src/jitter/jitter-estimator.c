#include <math.h>

#include "jitter/jitter-estimator.h"

#define NSEC_PER_SEC 1000000000ull

/* Delays are kept per one-second window. The fastest packet, the reference,
 * comes from the newest two windows, so that a clock drift of 0.1% biases
 * it by at most 2 ms; the peak delay, which sets the target, is remembered
 * over all four, so that one calm second does not undo it. */
#define WINDOW_NS NSEC_PER_SEC
#define BASE_WINDOWS 2
/* The path must have needed clearly less than the target for this long
 * before the target comes down: a target that grows too much costs a little
 * latency, one that drops with every calm moment costs glitches. */
#define CALM_NS (10 * NSEC_PER_SEC)
#define PULL_WINDOW_NS (2 * NSEC_PER_SEC)

void cb_jitter_estimator_init(struct cb_jitter_estimator *est, uint32_t clock_rate,
		int64_t floor, int64_t cap)
{
	est->clock_rate = clock_rate;
	est->floor = floor;
	est->cap = cap > floor ? cap : floor;
	/* 2 ms */
	est->slack = clock_rate / 500;
	cb_jitter_estimator_reset(est);
}

void cb_jitter_estimator_reset(struct cb_jitter_estimator *est)
{
	cb_jitter_estimator_restart(est, 0);
	est->target = est->floor;
	est->pull[0] = est->pull[1] = 0;
	est->pull_start = 0;
}

void cb_jitter_estimator_restart(struct cb_jitter_estimator *est, uint64_t origin_ns)
{
	est->origin_ns = est->win_start = est->calm_since = origin_ns;
	est->have_transit = false;
	est->jitter = est->peak = 0;
	est->base = INFINITY;
	for (int i = 0; i < CB_JITTER_ESTIMATOR_WINDOWS; i++) {
		est->win[i].min_transit = INFINITY;
		est->win[i].max_delay = 0;
	}
}

static double ticks(const struct cb_jitter_estimator *est, uint64_t ns)
{
	return (double)(int64_t)(ns - est->origin_ns) * est->clock_rate / 1e9;
}

/* Moves the windows along to now, emptying the ones that start. */
static void rotate(struct cb_jitter_estimator *est, uint64_t now)
{
	uint64_t n;

	if (now < est->win_start + WINDOW_NS)
		return;
	n = (now - est->win_start) / WINDOW_NS;
	if (n > CB_JITTER_ESTIMATOR_WINDOWS)
		n = CB_JITTER_ESTIMATOR_WINDOWS;
	for (int i = CB_JITTER_ESTIMATOR_WINDOWS - 1; i >= 0; i--) {
		if (i >= (int)n) {
			est->win[i] = est->win[i - n];
		} else {
			est->win[i].min_transit = INFINITY;
			est->win[i].max_delay = 0;
		}
	}
	est->win_start = now - (now - est->win_start) % WINDOW_NS;
}

/* The target follows the peak delay: up at once, because a packet that
 * late has just been or will soon be a glitch; down only after CALM_NS of
 * needing at least half a frame less, and then straight to what is needed
 * (the rate controller and DTX gaps take the latency down gently). The
 * peak rather than a multiple of the RFC 3550 jitter: that one is an
 * average, noisy, and says little about the tail that causes underruns. */
static void update_target(struct cb_jitter_estimator *est, uint64_t now, int64_t frame)
{
	int64_t needed = (int64_t)ceil(est->peak) + est->slack;

	if (needed < est->floor)
		needed = est->floor;
	if (needed > est->cap)
		needed = est->cap;
	if (needed > est->target) {
		est->target = needed;
		est->calm_since = now;
	} else if (needed + frame / 2 >= est->target) {
		est->calm_since = now;
	} else if (now - est->calm_since >= CALM_NS) {
		est->target = needed;
		est->calm_since = now;
	}
}

/* transit = arrival - timestamp: its spread is the network's delay
 * variation, whatever the offset between the two clocks. */
void cb_jitter_estimator_observe(struct cb_jitter_estimator *est, int64_t ts,
		uint64_t arrival_ns, int64_t frame)
{
	double transit = ticks(est, arrival_ns) - (double)ts, delay;

	if (est->have_transit)
		est->jitter += (fabs(transit - est->last_transit) - est->jitter) / 16;
	est->last_transit = transit;
	est->have_transit = true;

	rotate(est, arrival_ns);
	if (transit < est->win[0].min_transit)
		est->win[0].min_transit = transit;
	est->base = INFINITY;
	for (int i = 0; i < BASE_WINDOWS; i++)
		est->base = fmin(est->base, est->win[i].min_transit);
	delay = transit - est->base;
	if (delay > est->win[0].max_delay)
		est->win[0].max_delay = delay;
	est->peak = 0;
	for (int i = 0; i < CB_JITTER_ESTIMATOR_WINDOWS; i++)
		est->peak = fmax(est->peak, est->win[i].max_delay);
	update_target(est, arrival_ns, frame);
}

bool cb_jitter_estimator_margin(const struct cb_jitter_estimator *est, uint64_t now_ns,
		int64_t play_ts, double *out)
{
	if (!est->have_transit)
		return false;
	*out = ticks(est, now_ns) - est->base - (double)play_ts;
	return true;
}

void cb_jitter_estimator_note_pull(struct cb_jitter_estimator *est, uint64_t now_ns, uint32_t queued)
{
	if (now_ns - est->pull_start >= PULL_WINDOW_NS) {
		est->pull[1] = now_ns - est->pull_start >= 2 * PULL_WINDOW_NS ? 0 : est->pull[0];
		est->pull[0] = 0;
		est->pull_start = now_ns;
	}
	if (queued > est->pull[0])
		est->pull[0] = queued;
}
