#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

#include "control/control.h"
#include "control/stats-file.h"
#include "pipeline/bridge-private.h"
#include "sdp/sdp.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/secret.h"

#define TIMER_INTERVAL_MS 50
#define STATS_EVERY_TICKS (1000 / TIMER_INTERVAL_MS)

/* Nodes are made and removed on the main thread only, following what the
 * receive worker publishes in each remote's `wanted` and `generation`. */
void cb_bridge_sync_remote_nodes(struct cb_bridge *b)
{
	if (b->core == NULL)
		return;
	for (uint32_t i = 0; i < b->n_remotes; i++) {
		struct cb_remote *r = &b->remotes[i];
		bool wanted = atomic_load(&r->wanted);
		unsigned int generation = atomic_load(&r->generation);
		int res;

		if (r->node && (!wanted || r->node_generation != generation)) {
			cb_remote_node_destroy(r->node);
			r->node = NULL;
		}
		if (wanted && r->node == NULL) {
			res = cb_remote_node_new(&r->node, b->core, b->config.call.name, r->name,
						 cb_remote_current_feed(r)->ring.channels,
						 b->config.call.ptime_samples, cb_remote_current_feed(r));
			if (res < 0) {
				pw_log_error("remote %s: cannot create node: %s", r->name,
					     strerror(-res));
			} else {
				r->node_generation = generation;
				cb_voice_stage_attach_node(&b->voice, r);
			}
		}
	}
}

/* From the snapshot the timer filled last (at shutdown: a fresh one). */
static void write_stats(struct cb_bridge *b)
{
	int res = cb_stats_write_file(b->config.call.stats_file, &b->snapshot);
	if (res < 0 && b->timer_ticks == STATS_EVERY_TICKS)
		pw_log_warn("cannot write %s: %s", b->config.call.stats_file, strerror(-res));
}

/* The metadata object is exported a second after the nodes, not with them:
 * with PipeWire 0.3.65 and WirePlumber 0.4.13, a client that exported a
 * metadata object and went away while WirePlumber was still taking in its
 * new nodes left WirePlumber stalled, and every later client listing the
 * graph (pw-cli ls, pw-dump, pavucontrol) hung until WirePlumber restarted.
 * Nothing needs the controls in the call's first second. */
#define CONTROL_DELAY_TICKS (1000 / TIMER_INTERVAL_MS)

static int control_play(void *data, uint32_t index, const char *path)
{
	struct cb_bridge *b = data;

	if (index >= b->n_tracks)
		return -ENOENT;
	if (atomic_load(&b->tracks[index]->shared.interrupted)) {
		cb_file_worker_set_error(&b->files, b->tracks[index],
					 "play %s: the track is interrupted (open it first)", path);
		return -EBUSY;
	}
	return cb_file_worker_play(&b->files, b->tracks[index], path, false, false);
}

static void control_interrupt(void *data, uint32_t index)
{
	struct cb_bridge *b = data;

	if (index < b->n_tracks)
		cb_file_worker_stop_plays(&b->files, b->tracks[index], true, false);
}

static const struct cb_control_files control_files = {
	.play = control_play,
	.interrupt = control_interrupt,
};

void cb_bridge_start_control(struct cb_bridge *b)
{
	int res;

	/* Without it the call still runs, only uncontrolled and unwatched. */
	if ((res = cb_control_new(&b->control, b->core, b->config.call.name,
				  cb_bridge_track_at, b)) < 0) {
		pw_log_warn("call %s: no control metadata: %s", b->config.call.name,
			    strerror(-res));
		b->control = NULL;
		return;
	}
	cb_control_set_files(b->control, &control_files, b);
}

void cb_bridge_report_marks(struct cb_bridge *b)
{
	for (uint32_t i = 0; i < b->n_tracks; i++) {
		struct cb_track_state *t = &b->tracks[i]->shared;
		unsigned int done = atomic_load_explicit(&t->marks_done, memory_order_acquire);

		for (; t->marks_reported != done; t->marks_reported++) {
			const struct cb_track_mark *m =
				&t->marks[t->marks_reported % CB_TRACK_MAX_MARKS];

			snprintf(t->played, sizeof(t->played), "%s", m->id);
			t->played_ssrc = m->ssrc;
			t->played_rtp_end = m->rtp_end;
			pw_log_info("track %s: mark %s has left (ssrc 0x%08x, RTP time %u)",
				    b->tracks[i]->config.name, m->id, m->ssrc, m->rtp_end);
			if (b->control)
				cb_control_played(b->control, b->tracks[i]->config.name, m->id);
		}
	}
}

