/* Keys that arrive while the call runs (crypto/keying.h).
 *
 * A real send worker runs on its own thread with one stream (silence paced
 * by the clock) into a fake transport that records every datagram.  Keys
 * are absent at first, then set, then swapped for new ones, then revoked,
 * all from this thread while the worker runs.  What reached the transport
 * must show: nothing while there were no keys (every such packet dropped
 * and counted, none sent in clear), every packet protected with exactly
 * one of the keys, the first key only before the second, and no sequence
 * number missing from the first keyed packet to the last.  The receive
 * side does the same through cb_receive_worker_handle_input. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "crypto/keying.h"
#include "pipeline/receive-worker.h"
#include "pipeline/send-worker.h"
#include "rtp/rtp.h"
#include "transport/transport.h"
#include "util/byte-order.h"
#include "test.h"

#define MAX_PACKETS 4096
#define PACKET_MAX 512

struct recording_transport {
	struct cb_transport base;
	uint8_t packets[MAX_PACKETS][PACKET_MAX];
	size_t lens[MAX_PACKETS];
	atomic_uint count;	/* published with release after each copy */
};

static int rec_send(struct cb_transport *t, const uint8_t *buf, size_t len,
		    const struct cb_address *dest)
{
	struct recording_transport *r = (struct recording_transport *)t;
	unsigned int n = atomic_load_explicit(&r->count, memory_order_relaxed);

	if (n >= MAX_PACKETS || len > PACKET_MAX)
		return -ENOSPC;
	memcpy(r->packets[n], buf, len);
	r->lens[n] = len;
	atomic_store_explicit(&r->count, n + 1, memory_order_release);
	return 0;
}

static ssize_t rec_recv(struct cb_transport *t, uint8_t *buf, size_t cap,
			struct cb_address *from, uint64_t *arrival_ns)
{
	return -EAGAIN;
}

static int rec_fd(struct cb_transport *t)
{
	return -1;
}

static void rec_describe(struct cb_transport *t, struct cb_transport_info *info)
{
	snprintf(info->state_name, sizeof(info->state_name), "recording");
}

static void rec_destroy(struct cb_transport *t)
{
}

static const struct cb_transport_ops rec_ops = {
	.kind = "recording", .send = rec_send, .recv_raw = rec_recv, .fd = rec_fd,
	.describe = rec_describe, .destroy = rec_destroy,
};

