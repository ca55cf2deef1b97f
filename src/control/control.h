/* Live control and status of a running call through its metadata object
 * `callbridge.<call>`: `track.<name>.control = pause|resume|flush` acts on
 * the track (through its lock-free cb_track_state), and the call's state is
 * published there (status.h).  The bridge creates one, hands it a fresh
 * snapshot on every tick of its main-loop timer, and lists its tracks for
 * it when a control arrives.  Main thread only. */
#ifndef CALLBRIDGE_CONTROL_H
#define CALLBRIDGE_CONTROL_H

#include <stdint.h>

#include <pipewire/pipewire.h>

#include "control/snapshot.h"
#include "node/track-state.h"

struct cb_control;

/* The call's track number `index` as it runs now: its shared state, and
 * its name in *name; NULL past the last.  Asked for each control as it
 * arrives, so a control always reaches the tracks that run now, never a
 * snapshot's memory of them. */
typedef struct cb_track_state *(*cb_control_track_at)(void *data, uint32_t index,
						       const char **name);

int cb_control_new(struct cb_control **out, struct pw_core *core, const char *call_name,
		   cb_control_track_at track_at, void *data);
void cb_control_destroy(struct cb_control *c);
/* Publishes the status from snap (at most every CB_STATUS_PERIOD_NS). */
void cb_control_tick(struct cb_control *c, const struct cb_snapshot *snap, uint64_t now_ns);

/* guest.<name>.control = kick: ends the browser sessions at the endpoint
 * path whose remote or stream is <name>; returns 0 or -ENOENT. */
typedef int (*cb_control_guest_kick)(void *data, const char *name);
void cb_control_set_guest_kick(struct cb_control *c, cb_control_guest_kick kick, void *data);

/* For tests: applies one control key as if written to the metadata.
 * Returns 0, or -ENOENT (unknown track) / -EINVAL (unknown word). */
int cb_control_apply(struct cb_control *c, const char *key, const char *value);

#endif