static void on_marks(void *data, uint64_t count)
{
	cb_bridge_report_marks(data);
}

/* Send worker thread: only a wake-up for the main loop (an eventfd). */
static void marks_passed(void *data)
{
	struct cb_bridge *b = data;

	pw_loop_signal_event(b->main_loop, b->marks_event);
}

/* Each track's file, as its bed, from the start. */
static void start_beds(struct cb_bridge *b)
{
	for (uint32_t i = 0; i < b->n_tracks; i++)
		if (b->tracks[i]->config.file[0])
			cb_file_worker_play(&b->files, b->tracks[i], b->tracks[i]->config.file,
					    true, b->tracks[i]->config.loop);
}

/* Gathering went on after the call started: once it finishes (and after
 * each ICE restart) the log and the SDP file get the candidates the other
 * side needs, the SDP with a new version. */
static void update_ice_candidates(struct cb_bridge *b, struct cb_call_session *session)
{
	uint32_t gatherings = cb_ice_transport_gatherings(session->ice);
	char list[sizeof(session->ice_candidates)];
	int res;

	if (gatherings == session->ice_gatherings)
		return;
	session->ice_gatherings = gatherings;
	cb_ice_transport_candidate_list(session->ice, list, sizeof(list));
	if (strcmp(list, session->ice_candidates) == 0)
		return;
	snprintf(session->ice_candidates, sizeof(session->ice_candidates), "%s", list);
	pw_log_info("call %s: ICE gathering done, candidates: %s", b->config.call.name,
		    list[0] ? list : "(none)");
	if (b->sdp_path[0] && (res = cb_bridge_write_sdp(b)) < 0)
		pw_log_warn("cannot write SDP file %s: %s", b->sdp_path, strerror(-res));
}

/* `pw-callbridge reload`: the same reload as SIGHUP or the module's file
 * watch, of the file the call was loaded from, answered through the
 * metadata with every FILE:LINE message. */
static void answer_reload(struct cb_bridge *b, const char *token)
{
	struct cb_reload_outcome *outcome = calloc(1, sizeof(*outcome));
	char path[PATH_MAX];
	int res;

	if (outcome == NULL)
		return;
	/* The reload replaces b->config, path and all. */
	snprintf(path, sizeof(path), "%s", b->config.path);
	pw_log_info("reload requested through the metadata: reloading %s", path);
	res = cb_bridge_reload_file(b, path, outcome);
	cb_control_reload_done(b->control, token, res, &outcome->report, outcome->summary);
	free(outcome);
}

static void on_timer(void *data, uint64_t expirations)
{
	struct cb_bridge *b = data;
	uint64_t now_ns = cb_now_ns();
	char token[CB_RELOAD_TOKEN_MAX + 1];
	bool stats_due = b->config.call.stats_file[0] &&
			 ++b->timer_ticks % STATS_EVERY_TICKS == 0;

	if (b->control == NULL && b->core != NULL && ++b->control_wait_ticks >= CONTROL_DELAY_TICKS)
		cb_bridge_start_control(b);
	/* One snapshot per tick for both status and the stats file, so the
	 * two show the same numbers. */
	if (b->control || stats_due)
		cb_bridge_fill_snapshot(b, &b->snapshot, now_ns);
	if (b->control)
		cb_control_tick(b->control, &b->snapshot, now_ns);
	cb_bridge_report_marks(b);
	if (b->control && cb_control_take_reload(b->control, token, sizeof(token)))
		answer_reload(b, token);
	if (b->receiving)
		cb_bridge_sync_remote_nodes(b);
	if (b->links)
		cb_link_keeper_tick(b->links, now_ns);
	if (b->n_ending)
		cb_bridge_reap_sessions(b, false);
	for (uint32_t i = 0; i < b->n_sessions; i++)
		if (b->sessions[i] && b->sessions[i]->ice)
			update_ice_candidates(b, b->sessions[i]);
	if (stats_due)
		write_stats(b);
}

