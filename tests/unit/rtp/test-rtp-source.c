#include "rtp/rtp-source.h"
#include "test.h"

#define MS 1000000ull

static void test_loss_and_wrap(void)
{
	struct cb_rtp_source s;
	struct cb_rtcp_report_block b;
	uint16_t seq = 65500;
	uint32_t ts = 0xfffff000u;

	cb_rtp_source_init(&s, 0x1234, 48000);
	/* 100 packets across the sequence and timestamp wrap, every 10th lost,
	 * arriving exactly on time: no loss beyond those, zero jitter */
	for (int i = 0; i < 100; i++, seq++, ts += 960)
		if (i % 10 != 5)
			cb_rtp_source_update(&s, seq, ts, (uint64_t)i * 20 * MS);
	CHECK_INT_EQ(cb_rtp_source_lost(&s), 10);
	CHECK_INT_EQ(cb_rtp_source_extended_max(&s), 65536u + (uint16_t)(65500 + 99));
	cb_rtp_source_report(&s, 2000 * MS, &b);
	CHECK_INT_EQ(b.ssrc, 0x1234);
	CHECK_INT_EQ(b.cumulative_lost, 10);
	CHECK_INT_EQ(b.fraction_lost, 10 * 256 / 100);
	CHECK_INT_EQ(b.jitter, 0);
	CHECK_INT_EQ(b.last_sr, 0);

	/* next interval: nothing lost, so the fraction drops to zero */
	for (int i = 100; i < 150; i++, seq++, ts += 960)
		cb_rtp_source_update(&s, seq, ts, (uint64_t)i * 20 * MS);
	cb_rtp_source_report(&s, 3000 * MS, &b);
	CHECK_INT_EQ(b.fraction_lost, 0);
	CHECK_INT_EQ(b.cumulative_lost, 10);

	/* a duplicate and a reordered old packet do not move the maximum */
	uint32_t max = cb_rtp_source_extended_max(&s);
	cb_rtp_source_update(&s, (uint16_t)(seq - 3), ts, 3001 * MS);
	CHECK_INT_EQ(cb_rtp_source_extended_max(&s), max);
}

static void test_jitter(void)
{
	struct cb_rtp_source s;
	cb_rtp_source_init(&s, 1, 48000);
	/* arrivals alternate 10 ms early and late: |D| = 20 ms = 960 units */
	for (int i = 0; i < 2000; i++)
		cb_rtp_source_update(&s, (uint16_t)i, (uint32_t)i * 960,
				     (uint64_t)(i * 20 + (i % 2 ? 10 : 0)) * MS);
	CHECK_NEAR(s.jitter, 480, 20);
}

static void test_lsr_dlsr_rtt(void)
{
	struct cb_rtp_source s;
	struct cb_rtcp_report_block b;
	uint64_t sr_ntp = (uint64_t)3900000000u << 32;

	cb_rtp_source_init(&s, 7, 48000);
	cb_rtp_source_update(&s, 1, 1, 0);
	cb_rtp_source_sender_report(&s, sr_ntp, 1000 * MS);
	cb_rtp_source_report(&s, 1250 * MS, &b);
	CHECK_INT_EQ(b.last_sr, cb_ntp_middle32(sr_ntp));
	CHECK_INT_EQ(b.delay_since_last_sr, 65536 / 4);

	/* The peer sent the SR at sr_ntp, we held it 250 ms, the path is
	 * 30 ms each way: the report arrives back 310 ms after the SR. */
	uint64_t arrival = sr_ntp + (uint64_t)(0.310 * 4294967296.0);
	CHECK_NEAR(cb_rtcp_round_trip_us(&b, arrival), 60000, 100);
	b.last_sr = 0;
	CHECK_INT_EQ(cb_rtcp_round_trip_us(&b, arrival), -1);
}

static void test_restart(void)
{
	struct cb_rtp_source s;
	cb_rtp_source_init(&s, 1, 48000);
	for (int i = 0; i < 10; i++)
		cb_rtp_source_update(&s, (uint16_t)i, 0, 0);
	/* the sender restarts far away: no phantom losses */
	for (int i = 0; i < 10; i++)
		cb_rtp_source_update(&s, (uint16_t)(30000 + i), 0, 0);
	CHECK_INT_EQ(cb_rtp_source_lost(&s), 0);
}

static void test_reordered_start(void)
{
	struct cb_rtp_source s;

	/* The soak's case: packet 100 overtakes 99 at the very start, and 105
	 * is lost. Received 100 101 99 102 103 104 106: 7 of 8, one lost. */
	static const uint16_t order[] = { 100, 101, 99, 102, 103, 104, 106 };
	cb_rtp_source_init(&s, 1, 48000);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		cb_rtp_source_update(&s, order[i], 0, 0);
	CHECK_INT_EQ(s.base_seq, 99);
	CHECK_INT_EQ(cb_rtp_source_lost(&s), 1);

	/* The same across the wrap: 0 arrives before 65535. */
	cb_rtp_source_init(&s, 1, 48000);
	cb_rtp_source_update(&s, 0, 0, 0);
	cb_rtp_source_update(&s, 1, 0, 0);
	cb_rtp_source_update(&s, 65535, 0, 0);
	cb_rtp_source_update(&s, 3, 0, 0);
	CHECK_INT_EQ(cb_rtp_source_lost(&s), 1);
	CHECK_INT_EQ(cb_rtp_source_extended_max(&s) - s.base_seq, 4);

	/* A duplicate of the first packet moves nothing. */
	cb_rtp_source_init(&s, 1, 48000);
	for (int i = 500; i < 560; i++)
		cb_rtp_source_update(&s, (uint16_t)i, 0, 0);
	cb_rtp_source_update(&s, 500, 0, 0);
	CHECK_INT_EQ(s.base_seq, 500);
}

int main(void)
{
	test_loss_and_wrap();
	test_jitter();
	test_lsr_dlsr_rtt();
	test_restart();
	test_reordered_start();
	return test_finish("test-rtp-source");
}
