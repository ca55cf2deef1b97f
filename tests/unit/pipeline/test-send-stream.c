/* The send stream on a simulated clock: rings filled the way the PipeWire
 * process callback fills them, frames pulled the way the worker pulls them. */
#include <errno.h>
#include <stdlib.h>
#include <opus/opus.h>

#include "pipeline/send-stream.h"
#include "rtp/rtp.h"
#include "test.h"
#include "tone.h"

#define QUANTUM 1024
#define MS 1000000ull

static struct cb_stream_config stream_config(uint32_t channels)
{
	return (struct cb_stream_config) {
		.name = "program", .channels = channels, .bitrate = 64000, .fec = true,
		.expected_loss = 10, .complexity = 5, .application = CB_OPUS_APP_AUDIO,
		.payload_type = 111,
	};
}

/* Two tracks at different tones mixed into one stereo stream: RTP fields
 * advance exactly, and the decoded audio holds both tones. */
static void test_mix_two_tracks(void)
{
	struct cb_stream_config cfg = stream_config(2);
	struct cb_audio_ring music, voice;
	struct cb_send_stream *s;
	float quantum[QUANTUM * 2], decoded[960 * 2], all[960 * 2 * 100];
	uint8_t packet[1600];
	uint64_t phase_a = 0, phase_b = 0, now = 0;
	OpusDecoder *dec;
	int err, produced = 0;
	uint16_t first_seq = 0;
	uint32_t first_ts = 0;
	bool markers_ok = true, seq_ok = true, ts_ok = true;

	CHECK_INT_EQ(cb_audio_ring_init(&music, 2, 16384), 0);
	CHECK_INT_EQ(cb_audio_ring_init(&voice, 1, 16384), 0);
	CHECK_INT_EQ(cb_send_stream_new(&s, &cfg, 960, NULL), 0);
	CHECK_INT_EQ(cb_send_stream_add_input(s, &music, 0.0f, true), 0);
	CHECK_INT_EQ(cb_send_stream_add_input(s, &voice, -6.0206f, false), 0);
	dec = opus_decoder_create(48000, 2, &err);

	while (produced < 100) {
		tone_fill(quantum, QUANTUM, 2, 440.0, 0.4, 48000, &phase_a);
		cb_audio_ring_push(&music, quantum, QUANTUM);
		tone_fill(quantum, QUANTUM, 1, 1000.0, 0.8, 48000, &phase_b);
		cb_audio_ring_push(&voice, quantum, QUANTUM);
		now += QUANTUM * 1000000000ull / 48000;

		while (cb_send_stream_ready(s, now) && produced < 100) {
			struct cb_rtp_packet pkt;
			int n = cb_send_stream_produce(s, now, packet, sizeof(packet));
			CHECK(n > 12);
			CHECK_INT_EQ(cb_rtp_parse(packet, (size_t)n, &pkt), 0);
			if (produced == 0) {
				first_seq = pkt.header.sequence;
				first_ts = pkt.header.timestamp;
				markers_ok &= pkt.header.marker;
			} else {
				markers_ok &= !pkt.header.marker;
			}
			seq_ok &= pkt.header.sequence == (uint16_t)(first_seq + produced);
			ts_ok &= pkt.header.timestamp == first_ts + 960u * (uint32_t)produced;
			CHECK_INT_EQ(pkt.header.ssrc, s->ssrc);
			CHECK_INT_EQ(pkt.header.payload_type, 111);
			CHECK_INT_EQ(opus_decode_float(dec, pkt.payload, (int)pkt.payload_len,
						       decoded, 960, 0), 960);
			memcpy(all + produced * 960 * 2, decoded, sizeof(decoded));
			produced++;
		}
		/* the queue never holds more than a frame plus a quantum */
		CHECK(cb_audio_ring_avail(&music) < 960 + QUANTUM);
	}
	CHECK(markers_ok);
	CHECK(seq_ok);
	CHECK(ts_ok);
	CHECK_INT_EQ(s->stats.packets, 100);
	CHECK_INT_EQ(s->stats.underrun_frames, 0);

	/* last half second: 440 Hz at 0.4 and 1 kHz at 0.4 (0.8 at -6 dB), both sides */
	for (uint32_t ch = 0; ch < 2; ch++) {
		CHECK_NEAR(tone_amplitude(all + 50 * 960 * 2, 50 * 960, 2, ch, 440.0, 48000), 0.4, 0.06);
		CHECK_NEAR(tone_amplitude(all + 50 * 960 * 2, 50 * 960, 2, ch, 1000.0, 48000), 0.4, 0.06);
		CHECK(tone_amplitude(all + 50 * 960 * 2, 50 * 960, 2, ch, 660.0, 48000) < 0.01);
	}
	opus_decoder_destroy(dec);
	cb_send_stream_free(s);
	cb_audio_ring_clear(&music);
	cb_audio_ring_clear(&voice);
}

