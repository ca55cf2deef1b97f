/* One receive worker, several sessions (inputs): a remote that is its own
 * session (WHEP) takes whatever SSRC arrives on its input and nothing from
 * another; the same SSRC on two inputs makes two remotes; reports credit
 * each input's own RTP session.  Plain RTP, real Opus packets. */
#include <errno.h>
#include <opus/opus.h>

#include "pipeline/receive-worker.h"
#include "rtp/rtcp.h"
#include "rtp/rtp.h"
#include "test.h"

#define MS 1000000ull

static uint8_t opus[400];
static int opus_len;

static void rtp(struct cb_receive_worker *w, uint32_t input, uint32_t ssrc, uint16_t seq)
{
	uint8_t buf[600];
	struct cb_rtp_header h = { .payload_type = 111, .sequence = seq, .timestamp = seq * 960u,
				   .ssrc = ssrc };
	size_t n = cb_rtp_write_header(buf, sizeof(buf), &h);
	struct cb_address from = { .set = true };

	memcpy(buf + n, opus, (size_t)opus_len);
	cb_receive_worker_handle_input(w, input, buf, n + (size_t)opus_len, &from, seq * 20 * MS);
}

int main(void)
{
	static struct cb_remote remotes[4];
	struct cb_call_config call = { .accept_unknown = true, .remote_timeout_ms = 5000 };
	struct cb_remote_config guest = { .name = "guest", .channels = 1, .payload_type = 111,
					  .latency_ms = 20 };
	struct cb_srtp_session *none_in = NULL, *none_out = NULL;
	struct cb_receive_worker w;
	struct cb_rtp_session rtp0, rtp1;
	struct cb_rtp_feedback *f0, *f1;
	float pcm[960] = { 0 };
	OpusEncoder *enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_AUDIO, NULL);

	opus_len = opus_encode_float(enc, pcm, 960, opus, sizeof(opus));
	opus_encoder_destroy(enc);
	cb_srtp_session_new(&none_in, CB_SRTP_NONE, NULL, 0, CB_SRTP_INBOUND);
	cb_srtp_session_new(&none_out, CB_SRTP_NONE, NULL, 0, CB_SRTP_OUTBOUND);
	cb_remote_init(&remotes[0], &guest);
	remotes[0].bound_input = 1;		/* guest is session 1's own */
	for (int i = 1; i < 4; i++)
		cb_remote_init(&remotes[i], NULL);
	cb_receive_worker_init(&w, &call, remotes, 4, "inputs@test");
	CHECK_INT_EQ(cb_receive_worker_add_fixed_input(&w, NULL, none_in, none_out), 0);
	CHECK_INT_EQ(cb_receive_worker_add_fixed_input(&w, NULL, none_in, none_out), 1);
	cb_rtp_session_init(&rtp0);
	cb_rtp_session_init(&rtp1);
	w.inputs[0].rtp = &rtp0;
	w.inputs[1].rtp = &rtp1;

	/* On input 0 the bound guest is not a candidate: a spare slot plays it. */
	rtp(&w, 0, 0xabc, 1);
	CHECK(!remotes[0].active);
	CHECK(remotes[1].active && remotes[1].ssrc == 0xabc && remotes[1].input == 0);
	/* On input 1 the guest takes any SSRC, even one input 0 already has. */
	rtp(&w, 1, 0xabc, 1);
	CHECK(remotes[0].active && remotes[0].ssrc == 0xabc && remotes[0].input == 1);
	rtp(&w, 1, 0xabc, 2);
	rtp(&w, 0, 0xabc, 2);
	CHECK_INT_EQ(atomic_load(&remotes[0].stats.packets), 2);
	CHECK_INT_EQ(atomic_load(&remotes[1].stats.packets), 2);

	/* A BYE on input 0 ends input 0's stream only. */
	{
		uint8_t buf[64];
		struct cb_rtcp_writer wr;
		uint32_t ssrc = 0xabc;
		struct cb_address from = { .set = true };
		cb_rtcp_writer_init(&wr, buf, sizeof(buf));
		cb_rtcp_write_rr(&wr, 0xabc, NULL, 0);
		cb_rtcp_write_bye(&wr, &ssrc, 1, "bye");
		cb_receive_worker_handle_input(&w, 0, buf, wr.len, &from, 100 * MS);
	}
	CHECK(!remotes[1].active);
	CHECK(remotes[0].active);

	/* Report blocks credit the RTP session of the input they came on. */
	f0 = cb_rtp_session_add_sender(&rtp0, 0x5555);
	f1 = cb_rtp_session_add_sender(&rtp1, 0x5555);
	{
		uint8_t buf[128];
		struct cb_rtcp_writer wr;
		struct cb_rtcp_report_block b = { .ssrc = 0x5555, .fraction_lost = 12 };
		struct cb_address from = { .set = true };
		cb_rtcp_writer_init(&wr, buf, sizeof(buf));
		cb_rtcp_write_rr(&wr, 0x999, &b, 1);
		cb_receive_worker_handle_input(&w, 1, buf, wr.len, &from, 200 * MS);
	}
	CHECK_INT_EQ(atomic_load(&f1->reports), 1);
	CHECK_INT_EQ(atomic_load(&f1->fraction_lost), 12);
	CHECK_INT_EQ(atomic_load(&f0->reports), 0);

	/* A reload ends session 1: its input goes, the remote playing from it
	 * lets go, and what still arrives for it is not read. */
	cb_receive_worker_drop_input(&w, 1);
	CHECK_INT_EQ(w.n_inputs, 1);
	CHECK(!remotes[0].active);
	rtp(&w, 1, 0xabc, 3);
	CHECK(!remotes[0].active);
	CHECK_INT_EQ(atomic_load(&remotes[0].stats.packets), 2);
	/* A new session takes the free slot: the bound remote plays again. */
	CHECK_INT_EQ(cb_receive_worker_set_input(&w, 1, NULL, NULL, &rtp1), 1);
	w.inputs[1].fixed_in = none_in;
	w.inputs[1].fixed_out = none_out;
	CHECK_INT_EQ(w.n_inputs, 2);
	rtp(&w, 1, 0xdef, 10);
	CHECK(remotes[0].active && remotes[0].ssrc == 0xdef && remotes[0].input == 1);
	/* A slot past the end leaves the ones between empty and unread. */
	CHECK_INT_EQ(cb_receive_worker_set_input(&w, 3, NULL, NULL, NULL), 3);
	CHECK_INT_EQ(w.n_inputs, 4);
	CHECK(w.inputs[2].dropped);
	rtp(&w, 2, 0x777, 1);
	CHECK(!remotes[2].active && !remotes[3].active);
	cb_receive_worker_drop_input(&w, 3);
	CHECK_INT_EQ(w.n_inputs, 2);
	CHECK_INT_EQ(cb_receive_worker_set_input(&w, CB_MAX_SESSIONS, NULL, NULL, NULL), -ENOSPC);

	cb_receive_worker_stop(&w);
	cb_receive_worker_clear(&w);
	for (int i = 0; i < 4; i++)
		cb_remote_clear(&remotes[i]);
	cb_srtp_session_free(none_in);
	cb_srtp_session_free(none_out);
	return test_finish("test-receive-inputs");
}
