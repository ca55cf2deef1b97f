/* Moving a running call to a new PipeWire connection, after the daemon
 * restarted.  Only the PipeWire side is remade: the track nodes (their
 * rings stay, so the send streams never notice more than silence) and the
 * remote nodes (the main-thread timer recreates those that are wanted).
 * Sockets, SRTP sessions, send streams and both workers run throughout, so
 * SSRCs and sequence numbers continue and RTP time keeps following the
 * clock (see enum cb_send_pipewire). */
#include <errno.h>
#include <string.h>

#include "control/control.h"
#include "pipeline/bridge-private.h"
#include "util/log.h"

void cb_bridge_pipewire_lost(struct cb_bridge *b)
{
	if (b->core == NULL)
		return;
	cb_control_destroy(b->control);
	b->control = NULL;
	/* Its links went with the connection; its wants come from the
	 * config again on the next one. */
	cb_bridge_drop_links(b);
	for (uint32_t i = 0; i < b->n_tracks; i++)
		cb_track_node_disconnect(b->tracks[i]);
	for (uint32_t i = 0; i < b->n_remotes; i++) {
		cb_remote_node_destroy(b->remotes[i].node);
		b->remotes[i].node = NULL;
	}
	for (uint32_t i = 0; i < b->n_streams; i++)
		cb_send_stream_set_pipewire(b->streams[i], CB_SEND_PIPEWIRE_AWAY);
	b->core = NULL;
	pw_log_warn("call %s: PipeWire connection lost; the streams go on in silence",
		    b->config.call.name);
}

int cb_bridge_pipewire_attach(struct cb_bridge *b, struct pw_core *core)
{
	int res, first = 0;

	b->core = core;
	for (uint32_t i = 0; i < b->n_tracks; i++) {
		if ((res = cb_track_node_connect(b->tracks[i], core)) < 0) {
			pw_log_error("track %s: cannot recreate node: %s",
				     b->tracks[i]->config.name, strerror(-res));
			if (first == 0)
				first = res;
		}
	}
	for (uint32_t i = 0; i < b->n_streams; i++)
		cb_send_stream_set_pipewire(b->streams[i], CB_SEND_PIPEWIRE_BACK);
	cb_bridge_sync_remote_nodes(b);
	cb_bridge_update_links(b);
	/* The timer exports the metadata again a second from now. */
	b->control_wait_ticks = 0;
	pw_log_info("call %s: nodes recreated on the new PipeWire connection",
		    b->config.call.name);
	return first;
}
