#include <errno.h>

#include "golden.h"
#include "rtp/rtp.h"
#include "test.h"

static void test_golden_header(void)
{
	uint8_t expect[64], buf[64];
	size_t n = golden_load("rtp-header.hex", expect, sizeof(expect));
	struct cb_rtp_header h = {
		.payload_type = 111, .marker = true, .sequence = 0x1234,
		.timestamp = 0xdeadbeef, .ssrc = 0x01020304,
	};
	struct cb_rtp_packet pkt;

	CHECK_INT_EQ(n, 12);
	CHECK_INT_EQ(cb_rtp_write_header(buf, sizeof(buf), &h), 12);
	CHECK(memcmp(buf, expect, 12) == 0);
	CHECK_INT_EQ(cb_rtp_write_header(buf, 11, &h), 0);

	CHECK_INT_EQ(cb_rtp_parse(expect, n, &pkt), 0);
	CHECK_INT_EQ(pkt.header.payload_type, 111);
	CHECK(pkt.header.marker);
	CHECK_INT_EQ(pkt.header.sequence, 0x1234);
	CHECK_INT_EQ(pkt.header.timestamp, 0xdeadbeef);
	CHECK_INT_EQ(pkt.header.ssrc, 0x01020304);
	CHECK_INT_EQ(pkt.payload_len, 0);
}

static void test_parse_extension_csrc_padding(void)
{
	/* CC=1, X=1, P=1: csrc, one-word extension, 2 payload bytes, 2 padding */
	uint8_t pkt_bytes[] = {
		0xb1, 0x6f, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2,
		0xaa, 0xbb, 0xcc, 0xdd,			/* csrc */
		0xbe, 0xde, 0x00, 0x01,			/* RFC 8285 one-byte, 1 word */
		0x10, 0x7f, 0x00, 0x00,
		0x11, 0x22,				/* payload */
		0x00, 0x02,				/* padding */
	};
	struct cb_rtp_packet pkt;

	CHECK_INT_EQ(cb_rtp_parse(pkt_bytes, sizeof(pkt_bytes), &pkt), 0);
	CHECK_INT_EQ(pkt.csrc_count, 1);
	CHECK(pkt.has_extension);
	CHECK_INT_EQ(pkt.extension_profile, 0xbede);
	CHECK_INT_EQ(pkt.extension_len, 4);
	CHECK_INT_EQ(pkt.extension[1], 0x7f);
	CHECK_INT_EQ(pkt.payload_len, 2);
	CHECK_INT_EQ(pkt.payload[0], 0x11);
}

static void test_parse_rejects(void)
{
	uint8_t good[] = { 0x80, 0x6f, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0x55 };
	uint8_t buf[32];
	struct cb_rtp_packet pkt;

	CHECK_INT_EQ(cb_rtp_parse(good, sizeof(good), &pkt), 0);
	CHECK_INT_EQ(cb_rtp_parse(good, 0, &pkt), -EINVAL);
	CHECK_INT_EQ(cb_rtp_parse(good, 11, &pkt), -EINVAL);

	memcpy(buf, good, sizeof(good));
	buf[0] = 0x40;				/* version 1 */
	CHECK_INT_EQ(cb_rtp_parse(buf, sizeof(good), &pkt), -EINVAL);

	memcpy(buf, good, sizeof(good));
	buf[0] = 0x8f;				/* 15 CSRCs that are not there */
	CHECK_INT_EQ(cb_rtp_parse(buf, sizeof(good), &pkt), -EINVAL);

	memcpy(buf, good, sizeof(good));
	buf[0] = 0x90;				/* extension header cut short */
	CHECK_INT_EQ(cb_rtp_parse(buf, sizeof(good), &pkt), -EINVAL);

	memcpy(buf, good, sizeof(good));
	buf[0] = 0xa0;
	buf[12] = 0x02;				/* padding longer than payload */
	CHECK_INT_EQ(cb_rtp_parse(buf, sizeof(good), &pkt), -EINVAL);
	buf[12] = 0x00;				/* zero padding count */
	CHECK_INT_EQ(cb_rtp_parse(buf, sizeof(good), &pkt), -EINVAL);
	buf[12] = 0x01;				/* only the count octet */
	CHECK_INT_EQ(cb_rtp_parse(buf, sizeof(good), &pkt), 0);
	CHECK_INT_EQ(pkt.payload_len, 0);

	/* extension length pointing past the end */
	uint8_t ext[] = { 0x90, 0x6f, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0xff, 0xff };
	CHECK_INT_EQ(cb_rtp_parse(ext, sizeof(ext), &pkt), -EINVAL);
}

static void test_demux_and_seq(void)
{
	uint8_t rtp[] = { 0x80, 0x6f }, sr[] = { 0x80, 200 }, rr[] = { 0x80, 201 };
	uint8_t pt95[] = { 0x80, 0xdf }, pt96_marker[] = { 0x80, 0xe0 };

	CHECK(!cb_rtp_is_rtcp(rtp, 2));
	CHECK(cb_rtp_is_rtcp(sr, 2));
	CHECK(cb_rtp_is_rtcp(rr, 2));
	CHECK(cb_rtp_is_rtcp(pt95, 2));
	CHECK(!cb_rtp_is_rtcp(pt96_marker, 2));
	CHECK(!cb_rtp_is_rtcp(sr, 1));

	CHECK_INT_EQ(cb_rtp_seq_diff(1, 65535), 2);
	CHECK_INT_EQ(cb_rtp_seq_diff(65535, 1), -2);
	CHECK_INT_EQ(cb_rtp_seq_diff(100, 100), 0);
}

int main(void)
{
	test_golden_header();
	test_parse_extension_csrc_padding();
	test_parse_rejects();
	test_demux_and_seq();
	return test_finish("test-rtp");
}
