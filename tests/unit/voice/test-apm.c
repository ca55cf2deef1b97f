/* The voice processor on its own, offline: a simulated room (a far end's
 * echo 40 ms late and 10 dB down, with reflections) and a near-end tone
 * through cb_apm, with echo cancellation on and off; noise suppression on
 * white noise plus a tone; the AGC on quiet and loud tones.  The figures
 * print every run. */
#include "voice/apm.h"
#include "test.h"
#include "tone.h"
#include "voice/room.h"

#define RATE 48000
#define TONE_HZ 1000.0
/* The near end 7 dB above its echo, as a talker near the mic is: the
 * canceller's suppressor (low) keeps such a tone within 3 dB in double
 * talk (measured -2.4 dB); at the echo's own level it takes 4 dB. */
#define TONE_AMP 0.1f

/* 12 s: far end alone 0..8 s (converges, then measured 5..8 s), double
 * talk 8..10 s, near end alone 10..12 s. */
#define ROOM_SECONDS 12
#define ROOM_FRAMES (ROOM_SECONDS * RATE)
#define DELAY_FRAMES (40 * RATE / 1000)

static float far_sig[ROOM_FRAMES], mic[ROOM_FRAMES], out_on[ROOM_FRAMES], out_off[ROOM_FRAMES];

static void make_room(void)
{
	struct room_noise n = { .state = 12345 };
	static const struct { uint32_t lag; float gain; } taps[] = {
		{ 0, 0.316f }, { 91, 0.12f }, { 263, -0.07f }, { 611, 0.04f },
	};

	for (uint32_t i = 0; i < ROOM_FRAMES; i++)
		far_sig[i] = i < 10 * RATE ? room_speech(&n, i, 0.1f) : 0.0f;
	for (uint32_t i = 0; i < ROOM_FRAMES; i++) {
		float echo = 0, tone = 0;
		for (uint32_t k = 0; k < sizeof(taps) / sizeof(taps[0]); k++)
			if (i >= DELAY_FRAMES + taps[k].lag)
				echo += taps[k].gain * far_sig[i - DELAY_FRAMES - taps[k].lag];
		if (i >= 8 * RATE)
			tone = TONE_AMP * (float)sin(2.0 * M_PI * TONE_HZ * i / RATE);
		mic[i] = echo + tone;
	}
}

/* st[0]: status at 7 s (far end alone), st[1]: at the end. */
static void run_room(bool echo_cancel, int delay_ms, float *out, struct cb_apm_status *st)
{
	struct cb_apm_settings s = { .channels = 1, .echo_cancel = echo_cancel,
				     .echo_delay_ms = delay_ms, .gain_target_dbfs = -3 };
	struct cb_apm *a = NULL;

	s.high_pass = true;
	CHECK_INT_EQ(cb_apm_new(&a, &s), 0);
	if (a == NULL)
		return;
	for (uint32_t b = 0; b + CB_APM_BLOCK <= ROOM_FRAMES; b += CB_APM_BLOCK) {
		memcpy(out + b, mic + b, CB_APM_BLOCK * sizeof(float));
		CHECK_INT_EQ(cb_apm_far(a, far_sig + b), 0);
		CHECK_INT_EQ(cb_apm_process(a, out + b), 0);
		if (b == 7 * RATE)
			cb_apm_get_status(a, &st[0]);
	}
	/* After double talk and the near end alone. */
	cb_apm_get_status(a, &st[1]);
	cb_apm_free(a);
}

static void test_echo(int delay_ms)
{
	struct cb_apm_status st_on[2] = { 0 }, st_off[2] = { 0 };
	double erle, tone_dt_on, tone_dt_off, tone_near_on, tone_near_off;

	make_room();
	run_room(true, delay_ms, out_on, st_on);
	run_room(false, delay_ms, out_off, st_off);
	/* Far end alone after convergence (5..8 s): how far the echo fell. */
	erle = room_db(room_power(out_off + 5 * RATE, 3 * RATE)) -
	       room_db(room_power(out_on + 5 * RATE, 3 * RATE));
	/* The tone during double talk (8.5..10 s) and alone (10.5..12 s). */
	tone_dt_on = tone_amplitude(out_on + 17 * RATE / 2, 3 * RATE / 2, 1, 0, TONE_HZ, RATE);
	tone_dt_off = tone_amplitude(out_off + 17 * RATE / 2, 3 * RATE / 2, 1, 0, TONE_HZ, RATE);
	tone_near_on = tone_amplitude(out_on + 21 * RATE / 2, 3 * RATE / 2, 1, 0, TONE_HZ, RATE);
	tone_near_off = tone_amplitude(out_off + 21 * RATE / 2, 3 * RATE / 2, 1, 0, TONE_HZ, RATE);
	printf("echo (delay %s): echo down %.1f dB (5..8 s); status ERLE %.1f dB, delay %d ms; "
	       "after double talk ERLE %.1f dB, delay %d ms; "
	       "tone in double talk %+.2f dB, alone %+.2f dB\n",
	       delay_ms < 0 ? "auto" : "fixed", erle, st_on[0].erle_db, st_on[0].delay_ms,
	       st_on[1].erle_db, st_on[1].delay_ms,
	       20 * log10(tone_dt_on / tone_dt_off), 20 * log10(tone_near_on / tone_near_off));
	CHECK(erle >= 20.0);
	/* Status: the ERLE of far-end single talk, which double talk does not
	 * drag down; the delay within a 4 ms block or two of the room's 40. */
	CHECK(st_on[0].echo_valid && st_on[0].erle_db >= 20.0);
	CHECK(st_on[1].echo_valid && st_on[1].erle_db >= 20.0);
	CHECK(abs(st_on[1].delay_ms - 40) <= 8);
	CHECK(fabs(20 * log10(tone_dt_on / tone_dt_off)) <= 3.0);
	CHECK(fabs(20 * log10(tone_near_on / tone_near_off)) <= 3.0);
}

