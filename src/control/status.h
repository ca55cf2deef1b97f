/* Publishes the call's state into its metadata object: one JSON value per
 * object, written only when it changed and at most every CB_STATUS_PERIOD.
 * Keys (subject 0, type Spa:String:JSON), documented in pw-callbridge(1):
 *   transport            {"state","local","srtp","selected_pair"}
 *   receive              call-wide receive counters (auth failures...)
 *   track.<name>         {"level","speaking","paused","flushed_frames"}
 *   stream.<name>        {"ssrc","packets","bytes","bitrate","rtt_ms",...}
 *   remote.<name>        {"level","voice","jitter_ms","depth_ms","lost",...}
 * Reads only atomics the workers publish; main thread only. */
#ifndef CALLBRIDGE_STATUS_H
#define CALLBRIDGE_STATUS_H

#include <stdint.h>

#include "control/metadata.h"
#include "pipeline/receive-worker.h"
#include "pipeline/remote.h"
#include "pipeline/send-stream.h"
#include "node/track-node.h"

#define CB_STATUS_PERIOD_NS 100000000ull	/* 10 Hz at most */

/* What the bridge lets status see, filled afresh before each use so a
 * reload that changes the arrays is picked up. */
struct cb_status_view {
	const char *call_name;
	const char *transport;		/* "udp"; ICE fills its state here */
	const char *selected_pair;	/* NULL until ICE picks one */
	const char *local_address;
	const char *srtp;
	uint32_t n_tracks;
	struct cb_track_node **tracks;
	uint32_t n_streams;
	struct cb_send_stream **streams;
	uint32_t n_remotes;
	struct cb_remote *remotes;
	struct cb_receive_worker *receive;	/* NULL when not receiving */
};

struct cb_status;

int cb_status_new(struct cb_status **out);
void cb_status_free(struct cb_status *st);

/* Writes what changed since the last call, unless that was less than
 * CB_STATUS_PERIOD_NS ago. */
void cb_status_publish(struct cb_status *st, struct cb_call_metadata *md,
		       const struct cb_status_view *view, uint64_t now_ns);

#endif
