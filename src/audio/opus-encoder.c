#include <errno.h>
#include <stdlib.h>

#include <opus/opus.h>

#include "audio/opus-encoder.h"

struct cb_opus_encoder {
	OpusEncoder *enc;
	struct cb_opus_encoder_settings settings;
};

/* auto: frames under 10 ms are CELT-only in every application (RFC 6716
 * section 2.1.3: SILK and hybrid need 10 ms or more), so there the
 * applications differ only in the 4 ms of delay compensation that voip and
 * audio add to the look-ahead (OPUS_GET_LOOKAHEAD at 48 kHz: 312 samples,
 * 6.5 ms, against 120, 2.5 ms, for restricted-lowdelay). Below 10 ms
 * restricted-lowdelay is therefore 4 ms less latency for nothing; from 10 ms
 * up it would give up SILK and its in-band FEC, so auto keeps audio there.
 * Measured at ptime 2.5 (bench/run-latency.sh, README): see the table there. */
static int opus_application(enum cb_opus_application app, uint32_t frame_samples)
{
	if (app == CB_OPUS_APP_AUTO)
		app = frame_samples < CB_OPUS_RATE / 100 ? CB_OPUS_APP_LOWDELAY : CB_OPUS_APP_AUDIO;
	switch (app) {
	case CB_OPUS_APP_VOIP:
		return OPUS_APPLICATION_VOIP;
	case CB_OPUS_APP_LOWDELAY:
		return OPUS_APPLICATION_RESTRICTED_LOWDELAY;
	case CB_OPUS_APP_AUDIO:
	default:
		return OPUS_APPLICATION_AUDIO;
	}
}

static bool valid_frame(uint32_t frame)
{
	return frame == 120 || frame == 240 || frame == 480 || frame == 960 ||
	       frame == 1920 || frame == 2880;
}

static int apply(struct cb_opus_encoder *enc, const struct cb_opus_encoder_settings *s)
{
	int err = OPUS_OK;

	err |= opus_encoder_ctl(enc->enc, OPUS_SET_BITRATE((opus_int32)s->bitrate));
	err |= opus_encoder_ctl(enc->enc, OPUS_SET_INBAND_FEC(s->fec ? 1 : 0));
	/* In-band FEC only carries redundancy when the encoder expects loss. */
	err |= opus_encoder_ctl(enc->enc, OPUS_SET_PACKET_LOSS_PERC(
		s->fec ? (opus_int32)s->expected_loss : 0));
	err |= opus_encoder_ctl(enc->enc, OPUS_SET_DTX(s->dtx ? 1 : 0));
	err |= opus_encoder_ctl(enc->enc, OPUS_SET_COMPLEXITY((opus_int32)s->complexity));
	err |= opus_encoder_ctl(enc->enc, OPUS_SET_VBR(1));
	return err == OPUS_OK ? 0 : -EINVAL;
}

int cb_opus_encoder_new(struct cb_opus_encoder **out, const struct cb_opus_encoder_settings *s)
{
	struct cb_opus_encoder *enc;
	int err, res;

	if ((s->channels != 1 && s->channels != 2) || !valid_frame(s->frame_samples))
		return -EINVAL;

	enc = calloc(1, sizeof(*enc));
	if (enc == NULL)
		return -ENOMEM;

	enc->enc = opus_encoder_create(CB_OPUS_RATE, (int)s->channels,
				       opus_application(s->application, s->frame_samples), &err);
	if (enc->enc == NULL || err != OPUS_OK) {
		res = err == OPUS_ALLOC_FAIL ? -ENOMEM : -EINVAL;
		goto error;
	}
	if ((res = apply(enc, s)) < 0)
		goto error;
	enc->settings = *s;
	*out = enc;
	return 0;

error:
	cb_opus_encoder_free(enc);
	return res;
}

void cb_opus_encoder_free(struct cb_opus_encoder *enc)
{
	if (enc == NULL)
		return;
	if (enc->enc)
		opus_encoder_destroy(enc->enc);
	free(enc);
}

int cb_opus_encoder_update(struct cb_opus_encoder *enc, const struct cb_opus_encoder_settings *s)
{
	int res;

	if (s->channels != enc->settings.channels ||
	    s->frame_samples != enc->settings.frame_samples ||
	    s->application != enc->settings.application)
		return -EINVAL;
	if ((res = apply(enc, s)) < 0)
		return res;
	enc->settings = *s;
	return 0;
}

int cb_opus_encode(struct cb_opus_encoder *enc, const float *pcm, uint8_t *out, size_t cap)
{
	opus_int32 n;

	if (cap > CB_OPUS_MAX_PACKET * 3)
		cap = CB_OPUS_MAX_PACKET * 3;
	n = opus_encode_float(enc->enc, pcm, (int)enc->settings.frame_samples, out, (opus_int32)cap);
	if (n < 0)
		return n == OPUS_BUFFER_TOO_SMALL ? -ENOSPC : -EIO;
	return n;
}

uint32_t cb_opus_encoder_lookahead(struct cb_opus_encoder *enc)
{
	opus_int32 lookahead = 0;
	opus_encoder_ctl(enc->enc, OPUS_GET_LOOKAHEAD(&lookahead));
	return lookahead > 0 ? (uint32_t)lookahead : 0;
}
