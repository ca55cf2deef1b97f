#include <math.h>

#include "audio/mixer.h"

void cb_mixer_accumulate(float *dst, uint32_t dst_channels,
			 const float *src, uint32_t src_channels,
			 uint32_t frames, float gain)
{
	uint32_t i;

	if (dst_channels == src_channels) {
		for (i = 0; i < frames * dst_channels; i++)
			dst[i] += gain * src[i];
	} else if (dst_channels == 2 && src_channels == 1) {
		for (i = 0; i < frames; i++) {
			float s = gain * src[i];
			dst[2 * i] += s;
			dst[2 * i + 1] += s;
		}
	} else if (dst_channels == 1 && src_channels == 2) {
		const float g = gain * (float)M_SQRT1_2;
		for (i = 0; i < frames; i++)
			dst[i] += g * (src[2 * i] + src[2 * i + 1]);
	}
}

void cb_mixer_limit(float *buf, uint32_t n_samples)
{
	const float knee = CB_MIXER_KNEE, room = 1.0f - CB_MIXER_KNEE;

	for (uint32_t i = 0; i < n_samples; i++) {
		float x = buf[i], a = fabsf(x);
		if (!isfinite(x)) {
			buf[i] = 0.0f;
		} else if (a > knee) {
			/* tanh above the knee: slope 1 where it joins the straight
			 * part, so the bend adds no click, and it tends to 1.0. */
			float y = knee + room * tanhf((a - knee) / room);
			buf[i] = copysignf(y, x);
		}
	}
}

void cb_mixer_to_s16(int16_t *dst, const float *src, uint32_t n_samples)
{
	for (uint32_t i = 0; i < n_samples; i++) {
		float v = src[i] * 32767.0f;
		if (!(v > -32768.0f))	/* also catches NaN */
			v = v != v ? 0.0f : -32768.0f;
		else if (v > 32767.0f)
			v = 32767.0f;
		dst[i] = (int16_t)lrintf(v);
	}
}
