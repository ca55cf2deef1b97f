/* The far end's tap (node/far-tap.c) and the timeline (node/timeline.h):
 * what reaches the echo canceller must stay on the graph's clock, frame for
 * frame, whatever the rate-matched remote node hands its adapter. */
#include <math.h>

#include "audio/audio-ring.h"
#include "node/far-tap.h"
#include "node/timeline.h"
#include "test.h"

#define Q 128

/* Cycles of Q graph frames, the node handing in `want` frames each, as a
 * rate-matched node does (want moving around Q): the tap's frames always
 * add up to the graph's, within the one frame of phase it may owe. */
static void test_count(void)
{
	struct cb_audio_ring ring;
	struct cb_far_tap tap = { 0 };
	float in[2 * (Q + 4)];
	uint64_t graph = 0;

	CHECK_INT_EQ(cb_audio_ring_init(&ring, 1, 65536), 0);
	for (uint32_t i = 0; i < 2 * (Q + 4); i++)
		in[i] = 0.1f;
	for (uint32_t c = 0; c < 20000; c++) {
		/* 127, 128, 129 and runs of 128: phases left over and kept. */
		uint32_t want = c % 7 == 0 ? Q - 1 : c % 11 == 0 ? Q + 1 : Q;

		cb_far_tap_push(&tap, &ring, in, want, 2, Q);
		graph += Q;
		cb_audio_ring_skip(&ring, cb_audio_ring_avail(&ring));
		CHECK(llabs((long long)atomic_load(&ring.written_frames) - (long long)graph) <= 1);
	}
	printf("tap: %llu frames for %llu of the graph after 20000 cycles\n",
	       (unsigned long long)atomic_load(&ring.written_frames), (unsigned long long)graph);
	cb_audio_ring_clear(&ring);
}

/* A stretched sine stays a sine of the stretched frequency: the
 * interpolation is continuous across cycles (no click at a boundary). */
static void test_continuity(void)
{
	struct cb_audio_ring ring;
	struct cb_far_tap tap = { 0 };
	static float out[200 * Q];
	float in[Q + 2];
	double phase = 0, worst = 0;
	uint32_t got;

	CHECK_INT_EQ(cb_audio_ring_init(&ring, 1, 65536), 0);
	for (uint32_t c = 0; c < 200; c++) {
		uint32_t want = Q + 1;	/* rate 1.0078: 1000 Hz in, 1007.8 Hz out */

		for (uint32_t i = 0; i < want; i++, phase += 1.0)
			in[i] = (float)sin(2.0 * M_PI * 1000.0 * phase / 48000.0);
		cb_far_tap_push(&tap, &ring, in, want, 1, Q);
	}
	got = cb_audio_ring_pull(&ring, out, 200 * Q);
	/* Past the first frame (prev starts at 0): each output against the
	 * sine at its input position. */
	for (uint32_t j = 2; j < got; j++) {
		double pos = (double)j * (Q + 1) / Q - 1.0;
		double want = sin(2.0 * M_PI * 1000.0 * pos / 48000.0);
		worst = fmax(worst, fabs(out[j] - want));
	}
	printf("tap: stretched sine off by %.5f at most (linear interpolation)\n", worst);
	CHECK(got >= 200 * Q - 1);
	/* Linear interpolation's bound for 1 kHz at 48 kHz:
	 * (2 pi 1000 / 48000)^2 / 8 = 0.00214, -53 dB. */
	CHECK(worst < 0.0025);
	cb_audio_ring_clear(&ring);
}

/* The timeline: a missed cycle is a gap of its quantum; a stop (a big
 * jump) and the first cycle are none. */
static void test_timeline(void)
{
	struct cb_timeline tl = { 0 };
	struct spa_io_position pos = { 0 };

	pos.clock.duration = Q;
	pos.clock.position = 1000;
	CHECK_INT_EQ(cb_timeline_gap(&tl, &pos), 0);
	pos.clock.position += Q;
	CHECK_INT_EQ(cb_timeline_gap(&tl, &pos), 0);
	pos.clock.position += 2 * Q;	/* one cycle missed */
	CHECK_INT_EQ(cb_timeline_gap(&tl, &pos), Q);
	pos.clock.position += Q + 48000;	/* a stop */
	CHECK_INT_EQ(cb_timeline_gap(&tl, &pos), 0);
	pos.clock.position += Q;
	CHECK_INT_EQ(cb_timeline_gap(&tl, &pos), 0);
	CHECK_INT_EQ(cb_timeline_gap(&tl, NULL), 0);
}

int main(void)
{
	test_count();
	test_continuity();
	test_timeline();
	printf("%d checks, %d failures\n", test_checks, test_failures);
	return test_failures ? 1 : 0;
}
