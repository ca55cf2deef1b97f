/* The inside of a cb_bridge, shared by the files that build it (bridge.c),
 * change it while it runs (bridge-reload.c) and move it to a new PipeWire
 * connection (bridge-pipewire.c).  Nothing outside src/pipeline/bridge*.c
 * includes this. */
#ifndef CALLBRIDGE_BRIDGE_PRIVATE_H
#define CALLBRIDGE_BRIDGE_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "config/reload-plan.h"
#include "control/snapshot.h"
#include "pipeline/bridge.h"
#include "endpoint/endpoint.h"
#include "pipeline/call-session.h"
#include "pipeline/file-worker.h"
#include "pipeline/receive-worker.h"
#include "pipeline/remote.h"
#include "pipeline/send-stream.h"
#include "pipeline/send-worker.h"
#include "node/link-keeper.h"
#include "node/track-node.h"

/* A stream's payload bitrate over whole windows, so the value holds still
 * between windows instead of changing on every tick.  Follows the stream
 * object, so a reload that keeps a stream keeps its window. */
struct cb_bitrate_window {
	const struct cb_send_stream *stream;	/* NULL: unused */
	uint64_t start_ns;
	uint64_t start_octets;
	uint64_t bitrate;
};

struct cb_bridge {
	struct cb_config config;	/* what runs now; a reload replaces it whole */
	struct pw_core *core;		/* NULL while PipeWire is away */
	char cname[128];
	char sdp_path[PATH_MAX];
	uint64_t sdp_session_id;
	uint64_t sdp_version;

	/* Every session of the call; udp and ice make exactly one. Streams
	 * and remotes name theirs by index (send-stream output, remote input),
	 * the same index in the send worker's outputs and the receive
	 * worker's inputs. */
	uint32_t n_sessions;
	struct cb_call_session *sessions[CB_MAX_SESSIONS];
	/* Slots: a reload empties and reuses them (bridge-sessions.c), so
	 * any of the first n_sessions may be NULL; n_sessions is one past
	 * the last one in use. */
	/* webrtc: config.remotes[i]'s WHEP session, as index + 1 (0: none). */
	uint32_t remote_session[CB_MAX_REMOTES];
	struct cb_dtls_certificate *certificate;	/* webrtc: ours, for every session */
	/* Sessions a reload ended: their DELETE in flight, freed by the
	 * timer once answered or after a bounded wait. */
	uint32_t n_ending;
	struct cb_call_session *ending[CB_MAX_SESSIONS];
	/* [endpoint]: callbridge's own WHIP/WHEP server (bridge-endpoint.c);
	 * made after the sessions it serves into, freed before them. */
	struct cb_endpoint *endpoint;

	/* In config order: streams[i] runs config.streams[i], tracks[i]
	 * config.tracks[i]. */
	uint32_t n_streams;
	struct cb_send_stream *streams[CB_MAX_STREAMS];
	uint32_t n_tracks;
	struct cb_track_node *tracks[CB_MAX_TRACKS];

	struct cb_send_worker worker;
	/* The tracks' voice processing, run by the send worker (voice-stage.h). */
	struct cb_voice_stage voice;
	/* Files into tracks (the beds and `play`), and the main-loop event
	 * the send worker signals when marks have left. */
	struct cb_file_worker files;
	bool files_ready;		/* files initialised */
	struct spa_source *marks_event;

	/* Receive path: absent when there is no key to authenticate with.
	 * Always CB_MAX_REMOTES slots, configured ones anywhere among them,
	 * so a reload can add and remove [remote]s without moving any. */
	bool receiving;
	uint32_t n_remotes;
	struct cb_remote *remotes;
	struct cb_receive_worker receiver;

	struct cb_control *control;	/* callbridge.<call> metadata: controls, status */
	/* Main thread: the capture and playback links (bridge-links.c);
	 * NULL while PipeWire is away or nothing asks for a link. */
	struct cb_link_keeper *links;
	uint32_t control_wait_ticks;	/* timer ticks since the nodes were made */
	/* Main thread only: what status and the stats file show, refilled in
	 * place by the timer (bridge-snapshot.c), and the windows the
	 * streams' bitrates are measured over, from tick to tick. */
	struct cb_snapshot snapshot;
	struct cb_bitrate_window bitrate[CB_MAX_STREAMS];

	struct pw_loop *main_loop;
	struct spa_source *timer;
	uint32_t timer_ticks;
};

/* A new send stream for config->streams[index], attached to its session's
 * RTP session; cb_bridge_free_stream undoes it. */
int cb_bridge_make_stream(struct cb_bridge *b, const struct cb_config *config, uint32_t index,
			  uint32_t session, struct cb_send_stream **out);
/* transport = webrtc: the certificate, a WHIP session and its stream per
 * [stream], a WHEP session per [remote] (bridge-webrtc.c). */
int cb_bridge_open_webrtc(struct cb_bridge *b, char *err, size_t err_len);
/* [endpoint]: a session per whep-endpoint stream (made with its stream)
 * and per whip-endpoint remote, then the server (bridge-endpoint.c). */
int cb_bridge_open_served_stream(struct cb_bridge *b, uint32_t i, char *err, size_t err_len);
int cb_bridge_open_endpoint(struct cb_bridge *b, char *err, size_t err_len);
void cb_bridge_fill_endpoint(struct cb_bridge *b, struct cb_snapshot *snap);
/* A stream made before its session (webrtc: the offer names its SSRC)
 * joins the session's output and RTP session; -ENOSPC when full. */
