/* What a WHIP/WHEP server's Link header names (RFC 9725 section 4.6),
 * handed to the session's ICE transport: the first STUN server and the
 * best TURN server (UDP before TCP before TLS, as browsers rank them),
 * each only where [ice] has none of its own.  They take part in the next
 * gathering (libnice gathers once per stream), which the session starts
 * when the path does not come up without them.  GLib thread. */
#ifndef CALLBRIDGE_LINK_SERVERS_H
#define CALLBRIDGE_LINK_SERVERS_H

#include <stdbool.h>

#include <gio/gio.h>

#include "transport/ice-params.h"
#include "transport/ice-transport.h"
#include "whip/link-header.h"

/* Told, on the GLib thread, of each server the transport took. */
typedef void (*cb_link_server_added)(void *data, bool turn, const char *address);

/* Looks the names up and hands the addresses to ice.  Cancelling cancel
 * (the owner going away) stops it: nothing is told after that. */
void cb_link_servers_take(const struct cb_ice_servers *servers, struct cb_ice_transport *ice,
			  const struct cb_ice_params *own, GCancellable *cancel,
			  cb_link_server_added added, void *data);

#endif
