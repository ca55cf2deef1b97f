/* The media thread of the receive path.  It drains the call's socket,
 * authenticates (SRTP/SRTCP with replay protection), demultiplexes RTP by
 * SSRC to remotes and RTCP to statistics, keeps every remote's decoded
 * audio topped up, sends receiver reports and notices remotes that went
 * quiet.  Everything it cannot accept is dropped and counted. */
#ifndef CALLBRIDGE_RECEIVE_WORKER_H
#define CALLBRIDGE_RECEIVE_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "crypto/srtp-session.h"
#include "net/udp.h"
#include "pipeline/remote.h"
#include "pipeline/send-stream.h"
#include "pipeline/worker-thread.h"

struct cb_receive_stats {
	atomic_uint_fast64_t datagrams;
	atomic_uint_fast64_t rtp;
	atomic_uint_fast64_t rtcp;
	atomic_uint_fast64_t auth_failures;	/* SRTP or SRTCP authentication/replay */
	atomic_uint_fast64_t malformed;		/* too short, bad header, bad Opus */
	atomic_uint_fast64_t unknown_payload_type;
	atomic_uint_fast64_t unknown_ssrc;	/* no [remote] claims it, accept-unknown off or full */
	atomic_uint_fast64_t oversized;
};

/* Where datagrams come from when they do not come from the socket (ICE):
 * recv returns a datagram's size or -EAGAIN, fd is readable while
 * datagrams wait.  Our receiver reports go back through `reply`. */
struct cb_packet_input {
	int fd;
	ssize_t (*recv)(void *data, uint8_t *buf, size_t cap, struct cb_address *from);
	int (*reply)(void *data, const uint8_t *buf, size_t len, const struct cb_address *dest);
	void *data;
};

struct cb_receive_worker {
	struct cb_worker_thread thread;

	struct cb_udp_socket *socket;
	struct cb_packet_input input;		/* defaults to the socket */
	struct cb_srtp_session *srtp_in;
	struct cb_srtp_session *srtcp_out;	/* our RRs, with our own key */
	bool accept_unknown;
	uint64_t timeout_ns;
	uint32_t receiver_ssrc;
	char cname[128];

	uint32_t n_remotes;
	struct cb_remote *remotes;		/* configured first, then free slots */

	/* Our outgoing streams, to credit what the peer reports about them. */
	uint32_t n_streams;
	struct cb_send_stream **streams;

	uint64_t next_report_ns;
	uint64_t next_tick_ns;			/* when tick() wants to run again */
	struct cb_receive_stats stats;
};

void cb_receive_worker_init(struct cb_receive_worker *w, const struct cb_call_config *call,
			    struct cb_udp_socket *socket, struct cb_srtp_session *srtp_in,
			    struct cb_srtp_session *srtcp_out, struct cb_remote *remotes,
			    uint32_t n_remotes, struct cb_send_stream **streams, uint32_t n_streams,
			    const char *cname);
/* Replaces the socket as the source of datagrams; before start. */
void cb_receive_worker_set_input(struct cb_receive_worker *w, const struct cb_packet_input *input);
int cb_receive_worker_start(struct cb_receive_worker *w);
/* Joins the thread; remotes are left inactive. */
void cb_receive_worker_stop(struct cb_receive_worker *w);
/* Joins the thread and leaves every remote as it is, for a reload to change
 * the remotes and the settings below; cb_receive_worker_start() resumes. */
void cb_receive_worker_pause(struct cb_receive_worker *w);
/* The [call] settings that apply live, and the stream array. Only while
 * paused or not yet started. */
void cb_receive_worker_update(struct cb_receive_worker *w, const struct cb_call_config *call,
			      struct cb_send_stream **streams, uint32_t n_streams);

/* One datagram through the whole receive path, for tests and the fuzzer. */
void cb_receive_worker_handle(struct cb_receive_worker *w, uint8_t *buf, size_t len,
			      const struct cb_address *from, uint64_t now_ns);
void cb_receive_worker_tick(struct cb_receive_worker *w, uint64_t now_ns);

#endif