/* One track stops delivering: the stream waits a little, then pads it with
 * silence instead of stalling the other track for ever. */
static void test_stalled_track(void)
{
	struct cb_stream_config cfg = stream_config(1);
	struct cb_audio_ring live, dead;
	struct cb_send_stream *s;
	float quantum[QUANTUM];
	uint8_t packet[1600];
	uint64_t phase = 0, now = 0;
	int produced = 0;

	cb_audio_ring_init(&live, 1, 16384);
	cb_audio_ring_init(&dead, 1, 16384);
	cb_send_stream_new(&s, &cfg, 960, NULL);
	cb_send_stream_add_input(s, &live, 0, false);
	cb_send_stream_add_input(s, &dead, 0, false);

	for (int cycle = 0; cycle < 200; cycle++) {
		tone_fill(quantum, QUANTUM, 1, 440.0, 0.4, 48000, &phase);
		cb_audio_ring_push(&live, quantum, QUANTUM);
		now += QUANTUM * 1000000000ull / 48000;
		while (cb_send_stream_ready(s, now)) {
			CHECK(cb_send_stream_produce(s, now, packet, sizeof(packet)) > 0);
			produced++;
		}
		CHECK(cb_audio_ring_avail(&live) <= 960 + CB_SEND_MAX_SKEW_FRAMES + QUANTUM);
	}
	/* 200 quanta = 204800 frames = 213 packets of 960, minus what waits */
	CHECK(produced >= 213 - (int)(CB_SEND_MAX_SKEW_FRAMES / 960) - 2);
	CHECK(s->stats.underrun_frames >= (uint64_t)(produced - 5) * 960);
	cb_send_stream_free(s);
	cb_audio_ring_clear(&live);
	cb_audio_ring_clear(&dead);
}

/* An hour of graph time in which the worker sometimes wakes late: the queue
 * between graph and encoder must be as short at the end as at the start. */
static void test_hour_without_pileup(void)
{
	struct cb_stream_config cfg = stream_config(1);
	struct cb_audio_ring ring;
	struct cb_send_stream *s;
	float quantum[QUANTUM] = { 0 };
	uint8_t packet[1600];
	uint64_t now = 0, frames_in = 0;
	uint32_t max_fill_first_minute = 0, max_fill_last_minute = 0;
	const uint64_t hour = 3600ull * 48000;

	cfg.complexity = 0;
	cfg.bitrate = 6000;
	cb_audio_ring_init(&ring, 1, 16384);
	cb_send_stream_new(&s, &cfg, 2880, NULL);	/* 60 ms keeps the test quick */
	cb_send_stream_add_input(s, &ring, 0, false);

	for (uint64_t cycle = 0; frames_in < hour; cycle++) {
		cb_audio_ring_push(&ring, quantum, QUANTUM);
		frames_in += QUANTUM;
		now += QUANTUM * 1000000000ull / 48000;
		/* the worker misses every seventh wake-up */
		if (cycle % 7 != 3)
			while (cb_send_stream_ready(s, now))
				cb_send_stream_produce(s, now, packet, sizeof(packet));
		uint32_t fill = cb_audio_ring_avail(&ring);
		if (frames_in < 60 * 48000 && fill > max_fill_first_minute)
			max_fill_first_minute = fill;
		if (frames_in > hour - 60 * 48000 && fill > max_fill_last_minute)
			max_fill_last_minute = fill;
	}
	CHECK(max_fill_last_minute <= max_fill_first_minute);
	CHECK(max_fill_last_minute < 2880 + 2 * QUANTUM);
	CHECK_INT_EQ(s->stats.dropped_frames, 0);
	CHECK(s->stats.frames >= hour / 2880 - 2);
	cb_send_stream_free(s);
	cb_audio_ring_clear(&ring);
}

