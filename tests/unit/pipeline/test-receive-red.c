/* RFC 2198 on the receive path, through cb_receive_worker_handle() into
 * the remote's jitter buffer and out of its playout: real libopus 5 ms
 * frames (CELT only, no in-band FEC), a simulated clock, no PipeWire.
 * A lost packet's frame comes back from the next packets' redundant
 * blocks and plays in its place; a copy of a frame that came is ignored;
 * a packet after its own copy is no duplicate; a copy too late for its
 * slot plays nothing; malformed RED is dropped and counted. */
#include <arpa/inet.h>
#include <opus/opus.h>

#include "crypto/srtp-session.h"
#include "pipeline/receive-worker.h"
#include "rtp/rtp-red.h"
#include "rtp/rtp.h"
#include "test.h"

#define MS 1000000ull
#define FRAME 240
#define N_FRAMES 400
#define SSRC 0x1111

struct fixture {
	struct cb_call_config call;
	struct cb_remote remotes[1];
	struct cb_receive_worker worker;
	struct cb_srtp_session *in, *out;
	struct cb_address from;
	uint8_t opus[N_FRAMES][200];
	int opus_len[N_FRAMES];
	uint32_t played, concealed;
};

static void setup(struct fixture *f)
{
	struct cb_remote_config guest = { .name = "guest", .channels = 1, .payload_type = 111,
					  .latency_ms = 20, .has_ssrc = true, .ssrc = SSRC };
	OpusEncoder *enc;
	float pcm[FRAME];
	int err;

	memset(f, 0, sizeof(*f));
	f->call.accept_unknown = false;
	f->call.remote_timeout_ms = 1000;
	cb_remote_init(&f->remotes[0], &guest);
	cb_srtp_session_new(&f->in, CB_SRTP_NONE, NULL, 0, CB_SRTP_INBOUND);
	cb_srtp_session_new(&f->out, CB_SRTP_NONE, NULL, 0, CB_SRTP_OUTBOUND);
	cb_receive_worker_init(&f->worker, &f->call, f->remotes, 1, "test@host");
	cb_receive_worker_add_fixed_input(&f->worker, NULL, f->in, f->out);

	enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_RESTRICTED_LOWDELAY, &err);
	for (int k = 0; k < N_FRAMES; k++) {
		for (int i = 0; i < FRAME; i++)
			pcm[i] = 0.3f * sinf((float)(k * FRAME + i) * 0.05f);
		f->opus_len[k] = opus_encode_float(enc, pcm, FRAME, f->opus[k], 200);
	}
	opus_encoder_destroy(enc);
	f->from.set = true;
	f->from.len = sizeof(struct sockaddr_in);
	((struct sockaddr_in *)&f->from.addr)->sin_family = AF_INET;
}

static void teardown(struct fixture *f)
{
	cb_remote_clear(&f->remotes[0]);
	cb_srtp_session_free(f->in);
	cb_srtp_session_free(f->out);
}

/* Packet k as a sender with redundancy `red` sends it (63 for RED). */
static size_t red_packet(struct fixture *f, uint8_t *buf, int k, uint32_t red)
{
	struct cb_rtp_header h = { .payload_type = CB_RED_PAYLOAD_TYPE, .sequence = (uint16_t)(1000 + k),
				   .timestamp = 50000u + FRAME * (uint32_t)k, .ssrc = SSRC };
	struct cb_red_block blocks[2];
	size_t hl = cb_rtp_write_header(buf, 1600, &h);
	uint32_t n = 0;

	for (uint32_t back = red; back >= 1; back--) {
		if (k - (int)back < 0)
			continue;
		blocks[n++] = (struct cb_red_block) { .payload_type = 111, .offset = FRAME * back,
						      .data = f->opus[k - (int)back],
						      .len = (size_t)f->opus_len[k - (int)back] };
	}
	return hl + (size_t)cb_red_write(buf + hl, 1600 - hl, blocks, n, 111, f->opus[k],
					 (size_t)f->opus_len[k]);
}

