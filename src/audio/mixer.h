/* Float mixing for outgoing streams: tracks are summed with their gain into
 * the stream's channel layout, then a soft limiter keeps the sum inside full
 * scale.  All in float, so a loud sum saturates smoothly instead of wrapping
 * the way an integer accumulator would. */
#ifndef CALLBRIDGE_MIXER_H
#define CALLBRIDGE_MIXER_H

#include <math.h>
#include <stdint.h>

/* Where the soft limiter starts to bend the curve. */
#define CB_MIXER_KNEE 0.891251f		/* -1 dBFS */

static inline float cb_db_to_gain(float db)
{
	return powf(10.0f, db / 20.0f);
}

/* dst[frames * dst_channels] += gain * src[frames * src_channels], with mono
 * spread to both sides and stereo folded to mono (-3 dB each side, so a
 * centred source keeps its loudness). */
void cb_mixer_accumulate(float *dst, uint32_t dst_channels,
			 const float *src, uint32_t src_channels,
			 uint32_t frames, float gain);

/* Bends samples above the knee towards, never past, +-1.0; NaN and infinity
 * (a broken source) become silence rather than poisoning the encoder. */
void cb_mixer_limit(float *buf, uint32_t n_samples);

/* Saturating conversion for any path that needs 16-bit PCM. */
void cb_mixer_to_s16(int16_t *dst, const float *src, uint32_t n_samples);

#endif