static int setup_receive(struct cb_bridge *b, char *err, size_t err_len)
{
	const struct cb_call_config *call = &b->config.call;
	uint32_t n_slots = CB_MAX_REMOTES;
	int res;

	if (b->n_sessions == 0 || !b->sessions[0]->receiving) {
		pw_log_info("call %s: no remote-srtp-key, not receiving", call->name);
		return 0;
	}

	b->remotes = calloc(n_slots, sizeof(*b->remotes));
	if (b->remotes == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n_slots; i++) {
		res = cb_remote_init(&b->remotes[i],
				     i < b->config.n_remotes ? &b->config.remotes[i] : NULL);
		b->n_remotes++;
		if (res < 0)
			return res;
		/* webrtc: a [remote] is its WHEP session's, whatever its SSRC. */
		if (i < b->config.n_remotes && b->remote_session[i] > 0)
			b->remotes[i].bound_input = b->remote_session[i] - 1;
	}
	cb_receive_worker_init(&b->receiver, call, b->remotes, b->n_remotes, b->cname);
	for (uint32_t i = 0; i < b->n_sessions; i++)
		cb_receive_worker_set_input(&b->receiver, i, b->sessions[i]->transport,
					    &b->sessions[i]->keying, &b->sessions[i]->rtp);
	if ((res = cb_receive_worker_start(&b->receiver)) < 0) {
		snprintf(err, err_len, "cannot start the receive worker: %s", strerror(-res));
		return res;
	}
	b->receiving = true;
	return 0;
}

static void default_sdp_path(struct cb_bridge *b)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	snprintf(b->sdp_path, sizeof(b->sdp_path), "%s/callbridge-%s.sdp", dir, b->config.call.name);
}


void cb_bridge_connect_inputs(struct cb_bridge *b)
{
	for (uint32_t i = 0; i < b->n_streams; i++)
		cb_send_stream_clear_inputs(b->streams[i]);
	for (uint32_t i = 0; i < b->n_tracks; i++) {
		struct cb_track_node *t = b->tracks[i];
		const struct cb_track_config *tc = &t->config;

		for (uint32_t j = 0; j < tc->n_streams; j++) {
			cb_send_stream_add_input(b->streams[tc->streams[j]], &t->rings[j],
						 tc->gain_db, tc->ignore_audio_level);
			cb_send_stream_bind_track(b->streams[tc->streams[j]], &t->rings[j], &t->shared,
						  tc->speaking_hangover_ms, j == 0);
		}
	}
}

int cb_bridge_make_stream(struct cb_bridge *b, const struct cb_config *config, uint32_t index,
			  uint32_t session, struct cb_send_stream **out)
{
	struct cb_address dest;
	struct cb_send_stream *s;
	int res;

	cb_config_stream_dest(config, index, &dest);
	if ((res = cb_send_stream_new(&s, &config->streams[index], config->call.ptime_samples,
				      &dest)) < 0)
		return res;
	if ((res = cb_bridge_attach_stream(b, s, session)) < 0) {
		cb_send_stream_free(s);
		return res;
	}
	*out = s;
	return 0;
}

int cb_bridge_attach_stream(struct cb_bridge *b, struct cb_send_stream *s, uint32_t session)
{
	/* udp and ice: every stream rides the call's one session; webrtc:
	 * each its own. */
	s->output = session;
	return cb_bridge_join_session(s, b->sessions[session]);
}

void cb_bridge_free_stream(struct cb_bridge *b, struct cb_send_stream *s)
{
	if (s == NULL)
		return;
	/* Its session is still there: a reload frees a stream before it
	 * retires the stream's session. */
	if (s->rtp && s->feedback)
		cb_rtp_session_remove_sender(s->rtp, s->feedback);
	cb_send_stream_free(s);
}

