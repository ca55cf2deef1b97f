/* Audio levels as RFC 6464 expresses them (-dBov, 0 loudest .. 127 silent)
 * and per-track voice activity with a hangover, so a talker who pauses
 * between words does not flicker in and out of "speaking". */
#ifndef CALLBRIDGE_LEVELS_H
#define CALLBRIDGE_LEVELS_H

#include <stdbool.h>
#include <stdint.h>

/* Anything louder than -50 dBov counts as sound: far above the dither and
 * noise floor of a digital source, below any quiet talker. */
#define CB_SPEAKING_THRESHOLD 50

/* Level of a block from the sum of its squared samples: 0 dBov is the RMS of
 * a full-scale square wave (RMS 1.0), as RFC 6464 section 4 suggests. */
uint8_t cb_level_from_power(double sum_squares, uint32_t n_samples);

/* Sum of squares of n samples. */
double cb_level_power(const float *samples, uint32_t n_samples);

struct cb_voice_activity {
	uint32_t hangover_samples;	/* at 48 kHz */
	uint32_t quiet_samples;		/* since the level last crossed the threshold */
	bool speaking;
};

void cb_voice_activity_init(struct cb_voice_activity *v, uint32_t hangover_ms);

/* Feeds the level of a block of `samples` frames; returns whether the
 * track counts as speaking after it. */
bool cb_voice_activity_update(struct cb_voice_activity *v, uint8_t level, uint32_t samples);

#endif
