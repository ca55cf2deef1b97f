/* Hostile datagrams through cb_receive_worker_handle(): zero-length,
 * truncated, wrong version, oversized, and RTCP whose length fields lie.
 * Each must be dropped and counted as what it is, bind no remote, and
 * (run under ASan/valgrind) read nothing outside the datagram. */
#include <arpa/inet.h>
#include <stdlib.h>

#include "crypto/srtp-session.h"
#include "pipeline/receive-worker.h"
#include "rtp/rtcp.h"
#include "rtp/rtp.h"
#include "test.h"

static const uint8_t key[30] = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9,
				 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7 };

struct fixture {
	struct cb_call_config call;
	struct cb_remote remotes[2];
	struct cb_receive_worker worker;
	struct cb_srtp_session *in, *out, *peer;
	struct cb_address from;
};

static void setup(struct fixture *f, enum cb_srtp_suite suite)
{
	size_t key_len = cb_srtp_suite_key_len(suite);

	memset(f, 0, sizeof(*f));
	f->call.accept_unknown = true;
	f->call.remote_timeout_ms = 1000;
	cb_remote_init(&f->remotes[0], NULL);
	cb_remote_init(&f->remotes[1], NULL);
	cb_srtp_session_new(&f->in, suite, key, key_len, CB_SRTP_INBOUND);
	cb_srtp_session_new(&f->out, suite, key, key_len, CB_SRTP_OUTBOUND);
	cb_srtp_session_new(&f->peer, suite, key, key_len, CB_SRTP_OUTBOUND);
	cb_receive_worker_init(&f->worker, &f->call, f->remotes, 2, "test@host");
	cb_receive_worker_add_fixed_input(&f->worker, NULL, f->in, f->out);
	f->from.set = true;
	f->from.len = sizeof(struct sockaddr_in);
	((struct sockaddr_in *)&f->from.addr)->sin_family = AF_INET;
}

static void teardown(struct fixture *f)
{
	for (int i = 0; i < 2; i++) {
		cb_remote_deactivate(&f->remotes[i], "test end");
		cb_remote_clear(&f->remotes[i]);
	}
	cb_srtp_session_free(f->in);
	cb_srtp_session_free(f->out);
	cb_srtp_session_free(f->peer);
}

static uint64_t get(atomic_uint_fast64_t *v)
{
	return atomic_load(v);
}

/* A heap copy of exactly len bytes, so ASan sees any read past it. */
static void deliver(struct fixture *f, const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, data, len);
	cb_receive_worker_handle(&f->worker, copy, len, &f->from, 0);
	free(copy);
}

static void deliver_protected_rtcp(struct fixture *f, const uint8_t *data, size_t len)
{
	uint8_t buf[1024];
	memcpy(buf, data, len);
	CHECK_INT_EQ(cb_srtp_protect_rtcp(f->peer, buf, &len, sizeof(buf)), 0);
	deliver(f, buf, len);
}

static size_t rr(uint8_t *buf, size_t cap)
{
	struct cb_rtcp_report_block block = { .ssrc = 0x1234, .highest_seq = 7 };
	struct cb_rtcp_writer w;
	cb_rtcp_writer_init(&w, buf, cap);
	cb_rtcp_write_rr(&w, 0x5678, &block, 1);
	cb_rtcp_write_sdes_cname(&w, 0x5678, "peer@host");
	return w.len;
}

static void test_short_and_wrong_version(enum cb_srtp_suite suite)
{
	struct fixture f;
	uint8_t pkt[64] = { 0x80, 111, 0, 1, 0, 0, 0, 1, 0, 0, 0x11, 0x11 };

	setup(&f, suite);
	for (size_t len = 0; len < CB_RTP_HEADER_SIZE; len++)
		deliver(&f, pkt, len);			/* zero-length and truncated */
	CHECK_INT_EQ(get(&f.worker.stats.malformed), CB_RTP_HEADER_SIZE);
	for (uint8_t v = 0; v < 4; v++) {
		if (v == 2)
			continue;
		pkt[0] = (uint8_t)(v << 6);
		deliver(&f, pkt, sizeof(pkt));		/* not RTP version 2 */
	}
	CHECK_INT_EQ(get(&f.worker.stats.malformed), CB_RTP_HEADER_SIZE + 3);
	CHECK_INT_EQ(get(&f.worker.stats.datagrams), CB_RTP_HEADER_SIZE + 3);
	CHECK_INT_EQ(get(&f.worker.stats.rtp), 0);
	CHECK(!f.remotes[0].active && !f.remotes[1].active);
	teardown(&f);
}