static void make_key(struct cb_key *k, uint8_t seed)
{
	k->set = true;
	k->len = cb_srtp_suite_key_len(CB_SRTP_AEAD_AES_128_GCM);
	for (size_t i = 0; i < k->len; i++)
		k->bytes[i] = (uint8_t)(seed + 31 * i);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Which of the two keys authenticates the packet: 1, 2, or 0 for neither. */
static int which_key(struct cb_srtp_session *in1, struct cb_srtp_session *in2,
		     const uint8_t *pkt, size_t len)
{
	uint8_t copy[PACKET_MAX];
	size_t n = len;

	memcpy(copy, pkt, len);
	if (cb_srtp_unprotect_rtp(in1, copy, &n) == 0)
		return 1;
	memcpy(copy, pkt, len);
	n = len;
	if (cb_srtp_unprotect_rtp(in2, copy, &n) == 0)
		return 2;
	return 0;
}

static void test_send_worker_rekey(void)
{
	static struct recording_transport rec;
	struct cb_stream_config sc = { .name = "s", .channels = 1, .bitrate = 32000,
				       .fec = false, .complexity = 0, .payload_type = 111,
				       .application = CB_OPUS_APP_AUDIO };
	struct cb_address dest = { .set = true };
	struct cb_send_stream *stream = NULL;
	struct cb_send_worker worker;
	struct cb_keying keying;
	struct cb_key k1, k2;
	struct cb_srtp_session *in1 = NULL, *in2 = NULL;
	unsigned int before_keys, at_swap, at_revoke, total;
	int last_key = 0, k2_seen_at = -1;
	uint16_t expect_seq = 0;
	bool first = true, contiguous = true, ordered = true, all_protected = true;

	cb_transport_init(&rec.base, &rec_ops);
	atomic_init(&rec.count, 0);
	cb_keying_init(&keying);
	make_key(&k1, 1);
	make_key(&k2, 2);
	CHECK_INT_EQ(cb_srtp_session_new(&in1, CB_SRTP_AEAD_AES_128_GCM, k1.bytes, k1.len,
					 CB_SRTP_INBOUND), 0);
	CHECK_INT_EQ(cb_srtp_session_new(&in2, CB_SRTP_AEAD_AES_128_GCM, k2.bytes, k2.len,
					 CB_SRTP_INBOUND), 0);

	CHECK_INT_EQ(cb_send_stream_new(&stream, &sc, 240, &dest), 0);	/* 5 ms */
	cb_send_worker_init(&worker, &stream, 1, "keying@test", 240);
	CHECK_INT_EQ(cb_send_worker_add_output(&worker, &rec.base, &keying), 0);
	CHECK_INT_EQ(cb_send_worker_start(&worker), 0);

	/* No keys: nothing leaves, every frame is counted. */
	sleep_ms(150);
	before_keys = atomic_load(&rec.count);
	CHECK_INT_EQ(before_keys, 0);
	CHECK(atomic_load(&worker.stats.no_key) >= 10);

	CHECK_INT_EQ(cb_keying_set(&keying, CB_SRTP_AEAD_AES_128_GCM, &k1, NULL), 0);
	sleep_ms(150);
	at_swap = atomic_load_explicit(&rec.count, memory_order_acquire);
	CHECK(at_swap >= 10);
	CHECK_INT_EQ(cb_keying_set(&keying, CB_SRTP_AEAD_AES_128_GCM, &k2, NULL), 0);
	sleep_ms(150);
	at_revoke = atomic_load_explicit(&rec.count, memory_order_acquire);
	cb_keying_revoke(&keying);
	sleep_ms(100);
	cb_send_worker_pause(&worker);
	total = atomic_load_explicit(&rec.count, memory_order_acquire);

	/* At most the packet in flight while revoking; then nothing. */
	CHECK(total - at_revoke <= 1);
	CHECK(at_revoke > at_swap + 10);
	for (unsigned int i = 0; i < total; i++) {
		const uint8_t *p = rec.packets[i];
		int key;

		if (cb_rtp_is_rtcp(p, rec.lens[i]))
			continue;	/* a sender report: not in the RTP sequence */
		key = which_key(in1, in2, p, rec.lens[i]);
		if (key == 0)
			all_protected = false;
		if (key == 2 && k2_seen_at < 0)
			k2_seen_at = (int)i;
		if (key < last_key)
			ordered = false;
		last_key = key > last_key ? key : last_key;
		if (!first && cb_get_be16(p + 2) != expect_seq)
			contiguous = false;
		expect_seq = (uint16_t)(cb_get_be16(p + 2) + 1);
		first = false;
	}
	CHECK(all_protected);
	CHECK(ordered);
	CHECK(contiguous);
	CHECK(k2_seen_at >= (int)at_swap - 1);
	CHECK_INT_EQ(atomic_load(&worker.outputs[0].srtp.rekeys), 2);
	printf("send: %u dropped before keys, %u packets with the first key, %u in all; "
	       "second key from packet %d\n", (unsigned)atomic_load(&worker.stats.no_key), at_swap,
	       total, k2_seen_at);

	/* A reload ends the stream's session: its output goes, the worker
	 * sends nothing for it and counts nothing, and a new session in the
	 * same slot (keyed with k1 again) gets the stream's packets from the
	 * next sequence number on. */
	{
		static struct recording_transport rec2;
		struct cb_keying keying2;
		unsigned int no_key = (unsigned)atomic_load(&worker.stats.no_key);
		uint16_t next_seq = expect_seq;

		cb_transport_init(&rec2.base, &rec_ops);
		atomic_init(&rec2.count, 0);
		cb_keying_init(&keying2);
		CHECK_INT_EQ(cb_keying_set(&keying2, CB_SRTP_AEAD_AES_128_GCM, &k1, NULL), 0);
		cb_send_worker_drop_output(&worker, 0);
		CHECK_INT_EQ(worker.n_outputs, 0);
		CHECK_INT_EQ(cb_send_worker_start(&worker), 0);
		sleep_ms(60);
		cb_send_worker_pause(&worker);
		CHECK_INT_EQ(atomic_load(&rec.count), total);
		CHECK_INT_EQ((unsigned)atomic_load(&worker.stats.no_key), no_key);
		CHECK_INT_EQ(cb_send_worker_set_output(&worker, 0, &rec2.base, &keying2), 0);
		CHECK_INT_EQ(worker.n_outputs, 1);
		CHECK_INT_EQ(cb_send_worker_start(&worker), 0);
		sleep_ms(100);
		cb_send_worker_pause(&worker);
		CHECK(atomic_load(&rec2.count) >= 5);
		for (unsigned int i = 0; i < atomic_load(&rec2.count); i++) {
			if (cb_rtp_is_rtcp(rec2.packets[i], rec2.lens[i]))
				continue;
			CHECK_INT_EQ(which_key(in1, in2, rec2.packets[i], rec2.lens[i]), 1);
			/* Frames that came while no output took them were
			 * encoded and dropped: the sequence moved on. */
			CHECK((uint16_t)(cb_get_be16(rec2.packets[i] + 2) - next_seq) < 1000);
			break;
		}
		CHECK_INT_EQ(cb_send_worker_set_output(&worker, CB_MAX_SESSIONS, &rec2.base,
						       &keying2), -ENOSPC);
		cb_send_worker_clear(&worker);
		cb_keying_clear(&keying2);
	}

	cb_send_worker_clear(&worker);
	cb_send_stream_free(stream);
	cb_srtp_session_free(in1);
	cb_srtp_session_free(in2);
	cb_keying_clear(&keying);
}

/* The receive side: before keys every packet is dropped as no_key (not as
 * an authentication failure), after them it is accepted, after a swap the
 * new key is used. */
static void test_receive_rekey(void)
{
	static struct cb_remote remotes[2];
	struct cb_call_config call = { .accept_unknown = true, .remote_timeout_ms = 10000 };
	struct cb_receive_worker w;
	struct cb_keying keying;
	struct cb_key ours, peer1, peer2;
	struct cb_srtp_session *tx1 = NULL, *tx2 = NULL;
	struct cb_address from = { .set = true };
	uint8_t pkt[256];
	/* A valid 20 ms Opus CELT frame: TOC 0xfc (config 31, stereo, one
	 * frame) with a tiny payload decodes to silence. */
	const uint8_t opus[] = { 0xfc, 0xff, 0xfe };
	size_t len;

	for (int i = 0; i < 2; i++)
		CHECK_INT_EQ(cb_remote_init(&remotes[i], NULL), 0);
	cb_keying_init(&keying);
	make_key(&ours, 9);
	make_key(&peer1, 3);
	make_key(&peer2, 4);
	cb_srtp_session_new(&tx1, CB_SRTP_AEAD_AES_128_GCM, peer1.bytes, peer1.len,
			    CB_SRTP_OUTBOUND);
	cb_srtp_session_new(&tx2, CB_SRTP_AEAD_AES_128_GCM, peer2.bytes, peer2.len,
			    CB_SRTP_OUTBOUND);
	cb_receive_worker_init(&w, &call, remotes, 2, "keying@test");
	CHECK_INT_EQ(cb_receive_worker_add_input(&w, NULL, &keying, NULL), 0);

	for (uint16_t seq = 1; seq <= 30; seq++) {
		struct cb_rtp_header h = { .payload_type = 111, .sequence = seq,
					   .timestamp = seq * 960u, .ssrc = 0x1234 };
		size_t n = cb_rtp_write_header(pkt, sizeof(pkt), &h);
		CHECK(n > 0);
		memcpy(pkt + n, opus, sizeof(opus));
		len = n + sizeof(opus);
		if (seq == 11)
			cb_keying_set(&keying, CB_SRTP_AEAD_AES_128_GCM, &ours, &peer1);
		if (seq == 21)
			cb_keying_set(&keying, CB_SRTP_AEAD_AES_128_GCM, &ours, &peer2);
		cb_srtp_protect_rtp(seq <= 20 ? tx1 : tx2, pkt, &len, sizeof(pkt));
		cb_receive_worker_handle_input(&w, 0, pkt, len, &from, seq * 20000000ull);
	}
	CHECK_INT_EQ(atomic_load(&w.stats.no_key), 10);
	CHECK_INT_EQ(atomic_load(&w.stats.auth_failures), 0);
	CHECK_INT_EQ(atomic_load(&w.stats.rtp), 20);
	CHECK_INT_EQ(atomic_load(&w.inputs[0].srtp_in.rekeys), 2);

	cb_receive_worker_stop(&w);
	cb_receive_worker_clear(&w);
	for (int i = 0; i < 2; i++)
		cb_remote_clear(&remotes[i]);
	cb_srtp_session_free(tx1);
	cb_srtp_session_free(tx2);
	cb_keying_clear(&keying);
}

static void test_keying_rules(void)
{
	struct cb_keying k;
	struct cb_key short_key = { .set = true, .len = 16 };

	cb_keying_init(&k);
	CHECK_INT_EQ(atomic_load(&k.generation), 0);
	/* A key of the wrong length for the suite is refused, keys unchanged. */
	CHECK_INT_EQ(cb_keying_set(&k, CB_SRTP_AES_CM_128_HMAC_SHA1_80, &short_key, NULL), -EINVAL);
	CHECK_INT_EQ(cb_keying_set(&k, CB_SRTP_AES_CM_128_HMAC_SHA1_80, NULL, NULL), -EINVAL);
	CHECK_INT_EQ(atomic_load(&k.generation), 0);
	/* srtp = none: both directions pass through. */
	CHECK_INT_EQ(cb_keying_set(&k, CB_SRTP_NONE, NULL, NULL), 0);
	CHECK(k.keys[CB_KEY_SEND].set && k.keys[CB_KEY_RECEIVE].set);
	cb_keying_revoke(&k);
	CHECK(!k.keys[CB_KEY_SEND].set && !k.keys[CB_KEY_RECEIVE].set);
	cb_keying_clear(&k);
}

int main(void)
{
	test_keying_rules();
	test_send_worker_rekey();
	test_receive_rekey();
	return test_finish("test-keying");
}
