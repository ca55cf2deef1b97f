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

struct sdes_seen {
	int items;
	uint32_t ssrc;
	char cname[64], mid[64];
};

static void on_sdes(void *data, uint32_t ssrc, uint8_t type, const uint8_t *text, uint8_t len)
{
	struct sdes_seen *s = data;

	s->items++;
	s->ssrc = ssrc;
	if (type == CB_SDES_CNAME)
		snprintf(s->cname, sizeof(s->cname), "%.*s", len, (const char *)text);
	if (type == CB_SDES_MID)
		snprintf(s->mid, sizeof(s->mid), "%.*s", len, (const char *)text);
}

static const struct cb_rtcp_events sdes_events = { .sdes_item = on_sdes };

/* SDES with the stream's name as MID (RFC 8843 15): the bytes by hand from
 * RFC 3550 6.5, read back; and what 6.5 does not allow is refused. */
static void test_sdes_mid(void)
{
	/* V=2 SC=1 PT=202 len=4: ssrc, CNAME "cb", MID "prog", END, pad */
	static const uint8_t expect[] = {
		0x81, 0xca, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04,
		0x01, 0x02, 'c', 'b', 0x0f, 0x04, 'p', 'r', 'o', 'g', 0x00, 0x00,
	};
	uint8_t buf[64], bad[64];
	struct cb_rtcp_writer w;
	struct sdes_seen seen = { 0 };

	cb_rtcp_writer_init(&w, buf, sizeof(buf));
	cb_rtcp_write_sdes(&w, 0x01020304, "cb", "prog");
	CHECK(!w.failed);
	CHECK_INT_EQ(w.len, sizeof(expect));
	CHECK(memcmp(buf, expect, sizeof(expect)) == 0);
	CHECK_INT_EQ(cb_rtcp_parse(buf, w.len, &sdes_events, &seen), 1);
	CHECK_INT_EQ(seen.items, 2);
	CHECK_INT_EQ(seen.ssrc, 0x01020304);
	CHECK_STR_EQ(seen.cname, "cb");
	CHECK_STR_EQ(seen.mid, "prog");

	/* Two chunks, the second with no items: fine. */
	{
		static const uint8_t two[] = {
			0x82, 0xca, 0x00, 0x04, 0, 0, 0, 1, 0x01, 0x01, 'x', 0x00,
			0, 0, 0, 2, 0x00, 0x00, 0x00, 0x00,
		};
		memset(&seen, 0, sizeof(seen));
		CHECK_INT_EQ(cb_rtcp_parse(two, sizeof(two), &sdes_events, &seen), 1);
		CHECK_INT_EQ(seen.items, 1);
	}
	/* An item longer than the packet. */
	memcpy(bad, expect, sizeof(expect));
	bad[13] = 0x20;
	CHECK_INT_EQ(cb_rtcp_parse(bad, sizeof(expect), &sdes_events, &seen), -EINVAL);
	/* No END octet: the MID runs to the end. */
	memcpy(bad, expect, sizeof(expect));
	bad[13] = 0x06;
	CHECK_INT_EQ(cb_rtcp_parse(bad, sizeof(expect), &sdes_events, &seen), -EINVAL);
	/* Non-zero padding after END. */
	memcpy(bad, expect, sizeof(expect));
	bad[19] = 0x01;
	CHECK_INT_EQ(cb_rtcp_parse(bad, sizeof(expect), &sdes_events, &seen), -EINVAL);
	/* More chunks claimed than there are. */
	memcpy(bad, expect, sizeof(expect));
	bad[0] = 0x82;
	CHECK_INT_EQ(cb_rtcp_parse(bad, sizeof(expect), &sdes_events, &seen), -EINVAL);
	/* A word left over after the last chunk. */
	{
		static const uint8_t extra[] = {
			0x81, 0xca, 0x00, 0x03, 0, 0, 0, 1, 0x01, 0x01, 'x', 0x00, 0, 0, 0, 0,
		};
		CHECK_INT_EQ(cb_rtcp_parse(extra, sizeof(extra), &sdes_events, &seen), -EINVAL);
	}
	/* Padding (P bit) counted by its last octet, 4 bytes of it. */
	{
		static const uint8_t padded[] = {
			0xa1, 0xca, 0x00, 0x03, 0, 0, 0, 1, 0x01, 0x01, 'x', 0x00, 0, 0, 0, 4,
		};
		memset(&seen, 0, sizeof(seen));
		CHECK_INT_EQ(cb_rtcp_parse(padded, sizeof(padded), &sdes_events, &seen), 1);
		CHECK_INT_EQ(seen.items, 1);
		uint8_t lie[sizeof(padded)];
		memcpy(lie, padded, sizeof(padded));
		lie[15] = 40;	/* more padding than the packet */
		CHECK_INT_EQ(cb_rtcp_parse(lie, sizeof(lie), &sdes_events, &seen), -EINVAL);
	}
}

int main(void)
{
	test_sdes_mid();
	test_golden_compound();
	test_golden_rr();
	test_writer_overflow();
	test_lying_lengths();
	return test_finish("test-rtcp");
}