static void test_oversized(enum cb_srtp_suite suite)
{
	struct fixture f;
	size_t len = 65535;
	uint8_t *big = calloc(1, len);

	setup(&f, suite);
	big[0] = 0x80;
	big[1] = 111;
	big[11] = 0x42;
	deliver(&f, big, len);
	/* Larger than the socket reads: counted as oversized whatever it
	 * holds (here a valid header and an all-zero "Opus" payload, which
	 * with srtp = none would otherwise bind a remote). */
	CHECK_INT_EQ(get(&f.worker.stats.oversized), 1);
	CHECK_INT_EQ(get(&f.worker.stats.datagrams), 0);
	CHECK_INT_EQ(get(&f.worker.stats.rtp), 0);
	/* The largest the socket reads is still looked at. */
	deliver(&f, big, 2048);
	CHECK_INT_EQ(get(&f.worker.stats.datagrams), 1);
	free(big);
	teardown(&f);
}

/* RTCP whose length fields say something other than what is there. */
static void test_lying_rtcp(enum cb_srtp_suite suite)
{
	struct fixture f;
	uint8_t good[256], bad[256];
	size_t len;
	uint64_t malformed = 0;

	setup(&f, suite);
	len = rr(good, sizeof(good));

	/* The well-formed compound passes. */
	deliver_protected_rtcp(&f, good, len);
	CHECK_INT_EQ(get(&f.worker.stats.rtcp), 1);
	CHECK_INT_EQ(get(&f.worker.stats.malformed), 0);

	struct { size_t at; uint8_t value; const char *what; } lies[] = {
		{ 3, 0x40, "first length runs past the datagram" },
		{ 2, 0xff, "first length 16 bits long" },
		{ 3, 0x00, "RR claims one block in 4 bytes" },
		{ 0, 0x9f, "report count 31 without the blocks" },
		{ 35, 0x20, "second (SDES) length runs past the end" },
		{ 35, 0x00, "SDES length zero" },
	};
	for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		memcpy(bad, good, len);
		bad[lies[i].at] = lies[i].value;
		deliver_protected_rtcp(&f, bad, len);
		if (get(&f.worker.stats.malformed) != ++malformed) {
			fprintf(stderr, "not counted as malformed: %s\n", lies[i].what);
			CHECK(false);
			malformed = get(&f.worker.stats.malformed);
		}
	}
	/* Truncated: the datagram ends inside the report block. */
	memcpy(bad, good, len);
	deliver_protected_rtcp(&f, bad, 20);
	CHECK_INT_EQ(get(&f.worker.stats.malformed), malformed + 1);
	/* Every one authenticated (when keyed) and counted as RTCP. */
	CHECK_INT_EQ(get(&f.worker.stats.auth_failures), 0);
	CHECK_INT_EQ(get(&f.worker.stats.rtcp), 8);

	if (suite != CB_SRTP_NONE) {
		/* Unprotected, or with a lying SRTCP trailer: authentication. */
		deliver(&f, good, len);
		deliver(&f, good, 12);
		CHECK_INT_EQ(get(&f.worker.stats.auth_failures), 2);
	}
	CHECK(!f.remotes[0].active && !f.remotes[1].active);
	teardown(&f);
}

int main(void)
{
	enum cb_srtp_suite suites[] = { CB_SRTP_NONE, CB_SRTP_AES_CM_128_HMAC_SHA1_80,
					CB_SRTP_AEAD_AES_128_GCM };
	for (size_t i = 0; i < 3; i++) {
		test_short_and_wrong_version(suites[i]);
		test_oversized(suites[i]);
		test_lying_rtcp(suites[i]);
	}
	return test_finish("test-receive-drops");
}
