/* The transport seam (transport/transport.h): the RFC 7983 first-byte
 * table, boundaries included; a real UDP transport bound to port 0 that
 * hands the receive side only RTP and RTCP, passes DTLS records to the
 * handler set for them, and drops and counts everything else. */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "transport/demux.h"
#include "transport/transport.h"
#include "test.h"

static void test_table(void)
{
	static const struct { uint8_t first; enum cb_packet_class c; } rows[] = {
		{ 0, CB_PACKET_STUN }, { 3, CB_PACKET_STUN }, { 4, CB_PACKET_UNKNOWN },
		{ 15, CB_PACKET_UNKNOWN }, { 16, CB_PACKET_ZRTP }, { 19, CB_PACKET_ZRTP },
		{ 20, CB_PACKET_DTLS }, { 22, CB_PACKET_DTLS }, { 63, CB_PACKET_DTLS },
		{ 64, CB_PACKET_TURN_CHANNEL }, { 79, CB_PACKET_TURN_CHANNEL },
		{ 80, CB_PACKET_UNKNOWN }, { 127, CB_PACKET_UNKNOWN },
		{ 128, CB_PACKET_MEDIA }, { 0x80, CB_PACKET_MEDIA }, { 191, CB_PACKET_MEDIA },
		{ 192, CB_PACKET_UNKNOWN }, { 255, CB_PACKET_UNKNOWN },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t b = rows[i].first;
		if (cb_demux_classify(&b, 1) != rows[i].c) {
			fprintf(stderr, "first byte %u: got %s, want %s\n", b,
				cb_packet_class_name(cb_demux_classify(&b, 1)),
				cb_packet_class_name(rows[i].c));
			CHECK(false);
		}
	}
	CHECK_INT_EQ(cb_demux_classify(NULL, 0), CB_PACKET_UNKNOWN);
	/* Every byte value lands in exactly one class. */
	for (int v = 0; v < 256; v++) {
		uint8_t b = (uint8_t)v;
		CHECK(cb_demux_classify(&b, 1) < CB_PACKET_N_CLASSES);
	}
}

static atomic_uint dtls_seen;

static void on_dtls(void *data, const uint8_t *buf, size_t len, const struct cb_address *from)
{
	if (len > 0 && buf[0] == 22 && from && from->set)
		atomic_fetch_add(&dtls_seen, 1);
}

static ssize_t recv_wait(struct cb_transport *t, uint8_t *buf, size_t cap)
{
	struct pollfd pfd = { .fd = cb_transport_fd(t), .events = POLLIN };
	struct cb_address from;
	ssize_t n;

	for (int i = 0; i < 50; i++) {
		if ((n = cb_transport_recv(t, buf, cap, &from)) != -EAGAIN)
			return n;
		poll(&pfd, 1, 20);
	}
	return -EAGAIN;
}

static void test_udp_transport(void)
{
	struct cb_address local;
	struct cb_transport *a = NULL, *b = NULL;
	struct cb_transport_info info;
	uint8_t buf[2048];
	const uint8_t stun[] = { 0x00, 0x01, 0, 0 }, dtls[] = { 22, 0xfe, 0xfd, 0 },
		      junk[] = { 0x55, 1, 2 }, rtp[] = { 0x80, 111, 0, 1, 9, 9, 9, 9, 1, 2, 3, 4 },
		      rtcp[] = { 0x81, 200, 0, 1, 0, 0, 0, 1 };
	char err[128];

	CHECK(cb_address_parse("127.0.0.1:0", 0, &local, err, sizeof(err)));
	CHECK_INT_EQ(cb_udp_transport_new(&a, &local), 0);
	CHECK_INT_EQ(cb_udp_transport_new(&b, &local), 0);
	if (!a || !b)
		return;
	/* Port 0: each got its own port from the kernel, handed on as is. */
	CHECK(strcmp(cb_udp_transport_local(a)->text, cb_udp_transport_local(b)->text) != 0);
	cb_transport_set_handler(b, CB_PACKET_DTLS, on_dtls, NULL);

	const struct cb_address *to = cb_udp_transport_local(b);
	CHECK_INT_EQ(cb_transport_send(a, stun, sizeof(stun), to), 0);
	CHECK_INT_EQ(cb_transport_send(a, dtls, sizeof(dtls), to), 0);
	CHECK_INT_EQ(cb_transport_send(a, junk, sizeof(junk), to), 0);
	CHECK_INT_EQ(cb_transport_send(a, buf, 0, to), 0);
	CHECK_INT_EQ(cb_transport_send(a, rtp, sizeof(rtp), to), 0);
	CHECK_INT_EQ(cb_transport_send(a, rtcp, sizeof(rtcp), to), 0);

	/* Only the media comes out, in order. */
	CHECK_INT_EQ(recv_wait(b, buf, sizeof(buf)), (ssize_t)sizeof(rtp));
	CHECK(memcmp(buf, rtp, sizeof(rtp)) == 0);
	CHECK_INT_EQ(recv_wait(b, buf, sizeof(buf)), (ssize_t)sizeof(rtcp));
	CHECK_INT_EQ(cb_transport_recv(b, buf, sizeof(buf), NULL), -EAGAIN);
	CHECK_INT_EQ(atomic_load(&dtls_seen), 1);

	cb_transport_describe(b, &info);
	CHECK_STR_EQ(info.kind, "udp");
	CHECK_STR_EQ(info.local, cb_udp_transport_local(b)->text);
	CHECK_INT_EQ(info.rx_datagrams, 6);
	CHECK_INT_EQ(info.rx_media, 2);
	CHECK_INT_EQ(info.rx_dropped, 3);	/* STUN, junk, empty: nobody takes them */
	CHECK_INT_EQ(atomic_load(&b->counters.rx_class[CB_PACKET_DTLS]), 1);
	cb_transport_describe(a, &info);
	CHECK_INT_EQ(info.tx_packets, 6);

	cb_transport_destroy(a);
	cb_transport_destroy(b);
}

int main(void)
{
	test_table();
	test_udp_transport();
	return test_finish("test-demux");
}
