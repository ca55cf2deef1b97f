/* A remote's stream before its node plays it: packets come every 2.5 ms
 * (real libopus) for 300 ms while no node runs, then a node starts pulling
 * a quantum of 128 each graph cycle.  The stream must have gone by at its
 * own pace meanwhile: nothing but the node's first cycle of silence in the
 * ring, the jitter buffer at its target and not holding the 300 ms, and
 * from the node's first cycle on the latency at the target, not above it by what came
 * while nobody listened (which the drift control then took 6-8 s to
 * drain at its 0.3%: bench/run-latency.sh --verbose).  Driven step by step
 * on a fake clock, as the receive worker and the node's callback drive
 * it. */
#include <math.h>
#include <opus/opus.h>
#include <string.h>

#include <spa/node/io.h>

#include "pipeline/remote.h"
#include "test.h"

#define MS 1000000ull
#define FRAME 120		/* 2.5 ms */
#define QUANTUM 128
#define TARGET_MS 5

struct sender {
	OpusEncoder *enc;
	uint16_t seq;
	uint32_t ts;
	uint64_t next_ns;
	float phase;
};

static void send_due(struct sender *s, struct cb_remote *r, uint64_t now)
{
	while (s->next_ns <= now) {
		float pcm[FRAME];
		uint8_t out[400];
		int len;

		for (int i = 0; i < FRAME; i++) {
			pcm[i] = 0.3f * sinf(s->phase);
			s->phase += (float)(2.0 * M_PI * 440.0 / 48000.0);
		}
		len = opus_encode_float(s->enc, pcm, FRAME, out, sizeof(out));
		CHECK(len > 0);
		cb_remote_receive(r, s->seq++, s->ts, out, (size_t)len, s->next_ns);
		s->ts += FRAME;
		s->next_ns += 2500000ull;
	}
}

int main(void)
{
	struct cb_remote_config config = { .channels = 1, .payload_type = 111,
					   .latency_ms = TARGET_MS };
	struct sender s = { .next_ns = 1000 * MS };
	struct cb_remote r;
	struct cb_remote_feed *feed;
	struct spa_io_position pos;
	uint64_t now = 1000 * MS, period = (uint64_t)QUANTUM * 1000000000ull / 48000;
	uint32_t worst_depth = 0, worst_ring = 0;
	float sink[QUANTUM];
	int err;

	s.enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_RESTRICTED_LOWDELAY, &err);
	CHECK(s.enc != NULL);
	snprintf(config.name, sizeof(config.name), "guest");
	CHECK_INT_EQ(cb_remote_init(&r, &config), 0);
	CHECK_INT_EQ(cb_remote_activate(&r, 0x1234, 1, now), 0);
	feed = cb_remote_current_feed(&r);
	send_due(&s, &r, now);

	/* 300 ms without a node: the worker wakes every 2 ms, as it does. */
	for (; now < 1300 * MS; now += 2 * MS) {
		send_due(&s, &r, now);
		cb_remote_produce(&r, now, 2 * MS);
	}
	cb_remote_publish_stats(&r);
	printf("no node for 300 ms: ring %u frames, jitter buffer %u ms (target %u)\n",
	       cb_audio_ring_avail(&feed->ring), (unsigned)atomic_load(&r.stats.depth_ms),
	       (unsigned)atomic_load(&r.stats.target_ms));
	/* The ring holds only the silence the node's first cycle will take
	 * (a quantum of 64 for 2.5 ms frames, and the headroom): no audio
	 * queued for nobody. */
	CHECK(cb_audio_ring_avail(&feed->ring) <= 64 + 48);
	{
		float head[64 + 48];
		uint32_t n = cb_audio_ring_avail(&feed->ring);

		/* A look without taking: the read index is the node's. */
		CHECK(n > 0);
		spa_ringbuffer_read_data(&feed->ring.rb, feed->ring.data, feed->ring.size, 0, head,
					 n * sizeof(float));
		for (uint32_t i = 0; i < n; i++)
			CHECK(head[i] == 0.0f);
	}
	CHECK(atomic_load(&r.stats.depth_ms) <= TARGET_MS + 5);

	/* The node starts: a cycle every 128 frames; the worker tops up just
	 * before each (it asks when), the callback pulls a quantum. */
	memset(&pos, 0, sizeof(pos));
	pos.clock.duration = QUANTUM;
	atomic_store(&feed->quantum, QUANTUM);
	for (uint32_t c = 0; c < 400; c++) {
		uint64_t cycle = now;

		/* The worker, up to the cycle: every wake-up it asks for. */
		for (uint32_t guard = 0; guard < 8; guard++) {
			uint64_t next = cb_remote_produce(&r, now, 2 * MS);

			if (next >= cycle || next <= now)
				break;
			now = next;
			send_due(&s, &r, now);
		}
		now = cycle;
		send_due(&s, &r, now);
		/* The callback. */
		pos.clock.nsec = now;
		pos.clock.next_nsec = now + period;
		if (cb_audio_ring_pull(&feed->ring, sink, QUANTUM) < QUANTUM && c > 0)
			atomic_fetch_add(&feed->underrun_frames, 1);
		cb_cycle_clock_publish(&feed->cycle, &pos);
		now += period;
		if (c >= 10) {
			cb_remote_publish_stats(&r);
			worst_depth = SPA_MAX(worst_depth, (uint32_t)atomic_load(&r.stats.depth_ms));
			worst_ring = SPA_MAX(worst_ring, cb_audio_ring_avail(&feed->ring));
		}
	}
	cb_remote_publish_stats(&r);
	printf("node playing 400 cycles: jitter buffer at most %u ms after the first 10, "
	       "ring at most %u frames, %llu short cycles\n", worst_depth, worst_ring,
	       (unsigned long long)atomic_load(&feed->underrun_frames));
	/* At the target from the start (a packet of rounding either way),
	 * the ring a cycle or two, and no cycle short. */
	CHECK(worst_depth <= TARGET_MS + 5);
	CHECK(worst_ring <= 3 * QUANTUM);
	CHECK_INT_EQ(atomic_load(&feed->underrun_frames), 0);

	opus_encoder_destroy(s.enc);
	cb_remote_clear(&r);
	printf("ok\n");
	return 0;
}
