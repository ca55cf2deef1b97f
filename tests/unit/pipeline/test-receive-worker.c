/* The receive path's demultiplexing and drop accounting, one datagram at a
 * time through cb_receive_worker_handle(): real libopus packets, real
 * libsrtp2, no socket and no PipeWire (nodes are the main thread's job). */
#include <errno.h>
#include <arpa/inet.h>
#include <opus/opus.h>

#include "crypto/srtp-session.h"
#include "pipeline/receive-worker.h"
#include "rtp/rtcp.h"
#include "rtp/rtp.h"
#include "test.h"

#define MS 1000000ull

struct fixture {
	struct cb_call_config call;
	struct cb_remote remotes[4];
	struct cb_receive_worker worker;
	struct cb_srtp_session *in, *out, *peer;
	uint8_t opus[400];
	int opus_len;
	struct cb_address from;
};

static void setup(struct fixture *f, enum cb_srtp_suite suite, const uint8_t *peer_key,
		  bool accept_unknown)
{
	static const uint8_t key[30] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
					 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30 };
	struct cb_remote_config guest = { .name = "guest", .channels = 1, .payload_type = 111,
					  .latency_ms = 40, .has_ssrc = true, .ssrc = 0x1111 };
	struct cb_remote_config any = { .name = "any", .channels = 2, .payload_type = 111,
					.latency_ms = 40 };
	size_t key_len = suite == CB_SRTP_NONE ? 0 : 30;
	OpusEncoder *enc;
	float pcm[960] = { 0 };
	int err;

	memset(f, 0, sizeof(*f));
	f->call.accept_unknown = accept_unknown;
	f->call.remote_timeout_ms = 1000;
	cb_remote_init(&f->remotes[0], &guest);
	cb_remote_init(&f->remotes[1], &any);
	cb_remote_init(&f->remotes[2], NULL);
	cb_remote_init(&f->remotes[3], NULL);
	cb_srtp_session_new(&f->in, suite, key, key_len, CB_SRTP_INBOUND);
	cb_srtp_session_new(&f->out, suite, key, key_len, CB_SRTP_OUTBOUND);
	cb_srtp_session_new(&f->peer, suite, peer_key ? peer_key : key, key_len, CB_SRTP_OUTBOUND);
	cb_receive_worker_init(&f->worker, &f->call, f->remotes, 4, "test@host");
	cb_receive_worker_add_fixed_input(&f->worker, NULL, f->in, f->out);

	enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_AUDIO, &err);
	for (int i = 0; i < 960; i++)
		pcm[i] = 0.3f * sinf((float)i * 0.05f);
	f->opus_len = opus_encode_float(enc, pcm, 960, f->opus, sizeof(f->opus));
	opus_encoder_destroy(enc);

	struct sockaddr_in *in = (struct sockaddr_in *)&f->from.addr;
	in->sin_family = AF_INET;
	in->sin_port = htons(4000);
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->from.len = sizeof(*in);
	f->from.set = true;
}

static void teardown(struct fixture *f)
{
	for (int i = 0; i < 4; i++)
		cb_remote_clear(&f->remotes[i]);
	cb_srtp_session_free(f->in);
	cb_srtp_session_free(f->out);
	cb_srtp_session_free(f->peer);
}

/* A protected RTP packet as the peer would send it. */
static void send_rtp(struct fixture *f, uint32_t ssrc, uint8_t pt, uint16_t seq,
		     const uint8_t *payload, size_t payload_len, uint64_t now)
{
	uint8_t buf[1600];
	struct cb_rtp_header h = { .payload_type = pt, .sequence = seq, .timestamp = seq * 960u,
				   .ssrc = ssrc };
	size_t len = cb_rtp_write_header(buf, sizeof(buf), &h);
	memcpy(buf + len, payload, payload_len);
	len += payload_len;
	cb_srtp_protect_rtp(f->peer, buf, &len, sizeof(buf));
	cb_receive_worker_handle(&f->worker, buf, len, &f->from, now);
}

static uint64_t stat(atomic_uint_fast64_t *v)
{
	return atomic_load(v);
}

