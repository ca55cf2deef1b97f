/* A running call: the track nodes, the outgoing streams, the socket and the
 * media worker, built from a validated config.  The daemon and the module
 * both drive exactly this. */
#ifndef CALLBRIDGE_BRIDGE_H
#define CALLBRIDGE_BRIDGE_H

#include <stddef.h>

#include <pipewire/pipewire.h>

#include "config/config.h"

struct cb_bridge;

/* Must run on the thread that owns core's loop. On failure returns a
 * negative errno and a one-line reason in err. */
int cb_bridge_new(struct cb_bridge **out, struct pw_core *core, const struct cb_config *config,
		  char *err, size_t err_len);
void cb_bridge_destroy(struct cb_bridge *bridge);

const char *cb_bridge_sdp_path(const struct cb_bridge *bridge);
const char *cb_bridge_local_address(const struct cb_bridge *bridge);

#endif
