/* Links that persist: `capture` (a source into a track's node) and
 * `playback` (a remote's node into a sink), made by the bridge and made
 * again whenever either side comes back.
 *
 * How: PipeWire's link factory (module-link-factory, loaded by every
 * PipeWire daemon and client config), asked from here with
 * pw_core_create_object("link-factory", link.output.node/port,
 * link.input.node/port) for each pair of ports link-plan.h picks, watching
 * the registry (graph.h) to see what exists.  Not `target.object` for the
 * session manager to honour: WirePlumber 0.4 links only *stream* nodes
 * (Stream/Output/Audio, Stream/Input/Audio) to devices, and a track is an
 * Audio/Sink and a remote an Audio/Source, device-like nodes it never
 * links, nor does it relink a device after the other side comes back.
 * The link factory works the same under any session manager, or none.
 * The links belong to the bridge's connection (object.linger false): they
 * go when the call ends, and a PipeWire restart takes them with the
 * connection, after which the bridge makes a new keeper on the new one.
 * Inside the PipeWire daemon the keeper makes a socket connection of its
 * own instead of using the in-process one (see cb_link_keeper_new).
 *
 * The keeper is told what is wanted (one cb_link_want per track with
 * capture and per remote with playback) and, on each tick after the graph
 * changed, makes the links that are missing and removes its own that are
 * no longer wanted; a link someone else made between the same ports
 * counts.  A target that is not there is logged once, when it goes, and
 * waited for.  `default` is resolved through the graph's default source
 * or sink; a default that is one of this call's own nodes is not linked
 * (that would send the call back into itself).
 *
 * Main thread only (the PipeWire main loop): registry events, ticks and
 * state queries.  The real-time thread never sees any of it. */
#ifndef CALLBRIDGE_LINK_KEEPER_H
#define CALLBRIDGE_LINK_KEEPER_H

#include <stdbool.h>
#include <stdint.h>

#include <pipewire/pipewire.h>

#include "config/config.h"

#define CB_LINK_NODE_MAX (2 * CB_NAME_MAX + 32)	/* callbridge.CALL.remote.NAME */
#define CB_LINK_STATE_MAX (CB_TARGET_MAX + 16)	/* "waiting:" or "linked:" and a name */

struct cb_link_want {
	char node[CB_LINK_NODE_MAX];		/* our node's node.name */
	char target[CB_TARGET_MAX + 1];		/* "default" or a node.name */
	bool capture;		/* true: target's outputs into node; false: node into target */
	uint32_t n_pick;	/* capture-channels, see link-plan.h */
	char pick[CB_MAX_CAPTURE_CHANNELS][CB_CHANNEL_NAME_MAX + 1];
};

struct cb_link_keeper;

/* own_prefix: "callbridge.CALL.", the names of this call's own nodes. */
int cb_link_keeper_new(struct cb_link_keeper **out, struct pw_core *core, const char *own_prefix);
/* Removes the links it made (while the connection is up) and frees it. */
void cb_link_keeper_destroy(struct cb_link_keeper *k);

/* What is wanted from now on (copied); the next tick acts on it. */
int cb_link_keeper_set_wants(struct cb_link_keeper *k, const struct cb_link_want *wants,
			     uint32_t n_wants);
/* Makes and removes links when something changed since the last tick, or
 * a failed link is due for another try. */
void cb_link_keeper_tick(struct cb_link_keeper *k, uint64_t now_ns);

/* "linked:NODE" once every port of the want for `node` is linked to the
 * target NODE, else "waiting:TARGET" (the resolved name while the target
 * is there but not linked yet); false when nothing is wanted for node. */
bool cb_link_keeper_state(const struct cb_link_keeper *k, const char *node, char *out, size_t len);

#endif
