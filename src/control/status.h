/* Publishes the call's state into its metadata object: one JSON value per
 * object, written only when it changed and at most every CB_STATUS_PERIOD.
 * Keys (subject 0, type Spa:String:JSON), documented in pw-callbridge(1):
 *   transport            {"state","local","srtp","selected_pair"}
 *   receive              call-wide receive counters (auth failures...)
 *   track.<name>         {"level","speaking","paused","flushed_frames",...}
 *   stream.<name>        {"ssrc","packets","octets","bitrate","rtt_ms",...}
 *   remote.<name>        {"level","voice","jitter_ms","depth_ms","lost",...}
 * The values are the objects of the stats file (snapshot-json.h) without
 * their names, rendered from the same snapshot.  Main thread only. */
#ifndef CALLBRIDGE_STATUS_H
#define CALLBRIDGE_STATUS_H

#include <stdint.h>

#include "control/metadata.h"
#include "control/snapshot.h"

#define CB_STATUS_PERIOD_NS 100000000ull	/* 10 Hz at most */

struct cb_status;

int cb_status_new(struct cb_status **out);
void cb_status_free(struct cb_status *st);

/* Writes what changed since the last call, unless that was less than
 * CB_STATUS_PERIOD_NS ago.  md NULL: only remembered (tests). */
void cb_status_publish(struct cb_status *st, struct cb_call_metadata *md,
		       const struct cb_snapshot *snap, uint64_t now_ns);

/* The value last published for key, NULL when there is none (tests). */
const char *cb_status_value(const struct cb_status *st, const char *key);

#endif
