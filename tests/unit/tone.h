/* Tone helpers for tests: make a sine, and measure the power at one
 * frequency with the Goertzel algorithm. */
#ifndef CALLBRIDGE_TONE_H
#define CALLBRIDGE_TONE_H

#include <math.h>
#include <stdint.h>

static inline void tone_fill(float *buf, uint32_t frames, uint32_t channels, double freq,
			     double amplitude, double rate, uint64_t *phase_samples)
{
	for (uint32_t i = 0; i < frames; i++) {
		float v = (float)(amplitude * sin(2.0 * M_PI * freq * (double)(*phase_samples + i) / rate));
		for (uint32_t c = 0; c < channels; c++)
			buf[i * channels + c] = v;
	}
	*phase_samples += frames;
}

/* Amplitude of `freq` in channel `ch` of an interleaved buffer (a pure sine
 * of amplitude A reads as about A). */
static inline double tone_amplitude(const float *buf, uint32_t frames, uint32_t channels,
				    uint32_t ch, double freq, double rate)
{
	double coeff = 2.0 * cos(2.0 * M_PI * freq / rate), s1 = 0, s2 = 0;
	for (uint32_t i = 0; i < frames; i++) {
		double s = buf[i * channels + ch] + coeff * s1 - s2;
		s2 = s1;
		s1 = s;
	}
	double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
	return 2.0 * sqrt(power > 0 ? power : 0) / frames;
}

#endif