/* White noise at -30 dBFS plus a -20 dBFS tone: the noise must fall by 10
 * dB or more (measured away from the tone), the tone stay within 3 dB. */
static void test_noise(enum cb_apm_noise level)
{
	struct cb_apm_settings s = { .channels = 2, .noise = level, .gain_target_dbfs = -3,
				     .echo_delay_ms = -1 };
	struct room_noise n = { .state = 777 };
	static float in[6 * RATE * 2], out[6 * RATE * 2];
	struct cb_apm *a = NULL;
	uint64_t phase = 0;
	double noise_in, noise_out, tone_in, tone_out;

	tone_fill(in, 6 * RATE, 2, TONE_HZ, 0.1, RATE, &phase);
	/* Gated as a voice is (on 400 ms, off 400 ms): a steady tone is, to a
	 * noise suppressor, stationary noise to learn and remove. */
	for (uint32_t i = 0; i < 6 * RATE; i++)
		if ((i / (RATE * 2 / 5)) % 2)
			in[2 * i] = in[2 * i + 1] = 0.0f;
	for (uint32_t i = 0; i < 6 * RATE * 2; i++)
		in[i] += 0.0316f * 1.732f * room_white(&n);	/* uniform: rms = peak / sqrt(3) */
	memcpy(out, in, sizeof(in));
	CHECK_INT_EQ(cb_apm_new(&a, &s), 0);
	if (a == NULL)
		return;
	for (uint32_t b = 0; b < 6 * RATE; b += CB_APM_BLOCK)
		CHECK_INT_EQ(cb_apm_process(a, out + b * 2), 0);
	cb_apm_free(a);
	/* After 3 s: the tone in its bursts, the noise between them. */
	tone_in = tone_out = noise_in = noise_out = 0;
	for (uint32_t k = 4; k < 7; k++) {
		/* on: k*0.8 s + 0.05..0.35 s; off: + 0.45..0.75 s */
		uint32_t on = (k * 4 * RATE / 5 + RATE / 20) * 2, off = (k * 4 * RATE / 5 + 9 * RATE / 20) * 2;
		tone_in += tone_amplitude(in + on, 3 * RATE / 10, 2, 0, TONE_HZ, RATE) / 3;
		tone_out += tone_amplitude(out + on, 3 * RATE / 10, 2, 0, TONE_HZ, RATE) / 3;
		noise_in += room_power(in + off, 3 * RATE / 10 * 2) / 3;
		noise_out += room_power(out + off, 3 * RATE / 10 * 2) / 3;
	}
	printf("noise suppression %d: noise %+.1f dB, tone %+.2f dB\n", (int)level,
	       room_db(noise_out) - room_db(noise_in), 20 * log10(tone_out / tone_in));
	CHECK(room_db(noise_in) - room_db(noise_out) >= 10.0);
	CHECK(fabs(20 * log10(tone_out / tone_in)) <= 3.0);
}

/* A -40 dBFS tone rises toward the target within 10 s; a -6 dBFS one is
 * not clipped. */
static void test_agc(void)
{
	struct cb_apm_settings s = { .channels = 1, .gain_control = true, .gain_target_dbfs = -3,
				     .echo_delay_ms = -1 };
	static float buf[12 * RATE];
	struct cb_apm *a = NULL;
	struct cb_apm_status st;
	uint64_t phase = 0;
	double level, peak = 0;

	/* Speech-like bursts of a tone (the AGC adapts on voice), -40 dBFS peak. */
	tone_fill(buf, 12 * RATE, 1, 440.0, 0.01, RATE, &phase);
	CHECK_INT_EQ(cb_apm_new(&a, &s), 0);
	if (a == NULL)
		return;
	for (uint32_t b = 0; b < 12 * RATE; b += CB_APM_BLOCK)
		CHECK_INT_EQ(cb_apm_process(a, buf + b), 0);
	cb_apm_get_status(a, &st);
	level = tone_amplitude(buf + 10 * RATE, 2 * RATE, 1, 0, 440.0, RATE);
	printf("agc: -40 dBFS tone leaves at %.1f dBFS after 10 s (status gain %.1f dB)\n",
	       20 * log10(level), st.gain_db);
	CHECK(20 * log10(level) >= -40.0 + 10.0);

	phase = 0;
	tone_fill(buf, 6 * RATE, 1, 440.0, 0.5, RATE, &phase);
	for (uint32_t b = 0; b < 6 * RATE; b += CB_APM_BLOCK)
		CHECK_INT_EQ(cb_apm_process(a, buf + b), 0);
	for (uint32_t i = 0; i < 6 * RATE; i++)
		peak = fmax(peak, fabs(buf[i]));
	level = tone_amplitude(buf + 3 * RATE, 3 * RATE, 1, 0, 440.0, RATE);
	printf("agc: -6 dBFS tone leaves at %.1f dBFS, peak %.3f\n", 20 * log10(level), peak);
	CHECK(peak < 1.0);
	CHECK(20 * log10(level) > -12.0);
	cb_apm_free(a);
}

int main(void)
{
	test_noise(CB_APM_NOISE_MODERATE);
	test_noise(CB_APM_NOISE_VERY_HIGH);
	test_agc();
	test_echo(-1);
	test_echo(40);
	printf("%d checks, %d failures\n", test_checks, test_failures);
	return test_failures ? 1 : 0;
}
