/* DTLS-SRTP between two sessions in one process (dtls/dtls-session.h),
 * their datagrams carried by in-memory queues the test pumps.
 *
 * For both roles and each of the four SRTP profiles: the handshake
 * completes, both keying objects hold matching keys (one side's sending
 * key is the other's receiving key), and SRTP packets protected by one
 * side are authenticated by the other, both ways.  By default GCM is
 * chosen.  A wrong fingerprint fails with no keys; a ClientHello that
 * arrives before the server's path is up is kept and answered; a lost
 * first flight is retransmitted; a silent peer makes the session give
 * up. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "crypto/keying.h"
#include "crypto/srtp-session.h"
#include "dtls/certificate.h"
#include "dtls/dtls-session.h"
#include "rtp/rtp.h"
#include "test.h"

#define QUEUE 64

struct queue {
	uint8_t buf[QUEUE][1500];
	size_t len[QUEUE];
	uint32_t n;
	uint32_t drop_next;	/* datagrams to lose */
};

struct side {
	struct cb_dtls_certificate *cert;
	struct cb_keying keying;
	struct cb_dtls_session *dtls;
	struct queue *out;
	enum cb_dtls_state last_state;
	char reason[200];
};

static int side_send(void *data, const uint8_t *buf, size_t len)
{
	struct side *s = data;
	struct queue *q = s->out;

	if (q->drop_next) {
		q->drop_next--;
		return 0;
	}
	if (q->n >= QUEUE || len > sizeof(q->buf[0]))
		return -ENOSPC;
	memcpy(q->buf[q->n], buf, len);
	q->len[q->n++] = len;
	return 0;
}

static void side_state(void *data, enum cb_dtls_state state, const char *reason)
{
	struct side *s = data;

	s->last_state = state;
	snprintf(s->reason, sizeof(s->reason), "%s", reason ? reason : "");
}

static const struct cb_dtls_events events = { .send = side_send, .state_changed = side_state };

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Delivers what each side sent to the other until both are quiet. */
static void pump(struct side *a, struct queue *qa, struct side *b, struct queue *qb)
{
	for (int round = 0; round < 20; round++) {
		struct queue ta = *qa, tb = *qb;
		if (ta.n == 0 && tb.n == 0)
			return;
		qa->n = qb->n = 0;
		for (uint32_t i = 0; i < ta.n; i++)
			cb_dtls_session_input(b->dtls, ta.buf[i], ta.len[i], now_ms());
		for (uint32_t i = 0; i < tb.n; i++)
			cb_dtls_session_input(a->dtls, tb.buf[i], tb.len[i], now_ms());
	}
}

static void side_init(struct side *s, struct queue *out)
{
	memset(s, 0, sizeof(*s));
	CHECK_INT_EQ(cb_dtls_certificate_generate(&s->cert), 0);
	cb_keying_init(&s->keying);
	s->out = out;
}

static void side_open(struct side *s, const struct side *peer, enum cb_dtls_role role,
		      uint32_t suites, bool right_fingerprint)
{
	struct cb_dtls_config c = { .certificate = s->cert, .role = role, .suites = suites,
				    .keying = &s->keying };

	memcpy(c.remote_fingerprint, cb_dtls_certificate_fingerprint(peer->cert), CB_SHA256_LEN);
	if (!right_fingerprint)
		c.remote_fingerprint[5] ^= 1;
	CHECK_INT_EQ(cb_dtls_session_new(&s->dtls, &c, &events, s), 0);
}

static void side_clear(struct side *s)
{
	cb_dtls_session_free(s->dtls);
	cb_dtls_certificate_free(s->cert);
	cb_keying_clear(&s->keying);
}