/* A full ring drops what is new and counts it; the consumer keeps order. */
static void test_ring_overrun(void)
{
	struct cb_audio_ring ring;
	float in[1000], out[1000];

	cb_audio_ring_init(&ring, 2, 500);	/* rounds up to 512 frames */
	for (int i = 0; i < 1000; i++)
		in[i] = (float)i;
	CHECK_INT_EQ(cb_audio_ring_push(&ring, in, 300), 300);
	CHECK_INT_EQ(cb_audio_ring_push(&ring, in + 400, 300), 212);
	CHECK_INT_EQ(atomic_load(&ring.overrun_frames), 88);
	CHECK_INT_EQ(cb_audio_ring_pull(&ring, out, 10), 10);
	CHECK(out[0] == 0.0f && out[19] == 19.0f);
	CHECK_INT_EQ(cb_audio_ring_skip(&ring, 1000), 502);
	CHECK_INT_EQ(cb_audio_ring_avail(&ring), 0);
	CHECK_INT_EQ(cb_audio_ring_push_silence(&ring, 4), 4);
	CHECK_INT_EQ(cb_audio_ring_pull(&ring, out, 10), 4);
	CHECK(out[0] == 0.0f && out[7] == 0.0f);
	cb_audio_ring_clear(&ring);
}

/* DTX: silent frames are not sent, yet timestamps keep counting and the
 * next talkspurt carries the marker bit. */
static void test_dtx_timeline(void)
{
	struct cb_stream_config cfg = stream_config(1);
	struct cb_audio_ring ring;
	struct cb_send_stream *s;
	float buf[960];
	uint8_t packet[1600];
	uint64_t phase = 0;
	struct cb_rtp_packet pkt;
	uint32_t first_ts = 0;
	bool previous_skipped = false, ts_ok = true, marker_ok = true;
	int skipped = 0;

	cfg.dtx = true;
	cb_audio_ring_init(&ring, 1, 16384);
	cb_send_stream_new(&s, &cfg, 960, NULL);
	cb_send_stream_add_input(s, &ring, 0, false);

	for (int f = 0; f < 100; f++) {
		if (f < 20 || f >= 80)
			tone_fill(buf, 960, 1, 300.0, 0.5, 48000, &phase);
		else
			memset(buf, 0, sizeof(buf));
		cb_audio_ring_push(&ring, buf, 960);
		CHECK(cb_send_stream_ready(s, 0));
		int n = cb_send_stream_produce(s, 0, packet, sizeof(packet));
		if (n == 0) {
			previous_skipped = true;
			skipped++;
			continue;
		}
		cb_rtp_parse(packet, (size_t)n, &pkt);
		if (f == 0)
			first_ts = pkt.header.timestamp;
		/* every packet sits on the timeline of the samples, sent or not */
		ts_ok &= pkt.header.timestamp == first_ts + 960u * (uint32_t)f;
		if (f > 0)
			marker_ok &= pkt.header.marker == previous_skipped;
		previous_skipped = false;
	}
	CHECK(ts_ok);
	CHECK(marker_ok);
	CHECK(skipped > 30);
	CHECK_INT_EQ(s->stats.dtx_frames, skipped);
	CHECK_INT_EQ(s->stats.frames, 100);
	cb_send_stream_free(s);
	cb_audio_ring_clear(&ring);
}

/* RFC 2198 with DTX (20 ms frames: libopus 1.3 has DTX only where SILK
 * runs): every packet is RED carrying the
 * previous packets' primaries byte for byte, as many as redundancy asks
 * and the unbroken run of sent frames allows: none across a DTX gap,
 * where the sequence numbers stop stepping with the timestamps. */
