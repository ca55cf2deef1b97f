#include <errno.h>

#include "golden.h"
#include "rtp/rtp.h"
#include "rtp/rtp-ext.h"
#include "test.h"

static void test_golden_audio_level(void)
{
	uint8_t expect[64], buf[64];
	size_t n = golden_load("rtp-audio-level.hex", expect, sizeof(expect));
	struct cb_rtp_header h = {
		.payload_type = 111, .sequence = 0x0102, .timestamp = 0x960, .ssrc = 0xcafe0001,
	};
	uint8_t level_byte = cb_audio_level_pack(20, true);
	struct cb_rtp_ext_element e = { CB_AUDIO_LEVEL_EXT_ID, 1, &level_byte };
	const uint8_t payload[] = { 0xfc, 0xff, 0xfe };
	struct cb_rtp_packet pkt;
	const uint8_t *data = NULL;
	size_t header_len;
	uint8_t level;
	bool voice;

	CHECK_INT_EQ(n, 23);
	header_len = cb_rtp_write_header(buf, sizeof(buf), &h);
	header_len = cb_rtp_ext_append(buf, header_len, sizeof(buf), &e, 1);
	CHECK_INT_EQ(header_len, 20);
	memcpy(buf + header_len, payload, sizeof(payload));
	CHECK(memcmp(buf, expect, n) == 0);

	CHECK_INT_EQ(cb_rtp_parse(expect, n, &pkt), 0);
	CHECK(pkt.has_extension);
	CHECK_INT_EQ(pkt.payload_len, 3);
	CHECK_INT_EQ(cb_rtp_ext_find(pkt.extension_profile, pkt.extension, pkt.extension_len,
				     CB_AUDIO_LEVEL_EXT_ID, &data), 1);
	cb_audio_level_unpack(data[0], &level, &voice);
	CHECK_INT_EQ(level, 20);
	CHECK(voice);
	CHECK_INT_EQ(cb_rtp_ext_find(pkt.extension_profile, pkt.extension, pkt.extension_len,
				     2, &data), 0);
}

static void test_several_elements(void)
{
	/* ID 3 with 4 bytes, ID 1 with 1 byte: 7 bytes, padded to 8. */
	uint8_t buf[64] = { 0x80, 0x6f };
	const uint8_t four[] = { 1, 2, 3, 4 }, one[] = { 0x7f };
	struct cb_rtp_ext_element e[] = { { 3, 4, four }, { 1, 1, one } };
	const uint8_t *data;

	CHECK_INT_EQ(cb_rtp_ext_append(buf, 12, sizeof(buf), e, 2), 12 + 4 + 8);
	CHECK_INT_EQ(buf[0], 0x90);
	CHECK_INT_EQ(buf[15], 2);		/* two words */
	CHECK_INT_EQ(buf[16], 0x33);
	CHECK_INT_EQ(cb_rtp_ext_find(0xBEDE, buf + 16, 8, 3, &data), 4);
	CHECK(memcmp(data, four, 4) == 0);
	CHECK_INT_EQ(cb_rtp_ext_find(0xBEDE, buf + 16, 8, 1, &data), 1);
	CHECK_INT_EQ(data[0], 0x7f);
	CHECK_INT_EQ(buf[23], 0);		/* padding */

	/* too small, bad id, bad length */
	CHECK_INT_EQ(cb_rtp_ext_append(buf, 12, 23, e, 2), 0);
	struct cb_rtp_ext_element bad_id = { 15, 1, one }, bad_len = { 1, 17, four };
	CHECK_INT_EQ(cb_rtp_ext_append(buf, 12, sizeof(buf), &bad_id, 1), 0);
	CHECK_INT_EQ(cb_rtp_ext_append(buf, 12, sizeof(buf), &bad_len, 1), 0);
}

static void test_parse_rejects(void)
{
	const uint8_t *data;
	/* element claims 4 bytes but only 2 follow */
	const uint8_t truncated[] = { 0x13, 0xaa, 0xbb, 0x00 };
	/* padding before the element, then ID 15 stops the walk */
	const uint8_t padded[] = { 0x00, 0x00, 0x10, 0x05 };
	const uint8_t stop[] = { 0xf0, 0x10, 0x05, 0x00 };

	CHECK_INT_EQ(cb_rtp_ext_find(0xBEDE, truncated, 4, 1, &data), -EINVAL);
	CHECK_INT_EQ(cb_rtp_ext_find(0x1000, padded, 4, 1, &data), -EINVAL); /* two-byte form */
	CHECK_INT_EQ(cb_rtp_ext_find(0xBEDE, padded, 4, 1, &data), 1);
	CHECK_INT_EQ(data[0], 0x05);
	CHECK_INT_EQ(cb_rtp_ext_find(0xBEDE, stop, 4, 1, &data), 0);
	CHECK_INT_EQ(cb_rtp_ext_find(0xBEDE, padded, 0, 1, &data), 0);
}

static void test_level_pack(void)
{
	uint8_t level;
	bool voice;

	CHECK_INT_EQ(cb_audio_level_pack(127, false), 0x7f);
	CHECK_INT_EQ(cb_audio_level_pack(200, true), 0xff);
	CHECK_INT_EQ(cb_audio_level_pack(0, true), 0x80);
	cb_audio_level_unpack(0x7f, &level, &voice);
	CHECK_INT_EQ(level, 127);
	CHECK(!voice);
}

int main(void)
{
	test_golden_audio_level();
	test_several_elements();
	test_parse_rejects();
	test_level_pack();
	return test_finish("test-rtp-ext");
}
