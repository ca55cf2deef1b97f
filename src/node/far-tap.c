#include <spa/utils/defs.h>

#include "node/far-tap.h"

#define PIECE 256

static float mono_at(const float *data, uint32_t i, uint32_t channels)
{
	float sum = 0.0f;

	if (channels == 1)
		return data[i];
	for (uint32_t c = 0; c < channels; c++)
		sum += data[i * channels + c];
	return sum / (float)channels;
}

void cb_far_tap_push(struct cb_far_tap *tap, struct cb_audio_ring *ring, const float *data,
		     uint32_t frames, uint32_t channels, uint32_t out)
{
	float buf[PIECE];
	double step;
	uint32_t n = 0;

	if (frames == 0 || channels == 0)
		return;
	if (out == 0)
		out = frames;
	/* Always through the interpolation, even at a ratio of one: a cycle
	 * copied as it is would drop the phase a stretched one left (up to
	 * a frame still owed), and the tap would fall behind the graph:
	 * measured 29 frames in 5 s with the rate near one. */
	/* Input index 0 is prev, 1..frames this cycle's; output j at pos. */
	step = (double)frames / (double)out;
	while (tap->pos <= (double)frames) {
		uint32_t k = (uint32_t)tap->pos;
		float frac = (float)(tap->pos - k);
		float a = k == 0 ? tap->prev : mono_at(data, k - 1, channels);
		float b = k >= frames ? a : mono_at(data, k, channels);

		buf[n++] = a + frac * (b - a);
		if (n == PIECE) {
			cb_audio_ring_push(ring, buf, n);
			n = 0;
		}
		tap->pos += step;
	}
	tap->pos -= (double)frames;
	tap->prev = mono_at(data, frames - 1, channels);
	if (n)
		cb_audio_ring_push(ring, buf, n);
}
