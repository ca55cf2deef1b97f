#include <errno.h>
#include <opus/opus.h>

#include "audio/opus-encoder.h"
#include "test.h"
#include "tone.h"

#define FRAME 960

static struct cb_opus_encoder_settings defaults(uint32_t channels)
{
	return (struct cb_opus_encoder_settings) {
		.channels = channels, .frame_samples = FRAME, .bitrate = 64000,
		.fec = true, .expected_loss = 10, .complexity = 10,
		.application = CB_OPUS_APP_AUDIO,
	};
}

static void test_roundtrip_tone(uint32_t channels)
{
	struct cb_opus_encoder_settings s = defaults(channels);
	struct cb_opus_encoder *enc;
	OpusDecoder *dec;
	float pcm[FRAME * 2], out[FRAME * 2];
	uint8_t packet[1500];
	uint64_t phase = 0;
	int err, n;
	double amp = 0;

	CHECK_INT_EQ(cb_opus_encoder_new(&enc, &s), 0);
	dec = opus_decoder_create(48000, (int)channels, &err);
	CHECK(dec != NULL);

	/* 50 frames (1 s) of a 1 kHz sine at -6 dBFS; measure the last ones
	 * after the codec has settled (lookahead shifts the start). */
	for (int f = 0; f < 50; f++) {
		tone_fill(pcm, FRAME, channels, 1000.0, 0.5, 48000.0, &phase);
		n = cb_opus_encode(enc, pcm, packet, sizeof(packet));
		CHECK(n > 2);
		CHECK(n < 64000 / 8 / 50 * 2);		/* about the set bitrate */
		CHECK_INT_EQ(opus_decode_float(dec, packet, n, out, FRAME, 0), FRAME);
		if (f >= 40)
			amp += tone_amplitude(out, FRAME, channels, channels - 1, 1000.0, 48000.0) / 10;
	}
	CHECK_NEAR(amp, 0.5, 0.05);
	CHECK(cb_opus_encoder_lookahead(enc) > 0);
	opus_decoder_destroy(dec);
	cb_opus_encoder_free(enc);
}

static void test_live_update_and_dtx(void)
{
	struct cb_opus_encoder_settings s = defaults(1);
	struct cb_opus_encoder *enc;
	float pcm[FRAME], silence[FRAME] = { 0 };
	uint8_t packet[1500];
	uint64_t phase = 0;
	int big = 0, small = 0, tiny = 0;

	CHECK_INT_EQ(cb_opus_encoder_new(&enc, &s), 0);
	for (int f = 0; f < 25; f++) {
		tone_fill(pcm, FRAME, 1, 440.0, 0.5, 48000.0, &phase);
		big += cb_opus_encode(enc, pcm, packet, sizeof(packet));
	}
	s.bitrate = 12000;
	CHECK_INT_EQ(cb_opus_encoder_update(enc, &s), 0);
	for (int f = 0; f < 25; f++) {
		tone_fill(pcm, FRAME, 1, 440.0, 0.5, 48000.0, &phase);
		small += cb_opus_encode(enc, pcm, packet, sizeof(packet));
	}
	CHECK(small * 2 < big);

	/* DTX: silence collapses to (almost) nothing to send */
	s.dtx = true;
	CHECK_INT_EQ(cb_opus_encoder_update(enc, &s), 0);
	for (int f = 0; f < 50; f++) {
		int n = cb_opus_encode(enc, silence, packet, sizeof(packet));
		if (n <= 2)
			tiny++;
	}
	CHECK(tiny > 30);

	/* things that need a new encoder are refused */
	s.channels = 2;
	CHECK_INT_EQ(cb_opus_encoder_update(enc, &s), -EINVAL);
	cb_opus_encoder_free(enc);

	s = defaults(1);
	s.frame_samples = 100;
	CHECK_INT_EQ(cb_opus_encoder_new(&enc, &s), -EINVAL);
}

static void test_every_ptime(void)
{
	static const uint32_t frames[] = { 120, 240, 480, 960, 1920, 2880 };
	float pcm[2880 * 2] = { 0 };
	uint8_t packet[4000];

	for (size_t i = 0; i < 6; i++) {
		struct cb_opus_encoder_settings s = defaults(2);
		struct cb_opus_encoder *enc;
		s.frame_samples = frames[i];
		CHECK_INT_EQ(cb_opus_encoder_new(&enc, &s), 0);
		int n = cb_opus_encode(enc, pcm, packet, sizeof(packet));
		CHECK(n > 0);
		CHECK_INT_EQ(opus_packet_get_nb_samples(packet, n, 48000), frames[i]);
		cb_opus_encoder_free(enc);
	}
}

/* auto, the default: restricted-lowdelay (120 samples of look-ahead) for
 * frames under 10 ms, audio (312) from 10 ms up; explicit ones as named. */
static void test_auto_application(void)
{
	static const struct { uint32_t frame; enum cb_opus_application app; uint32_t lookahead; } cases[] = {
		{ 120, CB_OPUS_APP_AUTO, 120 },  { 240, CB_OPUS_APP_AUTO, 120 },
		{ 480, CB_OPUS_APP_AUTO, 312 },  { 960, CB_OPUS_APP_AUTO, 312 },
		{ 120, CB_OPUS_APP_AUDIO, 312 }, { 960, CB_OPUS_APP_LOWDELAY, 120 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cb_opus_encoder_settings s = defaults(1);
		struct cb_opus_encoder *enc;

		s.frame_samples = cases[i].frame;
		s.application = cases[i].app;
		CHECK_INT_EQ(cb_opus_encoder_new(&enc, &s), 0);
		CHECK_INT_EQ(cb_opus_encoder_lookahead(enc), cases[i].lookahead);
		cb_opus_encoder_free(enc);
	}
}

int main(void)
{
	test_roundtrip_tone(1);
	test_roundtrip_tone(2);
	test_live_update_and_dtx();
	test_every_ptime();
	test_auto_application();
	return test_finish("test-opus");
}