/* One RTP packet from `from`'s sending key to `to`'s receiving key. */
static bool srtp_round_trip(struct side *from, struct side *to)
{
	struct cb_srtp_session *tx = NULL, *rx = NULL;
	uint8_t pkt[256];
	struct cb_rtp_header h = { .payload_type = 111, .sequence = 7, .timestamp = 960,
				   .ssrc = 0xabc };
	size_t len = cb_rtp_write_header(pkt, sizeof(pkt), &h);
	enum cb_srtp_suite suite = from->keying.suite;
	bool ok;

	memcpy(pkt + len, "opus", 4);
	len += 4;
	ok = cb_srtp_session_new(&tx, suite, from->keying.keys[CB_KEY_SEND].bytes,
				 from->keying.keys[CB_KEY_SEND].len, CB_SRTP_OUTBOUND) == 0 &&
	     cb_srtp_session_new(&rx, suite, to->keying.keys[CB_KEY_RECEIVE].bytes,
				 to->keying.keys[CB_KEY_RECEIVE].len, CB_SRTP_INBOUND) == 0 &&
	     cb_srtp_protect_rtp(tx, pkt, &len, sizeof(pkt)) == 0 &&
	     memcmp(pkt + 12, "opus", 4) != 0 &&
	     cb_srtp_unprotect_rtp(rx, pkt, &len) == 0 && len == 16 &&
	     memcmp(pkt + 12, "opus", 4) == 0;
	cb_srtp_session_free(tx);
	cb_srtp_session_free(rx);
	return ok;
}

static void test_handshake(enum cb_dtls_role role_a, uint32_t suites, enum cb_srtp_suite want)
{
	static struct queue qa, qb;
	struct side a, b;

	memset(&qa, 0, sizeof(qa));
	memset(&qb, 0, sizeof(qb));
	side_init(&a, &qa);
	side_init(&b, &qb);
	side_open(&a, &b, role_a, suites, true);
	side_open(&b, &a, role_a == CB_DTLS_CLIENT ? CB_DTLS_SERVER : CB_DTLS_CLIENT, suites, true);
	cb_dtls_session_start(a.dtls, now_ms());
	cb_dtls_session_start(b.dtls, now_ms());
	pump(&a, &qa, &b, &qb);

	CHECK_INT_EQ(cb_dtls_session_state(a.dtls), CB_DTLS_CONNECTED);
	CHECK_INT_EQ(cb_dtls_session_state(b.dtls), CB_DTLS_CONNECTED);
	CHECK_INT_EQ(a.last_state, CB_DTLS_CONNECTED);
	CHECK_INT_EQ(cb_dtls_session_suite(a.dtls), want);
	CHECK_INT_EQ(cb_dtls_session_suite(b.dtls), want);
	CHECK_INT_EQ(a.keying.suite, want);
	CHECK_INT_EQ(a.keying.keys[CB_KEY_SEND].len, cb_srtp_suite_key_len(want));
	CHECK(memcmp(a.keying.keys[CB_KEY_SEND].bytes, b.keying.keys[CB_KEY_RECEIVE].bytes,
		     a.keying.keys[CB_KEY_SEND].len) == 0);
	CHECK(memcmp(b.keying.keys[CB_KEY_SEND].bytes, a.keying.keys[CB_KEY_RECEIVE].bytes,
		     b.keying.keys[CB_KEY_SEND].len) == 0);
	CHECK(memcmp(a.keying.keys[CB_KEY_SEND].bytes, a.keying.keys[CB_KEY_RECEIVE].bytes,
		     a.keying.keys[CB_KEY_SEND].len) != 0);
	CHECK(srtp_round_trip(&a, &b));
	CHECK(srtp_round_trip(&b, &a));
	CHECK_INT_EQ(cb_dtls_session_next_timeout_ms(a.dtls, now_ms()), -1);

	/* close_notify: the peer sees the session closed and drops its keys. */
	cb_dtls_session_close(a.dtls);
	pump(&a, &qa, &b, &qb);
	CHECK_INT_EQ(cb_dtls_session_state(b.dtls), CB_DTLS_CLOSED);
	CHECK(!b.keying.keys[CB_KEY_SEND].set);
	printf("%s as a: %s, %llu and %llu records out\n", cb_dtls_role_name(role_a),
	       cb_srtp_suite_name(want),
	       (unsigned long long)atomic_load(&cb_dtls_session_counters(a.dtls)->records_out),
	       (unsigned long long)atomic_load(&cb_dtls_session_counters(b.dtls)->records_out));
	side_clear(&a);
	side_clear(&b);
}

