#include "audio/mixer.h"
#include "test.h"

static void test_gain_and_layouts(void)
{
	float mono[4] = { 0.5f, -0.5f, 0.25f, 0.0f };
	float stereo[8] = { 0.1f, 0.2f, 0.3f, 0.4f, -0.1f, -0.2f, 0.0f, 0.0f };
	float dst2[8] = { 0 }, dst1[4] = { 0 };

	cb_mixer_accumulate(dst2, 2, mono, 1, 4, 0.5f);
	CHECK_NEAR(dst2[0], 0.25, 1e-6);
	CHECK_NEAR(dst2[1], 0.25, 1e-6);
	CHECK_NEAR(dst2[2], -0.25, 1e-6);
	cb_mixer_accumulate(dst2, 2, stereo, 2, 4, 1.0f);
	CHECK_NEAR(dst2[0], 0.35, 1e-6);
	CHECK_NEAR(dst2[1], 0.45, 1e-6);

	cb_mixer_accumulate(dst1, 1, stereo, 2, 4, 1.0f);
	CHECK_NEAR(dst1[0], (0.1 + 0.2) * 0.70710678, 1e-6);
	CHECK_NEAR(dst1[2], (-0.1 - 0.2) * 0.70710678, 1e-6);

	CHECK_NEAR(cb_db_to_gain(0), 1.0, 1e-6);
	CHECK_NEAR(cb_db_to_gain(-6.0206f), 0.5, 1e-4);
	CHECK_NEAR(cb_db_to_gain(20), 10.0, 1e-4);
}

static void test_limiter(void)
{
	float buf[2001];
	float prev = -2.0f;
	bool monotonic = true, bounded = true;

	/* A ramp from -20 to +20: the output must stay inside full scale, keep
	 * its order (no fold-over) and leave quiet samples untouched. */
	for (int i = 0; i <= 2000; i++)
		buf[i] = -20.0f + 0.02f * (float)i;
	cb_mixer_limit(buf, 2001);
	for (int i = 0; i <= 2000; i++) {
		if (fabsf(buf[i]) > 1.0f)
			bounded = false;
		if (buf[i] < prev)
			monotonic = false;
		prev = buf[i];
	}
	CHECK(bounded);
	CHECK(monotonic);

	float quiet[3] = { 0.5f, -0.8f, 0.89f };
	cb_mixer_limit(quiet, 3);
	CHECK(quiet[0] == 0.5f && quiet[1] == -0.8f && quiet[2] == 0.89f);

	/* Continuous at the knee: no step for a click to come from. */
	float around[2] = { CB_MIXER_KNEE - 1e-4f, CB_MIXER_KNEE + 1e-4f };
	cb_mixer_limit(around, 2);
	CHECK_NEAR(around[1] - around[0], 2e-4, 1e-5);

	float bad[3] = { NAN, INFINITY, -INFINITY };
	cb_mixer_limit(bad, 3);
	CHECK(bad[0] == 0.0f && bad[1] == 0.0f && bad[2] == 0.0f);
}

static void test_many_loud_tracks(void)
{
	/* 64 full-scale tracks summed: a 16-bit accumulator would have
	 * wrapped; the float mix saturates just below full scale. */
	float src[256], mix[256] = { 0 };
	int16_t pcm[256];

	for (int i = 0; i < 256; i++)
		src[i] = (i % 2) ? 1.0f : -1.0f;
	for (int t = 0; t < 64; t++)
		cb_mixer_accumulate(mix, 1, src, 1, 256, 1.0f);
	cb_mixer_limit(mix, 256);
	cb_mixer_to_s16(pcm, mix, 256);
	for (int i = 0; i < 256; i++) {
		CHECK(fabsf(mix[i]) <= 1.0f && fabsf(mix[i]) > 0.99f);
		CHECK((i % 2) ? pcm[i] > 32000 : pcm[i] < -32000);
	}

	float extremes[4] = { 3.0f, -3.0f, NAN, 0.5f };
	cb_mixer_to_s16(pcm, extremes, 4);
	CHECK_INT_EQ(pcm[0], 32767);
	CHECK_INT_EQ(pcm[1], -32768);
	CHECK_INT_EQ(pcm[2], 0);
	CHECK_INT_EQ(pcm[3], 16384);
}

int main(void)
{
	test_gain_and_layouts();
	test_limiter();
	test_many_loud_tracks();
	return test_finish("test-mixer");
}