static void deliver(struct fixture *f, const uint8_t *buf, size_t len, uint64_t now)
{
	uint8_t copy[1600];
	memcpy(copy, buf, len);
	cb_receive_worker_handle(&f->worker, copy, len, &f->from, now);
}

/* One 5 ms slot of playout, as the remote's top-up takes it. */
static void pull(struct fixture *f, uint64_t now)
{
	struct cb_jitter_slot slot;

	cb_jitter_buffer_get(f->remotes[0].jitter_buffer, now, &slot);
	if (slot.action == CB_JITTER_PLAY)
		f->played++;
	else if (slot.action == CB_JITTER_CONCEAL || slot.action == CB_JITTER_FEC)
		f->concealed++;
}

static uint64_t stat(atomic_uint_fast64_t *v)
{
	return atomic_load(v);
}

static bool base_lost(int k)
{
	return k > 10 && (k % 17 == 0 || k % 29 == 0 || k % 29 == 1);
}

/* About 7%, single losses and pairs (2 in a row needs redundancy 2),
 * never 3 in a row. */
static bool lost(int k)
{
	return base_lost(k) && !(base_lost(k - 1) && base_lost(k - 2));
}

static uint32_t f_played_last;

static void run(uint32_t red, struct cb_jitter_stats *st, uint32_t *concealed, uint32_t *n_lost)
{
	struct fixture f;
	uint8_t buf[1600];

	setup(&f);
	*n_lost = 0;
	for (int k = 0; k < N_FRAMES; k++) {
		uint64_t now = 1000 * MS + (uint64_t)k * 5 * MS;
		if (!lost(k))
			deliver(&f, buf, red_packet(&f, buf, k, red), now);
		else
			(*n_lost)++;
		if (k == 86) {
			/* 85 itself, after 86 whose copy filled its slot, before
			 * it plays: it takes the copy's place, no duplicate */
			deliver(&f, buf, red_packet(&f, buf, 85, red), now);
		}
		if (k == 100) {
			/* 58 itself, long after its copy played: a duplicate */
			deliver(&f, buf, red_packet(&f, buf, 58, red), now);
		}
		if (k == 0)
			CHECK(f.remotes[0].active);
		pull(&f, now + 1 * MS);
	}
	cb_jitter_buffer_stats(f.remotes[0].jitter_buffer, st);
	*concealed = f.concealed;
	f_played_last = f.played;
	CHECK_INT_EQ(stat(&f.worker.stats.malformed), 0);
	CHECK_INT_EQ(stat(&f.worker.stats.malformed_red), 0);
	CHECK_INT_EQ(stat(&f.worker.stats.unknown_payload_type), 0);
	teardown(&f);
}

static void test_recovery(void)
{
	struct cb_jitter_stats st0, st1, st2;
	uint32_t c0, c1, c2, n_lost;

	run(0, &st0, &c0, &n_lost);
	/* RED with no redundant block at all: plain Opus in a wrapper */
	CHECK(n_lost > 20);
	CHECK_INT_EQ(st0.red_recovered, 0);
	CHECK(c0 >= n_lost - 2);
	run(1, &st1, &c1, &n_lost);
	run(2, &st2, &c2, &n_lost);
	fprintf(stderr, "lost %u: concealed %u / %u / %u with redundancy 0 / 1 / 2; "
		"recovered %u / %u\n", n_lost, c0, c1, c2, (unsigned)st1.red_recovered,
		(unsigned)st2.red_recovered);
	/* Redundancy 1 rebuilds the single losses, not the second of a pair. */
	CHECK(st1.red_recovered > 0 && c1 < c0);
	CHECK(c1 + st1.red_recovered >= n_lost);
	/* Redundancy 2 rebuilds them all (85 came itself), and plays
	 * nothing twice. */
	CHECK_INT_EQ(st2.red_recovered, n_lost - 1);
	CHECK_INT_EQ(c2, 0);
	CHECK_INT_EQ(st2.lost, n_lost - 1);
	CHECK_INT_EQ(f_played_last, N_FRAMES - 4);
	/* 85 after its copy replaced it: not a duplicate; copies of packets
	 * that came are ignored, not counted; 58 after it played is one */
	CHECK_INT_EQ(st2.duplicates, 1);
	CHECK_INT_EQ(st2.received, N_FRAMES - n_lost + 1);
}

