/* Live control and status of a running call through its metadata object
 * `callbridge.<call>`: `track.<name>.control = pause|resume|flush` acts on
 * the track (through its lock-free cb_track_state), and the call's state is
 * published there (status.h).  The bridge creates one, calls
 * cb_control_tick() from its main-loop timer, and supplies its current
 * objects through `fill`.  Main thread only. */
#ifndef CALLBRIDGE_CONTROL_H
#define CALLBRIDGE_CONTROL_H

#include <pipewire/pipewire.h>

#include "control/status.h"

struct cb_control;

typedef void (*cb_status_view_fill)(void *data, struct cb_status_view *view);

int cb_control_new(struct cb_control **out, struct pw_core *core, const char *call_name,
		   cb_status_view_fill fill, void *data);
void cb_control_destroy(struct cb_control *c);
void cb_control_tick(struct cb_control *c, uint64_t now_ns);

/* For tests: applies one control key as if written to the metadata.
 * Returns 0, or -ENOENT (unknown track) / -EINVAL (unknown word). */
int cb_control_apply(struct cb_control *c, const char *key, const char *value);

#endif
