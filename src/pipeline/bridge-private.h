/* The inside of a cb_bridge, shared by the files that build it (bridge.c),
 * change it while it runs (bridge-reload.c) and move it to a new PipeWire
 * connection (bridge-pipewire.c).  Nothing outside src/pipeline/bridge*.c
 * includes this. */
#ifndef CALLBRIDGE_BRIDGE_PRIVATE_H
#define CALLBRIDGE_BRIDGE_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/srtp-session.h"
#include "ice/ice-transport.h"
#include "net/udp.h"
#include "pipeline/bridge.h"
#include "pipeline/receive-worker.h"
#include "pipeline/remote.h"
#include "pipeline/send-stream.h"
#include "pipeline/send-worker.h"
#include "pipeline/track-node.h"

struct cb_bridge {
	struct cb_config config;	/* what runs now; a reload replaces it whole */
	struct pw_core *core;		/* NULL while PipeWire is away */
	char cname[128];
	char sdp_path[PATH_MAX];
	uint64_t sdp_session_id;
	uint64_t sdp_version;

	struct cb_udp_socket socket;
	struct cb_ice_transport *ice;	/* transport = ice: instead of the socket */
	char ice_candidates[1024];	/* as last logged and written to the SDP */
	uint32_t ice_gatherings;	/* cb_ice_transport_gatherings() then */
	struct cb_key send_key;
	struct cb_srtp_session *srtp_out;

	/* In config order: streams[i] runs config.streams[i], tracks[i]
	 * config.tracks[i]. */
	uint32_t n_streams;
	struct cb_send_stream *streams[CB_MAX_STREAMS];
	uint32_t n_tracks;
	struct cb_track_node *tracks[CB_MAX_TRACKS];

	struct cb_send_worker worker;

	/* Receive path: absent when there is no key to authenticate with.
	 * Always CB_MAX_REMOTES slots, configured ones anywhere among them,
	 * so a reload can add and remove [remote]s without moving any. */
	bool receiving;
	struct cb_srtp_session *srtp_in;
	struct cb_srtp_session *srtcp_out;
	uint32_t n_remotes;
	struct cb_remote *remotes;
	struct cb_receive_worker receiver;

	struct cb_control *control;	/* callbridge.<call> metadata: controls, status */
	uint32_t control_wait_ticks;	/* timer ticks since the nodes were made */
	char status_transport[64];
	char status_pair[256];

	struct pw_loop *main_loop;
	struct spa_source *timer;
	uint32_t timer_ticks;
};

/* Where config->streams[index] sends to: its own remote, else the call's
 * (on consecutive even ports unless bundle). */
void cb_bridge_stream_dest(const struct cb_config *config, uint32_t index,
			   struct cb_address *dest);
/* Rebuilds every stream's inputs from the tracks; workers paused. */
void cb_bridge_connect_inputs(struct cb_bridge *b);
int cb_bridge_write_sdp(struct cb_bridge *b);
void cb_bridge_sync_remote_nodes(struct cb_bridge *b);
/* The control object's view of the call (main thread). */
struct cb_status_view;
void cb_bridge_fill_status_view(void *data, struct cb_status_view *v);
/* Exports the callbridge.<call> metadata object (controls, status). */
void cb_bridge_start_control(struct cb_bridge *b);

#endif
