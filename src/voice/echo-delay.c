#include <math.h>
#include <string.h>

#include <spa/utils/defs.h>

#include "voice/echo-delay.h"

/* -80 dBFS: quieter blocks count as this, so that silence is flat (no
 * change to correlate) rather than noise of the dB scale. */
#define FLOOR_DB -80.0f
/* A bend larger than this (an onset out of silence) counts as this much:
 * a noise-like voice's grain is about 1 dB a block, and one onset must
 * not outweigh a second of it. */
#define CLIP_DB 3.0f
/* A level that moves more than this from block to block is an onset or a
 * fall into silence, the envelope's corner rather than its grain: it
 * counts nothing (a rhythm's corners repeat at its period). */
#define STEP_DB 6.0f
#define HIST (CB_ECHO_DELAY_LAGS + 2)
/* Blocks averaged with equal weight before the average starts to forget:
 * about two seconds of sound. */
#define WINDOW 200
/* The peak (with its larger neighbour) must stand this far above every
 * lag not next to it, after at least MIN_UPDATES blocks with sound (a
 * second).  Measured on tests/unit/voice/test-echo-delay.c's echoes: 1.9
 * to 4 after a second; a talker's tone over the echo once read 1.7 at a
 * wrong lag. */
#define CLEAR 1.8
#define MIN_UPDATES 100
/* Normalised correlation of the peak (with its larger neighbour): an echo
 * alone read 0.45 to 0.95, the tone's wrong lag 0.31. */
#define MIN_MATCH 0.4

static float level_db(double power)
{
	float db = power > 1e-8 ? (float)(10.0 * log10(power)) : FLOOR_DB;

	return db > FLOOR_DB ? db : FLOOR_DB;
}

void cb_echo_delay_reset(struct cb_echo_delay *d)
{
	memset(d, 0, sizeof(*d));
}

void cb_echo_delay_far(struct cb_echo_delay *d, double power)
{
	d->far_db[d->far_count++ % HIST] = level_db(power);
}

/* The bend at b of three levels a, b, c in a row. */
static float grain_of(float a, float b, float c)
{
	if (fabsf(c - b) > STEP_DB || fabsf(b - a) > STEP_DB)
		return 0.0f;
	return SPA_CLAMPF(c - 2.0f * b + a, -CLIP_DB, CLIP_DB);
}

/* The far end's grain at block i (i >= 2). */
static float far_grain(const struct cb_echo_delay *d, uint64_t i)
{
	return grain_of(d->far_db[(i - 2) % HIST], d->far_db[(i - 1) % HIST], d->far_db[i % HIST]);
}

void cb_echo_delay_near(struct cb_echo_delay *d, double power)
{
	float db = level_db(power), grain;
	bool sound = db > FLOOR_DB || d->near_db[0] > FLOOR_DB || d->near_db[1] > FLOOR_DB;
	double k;

	grain = grain_of(d->near_db[1], d->near_db[0], db);
	d->near_db[1] = d->near_db[0];
	d->near_db[0] = db;
	if (d->near_seen < 2) {
		d->near_seen++;
		return;
	}
	if (d->far_count < 3 || !sound)
		return;
	d->updates++;
	k = 1.0 / (double)(d->updates < WINDOW ? d->updates : WINDOW);
	for (uint32_t lag = 0; lag < CB_ECHO_DELAY_LAGS; lag++) {
		uint64_t at = d->far_count - 1;
		/* The far block `lag` before the paired one. */
		float far = at >= lag + 2 ? far_grain(d, at - lag) : 0.0f;

		d->corr[lag] += k * ((double)far * grain - d->corr[lag]);
		if (lag == 0)
			d->far_power += k * ((double)far * far - d->far_power);
	}
	d->near_power += k * ((double)grain * grain - d->near_power);
}

/* A lag's correlation with its larger neighbour's, if positive: an echo
 * between two block boundaries splits between the two.  (On a boundary
 * the neighbours read negative, the grain being a second difference:
 * measured -1.0 either side of 1.9 in tests/integration/voice.sh.) */
static double pair(const struct cb_echo_delay *d, uint32_t lag)
{
	double l = lag > 0 ? d->corr[lag - 1] : 0.0;
	double r = lag + 1 < CB_ECHO_DELAY_LAGS ? d->corr[lag + 1] : 0.0;
	double n = l > r ? l : r;

	return d->corr[lag] + (n > 0.0 ? n : 0.0);
}

bool cb_echo_delay_blocks(const struct cb_echo_delay *d, double *blocks)
{
	uint32_t best = 0;
	double rest = 0.0, frac = 0.0, peak, norm;

	if (d->updates < MIN_UPDATES)
		return false;
	for (uint32_t lag = 1; lag < CB_ECHO_DELAY_LAGS; lag++)
		if (d->corr[lag] > d->corr[best])
			best = lag;
	peak = pair(d, best);
	for (uint32_t lag = 0; lag < CB_ECHO_DELAY_LAGS; lag++)
		if ((lag + 2 < best || lag > best + 2) && pair(d, lag) > rest)
			rest = pair(d, lag);
	norm = sqrt(d->far_power * d->near_power);
	if (d->corr[best] <= 0.0 || peak < CLEAR * rest || peak < MIN_MATCH * norm)
		return false;
	/* Between the neighbours: the vertex of the parabola through the
	 * three. */
	if (best > 0 && best + 1 < CB_ECHO_DELAY_LAGS) {
		double l = d->corr[best - 1], c = d->corr[best], r = d->corr[best + 1];
		double den = l - 2.0 * c + r;

		if (den < 0.0)
			frac = 0.5 * (l - r) / den;
		frac = SPA_CLAMP(frac, -0.5, 0.5);
	}
	*blocks = (double)best + frac;
	return true;
}
