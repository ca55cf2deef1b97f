#include <errno.h>

#include "golden.h"
#include "rtp/rtcp.h"
#include "test.h"

struct seen {
	int srs, blocks, byes;
	uint32_t sr_ssrc, bye_ssrc, reporter;
	struct cb_rtcp_sender_info info;
	struct cb_rtcp_report_block block;
};

static void on_sr(void *data, uint32_t ssrc, const struct cb_rtcp_sender_info *info)
{
	struct seen *s = data;
	s->srs++;
	s->sr_ssrc = ssrc;
	s->info = *info;
}

static void on_block(void *data, uint32_t reporter, const struct cb_rtcp_report_block *b)
{
	struct seen *s = data;
	s->blocks++;
	s->reporter = reporter;
	s->block = *b;
}

static void on_bye(void *data, uint32_t ssrc)
{
	struct seen *s = data;
	s->byes++;
	s->bye_ssrc = ssrc;
}

static const struct cb_rtcp_events events = {
	.sender_report = on_sr,
	.report_block = on_block,
	.bye = on_bye,
};

static void test_golden_compound(void)
{
	uint8_t expect[256], buf[256];
	size_t n = golden_load("rtcp-sr-sdes-bye.hex", expect, sizeof(expect));
	struct cb_rtcp_sender_info info = {
		.ntp_time = 0x83aa7e8000000000ull, .rtp_timestamp = 2400,
		.packet_count = 10, .octet_count = 1600,
	};
	uint32_t ssrc = 0x01020304;
	struct cb_rtcp_writer w;
	struct seen seen = { 0 };

	cb_rtcp_writer_init(&w, buf, sizeof(buf));
	cb_rtcp_write_sr(&w, ssrc, &info, NULL, 0);
	cb_rtcp_write_sdes_cname(&w, ssrc, "cb");
	cb_rtcp_write_bye(&w, &ssrc, 1, "bye");
	CHECK(!w.failed);
	CHECK_INT_EQ(w.len, n);
	CHECK_INT_EQ(n, 56);
	CHECK(memcmp(buf, expect, n) == 0);

	CHECK_INT_EQ(cb_rtcp_parse(expect, n, &events, &seen), 3);
	CHECK_INT_EQ(seen.srs, 1);
	CHECK_INT_EQ(seen.sr_ssrc, ssrc);
	CHECK(seen.info.ntp_time == info.ntp_time);
	CHECK_INT_EQ(seen.info.packet_count, 10);
	CHECK_INT_EQ(seen.info.octet_count, 1600);
	CHECK_INT_EQ(seen.byes, 1);
	CHECK_INT_EQ(seen.bye_ssrc, ssrc);
}

static void test_golden_rr(void)
{
	uint8_t expect[64], buf[64];
	size_t n = golden_load("rtcp-rr.hex", expect, sizeof(expect));
	struct cb_rtcp_report_block block = {
		.ssrc = 0x01020304, .fraction_lost = 0x40, .cumulative_lost = -2,
		.highest_seq = 0x10005, .jitter = 0x20, .last_sr = 0x7e800000,
		.delay_since_last_sr = 0x10000,
	};
	struct cb_rtcp_writer w;
	struct seen seen = { 0 };

	cb_rtcp_writer_init(&w, buf, sizeof(buf));
	cb_rtcp_write_rr(&w, 0x0a0b0c0d, &block, 1);
	CHECK_INT_EQ(w.len, n);
	CHECK(memcmp(buf, expect, n) == 0);

	CHECK_INT_EQ(cb_rtcp_parse(expect, n, &events, &seen), 1);
	CHECK_INT_EQ(seen.blocks, 1);
	CHECK_INT_EQ(seen.reporter, 0x0a0b0c0d);
	CHECK_INT_EQ(seen.block.cumulative_lost, -2);
	CHECK_INT_EQ(seen.block.fraction_lost, 0x40);
	CHECK_INT_EQ(seen.block.last_sr, 0x7e800000);
}

static void test_writer_overflow(void)
{
	uint8_t buf[30];
	struct cb_rtcp_sender_info info = { 0 };
	struct cb_rtcp_writer w;
	uint32_t ssrc = 1;

	cb_rtcp_writer_init(&w, buf, sizeof(buf));
	cb_rtcp_write_sr(&w, ssrc, &info, NULL, 0);	/* 28 bytes fit */
	CHECK(!w.failed);
	cb_rtcp_write_bye(&w, &ssrc, 1, NULL);		/* 8 more do not */
	CHECK(w.failed);
	CHECK_INT_EQ(w.len, 28);
}

static void test_lying_lengths(void)
{
	uint8_t buf[64];
	size_t n = golden_load("rtcp-sr-sdes-bye.hex", buf, sizeof(buf));
	struct seen seen = { 0 };

	/* SR length claims more words than the datagram holds */
	buf[3] = 0x40;
	CHECK_INT_EQ(cb_rtcp_parse(buf, n, &events, &seen), -EINVAL);
	/* SR that claims 3 report blocks but carries none */
	n = golden_load("rtcp-sr-sdes-bye.hex", buf, sizeof(buf));
	buf[0] = 0x83;
	CHECK_INT_EQ(cb_rtcp_parse(buf, n, &events, &seen), -EINVAL);
	/* truncated compound: the BYE is cut */
	n = golden_load("rtcp-sr-sdes-bye.hex", buf, sizeof(buf));
	CHECK_INT_EQ(cb_rtcp_parse(buf, n - 3, &events, &seen), -EINVAL);
	/* too short, wrong version */
	CHECK_INT_EQ(cb_rtcp_parse(buf, 3, &events, &seen), -EINVAL);
	buf[0] = 0x40;
	CHECK_INT_EQ(cb_rtcp_parse(buf, n, &events, &seen), -EINVAL);
	/* BYE whose count exceeds its length */
	uint8_t bye[] = { 0x85, 203, 0x00, 0x01, 0, 0, 0, 1 };
	CHECK_INT_EQ(cb_rtcp_parse(bye, sizeof(bye), &events, &seen), -EINVAL);
}

int main(void)
{
	test_golden_compound();
	test_golden_rr();
	test_writer_overflow();
	test_lying_lengths();
	return test_finish("test-rtcp");
}
