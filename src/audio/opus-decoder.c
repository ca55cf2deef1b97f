#include <errno.h>
#include <stdlib.h>

#include <opus/opus.h>

#include "audio/opus-decoder.h"

#define RATE 48000

struct cb_opus_decoder {
	OpusDecoder *dec;
};

int cb_opus_decoder_new(struct cb_opus_decoder **out, uint32_t channels)
{
	struct cb_opus_decoder *d;
	int err;

	if (channels != 1 && channels != 2)
		return -EINVAL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -ENOMEM;
	d->dec = opus_decoder_create(RATE, (int)channels, &err);
	if (d->dec == NULL) {
		free(d);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

void cb_opus_decoder_free(struct cb_opus_decoder *d)
{
	if (d == NULL)
		return;
	opus_decoder_destroy(d->dec);
	free(d);
}

void cb_opus_decoder_reset(struct cb_opus_decoder *d)
{
	opus_decoder_ctl(d->dec, OPUS_RESET_STATE);
}

static int result(int n)
{
	return n >= 0 ? n : -EINVAL;
}

int cb_opus_decode(struct cb_opus_decoder *d, const uint8_t *packet, size_t len, float *pcm,
		   uint32_t max_samples)
{
	return result(opus_decode_float(d->dec, packet, (opus_int32)len, pcm, (int)max_samples, 0));
}

int cb_opus_decode_fec(struct cb_opus_decoder *d, const uint8_t *packet, size_t len,
		       float *pcm, uint32_t samples)
{
	return result(opus_decode_float(d->dec, packet, (opus_int32)len, pcm, (int)samples, 1));
}

int cb_opus_conceal(struct cb_opus_decoder *d, float *pcm, uint32_t samples)
{
	return result(opus_decode_float(d->dec, NULL, 0, pcm, (int)samples, 0));
}

int cb_opus_packet_samples(const uint8_t *packet, size_t len)
{
	int n;

	if (len == 0 || len > 0x7fffffff)
		return -EINVAL;
	n = opus_packet_get_nb_samples(packet, (opus_int32)len, RATE);
	return n > 0 ? n : -EINVAL;
}

int cb_opus_packet_channels(const uint8_t *packet, size_t len)
{
	int n;

	if (len == 0)
		return -EINVAL;
	n = opus_packet_get_nb_channels(packet);
	return n == 1 || n == 2 ? n : -EINVAL;
}
