/* The media thread of the send path.  It wakes a few times per packet
 * interval, drains every stream that has a whole frame waiting (so the
 * PipeWire graph clock, which fills the rings, is what paces sending),
 * protects with SRTP and hands packets to the output.  RTCP sender reports
 * go out every ~5 s and a BYE when the worker stops. */
#ifndef CALLBRIDGE_SEND_WORKER_H
#define CALLBRIDGE_SEND_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "crypto/keying.h"
#include "crypto/srtp-session.h"
#include "node/cycle-clock.h"
#include "pipeline/send-stream.h"
#include "pipeline/voice-stage.h"
#include "pipeline/worker-thread.h"
#include "transport/transport.h"
#include "util/clock.h"

#define CB_MAX_SESSIONS (CB_MAX_STREAMS + CB_MAX_REMOTES)	/* webrtc: one per stream and per remote */

/* One session's way out: its transport, and the worker's own SRTP
 * session built from the session's keys (crypto/keying.h). */
struct cb_send_output {
	struct cb_transport *transport;
	struct cb_srtp_slot srtp;
};

struct cb_send_worker_stats {
	atomic_uint_fast64_t rtp_sent;
	atomic_uint_fast64_t rtcp_sent;
	atomic_uint_fast64_t send_errors;
	atomic_uint_fast64_t protect_errors;
	atomic_uint_fast64_t encode_errors;
	atomic_uint_fast64_t no_key;		/* dropped: the session has no keys yet */
};

struct cb_send_worker {
	struct cb_worker_thread thread;

	uint32_t n_streams;
	struct cb_send_stream **streams;	/* each names its output (->output) */
	uint32_t n_outputs;
	struct cb_send_output outputs[CB_MAX_SESSIONS];
	char cname[128];

	uint64_t period_ns;
	/* The tracks' graph cycle, if one feeds the streams: the worker then
	 * wakes just after each cycle instead of every period_ns. Set before
	 * start. */
	const struct cb_cycle_clock *cycle;
	uint64_t next_report_ns;
	struct cb_send_worker_stats stats;
	/* Called on the worker thread when marks have left (see
	 * cb_send_stream_commit_marks): it must only wake the main thread.
	 * Set before start. */
	void (*marks_passed)(void *data);
	void *marks_data;
	/* The tracks' voice processing, run before the streams read their
	 * rings (voice-stage.h); NULL or inactive: nothing. Set before start. */
	struct cb_voice_stage *voice;
};

/* The worker borrows the streams; they must outlive it. */
void cb_send_worker_init(struct cb_send_worker *w, struct cb_send_stream **streams,
			 uint32_t n_streams, const char *cname, uint32_t frame);
/* A session's output, index n_outputs; before start or while paused.  The
 * worker builds its SRTP session from `keying` whenever its keys move, and
 * drops (and counts) packets while there are none.  Returns the index or
 * a negative errno. */
int cb_send_worker_add_output(struct cb_send_worker *w, struct cb_transport *transport,
			      struct cb_keying *keying);
/* A session's output at a given index (a free one, or n_outputs), and
 * its removal: only while paused or not yet started.  A dropped output
 * sends nothing; streams naming it must be gone or moved by then. */
int cb_send_worker_set_output(struct cb_send_worker *w, uint32_t index,
			      struct cb_transport *transport, struct cb_keying *keying);
void cb_send_worker_drop_output(struct cb_send_worker *w, uint32_t index);
/* Frees the worker's SRTP sessions (after stop). */
void cb_send_worker_clear(struct cb_send_worker *w);
int cb_send_worker_start(struct cb_send_worker *w);
/* Joins the thread, then sends a BYE for every stream. */
void cb_send_worker_stop(struct cb_send_worker *w);
/* Joins the thread and nothing else: the streams, their sequence numbers
 * and the rings behind them stay as they are, so a reload can change the
 * stream array and cb_send_worker_start() carries on where it left off
 * (the rings buffer meanwhile, so the audio has no gap). */
void cb_send_worker_pause(struct cb_send_worker *w);
/* Only while paused or not yet started. */
void cb_send_worker_set_streams(struct cb_send_worker *w, struct cb_send_stream **streams,
				uint32_t n_streams);

/* One pass of the loop body, for tests that drive time themselves. */
void cb_send_worker_iterate(struct cb_send_worker *w, uint64_t now_ns);
void cb_send_worker_send_reports(struct cb_send_worker *w, uint64_t now_ns, bool bye);
/* SR + SDES for one stream, with a BYE when bye_reason is not NULL. Only
 * from the worker thread, or while the worker is paused. */
void cb_send_worker_send_report(struct cb_send_worker *w, struct cb_send_stream *s,
				uint64_t now_ns, const char *bye_reason);

#endif
