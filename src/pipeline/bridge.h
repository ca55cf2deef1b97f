/* A running call: the track nodes, the outgoing streams, the socket and the
 * media worker, built from a validated config.  The daemon and the module
 * both drive exactly this. */
#ifndef CALLBRIDGE_BRIDGE_H
#define CALLBRIDGE_BRIDGE_H

#include <stddef.h>

#include <pipewire/pipewire.h>

#include "config/config.h"

struct cb_bridge;

/* Must run on the thread that owns core's loop. Takes the config over: it
 * moves into the bridge (cb_config_move) and *config is left wiped, whether
 * or not the bridge could be made (the caller clears it all the same, see
 * config.h). On failure returns a negative errno and a one-line reason in
 * err. */
int cb_bridge_new(struct cb_bridge **out, struct pw_core *core, struct cb_config *config,
		  char *err, size_t err_len);
void cb_bridge_destroy(struct cb_bridge *bridge);

/* What a reload did, for whoever asked for it (pw-callbridge reload): every
 * message the log gets, errors first "FILE:LINE: ..." where there is a
 * line, and on success what changed.  Optional: NULL logs only. */
struct cb_reload_outcome {
	struct cb_config_report report;
	char summary[160];		/* "1 added, 0 removed, ..."; "" on failure */
};

/* Applies a new config to the running call as the reload column of the key
 * table says for each key that changed (`pw-callbridge --help-keys`,
 * config/reload-plan.h): what was added appears, what was removed goes (a
 * stream with a BYE), live keys apply in place, an entry whose recreating
 * key changed is made anew, and everything else runs on untouched (same
 * SSRC, contiguous sequence, no gap). Returns 0, or a negative errno with
 * the call unchanged and the reason logged (a fixed key changed, named; or
 * something new could not be made). On success the config moves into the
 * bridge and *config is left wiped; on failure it is untouched. Either way
 * the caller clears its own (config.h). */
int cb_bridge_reload(struct cb_bridge *bridge, struct cb_config *config,
		     struct cb_reload_outcome *outcome);
/* Loads path and reloads; a file with errors is rejected whole, its
 * FILE:LINE errors logged. */
int cb_bridge_reload_file(struct cb_bridge *bridge, const char *path,
			  struct cb_reload_outcome *outcome);

/* PipeWire went away (daemon restart): drop every node; the network side
 * (sockets, SRTP, streams, workers) runs on and the streams keep time in
 * silence. Then attach to the new connection to recreate the nodes. */
void cb_bridge_pipewire_lost(struct cb_bridge *bridge);
int cb_bridge_pipewire_attach(struct cb_bridge *bridge, struct pw_core *core);

const char *cb_bridge_sdp_path(const struct cb_bridge *bridge);
const char *cb_bridge_local_address(const struct cb_bridge *bridge);

#endif
