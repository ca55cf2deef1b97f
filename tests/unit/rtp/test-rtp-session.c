/* The RTP session send and receive share (rtp/rtp-session.h): report
 * blocks are credited to our senders by SSRC, others are ignored, a
 * removed sender hears nothing more. */
#include "rtp/rtp-session.h"
#include "test.h"

int main(void)
{
	struct cb_rtp_session s;
	struct cb_rtp_feedback *a, *b;
	struct cb_rtcp_report_block block = { .ssrc = 0xaaaa, .fraction_lost = 64,
					      .cumulative_lost = 7 };

	cb_rtp_session_init(&s);
	a = cb_rtp_session_add_sender(&s, 0xaaaa);
	b = cb_rtp_session_add_sender(&s, 0xbbbb);
	CHECK(a && b && a != b);
	CHECK_INT_EQ(atomic_load(&a->rtt_us), -1);

	CHECK(cb_rtp_session_report_block(&s, &block, 0));
	CHECK_INT_EQ(atomic_load(&a->fraction_lost), 64);
	CHECK_INT_EQ(atomic_load(&a->cumulative_lost), 7);
	CHECK_INT_EQ(atomic_load(&a->reports), 1);
	CHECK_INT_EQ(atomic_load(&b->reports), 0);

	block.ssrc = 0xcccc;
	CHECK(!cb_rtp_session_report_block(&s, &block, 0));

	cb_rtp_session_remove_sender(&s, a);
	block.ssrc = 0xaaaa;
	CHECK(!cb_rtp_session_report_block(&s, &block, 0));
	CHECK_INT_EQ(atomic_load(&a->reports), 1);

	/* Its slot is free for the next sender, with fresh feedback. */
	CHECK(cb_rtp_session_add_sender(&s, 0xdddd) == a);
	CHECK_INT_EQ(atomic_load(&a->reports), 0);
	for (int i = 0; i < CB_RTP_SESSION_MAX_SENDERS - 2; i++)
		CHECK(cb_rtp_session_add_sender(&s, 0x100u + (unsigned)i) != NULL);
	CHECK(cb_rtp_session_add_sender(&s, 0xeeee) == NULL);
	return test_finish("test-rtp-session");
}