static void test_red_dtx(void)
{
	struct cb_stream_config cfg = stream_config(1);
	struct cb_audio_ring ring;
	struct cb_send_stream *s;
	float buf[960];
	uint8_t packet[1600], prev[2][400];
	size_t prev_len[2] = { 0, 0 };
	uint64_t phase = 0, carried = 0;
	struct cb_rtp_packet pkt;
	struct cb_red_block blocks[CB_RED_MAX_BLOCKS];
	uint32_t run = 0;	/* packets sent in a row before this one */
	bool blocks_ok = true, seq_ok = true;
	uint16_t next_seq = 0;
	int sent = 0;

	cfg.dtx = true;
	cfg.redundancy = 2;
	cb_audio_ring_init(&ring, 1, 16384);
	CHECK_INT_EQ(cb_send_stream_new(&s, &cfg, 960, NULL), 0);
	cb_send_stream_add_input(s, &ring, 0, false);

	for (int f = 0; f < 100; f++) {
		if (f < 30 || f >= 70)
			tone_fill(buf, 960, 1, 300.0, 0.5, 48000, &phase);
		else
			memset(buf, 0, sizeof(buf));
		cb_audio_ring_push(&ring, buf, 960);
		CHECK(cb_send_stream_ready(s, 0));
		int n = cb_send_stream_produce(s, 0, packet, sizeof(packet));
		if (n == 0) {
			run = 0;
			continue;
		}
		CHECK_INT_EQ(cb_rtp_parse(packet, (size_t)n, &pkt), 0);
		CHECK_INT_EQ(pkt.header.payload_type, CB_RED_PAYLOAD_TYPE);
		int k = cb_red_parse(pkt.payload, pkt.payload_len, CB_RED_PAYLOAD_TYPE, blocks,
				     CB_RED_MAX_BLOCKS);
		uint32_t want = run < 2 ? run : 2;
		CHECK_INT_EQ(k, (int)want + 1);
		if (k != (int)want + 1)
			break;
		seq_ok &= sent == 0 || pkt.header.sequence == next_seq;
		next_seq = (uint16_t)(pkt.header.sequence + 1);
		for (int i = 0; i + 1 < k; i++) {
			/* oldest first: block i is want - i packets back */
			uint32_t back = want - (uint32_t)i;
			blocks_ok &= blocks[i].payload_type == 111;
			blocks_ok &= blocks[i].offset == 960 * back;
			blocks_ok &= blocks[i].len == prev_len[back - 1] &&
				     memcmp(blocks[i].data, prev[back - 1], blocks[i].len) == 0;
			carried++;
		}
		blocks_ok &= blocks[k - 1].payload_type == 111 && blocks[k - 1].offset == 0;
		memcpy(prev[1], prev[0], prev_len[0]);
		prev_len[1] = prev_len[0];
		memcpy(prev[0], blocks[k - 1].data, blocks[k - 1].len);
		prev_len[0] = blocks[k - 1].len;
		run++;
		sent++;
	}
	CHECK(blocks_ok);
	CHECK(seq_ok);
	CHECK(sent > 40 && sent < 90);	/* the silence went as DTX */
	CHECK_INT_EQ(s->stats.red_frames, carried);
	CHECK(carried > 2 * (uint64_t)sent - 10);

	/* Back to 0, live: plain Opus again. */
	s->config.redundancy = 0;
	tone_fill(buf, 960, 1, 300.0, 0.5, 48000, &phase);
	cb_audio_ring_push(&ring, buf, 960);
	CHECK(cb_send_stream_ready(s, 0));
	int n = cb_send_stream_produce(s, 0, packet, sizeof(packet));
	CHECK(n > 12);
	CHECK_INT_EQ(cb_rtp_parse(packet, (size_t)n, &pkt), 0);
	CHECK_INT_EQ(pkt.header.payload_type, 111);
	cb_send_stream_free(s);
	cb_audio_ring_clear(&ring);
}

/* PipeWire goes away for 2 s and comes back: the stream carries silence on
 * the clock meanwhile (catching up from the last frame it heard), so RTP
 * time keeps pace with real time and the sequence stays contiguous; live
 * settings change without touching either. */