static void test_wrong_fingerprint(void)
{
	static struct queue qa, qb;
	struct side a, b;

	memset(&qa, 0, sizeof(qa));
	memset(&qb, 0, sizeof(qb));
	side_init(&a, &qa);
	side_init(&b, &qb);
	side_open(&a, &b, CB_DTLS_CLIENT, 0, false);	/* a expects another certificate */
	side_open(&b, &a, CB_DTLS_SERVER, 0, true);
	cb_dtls_session_start(a.dtls, now_ms());
	cb_dtls_session_start(b.dtls, now_ms());
	pump(&a, &qa, &b, &qb);
	CHECK_INT_EQ(cb_dtls_session_state(a.dtls), CB_DTLS_FAILED);
	CHECK_STR_CONTAINS(cb_dtls_session_failure(a.dtls), "fingerprint");
	CHECK_STR_CONTAINS(a.reason, "fingerprint");
	CHECK(!a.keying.keys[CB_KEY_SEND].set && !a.keying.keys[CB_KEY_RECEIVE].set);
	/* Anything more from the peer is dropped and counted. */
	cb_dtls_session_input(a.dtls, (const uint8_t *)"\x16\xfe\xfd", 3, now_ms());
	CHECK(atomic_load(&cb_dtls_session_counters(a.dtls)->dropped) >= 1);
	side_clear(&a);
	side_clear(&b);
}

/* The client's hello reaches the server before the server's own path is
 * up (ICE connected on one side first): kept, answered at start. */
static void test_early_hello_and_loss(void)
{
	static struct queue qa, qb;
	struct side a, b;
	uint64_t t0 = now_ms();

	memset(&qa, 0, sizeof(qa));
	memset(&qb, 0, sizeof(qb));
	side_init(&a, &qa);
	side_init(&b, &qb);
	side_open(&a, &b, CB_DTLS_CLIENT, 0, true);
	side_open(&b, &a, CB_DTLS_SERVER, 0, true);
	cb_dtls_session_start(a.dtls, now_ms());
	CHECK(qa.n >= 1);
	for (uint32_t i = 0; i < qa.n; i++)
		cb_dtls_session_input(b.dtls, qa.buf[i], qa.len[i], now_ms());
	qa.n = 0;
	CHECK(atomic_load(&cb_dtls_session_counters(b.dtls)->early_records) >= 1);
	CHECK_INT_EQ(qb.n, 0);			/* nothing answered before start */
	qb.drop_next = 1;			/* and the first answer is lost */
	cb_dtls_session_start(b.dtls, now_ms());
	pump(&a, &qa, &b, &qb);
	CHECK_INT_EQ(cb_dtls_session_state(a.dtls), CB_DTLS_CONNECTING);
	/* The client's timer resends its flight, first after about 100 ms. */
	for (int i = 0; i < 40 && cb_dtls_session_state(a.dtls) != CB_DTLS_CONNECTED; i++) {
		int ms = cb_dtls_session_next_timeout_ms(a.dtls, now_ms());
		CHECK(ms >= 0 && ms <= 2000);
		struct timespec ts = { 0, (long)(ms > 0 ? ms : 1) * 1000000L };
		nanosleep(&ts, NULL);
		cb_dtls_session_timeout(a.dtls, now_ms());
		cb_dtls_session_timeout(b.dtls, now_ms());
		pump(&a, &qa, &b, &qb);
	}
	CHECK_INT_EQ(cb_dtls_session_state(a.dtls), CB_DTLS_CONNECTED);
	CHECK_INT_EQ(cb_dtls_session_state(b.dtls), CB_DTLS_CONNECTED);
	CHECK(atomic_load(&cb_dtls_session_counters(a.dtls)->retransmits) >= 1);
	CHECK(srtp_round_trip(&a, &b));
	printf("early hello kept, lost flight resent: connected after %llu ms\n",
	       (unsigned long long)(now_ms() - t0));
	side_clear(&a);
	side_clear(&b);
}