int cb_bridge_new(struct cb_bridge **out, struct pw_core *core, struct cb_config *taken,
		  char *err, size_t err_len)
{
	struct cb_bridge *b;
	const struct cb_config *config;
	const struct cb_call_config *call;
	char host[256] = "localhost";
	int res;

	cb_log_init();
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	/* One copy of the keys: the bridge's, wiped by cb_bridge_destroy. */
	cb_config_move(&b->config, taken);
	config = &b->config;
	call = &config->call;
	b->core = core;
	gethostname(host, sizeof(host) - 1);
	snprintf(b->cname, sizeof(b->cname), "%s@%s", call->name, host);

	if (call->transport == CB_TRANSPORT_WEBRTC) {
		if ((res = cb_bridge_open_webrtc(b, err, err_len)) < 0)
			goto error;
	} else {
		if ((res = cb_call_session_open(&b->sessions[0], config, err, err_len)) < 0)
			goto error;
		b->n_sessions = 1;
	}

	for (uint32_t i = b->n_streams; i < config->n_streams; i++) {
		const struct cb_stream_config *sc = &config->streams[i];

		if ((res = cb_bridge_make_stream(b, config, i, 0, &b->streams[i])) < 0) {
			snprintf(err, err_len, "stream %s: cannot create encoder: %s", sc->name,
				 strerror(-res));
			goto error;
		}
		b->n_streams++;
	}

	for (uint32_t i = 0; i < config->n_tracks; i++) {
		const struct cb_track_config *tc = &config->tracks[i];

		res = cb_track_node_new(&b->tracks[i], core, call->name, tc, call->ptime_samples);
		if (res < 0) {
			snprintf(err, err_len, "track %s: cannot create node: %s", tc->name,
				 strerror(-res));
			goto error;
		}
		b->n_tracks++;
		if ((res = cb_voice_prepare_track(b->tracks[i], tc)) < 0) {
			snprintf(err, err_len, "track %s: cannot make its voice processor: %s",
				 tc->name, strerror(-res));
			goto error;
		}
	}
	cb_bridge_connect_inputs(b);

	if ((res = cb_file_worker_init(&b->files)) < 0) {
		snprintf(err, err_len, "cannot make the file worker: %s", strerror(-res));
		goto error;
	}
	b->files_ready = true;
	cb_file_worker_set_tracks(&b->files, b->tracks, b->n_tracks);
	start_beds(b);
	if ((res = cb_file_worker_start(&b->files)) < 0) {
		snprintf(err, err_len, "cannot start the file worker: %s", strerror(-res));
		goto error;
	}

	/* With webrtc each session's description is its offer. */
	if (strcmp(call->sdp_file, "none") != 0 && call->transport != CB_TRANSPORT_WEBRTC) {
		if (call->sdp_file[0] == '\0')
			default_sdp_path(b);
		else
			snprintf(b->sdp_path, sizeof(b->sdp_path), "%s", call->sdp_file);
		if ((res = cb_bridge_write_sdp(b)) < 0) {
			snprintf(err, err_len, "cannot write SDP file %s: %s", b->sdp_path,
				 strerror(-res));
			goto error;
		}
	}

	cb_send_worker_init(&b->worker, b->streams, b->n_streams, b->cname, call->ptime_samples);
	for (uint32_t i = 0; i < b->n_sessions; i++)
		cb_send_worker_set_output(&b->worker, i, b->sessions[i]->transport,
					  &b->sessions[i]->keying);
	if (b->n_tracks > 0)
		b->worker.cycle = &b->tracks[0]->cycle;
	b->main_loop = pw_context_get_main_loop(pw_core_get_context(core));
	b->marks_event = pw_loop_add_event(b->main_loop, on_marks, b);
	if (b->marks_event == NULL) {
		res = -errno;
		snprintf(err, err_len, "cannot make the marks event: %s", strerror(-res));
		goto error;
	}
	b->worker.marks_passed = marks_passed;
	b->worker.marks_data = b;
	cb_voice_stage_configure(&b->voice, b->tracks, b->n_tracks, NULL, 0);
	b->worker.voice = &b->voice;
	if ((res = cb_send_worker_start(&b->worker)) < 0) {
		snprintf(err, err_len, "cannot start the media worker: %s", strerror(-res));
		goto error;
	}

	if ((res = setup_receive(b, err, err_len)) < 0)
		goto error;
	/* The echo cancellers' far end is the remotes, which exist now. */
	if (b->voice.active && b->receiving) {
		cb_send_worker_pause(&b->worker);
		cb_voice_stage_configure(&b->voice, b->tracks, b->n_tracks, b->remotes,
					 b->n_remotes);
		if ((res = cb_send_worker_start(&b->worker)) < 0) {
			snprintf(err, err_len, "cannot start the media worker: %s", strerror(-res));
			goto error;
		}
	}

	cb_bridge_update_links(b);

	b->main_loop = pw_context_get_main_loop(pw_core_get_context(core));
	b->timer = pw_loop_add_timer(b->main_loop, on_timer, b);
	if (b->timer) {
		struct timespec interval = { 0, TIMER_INTERVAL_MS * 1000000L };
		pw_loop_update_timer(b->main_loop, b->timer, &interval, &interval, false);
	}

	pw_log_info("call %s: %u tracks, %u streams, local %s, SRTP %s%s", call->name,
		    b->n_tracks, b->n_streams,
		    b->sessions[0]->ice ? "ICE" : cb_call_session_local_text(b->sessions[0]),
		    cb_srtp_suite_name(call->srtp),
		    call->srtp != CB_SRTP_NONE && !call->srtp_key.set ? " (random key)" : "");
	for (uint32_t i = 0; i < b->n_streams; i++)
		pw_log_info("call %s: stream %s ssrc 0x%08x -> %s", call->name,
			    b->streams[i]->config.name, b->streams[i]->ssrc, b->streams[i]->dest.text);
	*out = b;
	return 0;

error:
	cb_bridge_destroy(b);
	return res;
}

