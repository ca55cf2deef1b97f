/* Clock-drift control for the receive path: turns the jitter buffer's
 * latency error into a resampling factor, so that a sender whose clock runs
 * a little fast or slow against ours neither fills the buffer up nor drains
 * it. A second-order delay-locked loop (SPA's DLL, as PipeWire's own RTP
 * source uses it): the integrator learns the clock ratio, the proportional
 * part removes what latency error is left.
 *
 * Sign convention: the factor is the number of sender samples to consume per
 * output sample. factor > 1 means consume faster (the buffer is above target);
 * factor < 1 slower. What the caller must do with it:
 *  - own resampler: produce N output samples from N * factor input samples;
 *  - PipeWire adapter/audioconvert (spa_io_rate_match): set
 *    rate_match->rate = 1.0 / factor and SPA_IO_RATE_MATCH_FLAG_ACTIVE. The
 *    resampler runs at in_rate = i_rate / rate, so rate < 1 makes it ask for
 *    more input per quantum (rate_match->size grows): that is "faster".
 *
 * The factor is clamped to 1 +- CB_RATE_CONTROL_MAX_DEVIATION. */
#ifndef CALLBRIDGE_RATE_CONTROL_H
#define CALLBRIDGE_RATE_CONTROL_H

#include <stdint.h>

#include <spa/utils/dll.h>

/* 0.3% is 5 cents of pitch, below what a listener notices even on a held
 * tone (a few cents at best, speech far less), while leaving three times the
 * headroom that a 0.1% clock error needs, for catching up after the
 * adaptive target comes down. The DLL moves the factor slowly, so it never
 * sounds like vibrato. */
#define CB_RATE_CONTROL_MAX_DEVIATION 0.003
/* The loop starts wide, so it learns the clock ratio within seconds instead
 * of letting the latency wander off by several ms meanwhile (at
 * SPA_DLL_BW_MIN a 0.1% drift costs 6 ms before the integrator has it), then
 * halves its bandwidth every two seconds that the error averaged under 1 ms,
 * down to SPA_DLL_BW_MIN, where the packet- and quantum-sized steps in the
 * level are filtered out of the factor. */
#define CB_RATE_CONTROL_BW_START 0.064

struct cb_rate_control {
	struct spa_dll dll;
	uint32_t period;	/* samples of output between update() calls */
	uint32_t rate;
	double max_deviation;
	double factor;		/* the last value returned */
	uint32_t cycles;	/* updates since the bandwidth was last considered */
	double err_sum;		/* over those updates */
};

/* period_samples: how much output (at rate) passes between update() calls,
 * e.g. the PipeWire quantum. */
void cb_rate_control_init(struct cb_rate_control *rc, uint32_t period_samples, uint32_t rate);

/* The time between update() calls changed (the graph's quantum is known
 * now, or changed): keeps what the loop has learnt. */
void cb_rate_control_set_period(struct cb_rate_control *rc, uint32_t period_samples);

/* Back to factor 1.0 and the wide start-up loop: for a new stream, whose
 * clock may be another one. */
void cb_rate_control_reset(struct cb_rate_control *rc);

/* Call once every period with the level and its target, both in samples
 * (cb_jitter_buffer_latency() and cb_jitter_buffer_target_samples()).
 * Returns the factor to apply until the next call. When there is no level
 * (the buffer is buffering), do not call it: keep the last factor. */
double cb_rate_control_update(struct cb_rate_control *rc, double level_samples, double target_samples);

static inline double cb_rate_control_factor(const struct cb_rate_control *rc)
{
	return rc->factor;
}

#endif
