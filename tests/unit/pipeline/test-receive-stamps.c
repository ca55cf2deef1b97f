/* A receive worker that reads late does not take its own lateness for the
 * network's: packets are timed by when the kernel queued them.  A sender
 * paces 5 ms Opus packets over a real UDP socket; the worker reads each at
 * once, except for 60 ms in the middle where it reads nothing (as a worker
 * held off its core would).  Timed by the reading, the first packet of
 * that stretch was 55 ms late and the jitter buffer's target went to 57
 * ms for the next 10 s; timed by the kernel, the path stays as calm as
 * the sender's pacing. */
#include <errno.h>
#include <time.h>
#include <opus/opus.h>

#include "crypto/srtp-session.h"
#include "jitter/jitter-buffer.h"
#include "net/udp.h"
#include "pipeline/receive-worker.h"
#include "rtp/rtp.h"
#include "util/clock.h"
#include "test.h"

#define MS 1000000ull
#define FRAME 240	/* 5 ms */
#define PACKETS 100
#define STALL_FROM 40
#define STALL_PACKETS 12	/* 60 ms */

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000ull),
			       .tv_nsec = (long)(t % 1000000000ull) };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int main(void)
{
	struct cb_remote_config peer = { .name = "peer", .channels = 1, .payload_type = 111,
					 .latency_ms = 5 };
	struct cb_call_config call = { .remote_timeout_ms = 5000 };
	struct cb_srtp_session *in, *out;
	struct cb_receive_worker w;
	struct cb_remote remote;
	struct cb_transport *t;
	struct cb_udp_socket sender;
	struct cb_address any;
	struct cb_jitter_stats j;
	OpusEncoder *enc;
	float pcm[FRAME];
	uint8_t opus[400], pkt[512];
	char err[128];
	int opus_len, res;
	uint64_t start, waited_us;

	CHECK(cb_address_parse("127.0.0.1:0", 0, &any, err, sizeof(err)));
	CHECK_INT_EQ(cb_udp_transport_new(&t, &any), 0);
	CHECK_INT_EQ(cb_udp_open(&sender, &any), 0);
	CHECK_INT_EQ(cb_srtp_session_new(&in, CB_SRTP_NONE, NULL, 0, CB_SRTP_INBOUND), 0);
	CHECK_INT_EQ(cb_srtp_session_new(&out, CB_SRTP_NONE, NULL, 0, CB_SRTP_OUTBOUND), 0);
	CHECK_INT_EQ(cb_remote_init(&remote, &peer), 0);
	cb_receive_worker_init(&w, &call, &remote, 1, "test@host");
	CHECK_INT_EQ(cb_receive_worker_add_fixed_input(&w, t, in, out), 0);

	enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_RESTRICTED_LOWDELAY, &res);
	CHECK(enc != NULL);
	for (int i = 0; i < FRAME; i++)
		pcm[i] = 0.3f * sinf((float)i * 0.05f);
	opus_len = opus_encode_float(enc, pcm, FRAME, opus, sizeof(opus));
	CHECK(opus_len > 0);
	opus_encoder_destroy(enc);

	/* The kernel turns stamping on a moment after a socket asks: let it. */
	sleep_until(cb_now_ns() + 20 * MS);
	start = cb_now_ns();
	for (int i = 0; i < PACKETS; i++) {
		struct cb_rtp_header h = { .payload_type = 111, .sequence = (uint16_t)(100 + i),
					   .timestamp = 5000u + (uint32_t)i * FRAME, .ssrc = 0x51 };
		size_t len = cb_rtp_write_header(pkt, sizeof(pkt), &h);

		memcpy(pkt + len, opus, (size_t)opus_len);
		len += (size_t)opus_len;
		/* Absolute deadlines: a late wake-up of this sender is not
		 * carried into the packets after it. */
		sleep_until(start + (uint64_t)i * 5 * MS);
		CHECK_INT_EQ(cb_udp_send(&sender, pkt, len, cb_udp_transport_local(t)), 0);
		if (i >= STALL_FROM && i < STALL_FROM + STALL_PACKETS - 1)
			continue;
		/* Read at once, as a worker on time does: it polls. */
		sleep_until(cb_now_ns() + MS / 5);
		cb_receive_worker_drain(&w, 0);
	}

	CHECK(remote.active);
	CHECK_INT_EQ(atomic_load(&w.stats.rtp), PACKETS);
	cb_jitter_buffer_stats(remote.jitter_buffer, &j);
	CHECK_INT_EQ(j.received, PACKETS);
	/* The stall is seen: the first packet of it waited the 55 ms. */
	waited_us = atomic_load(&w.stats.read_wait_max_us);
	CHECK(waited_us >= 55000);
	/* ... and not taken for the network's: the sender's own pacing is
	 * all the delay there is (a fraction of a ms here; 30 leaves room
	 * for a loaded machine, and is half what the stall would show). */
	fprintf(stderr, "read wait %.1f ms, peak delay %u ms, target %u ms\n", waited_us / 1000.0,
		j.peak_delay_ms, j.target_ms);
	CHECK(j.peak_delay_ms < 30);
	CHECK(j.target_ms < 30);

	cb_remote_clear(&remote);
	cb_receive_worker_clear(&w);
	cb_transport_destroy(t);
	cb_udp_close(&sender);
	cb_srtp_session_free(in);
	cb_srtp_session_free(out);
	return test_finish("test-receive-stamps");
}