static void test_pipewire_away(void)
{
	struct cb_stream_config cfg = stream_config(1);
	struct cb_audio_ring ring;
	struct cb_send_stream *s;
	float quantum[QUANTUM];
	uint8_t packet[1600];
	uint64_t phase = 0, now = 0, start_ns = 0;
	uint32_t start_ts = 0, ssrc;
	uint16_t expect_seq = 0;
	bool seq_ok = true;
	int produced = 0;

	cb_audio_ring_init(&ring, 1, 16384);
	cb_send_stream_new(&s, &cfg, 960, NULL);
	cb_send_stream_add_input(s, &ring, 0, false);
	ssrc = s->ssrc;

	/* 1 s of graph, 2 s away (500 ms of it waited for before the loss is
	 * noticed), then 1 s of graph again; the worker wakes every 5 ms. */
	for (int ms = 5; ms <= 4000; ms += 5) {
		struct cb_rtp_packet pkt;

		now = (uint64_t)ms * MS;
		if (ms == 1500)
			cb_send_stream_set_pipewire(s, CB_SEND_PIPEWIRE_AWAY);
		if (ms == 3000)
			cb_send_stream_set_pipewire(s, CB_SEND_PIPEWIRE_BACK);
		if ((ms < 1000 || ms >= 3100) && ms % 20 == 0) {
			tone_fill(quantum, 960, 1, 440.0, 0.4, 48000, &phase);
			cb_audio_ring_push(&ring, quantum, 960);
		}
		if (ms == 2000) {
			cfg.bitrate = 24000;
			cfg.dtx = false;
			CHECK(cb_send_stream_can_update(s, &cfg));
			CHECK_INT_EQ(cb_send_stream_update(s, &cfg, NULL), 0);
		}
		while (cb_send_stream_ready(s, now)) {
			int n = cb_send_stream_produce(s, now, packet, sizeof(packet));
			CHECK(n > 12);
			CHECK_INT_EQ(cb_rtp_parse(packet, (size_t)n, &pkt), 0);
			if (produced++ == 0) {
				start_ns = now;
				start_ts = pkt.header.timestamp;
			} else if (pkt.header.sequence != expect_seq) {
				seq_ok = false;
			}
			expect_seq = (uint16_t)(pkt.header.sequence + 1);
			CHECK(pkt.header.ssrc == ssrc);
		}
	}
	CHECK(seq_ok);
	/* RTP time against the clock: within two frames after 4 s. */
	CHECK(llabs((long long)((uint32_t)(s->timestamp - start_ts)) -
		    (long long)((now - start_ns) * 48 / 1000000)) <= 2 * 960);
	CHECK(atomic_load(&s->pipewire) == CB_SEND_PIPEWIRE_UP);
	cfg.channels = 2;
	CHECK(!cb_send_stream_can_update(s, &cfg));
	cb_send_stream_free(s);
	cb_audio_ring_clear(&ring);
}

/* A track bound to a stream as the bridge binds it, on a bare ring. */
struct fake_track {
	struct cb_track_state state;
	struct cb_audio_ring rings[1];
	atomic_uint n_rings;
};

static void fake_track_init(struct fake_track *t)
{
	cb_track_state_init(&t->state);
	CHECK_INT_EQ(cb_audio_ring_init(&t->rings[0], 1, 16384), 0);
	atomic_init(&t->n_rings, 1);
	t->state.rings = t->rings;
	t->state.n_rings = &t->n_rings;
}

/* As the control sets them (control.c): positions first, then publish. */
static void set_mark(struct fake_track *t, const char *id)
{
	unsigned int tail = atomic_load(&t->state.marks_tail);
	struct cb_track_mark *m = &t->state.marks[tail % CB_TRACK_MAX_MARKS];

	snprintf(m->id, sizeof(m->id), "%s", id);
	m->n_rings = 1;
	m->pos[0] = atomic_load(&t->rings[0].written_frames);
	m->passed = 0;
	atomic_store(&t->state.marks_tail, tail + 1);
}

/* mark is exact to a frame: it is done with the packet carrying the last
 * frame written before it, not before, and names the RTP time just past
 * that frame. */