static void test_gives_up(void)
{
	static struct queue qa, qb;
	struct side a, b;
	struct cb_dtls_config c;

	memset(&qa, 0, sizeof(qa));
	side_init(&a, &qa);
	side_init(&b, &qb);
	c = (struct cb_dtls_config) { .certificate = a.cert, .role = CB_DTLS_CLIENT,
				      .keying = &a.keying, .give_up_ms = 300 };
	CHECK_INT_EQ(cb_dtls_session_new(&a.dtls, &c, &events, &a), 0);
	cb_dtls_session_start(a.dtls, now_ms());
	for (int i = 0; i < 50 && cb_dtls_session_state(a.dtls) == CB_DTLS_CONNECTING; i++) {
		int ms = cb_dtls_session_next_timeout_ms(a.dtls, now_ms());
		struct timespec ts = { 0, (long)(ms > 0 ? ms : 1) * 1000000L };
		nanosleep(&ts, NULL);
		cb_dtls_session_timeout(a.dtls, now_ms());
	}
	CHECK_INT_EQ(cb_dtls_session_state(a.dtls), CB_DTLS_FAILED);
	CHECK_STR_CONTAINS(a.reason, "giving up");
	side_clear(&a);
	side_clear(&b);
}

static void test_fingerprint_text(void)
{
	uint8_t fp[32], back[32];
	char text[CB_FINGERPRINT_TEXT_MAX];

	for (int i = 0; i < 32; i++)
		fp[i] = (uint8_t)(i * 9 + 1);
	cb_dtls_format_fingerprint(fp, 32, text, sizeof(text));
	CHECK_INT_EQ(strlen(text), 95);
	CHECK(strncmp(text, "01:0A:13", 8) == 0);
	CHECK_INT_EQ(cb_dtls_parse_fingerprint(text, back, sizeof(back)), 32);
	CHECK(memcmp(fp, back, 32) == 0);
	CHECK_INT_EQ(cb_dtls_parse_fingerprint("ab:cd:EF", back, sizeof(back)), 3);
	CHECK(cb_dtls_parse_fingerprint("ab:c", back, sizeof(back)) < 0);
	CHECK(cb_dtls_parse_fingerprint("ab::cd", back, sizeof(back)) < 0);
	CHECK(cb_dtls_parse_fingerprint("", back, sizeof(back)) < 0);
	CHECK(cb_dtls_parse_fingerprint("ab:cd", back, 1) < 0);
}

int main(void)
{
	const struct { uint32_t suites; enum cb_srtp_suite want; } cases[] = {
		{ 0, CB_SRTP_AEAD_AES_128_GCM },	/* all offered: GCM first */
		{ 1u << CB_SRTP_AEAD_AES_256_GCM, CB_SRTP_AEAD_AES_256_GCM },
		{ 1u << CB_SRTP_AES_CM_128_HMAC_SHA1_80, CB_SRTP_AES_CM_128_HMAC_SHA1_80 },
		{ 1u << CB_SRTP_AES_CM_128_HMAC_SHA1_32, CB_SRTP_AES_CM_128_HMAC_SHA1_32 },
	};

	test_fingerprint_text();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_handshake(CB_DTLS_CLIENT, cases[i].suites, cases[i].want);
		test_handshake(CB_DTLS_SERVER, cases[i].suites, cases[i].want);
	}
	test_wrong_fingerprint();
	test_early_hello_and_loss();
	test_gives_up();
	return test_finish("test-dtls");
}
