/* RFC 2198 redundant audio: the golden packet, both ways, and every way a
 * RED payload can be malformed. */
#include <errno.h>

#include "golden.h"
#include "rtp/rtp.h"
#include "rtp/rtp-red.h"
#include "test.h"

static void test_golden(void)
{
	uint8_t expect[64], buf[64];
	size_t n = golden_load("rtp-red.hex", expect, sizeof(expect));
	const uint8_t old[] = { 0xe8, 1, 2 }, prev[] = { 0xe8, 3 }, primary[] = { 0xe8, 4, 5, 6 };
	const struct cb_red_block red[] = {
		{ .payload_type = 111, .offset = 480, .data = old, .len = sizeof(old) },
		{ .payload_type = 111, .offset = 240, .data = prev, .len = sizeof(prev) },
	};
	struct cb_rtp_header h = { .payload_type = CB_RED_PAYLOAD_TYPE, .sequence = 0x0102,
				   .timestamp = 0x1e00, .ssrc = 0xcafe0002 };
	struct cb_red_block blocks[CB_RED_MAX_BLOCKS];
	struct cb_rtp_packet pkt;
	size_t hl;

	CHECK_INT_EQ(n, 12 + 9 + 9);
	hl = cb_rtp_write_header(buf, sizeof(buf), &h);
	CHECK_INT_EQ(cb_red_size(red, 2, sizeof(primary)), 18);
	CHECK_INT_EQ(cb_red_write(buf + hl, sizeof(buf) - hl, red, 2, 111, primary, sizeof(primary)),
		     18);
	CHECK(memcmp(buf, expect, n) == 0);

	CHECK_INT_EQ(cb_rtp_parse(expect, n, &pkt), 0);
	CHECK_INT_EQ(pkt.header.payload_type, 63);
	CHECK_INT_EQ(cb_red_parse(pkt.payload, pkt.payload_len, 63, blocks, CB_RED_MAX_BLOCKS), 3);
	CHECK_INT_EQ(blocks[0].payload_type, 111);
	CHECK_INT_EQ(blocks[0].offset, 480);
	CHECK_INT_EQ(blocks[0].len, 3);
	CHECK(memcmp(blocks[0].data, old, 3) == 0);
	CHECK_INT_EQ(blocks[1].offset, 240);
	CHECK_INT_EQ(blocks[1].len, 2);
	CHECK(memcmp(blocks[1].data, prev, 2) == 0);
	CHECK_INT_EQ(blocks[2].payload_type, 111);
	CHECK_INT_EQ(blocks[2].offset, 0);
	CHECK_INT_EQ(blocks[2].len, 4);
	CHECK(memcmp(blocks[2].data, primary, 4) == 0);
}

/* The field limits: 14 bits of offset, 10 of length, all bits used. */
static void test_limits(void)
{
	uint8_t data[CB_RED_MAX_LENGTH + 1], buf[2200], primary[] = { 0xe8, 0 };
	struct cb_red_block b = { .payload_type = 111, .offset = CB_RED_MAX_OFFSET,
				  .data = data, .len = CB_RED_MAX_LENGTH }, out[4];
	int n;

	memset(data, 0x5a, sizeof(data));
	CHECK(cb_red_block_fits(CB_RED_MAX_OFFSET, CB_RED_MAX_LENGTH));
	CHECK(!cb_red_block_fits(CB_RED_MAX_OFFSET + 1, 10));
	CHECK(!cb_red_block_fits(240, CB_RED_MAX_LENGTH + 1));
	CHECK(!cb_red_block_fits(0, 10));
	n = cb_red_write(buf, sizeof(buf), &b, 1, 111, primary, sizeof(primary));
	CHECK_INT_EQ(n, 4 + 1 + CB_RED_MAX_LENGTH + 2);
	CHECK_INT_EQ(buf[0], 0xef);
	CHECK_INT_EQ(buf[1], 0xff);
	CHECK_INT_EQ(buf[2], 0xff);
	CHECK_INT_EQ(buf[3], 0xff);
	CHECK_INT_EQ(cb_red_parse(buf, (size_t)n, 63, out, 4), 2);
	CHECK_INT_EQ(out[0].offset, CB_RED_MAX_OFFSET);
	CHECK_INT_EQ(out[0].len, CB_RED_MAX_LENGTH);

	/* Beyond a limit, or too small a buffer: refused, nothing half done. */
	b.len = CB_RED_MAX_LENGTH + 1;
	CHECK_INT_EQ(cb_red_write(buf, sizeof(buf), &b, 1, 111, primary, 2), -EINVAL);
	b.len = 10;
	b.offset = CB_RED_MAX_OFFSET + 1;
	CHECK_INT_EQ(cb_red_write(buf, sizeof(buf), &b, 1, 111, primary, 2), -EINVAL);
	b.offset = 240;
	CHECK_INT_EQ(cb_red_write(buf, 16, &b, 1, 111, primary, 2), -ENOSPC);
	CHECK_INT_EQ(cb_red_write(buf, sizeof(buf), &b, 1, 111, primary, 0), -EINVAL);

	/* No redundant block at all is still RED: the primary header alone. */
	CHECK_INT_EQ(cb_red_write(buf, sizeof(buf), NULL, 0, 111, primary, 2), 3);
	CHECK_INT_EQ(buf[0], 111);
	CHECK_INT_EQ(cb_red_parse(buf, 3, 63, out, 4), 1);
	CHECK_INT_EQ(out[0].len, 2);
}