static void test_mark_exact(void)
{
	struct cb_stream_config cfg = stream_config(1);
	struct fake_track t;
	struct cb_send_stream *s;
	float q[QUANTUM];
	uint8_t packet[1600];
	uint64_t phase = 0, now = 0;
	uint32_t first_ts = 0, packets = 0, done_at = 0;

	fake_track_init(&t);
	CHECK_INT_EQ(cb_send_stream_new(&s, &cfg, 960, NULL), 0);
	CHECK_INT_EQ(cb_send_stream_add_input(s, &t.rings[0], 0.0f, false), 0);
	cb_send_stream_bind_track(s, &t.rings[0], &t.state, 500, true);
	first_ts = s->timestamp;
	/* 2500 frames (2.6 packets), then the mark, then more audio. */
	tone_fill(q, 1000, 1, 440.0, 0.5, 48000, &phase);
	cb_audio_ring_push(&t.rings[0], q, 1000);
	cb_audio_ring_push(&t.rings[0], q, 1000);
	cb_audio_ring_push(&t.rings[0], q, 500);
	set_mark(&t, "m1");
	for (int cycle = 0; cycle < 10; cycle++) {
		tone_fill(q, QUANTUM, 1, 440.0, 0.5, 48000, &phase);
		cb_audio_ring_push(&t.rings[0], q, QUANTUM);
		now += QUANTUM * 1000000000ull / 48000;
		while (cb_send_stream_ready(s, now)) {
			CHECK(cb_send_stream_produce(s, now, packet, sizeof(packet)) > 0);
			packets++;
			if (cb_send_stream_commit_marks(s) > 0)
				done_at = packets;
		}
	}
	/* Frames 0..2499 leave in packets 1..3: done with the third. */
	CHECK_INT_EQ(done_at, 3);
	CHECK_INT_EQ(atomic_load(&t.state.marks_done), 1);
	CHECK_INT_EQ(t.state.marks[0].rtp_end, first_ts + 2500);
	CHECK_INT_EQ(t.state.marks[0].ssrc, s->ssrc);
	/* A mark on a track that has sent everything: done with the next
	 * packet, at its start. */
	set_mark(&t, "m2");
	{
		int guard = 0;
		while (atomic_load(&t.state.marks_done) < 2 && guard++ < 20) {
			tone_fill(q, QUANTUM, 1, 440.0, 0.5, 48000, &phase);
			cb_audio_ring_push(&t.rings[0], q, QUANTUM);
			now += QUANTUM * 1000000000ull / 48000;
			while (cb_send_stream_ready(s, now)) {
				cb_send_stream_produce(s, now, packet, sizeof(packet));
				cb_send_stream_commit_marks(s);
			}
		}
		CHECK_INT_EQ(atomic_load(&t.state.marks_done), 2);
	}
	cb_send_stream_free(s);
	cb_audio_ring_clear(&t.rings[0]);
}

/* interrupt drops what is queued and what comes until open; what is
 * written after open is sent, from its first frame. */
static void test_interrupt_open(void)
{
	struct cb_stream_config cfg = stream_config(1);
	struct fake_track t;
	struct cb_send_stream *s;
	float q[QUANTUM];
	uint8_t packet[1600];
	uint64_t phase = 0, now = 0, open_at;

	fake_track_init(&t);
	CHECK_INT_EQ(cb_send_stream_new(&s, &cfg, 960, NULL), 0);
	CHECK_INT_EQ(cb_send_stream_add_input(s, &t.rings[0], 0.0f, false), 0);
	cb_send_stream_bind_track(s, &t.rings[0], &t.state, 500, true);
	tone_fill(q, QUANTUM, 1, 440.0, 0.5, 48000, &phase);
	for (int i = 0; i < 5; i++)
		cb_audio_ring_push(&t.rings[0], q, QUANTUM);
	/* interrupt, as the control does it */
	atomic_fetch_add(&t.state.interrupt_requests, 1);
	atomic_store(&t.state.interrupted, true);
	now += 100 * 1000000ull;
	while (cb_send_stream_ready(s, now))
		cb_send_stream_produce(s, now, packet, sizeof(packet));
	CHECK_INT_EQ(cb_audio_ring_avail(&t.rings[0]), 0);
	/* Written while interrupted: dropped too. */
	for (int i = 0; i < 3; i++)
		cb_audio_ring_push(&t.rings[0], q, QUANTUM);
	/* open: positions first, then the flag; the worker has not looked
	 * yet when more audio comes. */
	open_at = atomic_load(&t.rings[0].written_frames);
	t.state.open_pos[0] = open_at;
	atomic_store(&t.state.interrupted, false);
	cb_audio_ring_push(&t.rings[0], q, 500);
	now += 100 * 1000000ull;
	cb_send_stream_ready(s, now);
	/* Exactly what came after open is left. */
	CHECK_INT_EQ(atomic_load(&t.rings[0].read_frames), open_at);
	CHECK_INT_EQ(cb_audio_ring_avail(&t.rings[0]), 500);
	CHECK_INT_EQ(atomic_load(&t.state.dropped_frames), 8 * QUANTUM);
	cb_send_stream_free(s);
	cb_audio_ring_clear(&t.rings[0]);
}

int main(void)
{
	test_mark_exact();
	test_interrupt_open();
	test_pipewire_away();
	test_ring_overrun();
	test_mix_two_tracks();
	test_stalled_track();
	test_dtx_timeline();
	test_red_dtx();
	test_hour_without_pileup();
	return test_finish("test-send-stream");
}
