/* A room for the voice tests, in samples: a far end that sounds like speech
 * (noise shaped into syllables), its echo (delayed, attenuated, smeared by
 * a few reflections) and a near-end tone. Deterministic: a fixed LCG seed. */
#ifndef CALLBRIDGE_TEST_ROOM_H
#define CALLBRIDGE_TEST_ROOM_H

#include <math.h>
#include <stdint.h>

struct room_noise {
	uint32_t state;
	float lp1, lp2, hp;
};

static inline float room_white(struct room_noise *n)
{
	n->state = n->state * 1664525u + 1013904223u;
	return (float)((int32_t)n->state) / 2147483648.0f;
}

/* Speech-like: white noise through a band (about 150..3500 Hz), gated by a
 * 4 Hz syllable envelope with pauses, at about `rms` while on. */
static inline float room_speech(struct room_noise *n, uint64_t i, float rms)
{
	double t = (double)i / 48000.0;
	double env = sin(2.0 * M_PI * 2.0 * t);
	float x = room_white(n);

	env = env > 0 ? env : 0;
	env *= 0.6 + 0.4 * sin(2.0 * M_PI * 0.37 * t);
	n->lp1 += 0.35f * (x - n->lp1);
	n->lp2 += 0.35f * (n->lp1 - n->lp2);
	n->hp += 0.02f * (n->lp2 - n->hp);
	return (float)((n->lp2 - n->hp) * env) * rms * 6.0f;
}

/* Mean square of n samples, and a power in dB (floored at -200). */
static inline double room_power(const float *x, uint32_t n)
{
	double s = 0;

	for (uint32_t i = 0; i < n; i++)
		s += (double)x[i] * x[i];
	return s / n;
}

static inline double room_db(double p)
{
	return 10.0 * log10(p > 1e-20 ? p : 1e-20);
}

#endif