void cb_bridge_destroy(struct cb_bridge *b)
{
	if (b == NULL)
		return;
	if (b->timer)
		pw_loop_destroy_source(b->main_loop, b->timer);
	cb_bridge_drop_links(b);
	cb_control_destroy(b->control);
	/* The browsers' sessions before the sessions they feed and read. */
	cb_endpoint_free(b->endpoint);
	b->endpoint = NULL;
	/* Workers first: they read the rings the nodes own, and say BYE. */
	cb_receive_worker_stop(&b->receiver);
	cb_send_worker_stop(&b->worker);
	if (b->marks_event)
		pw_loop_destroy_source(b->main_loop, b->marks_event);
	if (b->config.call.stats_file[0] && b->n_sessions) {
		cb_bridge_fill_snapshot(b, &b->snapshot, cb_now_ns());
		write_stats(b);
	}
	/* After the last snapshot, which reads its errors; before the
	 * tracks, whose files it holds open. */
	if (b->files_ready)
		cb_file_worker_clear(&b->files);
	b->files_ready = false;
	cb_receive_worker_clear(&b->receiver);
	cb_send_worker_clear(&b->worker);
	for (uint32_t i = 0; i < b->n_remotes; i++) {
		cb_remote_node_destroy(b->remotes[i].node);
		cb_remote_clear(&b->remotes[i]);
	}
	free(b->remotes);
	for (uint32_t i = 0; i < b->n_streams; i++) {
		const struct cb_send_stream_stats *st = &b->streams[i]->stats;
		pw_log_info("stream %s: %" PRIu64 " packets, %" PRIu64 " frames, %" PRIu64
			    " underrun frames, %" PRIu64 " dropped frames",
			    b->streams[i]->config.name, st->packets, st->frames,
			    st->underrun_frames, st->dropped_frames);
	}
	for (uint32_t i = 0; i < b->n_tracks; i++)
		pw_log_info("track %s: %" PRIu64 " frames in, %" PRIu64 " overrun frames",
			    b->tracks[i]->config.name, (uint64_t)atomic_load(&b->tracks[i]->frames_in),
			    (uint64_t)atomic_load(&b->tracks[i]->rings[0].overrun_frames));
	for (uint32_t i = 0; i < b->n_tracks; i++)
		cb_track_node_destroy(b->tracks[i]);
	for (uint32_t i = 0; i < b->n_streams; i++)
		cb_bridge_free_stream(b, b->streams[i]);
	cb_bridge_reap_sessions(b, true);
	for (uint32_t i = 0; i < b->n_sessions; i++)
		cb_call_session_close(b->sessions[i]);
	cb_dtls_certificate_free(b->certificate);
	cb_config_clear(&b->config);
	free(b);
}

const char *cb_bridge_sdp_path(const struct cb_bridge *b)
{
	return b->sdp_path[0] ? b->sdp_path : NULL;
}

const char *cb_bridge_local_address(const struct cb_bridge *b)
{
	const char *text = b->n_sessions ? cb_call_session_local_text(b->sessions[0]) : NULL;

	return text ? text : "";
}