static void test_malformed(void)
{
	struct cb_red_block out[CB_RED_MAX_BLOCKS];
	uint8_t many[4 * CB_RED_MAX_BLOCKS + 8];
	/* length 3 says more than the 2 bytes behind the headers */
	const uint8_t beyond[] = { 0xef, 0x03, 0xc0, 0x03, 0x6f, 0xe8, 0x01 };
	/* the redundant data takes everything: no primary left */
	const uint8_t no_primary[] = { 0xef, 0x03, 0xc0, 0x02, 0x6f, 0xe8, 0x01 };
	/* a header cut short */
	const uint8_t cut[] = { 0xef, 0x03, 0xc0 };
	/* RED inside RED, as a redundant block and as the primary */
	const uint8_t nested[] = { 0xbf, 0x03, 0xc0, 0x01, 0x6f, 0xe8, 0xe8 };
	const uint8_t nested_primary[] = { 0x3f, 0xe8, 0x01 };
	/* only headers with F set: the last header never comes */
	const uint8_t all_f[] = { 0xef, 0x03, 0xc0, 0x01, 0xef, 0x03, 0xc0, 0x01 };

	CHECK_INT_EQ(cb_red_parse(beyond, sizeof(beyond), 63, out, CB_RED_MAX_BLOCKS), -EINVAL);
	CHECK_INT_EQ(cb_red_parse(no_primary, sizeof(no_primary), 63, out, CB_RED_MAX_BLOCKS),
		     -EINVAL);
	CHECK_INT_EQ(cb_red_parse(cut, sizeof(cut), 63, out, CB_RED_MAX_BLOCKS), -EINVAL);
	CHECK_INT_EQ(cb_red_parse(nested, sizeof(nested), 63, out, CB_RED_MAX_BLOCKS), -EINVAL);
	CHECK_INT_EQ(cb_red_parse(nested_primary, sizeof(nested_primary), 63, out,
				  CB_RED_MAX_BLOCKS), -EINVAL);
	CHECK_INT_EQ(cb_red_parse(all_f, sizeof(all_f), 63, out, CB_RED_MAX_BLOCKS), -EINVAL);
	CHECK_INT_EQ(cb_red_parse(all_f, 0, 63, out, CB_RED_MAX_BLOCKS), -EINVAL);

	/* CB_RED_MAX_BLOCKS blocks parse; one more is refused, whatever max
	 * the caller claims its array has. */
	for (int i = 0; i < CB_RED_MAX_BLOCKS; i++) {
		const uint8_t h[] = { 0xef, 0x03, 0xc0, 0x00 };
		memcpy(many + 4 * i, h, 4);
	}
	many[4 * (CB_RED_MAX_BLOCKS - 1)] = 0x6f;	/* the last header, 1 octet */
	many[4 * (CB_RED_MAX_BLOCKS - 1) + 1] = 0xe8;
	CHECK_INT_EQ(cb_red_parse(many, 4 * (CB_RED_MAX_BLOCKS - 1) + 2, 63, out,
				  CB_RED_MAX_BLOCKS), CB_RED_MAX_BLOCKS);
	many[4 * (CB_RED_MAX_BLOCKS - 1)] = 0xef;
	many[4 * CB_RED_MAX_BLOCKS] = 0x6f;
	many[4 * CB_RED_MAX_BLOCKS + 1] = 0xe8;
	CHECK_INT_EQ(cb_red_parse(many, 4 * CB_RED_MAX_BLOCKS + 2, 63, out, 100), -EINVAL);
	/* And a caller's smaller max holds too. */
	CHECK_INT_EQ(cb_red_parse(many, 4 * (CB_RED_MAX_BLOCKS - 1) + 2, 63, out, 2), -EINVAL);
}

int main(void)
{
	test_golden();
	test_limits();
	test_malformed();
	printf("test-rtp-red: %d checks, %d failed\n", test_checks, test_failures);
	return test_failures ? 1 : 0;
}
