/* Live control and status of a running call through its metadata object
 * `callbridge.<call>`: `track.<name>.control = pause|resume|flush|
 * interrupt|open|mark ID|play PATH` acts on the track (through its
 * lock-free cb_track_state, and for play through the bridge's file
 * worker), and the call's state is published there (status.h), with
 * `track.<name>.played = ID` the moment a mark has left.  The bridge creates one, hands it a fresh
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

/* What files the tracks play is the bridge's: `play PATH` asks it to play
 * an absolute path into track number `index` (0, or a negative errno that
 * the control logs), `interrupt` to stop what plays there.  Without them
 * (tests) play is refused and interrupt touches only the track state. */
struct cb_control_files {
	int (*play)(void *data, uint32_t index, const char *path);
	void (*interrupt)(void *data, uint32_t index);
};
void cb_control_set_files(struct cb_control *c, const struct cb_control_files *files, void *data);

/* Publishes `track.<name>.played = id` at once, not at the next tick. */
void cb_control_played(struct cb_control *c, const char *track, const char *id);
void cb_control_destroy(struct cb_control *c);
/* Publishes the status from snap (at most every CB_STATUS_PERIOD_NS). */
void cb_control_tick(struct cb_control *c, const struct cb_snapshot *snap, uint64_t now_ns);

/* For tests: applies one control key as if written to the metadata.
 * Returns 0, or -ENOENT (unknown track) / -EINVAL (unknown word, a word
 * without its argument or with one it does not take, a bad argument) /
 * -ENOSPC (marks: 16 wait already) / what the play callback returned. */
int cb_control_apply(struct cb_control *c, const char *key, const char *value);

#endif
