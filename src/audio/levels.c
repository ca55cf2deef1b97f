#include <math.h>

#include "audio/levels.h"

double cb_level_power(const float *samples, uint32_t n_samples)
{
	double sum = 0.0;

	for (uint32_t i = 0; i < n_samples; i++)
		sum += (double)samples[i] * samples[i];
	return sum;
}

uint8_t cb_level_from_power(double sum_squares, uint32_t n_samples)
{
	double mean, db;

	if (n_samples == 0 || !(sum_squares > 0.0))
		return 127;
	mean = sum_squares / n_samples;
	db = -10.0 * log10(mean);
	if (db <= 0.0)
		return 0;
	if (db >= 127.0)
		return 127;
	return (uint8_t)lround(db);
}

void cb_voice_activity_init(struct cb_voice_activity *v, uint32_t hangover_ms)
{
	v->hangover_samples = hangover_ms * 48;
	/* Start as if the hangover had long run out. */
	v->quiet_samples = v->hangover_samples;
	v->speaking = false;
}

bool cb_voice_activity_update(struct cb_voice_activity *v, uint8_t level, uint32_t samples)
{
	if (level < CB_SPEAKING_THRESHOLD) {
		v->quiet_samples = 0;
		v->speaking = true;
	} else {
		if (v->quiet_samples < v->hangover_samples)
			v->quiet_samples += samples;
		/* Strictly past the hangover: a zero hangover drops at once. */
		v->speaking = v->quiet_samples < v->hangover_samples;
	}
	return v->speaking;
}
