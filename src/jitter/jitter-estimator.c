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
/* Outliers: the target need not cover one packet in this many over the
 * windows (0.4%), at most CB_JITTER_ESTIMATOR_TOP - 1 of them.  Why: a
 * machine that does not run a thread for some milliseconds (a shared VM's
 * vCPU: 8 ms stalls, a few a minute, measured by bench/stall-probe on an
 * idle machine) delays a few packets at once; covered, each such stall
 * raised the target by its length for 14 s, a late burst in most runs of
 * bench/run-latency.sh at ptime 2.5.  Left out, the stall's packets are
 * waited for up to the target and what is later is concealed: at 2.5 ms
 * frames, 400 packets a second, 6 of the last 1600 may be that late; at
 * 20 ms frames, 200 packets in the windows, none may (a frame concealed
 * there is heard), as before.  NetEq's target is a quantile too (97%). */
#define OUTLIER_ONE_IN 256

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
	cb_recent_max_init(&est->pull, PULL_WINDOW_NS);
}

void cb_jitter_estimator_restart(struct cb_jitter_estimator *est, uint64_t origin_ns)
{
	est->origin_ns = est->win_start = est->calm_since = origin_ns;
	est->have_transit = false;
	est->jitter = est->peak = 0;
	est->base = INFINITY;
	est->covered = 0;
	for (int i = 0; i < CB_JITTER_ESTIMATOR_WINDOWS; i++) {
		est->win[i].min_transit = INFINITY;
		est->win[i].n_top = est->win[i].packets = 0;
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
			est->win[i].n_top = est->win[i].packets = 0;
		}
	}
	est->win_start = now - (now - est->win_start) % WINDOW_NS;
}

/* A window keeps its largest delays, largest first. */
static void keep_top(struct cb_jitter_window *w, double delay)
{
	uint32_t i;

	if (w->n_top < CB_JITTER_ESTIMATOR_TOP)
		i = w->n_top++;
	else if (delay > w->top[CB_JITTER_ESTIMATOR_TOP - 1])
		i = CB_JITTER_ESTIMATOR_TOP - 1;	/* the smallest makes room */
	else
		return;
	for (; i > 0 && w->top[i - 1] < delay; i--)
		w->top[i] = w->top[i - 1];
	w->top[i] = delay;
}

/* The peak over the windows, and what the target covers: the peak once
 * the outliers allowed are left out (the largest delays of all windows,
 * merged; OUTLIER_ONE_IN). */
static void find_peaks(struct cb_jitter_estimator *est)
{
	double merged[CB_JITTER_ESTIMATOR_WINDOWS * CB_JITTER_ESTIMATOR_TOP];
	uint32_t n = 0, packets = 0, skip;

	for (int i = 0; i < CB_JITTER_ESTIMATOR_WINDOWS; i++) {
		packets += est->win[i].packets;
		for (uint32_t j = 0; j < est->win[i].n_top; j++) {
			/* insertion, largest first: at most 32 values */
			uint32_t k = n++;
			for (; k > 0 && merged[k - 1] < est->win[i].top[j]; k--)
				merged[k] = merged[k - 1];
			merged[k] = est->win[i].top[j];
		}
	}
	est->peak = n ? merged[0] : 0;
	skip = packets / OUTLIER_ONE_IN;
	if (skip > CB_JITTER_ESTIMATOR_TOP - 1)
		skip = CB_JITTER_ESTIMATOR_TOP - 1;
	est->covered = skip < n ? merged[skip] : 0;
}

/* The target follows the peak delay: up at once, because a packet that
 * late has just been or will soon be a glitch; down only after CALM_NS of
 * needing at least half a frame less, and then straight to what is needed
 * (the rate controller and DTX gaps take the latency down gently). The
 * peak rather than a multiple of the RFC 3550 jitter: that one is an
 * average, noisy, and says little about the tail that causes underruns. */
static void update_target(struct cb_jitter_estimator *est, uint64_t now, int64_t frame)
{
	int64_t needed = (int64_t)ceil(est->covered) + est->slack;

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
	keep_top(&est->win[0], delay);
	est->win[0].packets++;
	find_peaks(est);
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
	cb_recent_max_note(&est->pull, now_ns, queued);
}
