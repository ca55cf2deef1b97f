#include <math.h>

#include "jitter/rate-control.h"

void cb_rate_control_init(struct cb_rate_control *rc, uint32_t period_samples, uint32_t rate)
{
	rc->period = period_samples ? period_samples : 1;
	rc->rate = rate ? rate : 48000;
	rc->max_deviation = CB_RATE_CONTROL_MAX_DEVIATION;
	cb_rate_control_reset(rc);
}

void cb_rate_control_set_period(struct cb_rate_control *rc, uint32_t period_samples)
{
	rc->period = period_samples ? period_samples : 1;
	spa_dll_set_bw(&rc->dll, rc->dll.bw, rc->period, rc->rate);
	rc->cycles = 0;
	rc->err_sum = 0;
}

void cb_rate_control_reset(struct cb_rate_control *rc)
{
	spa_dll_init(&rc->dll);
	spa_dll_set_bw(&rc->dll, CB_RATE_CONTROL_BW_START, rc->period, rc->rate);
	rc->factor = 1.0;
	rc->cycles = 0;
	rc->err_sum = 0;
}

double cb_rate_control_update(struct cb_rate_control *rc, double level_samples, double target_samples)
{
	/* PipeWire's convention: error = target - level, and the DLL returns
	 * 1 - correction, which is > 1 when the level is too high. */
	double err = target_samples - level_samples, z3 = rc->dll.z3, corr;
	double lo = 1.0 - rc->max_deviation, hi = 1.0 + rc->max_deviation;

	if (!isfinite(err))
		return rc->factor;
	corr = spa_dll_update(&rc->dll, err);
	if (corr > hi || corr < lo) {
		/* Anti-windup: while clamped, the latency error shrinks slower
		 * than the loop assumes; integrating it anyway would overshoot
		 * once it is gone. */
		rc->dll.z3 = z3;
		corr = corr > hi ? hi : lo;
	}
	/* Every two seconds, narrow the loop if the latency error averaged
	 * out to under 1 ms over them: then the integrator has learnt the
	 * clock ratio and the wide loop only lets the level's sawtooth
	 * through. Narrowing earlier leaves the ratio to the slow loop. */
	if (rc->dll.bw > SPA_DLL_BW_MIN) {
		rc->err_sum += err;
		if (++rc->cycles >= 2 * rc->rate / rc->period) {
			if (fabs(rc->err_sum / rc->cycles) < rc->rate / 1000.0) {
				double bw = rc->dll.bw / 2;
				spa_dll_set_bw(&rc->dll, bw < SPA_DLL_BW_MIN ? SPA_DLL_BW_MIN : bw,
						rc->period, rc->rate);
			}
			rc->cycles = 0;
			rc->err_sum = 0;
		}
	}
	rc->factor = corr;
	return corr;
}
