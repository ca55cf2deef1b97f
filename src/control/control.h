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

#include "config/config.h"
#include "control/snapshot.h"
#include "node/track-state.h"

/* `pw-callbridge reload` (or `pw-metadata -n callbridge.CALL 0 reload
 * TOKEN` by hand) writes a token under CB_RELOAD_KEY; the call reloads its
 * file and answers under CB_RELOAD_RESULT_KEY with a JSON object:
 * {"token": the request's, "ok": bool, "summary": what changed,
 *  "errors": "FILE:LINE: ...\n...", "warnings": "..."}. */
#define CB_RELOAD_KEY "reload"
#define CB_RELOAD_RESULT_KEY "reload.result"
#define CB_RELOAD_TOKEN_MAX 64

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

/* A reload was asked for since the last call: true once, with its token.
 * The bridge takes it from its timer, not inside the metadata callback. */
bool cb_control_take_reload(struct cb_control *c, char *token, size_t len);
/* Publishes the outcome of the request with this token: res 0 or a
 * negative errno, the FILE:LINE messages, and on success what changed. */
void cb_control_reload_done(struct cb_control *c, const char *token, int res,
			    const struct cb_config_report *report, const char *summary);
/* The value cb_control_reload_done publishes, into buf; false when it
 * does not fit (then buf holds an answer without the messages). */
bool cb_control_reload_json(char *buf, size_t cap, const char *token, int res,
			    const struct cb_config_report *report, const char *summary);
/* guest.<name>.control = kick: ends the browser sessions at the endpoint
 * path whose remote or stream is <name>; returns 0 or -ENOENT. */
typedef int (*cb_control_guest_kick)(void *data, const char *name);
void cb_control_set_guest_kick(struct cb_control *c, cb_control_guest_kick kick, void *data);

/* For tests: applies one control key as if written to the metadata.
 * Returns 0, or -ENOENT (unknown track) / -EINVAL (unknown word, a word
 * without its argument or with one it does not take, a bad argument) /
 * -ENOSPC (marks: 16 wait already) / what the play callback returned.  A
 * reload request is taken too (cb_control_take_reload). */
int cb_control_apply(struct cb_control *c, const char *key, const char *value);

#endif