int cb_bridge_attach_stream(struct cb_bridge *b, struct cb_send_stream *s, uint32_t session);
void cb_bridge_free_stream(struct cb_bridge *b, struct cb_send_stream *s);
/* bridge-webrtc.c: the WHIP session of config->streams[i], whose new
 * stream s (not yet a sender anywhere) joins it; a remote's WHEP session;
 * both posted, not yet in a slot, from config (the running one or a
 * reload's).  On failure a reason in err and nothing made. */
int cb_bridge_make_whip(struct cb_bridge *b, const struct cb_config *config, uint32_t i,
			struct cb_send_stream *s, struct cb_call_session **session,
			char *err, size_t err_len);
int cb_bridge_make_whep(struct cb_bridge *b, const struct cb_config *config, uint32_t k,
			struct cb_call_session **session, char *err, size_t err_len);
/* bridge-sessions.c: the session slots. join: the stream becomes one of
 * the session's senders (-ENOSPC when full).  plug: into the first free
 * slot, returned (with `workers`, also the workers' output and input
 * there: workers paused).  unplug: out of its slot and the workers
 * (paused), returned to be retired.  retire: its DELETE goes out now,
 * it is freed by reap (`all`: now, waiting what is left of its moment). */
int cb_bridge_join_session(struct cb_send_stream *s, struct cb_call_session *cs);
int cb_bridge_plug_session(struct cb_bridge *b, struct cb_call_session *cs, bool workers);
struct cb_call_session *cb_bridge_unplug_session(struct cb_bridge *b, uint32_t slot);
void cb_bridge_retire_session(struct cb_bridge *b, struct cb_call_session *cs);
void cb_bridge_reap_sessions(struct cb_bridge *b, bool all);
/* Rebuilds every stream's inputs from the tracks; workers paused. */
void cb_bridge_connect_inputs(struct cb_bridge *b);
int cb_bridge_write_sdp(struct cb_bridge *b);
void cb_bridge_sync_remote_nodes(struct cb_bridge *b);
/* The call as it is now, into snap (bridge-snapshot.c; main thread). */
void cb_bridge_fill_snapshot(struct cb_bridge *b, struct cb_snapshot *snap, uint64_t now_ns);
/* The control object's way to the tracks (cb_control_track_at). */
struct cb_track_state *cb_bridge_track_at(void *data, uint32_t index, const char **name);
/* bridge-links.c: hands the config's capture and playback targets to the
 * link keeper, making it on b->core first when there is none; after the
 * nodes are made, after a reload, on a new PipeWire connection. */
void cb_bridge_update_links(struct cb_bridge *b);
void cb_bridge_drop_links(struct cb_bridge *b);
/* "linked:NODE", "waiting:TARGET", or "" when the track (remote) has no
 * capture (playback). */
void cb_bridge_capture_state(const struct cb_bridge *b, const struct cb_track_config *t,
			     char *out, size_t len);
void cb_bridge_playback_state(const struct cb_bridge *b, const struct cb_remote_config *r,
			      char *out, size_t len);
/* Exports the callbridge.<call> metadata object (controls, status). */
void cb_bridge_start_control(struct cb_bridge *b);
/* Main thread: reports the marks that have left (track.<name>.played). */
void cb_bridge_report_marks(struct cb_bridge *b);

/* bridge-reload-webrtc.c: a reload's WHIP/WHEP sessions.  New ones are
 * indexed like the new config's streams and remotes; `gone` holds what
 * the swap took out of the slots, to retire once the workers run again. */
struct cb_reload_sessions {
	struct cb_call_session *streams[CB_MAX_STREAMS];
	struct cb_call_session *remotes[CB_MAX_REMOTES];
	uint32_t n_gone;
	struct cb_call_session *gone[CB_MAX_SESSIONS];
};
/* -EINVAL with a reason when the plan adds, removes or recreates what
 * [endpoint] serves (its routes are fixed for the call). */
int cb_bridge_reload_check_webrtc(const struct cb_bridge *b, const struct cb_reload_plan *plan,
				  const struct cb_config *next, char *why, size_t len);
/* Opens (POSTs) a session for every stream made new (made[i]; its
 * streams[i] joins it) and every [remote] with whep added or recreated. */
int cb_bridge_reload_make_sessions(struct cb_bridge *b, const struct cb_config *next,
				   const struct cb_reload_plan *plan,
				   struct cb_send_stream *const *streams, const bool *made,
				   struct cb_reload_sessions *rs);
void cb_bridge_reload_discard_sessions(struct cb_bridge *b, struct cb_reload_sessions *rs);
/* Workers paused, b->config still the old one: the sessions of streams
 * not kept (stream_kept, old index) and of remotes removed or recreated
 * leave their slots; the new ones take free slots, their streams' outputs
 * and b->remote_session (now indexed like next) follow. */
void cb_bridge_reload_swap_sessions(struct cb_bridge *b, const struct cb_config *next,
				    const struct cb_reload_plan *plan, const bool *stream_kept,
				    struct cb_send_stream *const *streams,
				    struct cb_reload_sessions *rs);
/* Workers paused, after the remotes were updated: each configured
 * remote plays its own session's input. */
void cb_bridge_reload_bind_remotes(struct cb_bridge *b, const struct cb_config *next);
void cb_bridge_reload_retire_sessions(struct cb_bridge *b, struct cb_reload_sessions *rs);

#endif
