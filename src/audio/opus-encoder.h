/* A thin wrapper over libopus' encoder that knows our stream settings and
 * can change them live (bitrate, FEC, DTX) without a new encoder, so a
 * reload never resets the codec state mid-call. */
#ifndef CALLBRIDGE_OPUS_ENCODER_H
#define CALLBRIDGE_OPUS_ENCODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CB_OPUS_RATE 48000
#define CB_OPUS_MAX_PACKET 1275	/* one frame, RFC 6716 */

struct cb_opus_encoder;

enum cb_opus_application {
	CB_OPUS_APP_VOIP,
	CB_OPUS_APP_AUDIO,
	CB_OPUS_APP_LOWDELAY,
	/* lowdelay below 10 ms frames, audio from 10 ms up: see opus-encoder.c */
	CB_OPUS_APP_AUTO,
};

struct cb_opus_encoder_settings {
	uint32_t channels;
	uint32_t frame_samples;		/* per channel, at 48 kHz */
	uint32_t bitrate;
	bool fec;
	bool dtx;
	uint32_t expected_loss;
	uint32_t complexity;
	enum cb_opus_application application;
};

int cb_opus_encoder_new(struct cb_opus_encoder **out, const struct cb_opus_encoder_settings *s);
void cb_opus_encoder_free(struct cb_opus_encoder *enc);

/* Applies what can change without a new encoder; -EINVAL for channels,
 * frame size or application, which need one. */
int cb_opus_encoder_update(struct cb_opus_encoder *enc, const struct cb_opus_encoder_settings *s);

/* Encodes exactly frame_samples frames; returns the packet size, or a
 * negative errno. With DTX a size of 1 or 2 means "nothing to send". */
int cb_opus_encode(struct cb_opus_encoder *enc, const float *pcm, uint8_t *out, size_t cap);

/* Samples of algorithmic delay, for latency figures. */
uint32_t cb_opus_encoder_lookahead(struct cb_opus_encoder *enc);

#endif