static void test_binding_and_drops(void)
{
	struct fixture f;
	uint8_t garbage[40] = { 0xff, 0xff, 0xff };

	setup(&f, CB_SRTP_AES_CM_128_HMAC_SHA1_80, NULL, true);

	/* the SSRC a [remote] names goes to it; another to the ssrc-less one */
	send_rtp(&f, 0x1111, 111, 1, f.opus, (size_t)f.opus_len, 0);
	send_rtp(&f, 0x2222, 111, 1, f.opus, (size_t)f.opus_len, 0);
	CHECK(f.remotes[0].active && f.remotes[0].ssrc == 0x1111);
	CHECK(f.remotes[1].active && f.remotes[1].ssrc == 0x2222);
	CHECK_INT_EQ(f.remotes[1].channels, 2);
	CHECK(atomic_load(&f.remotes[0].wanted));

	/* a third, unclaimed, with accept-unknown: a spare slot named by SSRC */
	send_rtp(&f, 0xabcdef01, 111, 7, f.opus, (size_t)f.opus_len, 0);
	CHECK(f.remotes[2].active);
	CHECK(strcmp(f.remotes[2].name, "abcdef01") == 0);
	CHECK_INT_EQ(f.remotes[2].channels, 1);	/* from the Opus TOC */

	/* drops, each counted where it belongs, none creating a remote */
	send_rtp(&f, 0x3333, 96, 1, f.opus, (size_t)f.opus_len, 0);	/* wrong PT */
	CHECK_INT_EQ(stat(&f.worker.stats.unknown_payload_type), 1);
	send_rtp(&f, 0x1111, 96, 2, f.opus, (size_t)f.opus_len, 0);	/* wrong PT, known */
	CHECK_INT_EQ(stat(&f.worker.stats.unknown_payload_type), 2);
	send_rtp(&f, 0x4444, 111, 1, garbage, 0, 0);			/* empty payload */
	send_rtp(&f, 0x4444, 111, 2, garbage, 3, 0);			/* not Opus */
	CHECK_INT_EQ(stat(&f.worker.stats.malformed), 2);
	uint8_t tiny[5] = { 0x80, 0x6f, 0, 1, 0 };
	cb_receive_worker_handle(&f.worker, tiny, sizeof(tiny), &f.from, 0);
	cb_receive_worker_handle(&f.worker, tiny, 0, &f.from, 0);
	CHECK_INT_EQ(stat(&f.worker.stats.malformed), 4);
	CHECK(!f.remotes[3].active);

	/* a replayed packet fails SRTP's replay check */
	uint8_t buf[1600];
	struct cb_rtp_header h = { .payload_type = 111, .sequence = 50, .timestamp = 1,
				   .ssrc = 0x1111 };
	size_t len = cb_rtp_write_header(buf, sizeof(buf), &h);
	memcpy(buf + len, f.opus, (size_t)f.opus_len);
	len += (size_t)f.opus_len;
	cb_srtp_protect_rtp(f.peer, buf, &len, sizeof(buf));
	uint8_t copy[1600];
	memcpy(copy, buf, len);
	cb_receive_worker_handle(&f.worker, buf, len, &f.from, 0);
	uint64_t before = stat(&f.worker.stats.auth_failures);
	cb_receive_worker_handle(&f.worker, copy, len, &f.from, 0);
	CHECK_INT_EQ(stat(&f.worker.stats.auth_failures), before + 1);
	CHECK_INT_EQ(stat(&f.remotes[0].stats.auth_failures), 1);

	/* the peer's BYE ends that remote only */
	uint8_t rtcp[256];
	struct cb_rtcp_writer w;
	uint32_t ssrc = 0x2222;
	cb_rtcp_writer_init(&w, rtcp, 64);
	cb_rtcp_write_rr(&w, 0x2222, NULL, 0);
	cb_rtcp_write_bye(&w, &ssrc, 1, NULL);
	len = w.len;
	cb_srtp_protect_rtcp(f.peer, rtcp, &len, sizeof(rtcp));
	cb_receive_worker_handle(&f.worker, rtcp, len, &f.from, 0);
	CHECK(!f.remotes[1].active);
	CHECK(!atomic_load(&f.remotes[1].wanted));
	CHECK(f.remotes[0].active);

	/* silence on the wire past remote-timeout ends a remote */
	cb_receive_worker_tick(&f.worker, 500 * MS);
	CHECK(f.remotes[0].active);
	cb_receive_worker_tick(&f.worker, 1500 * MS);
	CHECK(!f.remotes[0].active);
	teardown(&f);
}

static void test_wrong_key_and_no_unknown(void)
{
	struct fixture f;
	uint8_t wrong[30] = { 9 };

	setup(&f, CB_SRTP_AES_CM_128_HMAC_SHA1_80, wrong, false);
	for (uint16_t seq = 1; seq <= 50; seq++)
		send_rtp(&f, 0x1111, 111, seq, f.opus, (size_t)f.opus_len, seq * 20 * MS);
	CHECK_INT_EQ(stat(&f.worker.stats.auth_failures), 50);
	CHECK_INT_EQ(stat(&f.worker.stats.rtp), 0);
	for (int i = 0; i < 4; i++)
		CHECK(!f.remotes[i].active && !atomic_load(&f.remotes[i].wanted));
	teardown(&f);

	/* the right key but an SSRC nobody claims, accept-unknown off */
	setup(&f, CB_SRTP_NONE, NULL, false);
	send_rtp(&f, 0x2222, 111, 1, f.opus, (size_t)f.opus_len, 0);	/* "any" takes it */
	send_rtp(&f, 0x3333, 111, 1, f.opus, (size_t)f.opus_len, 0);
	CHECK_INT_EQ(stat(&f.worker.stats.unknown_ssrc), 1);
	CHECK(!f.remotes[2].active);
	teardown(&f);
}

int main(void)
{
	test_binding_and_drops();
	test_wrong_key_and_no_unknown();
	return test_finish("test-receive-worker");
}
