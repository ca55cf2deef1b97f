/* [remote] peer-stream: incoming streams are matched by the name the
 * sender gives them in RTCP SDES (the MID item), whatever their SSRC and
 * whichever arrives first.  Remotes listed in the opposite order from the
 * sender's streams, plain RTP, real Opus packets:
 *  - an SSRC that has not named itself never goes to a peer-stream remote
 *    (a spare slot plays it), and moves over when its name comes;
 *  - a name that comes before the first packet binds from that packet;
 *  - a new SSRC with a name already bound (the peer restarted, no BYE)
 *    takes the remote over at once;
 *  - a malformed SDES is counted and changes nothing. */
#include <errno.h>
#include <opus/opus.h>

#include "pipeline/receive-worker.h"
#include "rtp/rtcp.h"
#include "rtp/rtp.h"
#include "test.h"

#define MS 1000000ull

static uint8_t opus[400];
static int opus_len;
static uint64_t now;

static void rtp(struct cb_receive_worker *w, uint32_t ssrc, uint16_t seq)
{
	uint8_t buf[600];
	struct cb_rtp_header h = { .payload_type = 111, .sequence = seq, .timestamp = seq * 960u,
				   .ssrc = ssrc };
	size_t n = cb_rtp_write_header(buf, sizeof(buf), &h);
	struct cb_address from = { .set = true };

	memcpy(buf + n, opus, (size_t)opus_len);
	now += 20 * MS;
	cb_receive_worker_handle(w, buf, n + (size_t)opus_len, &from, now);
}

/* What a callbridge sender introduces a stream with: SR, SDES. */
static void intro(struct cb_receive_worker *w, uint32_t ssrc, const char *name)
{
	uint8_t buf[128];
	struct cb_rtcp_writer wr;
	struct cb_rtcp_sender_info info = { 0 };
	struct cb_address from = { .set = true };

	cb_rtcp_writer_init(&wr, buf, sizeof(buf));
	cb_rtcp_write_sr(&wr, ssrc, &info, NULL, 0);
	cb_rtcp_write_sdes(&wr, ssrc, "alice@test", name);
	cb_receive_worker_handle(w, buf, wr.len, &from, now);
}

int main(void)
{
	static struct cb_remote remotes[4];
	struct cb_call_config call = { .accept_unknown = true, .remote_timeout_ms = 60000 };
	struct cb_remote_config talk = { .name = "talk", .channels = 1, .payload_type = 111,
					 .latency_ms = 20, .peer_stream = "talkback" };
	struct cb_remote_config prog = { .name = "prog", .channels = 1, .payload_type = 111,
					 .latency_ms = 20, .peer_stream = "program" };
	struct cb_srtp_session *none_in = NULL, *none_out = NULL;
	struct cb_receive_worker w;
	float pcm[960] = { 0 };
	OpusEncoder *enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_AUDIO, NULL);

	opus_len = opus_encode_float(enc, pcm, 960, opus, sizeof(opus));
	opus_encoder_destroy(enc);
	cb_srtp_session_new(&none_in, CB_SRTP_NONE, NULL, 0, CB_SRTP_INBOUND);
	cb_srtp_session_new(&none_out, CB_SRTP_NONE, NULL, 0, CB_SRTP_OUTBOUND);
	cb_remote_init(&remotes[0], &talk);
	cb_remote_init(&remotes[1], &prog);
	cb_remote_init(&remotes[2], NULL);
	cb_remote_init(&remotes[3], NULL);
	cb_receive_worker_init(&w, &call, remotes, 4, "bob@test");
	CHECK_INT_EQ(cb_receive_worker_add_fixed_input(&w, NULL, none_in, none_out), 0);

	/* program's first packet comes before its name: not a peer-stream
	 * remote's; a spare slot plays it meanwhile. */
	rtp(&w, 0x1111, 1);
	CHECK(!remotes[0].active && !remotes[1].active);
	CHECK(remotes[2].active && remotes[2].ssrc == 0x1111);
	/* Its name: the spare lets go, and prog takes it with the next packet. */
	intro(&w, 0x1111, "program");
	CHECK(!remotes[2].active);
	CHECK_STR_EQ(cb_receive_worker_peer_name(&w, 0, 0x1111), "program");
	rtp(&w, 0x1111, 2);
	CHECK(remotes[1].active && remotes[1].ssrc == 0x1111);
	CHECK(!remotes[0].active);

	/* talkback names itself first: bound from its first packet. */
	intro(&w, 0x2222, "talkback");
	rtp(&w, 0x2222, 1);
	CHECK(remotes[0].active && remotes[0].ssrc == 0x2222);
	CHECK(!remotes[2].active && !remotes[3].active);

	/* A name no remote waits for: a spare plays it, nobody moves. */
	intro(&w, 0x3333, "other");
	rtp(&w, 0x3333, 1);
	CHECK(remotes[2].active && remotes[2].ssrc == 0x3333);
	CHECK(remotes[0].ssrc == 0x2222 && remotes[1].ssrc == 0x1111);

	/* The sender restarts without a BYE: new SSRCs, the same names. */
	intro(&w, 0x4444, "program");
	intro(&w, 0x5555, "talkback");
	CHECK(!remotes[0].active && !remotes[1].active);
	rtp(&w, 0x5555, 1);
	rtp(&w, 0x4444, 1);
	CHECK(remotes[1].active && remotes[1].ssrc == 0x4444);
	CHECK(remotes[0].active && remotes[0].ssrc == 0x5555);
	/* The old SSRC, should it still send, is not given back. */
	rtp(&w, 0x1111, 3);
	CHECK(remotes[1].ssrc == 0x4444);

	/* A malformed SDES (the MID runs past the packet) changes nothing. */
	{
		uint8_t buf[32] = { 0x81, 0xca, 0x00, 0x03, 0, 0, 0x66, 0x66,
				    15, 40, 'p', 'r', 'o', 'g', 0, 0 };
		struct cb_address from = { .set = true };
		uint64_t malformed = atomic_load(&w.stats.malformed);
		cb_receive_worker_handle(&w, buf, 16, &from, now);
		CHECK_INT_EQ(atomic_load(&w.stats.malformed), malformed + 1);
		CHECK(cb_receive_worker_peer_name(&w, 0, 0x6666) == NULL);
	}

	for (int i = 0; i < 4; i++)
		cb_remote_clear(&remotes[i]);
	cb_srtp_session_free(none_in);
	cb_srtp_session_free(none_out);
	return test_finish("test-receive-peer-stream");
}
