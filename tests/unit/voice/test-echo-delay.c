/* The echo's delay from block levels (voice/echo-delay.c): a speech-like
 * far end and its echo, delayed by whole blocks, by fractions of a block,
 * by more than a room's worth, with a near-end tone over it; and a near
 * end that is no echo at all, where it must not claim a delay.  Figures
 * print every run. */
#include <math.h>

#include "voice/echo-delay.h"
#include "test.h"
#include "voice/room.h"

#define RATE 48000
#define BLOCK 480
#define SECONDS 4
#define FRAMES (SECONDS * RATE)

static float far_sig[FRAMES], near_sig[FRAMES];

/* The far end and its echo `delay_ms` later (with reflections), or, when
 * echo is false, a near end of other speech; plus a tone when asked.
 * Returns when the delay was first found (s, -1: never) and what; *wrong:
 * blocks after which it claimed a delay more than 3 ms off (any, with no
 * echo). */
static double run(double delay_ms, bool echo, float tone, double *found, uint32_t *wrong)
{
	struct room_noise fn = { .state = 99 }, nn = { .state = 4242 };
	uint32_t d = (uint32_t)lround(delay_ms * RATE / 1000.0);
	struct cb_echo_delay est;
	double when = -1.0, blocks = 0.0;

	for (uint32_t i = 0; i < FRAMES; i++)
		far_sig[i] = room_speech(&fn, i, 0.1f);
	for (uint32_t i = 0; i < FRAMES; i++) {
		float x = 0.0f;

		if (echo) {
			if (i >= d)
				x += 0.316f * far_sig[i - d];
			if (i >= d + 263)
				x -= 0.07f * far_sig[i - d - 263];
		} else {
			/* Someone else, in syllables of their own
			 * (1.3 a second, not the far end's 2). */
			double env = sin(2.0 * M_PI * 1.3 * i / RATE);
			x = 0.03f * room_white(&nn) * (float)(env > 0 ? env : 0);
		}
		near_sig[i] = x + tone * (float)sin(2.0 * M_PI * 1000.0 * i / RATE);
	}
	cb_echo_delay_reset(&est);
	for (uint32_t b = 0; b < FRAMES / BLOCK; b++) {
		cb_echo_delay_far(&est, room_power(far_sig + b * BLOCK, BLOCK));
		cb_echo_delay_near(&est, room_power(near_sig + b * BLOCK, BLOCK));
		if (cb_echo_delay_blocks(&est, &blocks)) {
			if (when < 0)
				when = (double)(b + 1) * BLOCK / RATE;
			if (!echo || fabs(blocks * 10.0 - delay_ms) > 3.0)
				(*wrong)++;
		}
	}
	*found = cb_echo_delay_blocks(&est, &blocks) ? blocks * 10.0 : -1.0;
	printf("%s %.1f ms%s: found %.1f ms, first after %.2f s, %u blocks claimed wrong\n",
	       echo ? "echo" : "no echo", delay_ms, tone > 0 ? " under a tone" : "", *found, when,
	       *wrong);
	return when;
}

int main(void)
{
	static const double delays[] = { 0.0, 30.0, 35.0, 38.7, 47.5, 120.0, 400.0 };
	double found, when;
	uint32_t wrong;

	for (size_t i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
		wrong = 0;
		when = run(delays[i], true, 0.0f, &found, &wrong);
		/* Within 2 ms, found within 2 s of the echo's start, and
		 * never anything else. */
		CHECK(when > 0 && when <= 2.0 + delays[i] / 1000.0);
		CHECK(fabs(found - delays[i]) <= 2.0);
		CHECK_INT_EQ(wrong, 0);
	}
	/* A talker over the echo (a tone 7 dB above it) hides the echo's
	 * grain: the delay may go unclaimed, never claimed wrong. */
	wrong = 0;
	run(40.0, true, 0.1f, &found, &wrong);
	CHECK_INT_EQ(wrong, 0);
	/* Someone else entirely: no delay claimed, ever. */
	wrong = 0;
	run(40.0, false, 0.0f, &found, &wrong);
	CHECK(found < 0);
	CHECK_INT_EQ(wrong, 0);
	printf("ok\n");
	return 0;
}