/* A copy that comes after its slot was concealed plays nothing. */
static void test_copy_too_late(void)
{
	struct fixture f;
	struct cb_jitter_stats st;
	uint8_t buf[1600];
	uint64_t now = 1000 * MS;
	uint32_t before;

	setup(&f);
	for (int k = 0; k < 30; k++, now += 5 * MS) {
		deliver(&f, buf, red_packet(&f, buf, k, 2), now);
		pull(&f, now + 1 * MS);
	}
	/* 30..32 lost; the playout runs dry past them first */
	before = f.concealed;
	for (int i = 0; i < 12; i++, now += 5 * MS)
		pull(&f, now);
	CHECK(f.concealed > before);
	/* 33 comes now, carrying 31 and 32: their slots are gone */
	deliver(&f, buf, red_packet(&f, buf, 33, 2), now);
	cb_jitter_buffer_stats(f.remotes[0].jitter_buffer, &st);
	CHECK_INT_EQ(st.red_recovered, 0);
	for (int i = 0; i < 4; i++, now += 5 * MS)
		pull(&f, now);
	cb_jitter_buffer_stats(f.remotes[0].jitter_buffer, &st);
	CHECK_INT_EQ(st.red_recovered, 0);
	teardown(&f);
}

/* Malformed RED: dropped, counted twice (malformed, malformed_red), binds
 * nothing, and the stream goes on. */
static void test_malformed(void)
{
	struct fixture f;
	uint8_t buf[1600];
	size_t n;

	setup(&f);
	n = red_packet(&f, buf, 5, 2);
	buf[12 + 3] = 0xff;			/* block length beyond the payload */
	buf[12 + 2] |= 0x03;
	deliver(&f, buf, n, 0);
	CHECK(!f.remotes[0].active);
	n = red_packet(&f, buf, 5, 2);
	buf[12 + 4] = 0x80 | CB_RED_PAYLOAD_TYPE;	/* RED in RED */
	deliver(&f, buf, n, 0);
	deliver(&f, buf, 12 + 9, 0);		/* the headers and nothing else */
	buf[12] = CB_RED_PAYLOAD_TYPE;		/* a primary that is RED */
	deliver(&f, buf, 12 + 3, 0);
	CHECK_INT_EQ(stat(&f.worker.stats.malformed_red), 4);
	CHECK_INT_EQ(stat(&f.worker.stats.malformed), 4);
	CHECK(!f.remotes[0].active);

	/* A primary that is not Opus, or a redundant block that is not:
	 * the first is a payload type we do not take, the second is left
	 * out and the primary plays. */
	n = red_packet(&f, buf, 5, 2);
	buf[12 + 8] = 96;
	deliver(&f, buf, n, 0);
	CHECK_INT_EQ(stat(&f.worker.stats.unknown_payload_type), 1);
	n = red_packet(&f, buf, 6, 2);
	buf[12] = 0x80 | 96;
	deliver(&f, buf, n, 0);
	CHECK(f.remotes[0].active);
	CHECK_INT_EQ(stat(&f.worker.stats.malformed), 4);
	CHECK_INT_EQ(stat(&f.worker.stats.rtp), 1);
	teardown(&f);
}

int main(void)
{
	test_recovery();
	test_copy_too_late();
	test_malformed();
	return test_finish("test-receive-red");
}
