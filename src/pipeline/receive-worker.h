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
#include "crypto/keying.h"
#include "crypto/srtp-session.h"
#include "pipeline/remote.h"
#include "pipeline/send-worker.h"
#include "pipeline/worker-thread.h"
#include "rtp/rtp-session.h"
#include "transport/transport.h"
#include "util/recent-max.h"

struct cb_receive_stats {
	atomic_uint_fast64_t datagrams;
	atomic_uint_fast64_t rtp;
	atomic_uint_fast64_t rtcp;
	atomic_uint_fast64_t auth_failures;	/* SRTP or SRTCP authentication/replay */
	atomic_uint_fast64_t malformed;		/* too short, bad header, bad Opus */
	atomic_uint_fast64_t malformed_red;	/* RFC 2198 payloads that do not parse (also in malformed) */
	atomic_uint_fast64_t unknown_payload_type;
	atomic_uint_fast64_t unknown_ssrc;	/* no [remote] claims it, accept-unknown off or full */
	atomic_uint_fast64_t oversized;
	atomic_uint_fast64_t no_key;		/* the session has no keys yet */
	/* The longest a datagram waited to be read after it came off the
	 * wire (kernel stamp), in the last one to two seconds: the worker's
	 * own lateness, which the jitter buffer does not count. */
	atomic_uint_fast64_t read_wait_max_us;
};

/* One session's way in, as the receive worker sees it: the transport it
 * reads (media only, transport.h), the worker's own SRTP sessions built
 * from the session's keys, and the RTP session whose senders the peer's
 * reports are about. */
struct cb_receive_input {
	struct cb_transport *transport;		/* NULL: fed by cb_receive_worker_handle */
	struct cb_rtp_session *rtp;		/* NULL: reports credit nobody */
	struct cb_srtp_slot srtp_in;		/* the peer's key */
	struct cb_srtp_slot srtcp_out;		/* our key: our receiver reports */
	/* Tests and fuzzers hand in ready sessions instead of a keying. */
	struct cb_srtp_session *fixed_in, *fixed_out;
	bool dropped;				/* its session ended: nothing is read */
};

/* What an SSRC calls itself: the MID item of the peer's RTCP SDES, a
 * callbridge peer's stream name (rtp/rtcp.h).  Worker only. */
#define CB_PEER_NAMES 64
struct cb_peer_name {
	bool used;
	uint32_t input;
	uint32_t ssrc;
	uint64_t seen_ns;
	char name[CB_NAME_MAX + 1];
};

struct cb_receive_worker {
	struct cb_worker_thread thread;

	uint32_t n_inputs;
	struct cb_receive_input inputs[CB_MAX_SESSIONS];
	bool accept_unknown;
	uint64_t timeout_ns;
	uint32_t receiver_ssrc;
	char cname[128];

	uint32_t n_remotes;
	struct cb_remote *remotes;		/* configured first, then free slots */

	uint64_t next_report_ns;
	uint64_t next_tick_ns;			/* when tick() wants to run again */
	struct cb_peer_name names[CB_PEER_NAMES];	/* worker only */
	struct cb_recent_max read_wait;		/* read_wait_max_us's: worker only */
	struct cb_receive_stats stats;
};

void cb_receive_worker_init(struct cb_receive_worker *w, const struct cb_call_config *call,
			    struct cb_remote *remotes, uint32_t n_remotes, const char *cname);
/* A session's input, index n_inputs; before start or while paused.  The
 * worker builds its SRTP sessions from `keying` whenever its keys move and
 * drops (and counts) what arrives while there are none.  Returns the index
 * or a negative errno. */
int cb_receive_worker_add_input(struct cb_receive_worker *w, struct cb_transport *transport,
				struct cb_keying *keying, struct cb_rtp_session *rtp);
/* A session's input at a given index (a free one, or n_inputs), and its
 * removal, which also lets go of the remotes playing from it and forgets
 * the names its peer gave: only while paused or not yet started. */
int cb_receive_worker_set_input(struct cb_receive_worker *w, uint32_t index,
				struct cb_transport *transport, struct cb_keying *keying,
				struct cb_rtp_session *rtp);
void cb_receive_worker_drop_input(struct cb_receive_worker *w, uint32_t index);
/* The same with fixed SRTP sessions (borrowed), for tests and fuzzers. */
int cb_receive_worker_add_fixed_input(struct cb_receive_worker *w, struct cb_transport *transport,
				      struct cb_srtp_session *srtp_in,
				      struct cb_srtp_session *srtcp_out);
/* Frees the worker's SRTP sessions (after stop). */
void cb_receive_worker_clear(struct cb_receive_worker *w);
int cb_receive_worker_start(struct cb_receive_worker *w);
/* Joins the thread; remotes are left inactive. */
void cb_receive_worker_stop(struct cb_receive_worker *w);
/* Joins the thread and leaves every remote as it is, for a reload to change
 * the remotes and the settings below; cb_receive_worker_start() resumes. */
void cb_receive_worker_pause(struct cb_receive_worker *w);
/* Reads what waits on an input's transport (up to a batch), each datagram
 * timed by when it came off the wire: the thread's step when the input is
 * readable, and a test's. */
void cb_receive_worker_drain(struct cb_receive_worker *w, uint32_t input);
/* The [call] settings that apply live. Only while paused or not yet
 * started. */
void cb_receive_worker_update(struct cb_receive_worker *w, const struct cb_call_config *call);

/* The name the peer gave the SSRC on this input (its RTCP SDES MID), NULL
 * before one came.  Worker thread, or while it is paused. */
const char *cb_receive_worker_peer_name(struct cb_receive_worker *w, uint32_t input,
					uint32_t ssrc);

/* One datagram of input 0 through the whole receive path, for tests and
 * the fuzzer; cb_receive_worker_handle_input for another input. */
void cb_receive_worker_handle(struct cb_receive_worker *w, uint8_t *buf, size_t len,
			      const struct cb_address *from, uint64_t now_ns);
void cb_receive_worker_handle_input(struct cb_receive_worker *w, uint32_t input, uint8_t *buf,
				    size_t len, const struct cb_address *from, uint64_t now_ns);
void cb_receive_worker_tick(struct cb_receive_worker *w, uint64_t now_ns);

#endif
