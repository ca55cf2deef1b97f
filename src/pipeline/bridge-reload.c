/* Reload: apply the difference between the running call and a new config.
 *
 * What changed, and what that means, is decided by the reload plan
 * (config/reload-plan.h) from the key table's reload column alone: a changed
 * fixed key (`pw-callbridge --help-keys` lists them) rejects the file whole
 * with a log line naming the key, and the user restarts to apply it.  This
 * file carries the plan out.  What is kept keeps running as it is (same
 * SSRC, sequence, rings, node); live settings are written into it.
 * Everything that can fail (encoders, rings, nodes for what is new or made
 * anew) is made first, so a failure leaves the call exactly as it was.
 * Then, with both workers paused for a few milliseconds (the track rings
 * keep filling from the real-time thread meanwhile, so no audio is lost),
 * the arrays are swapped, removed streams say BYE and the stream inputs are
 * rebuilt; the workers resume and only then are the removed track nodes
 * destroyed and their rings freed, when no stream reads them any more.  The
 * real-time thread never sees a change: each track's process callback only
 * ever writes its own rings.  With transport = webrtc the streams and
 * remotes that come and go bring their WHIP/WHEP sessions with them
 * (bridge-reload-webrtc.c): made (POSTed) last among the new objects,
 * swapped into the workers' slots while they are paused, ended (DELETE)
 * after they resume. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/reload-plan.h"
#include "pipeline/bridge-private.h"
#include "util/log.h"

/* A reason the reload failed: into the log, and to whoever asked. */
static void __attribute__((format(printf, 2, 3)))
reload_error(struct cb_reload_outcome *out, const char *fmt, ...)
{
	char text[CB_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pw_log_error("%s", text);
	if (out && out->report.n_errors < CB_MAX_ERRORS)
		memcpy(out->report.errors[out->report.n_errors++], text, sizeof(text));
}

/* The plan, and what carrying it out made or keeps. */
struct reload_work {
	struct cb_reload_plan plan;
	struct cb_send_stream *streams[CB_MAX_STREAMS];
	bool stream_made[CB_MAX_STREAMS];	/* new, not carried over */
	bool stream_kept[CB_MAX_STREAMS];	/* indexed by the old config */
	struct cb_track_node *tracks[CB_MAX_TRACKS];
	bool track_made[CB_MAX_TRACKS];
	bool track_kept[CB_MAX_TRACKS];
	struct cb_reload_sessions sessions;	/* webrtc */
};

static bool carried_over(const struct cb_plan_entry *e)
{
	return e->action == CB_PLAN_KEEP || e->action == CB_PLAN_LIVE;
}

static void discard_work(struct cb_bridge *b, struct reload_work *w, const struct cb_config *next)
{
	for (uint32_t i = 0; i < next->n_tracks; i++)
		if (w->track_made[i])
			cb_track_node_destroy(w->tracks[i]);
	for (uint32_t i = 0; i < next->n_streams; i++)
		if (w->stream_made[i])
			cb_bridge_free_stream(b, w->streams[i]);
	cb_bridge_reload_discard_sessions(b, &w->sessions);
}

static bool webrtc(const struct cb_bridge *b)
{
	return b->config.call.transport == CB_TRANSPORT_WEBRTC;
}

static int make_streams(struct cb_bridge *b, const struct cb_config *next, struct reload_work *w)
{
	int res;

	for (uint32_t i = 0; i < next->n_streams; i++) {
		const struct cb_plan_entry *e = &w->plan.streams[i];
		const char *name = next->streams[i].name;

		if (carried_over(e)) {
			w->streams[i] = b->streams[e->old_index];
			w->stream_kept[e->old_index] = true;
			continue;
		}
		/* webrtc: its own session, made with the other sessions
		 * once everything else stands (the offer names its SSRC). */
		res = webrtc(b) ? cb_send_stream_new(&w->streams[i], &next->streams[i],
						     next->call.ptime_samples,
						     &(struct cb_address){ 0 }) :
				  cb_bridge_make_stream(b, next, i, 0, &w->streams[i]);
		if (res < 0) {
			pw_log_error("reload: stream %s: cannot create encoder: %s", name,
				     strerror(-res));
			return res;
		}
		w->stream_made[i] = true;
		if (b->core == NULL)
			cb_send_stream_set_pipewire(w->streams[i], CB_SEND_PIPEWIRE_AWAY);
		if (e->action == CB_PLAN_RECREATE)
			pw_log_info("reload: stream %s: %s changed: new SSRC 0x%08x", name,
				    e->key->key, w->streams[i]->ssrc);
		else if (webrtc(b))
			pw_log_info("reload: stream %s added, ssrc 0x%08x", name, w->streams[i]->ssrc);
		else
			pw_log_info("reload: stream %s added, ssrc 0x%08x -> %s", name,
				    w->streams[i]->ssrc, w->streams[i]->dest.text);
	}
	return 0;
}

static int make_tracks(struct cb_bridge *b, const struct cb_config *next, struct reload_work *w)
{
	int res;

	for (uint32_t i = 0; i < next->n_tracks; i++) {
		const struct cb_plan_entry *e = &w->plan.tracks[i];
		const struct cb_track_config *tc = &next->tracks[i];

		if (carried_over(e)) {
			/* The node stays; a longer stream list needs its
			 * rings now, before anything is swapped. */
			if ((res = cb_track_node_prepare_rings(b->tracks[e->old_index],
							       tc->n_streams)) < 0) {
				pw_log_error("reload: track %s: cannot make its rings: %s",
					     tc->name, strerror(-res));
				return res;
			}
			w->tracks[i] = b->tracks[e->old_index];
			w->track_kept[e->old_index] = true;
			if ((res = cb_voice_prepare_track(w->tracks[i], tc)) < 0) {
				pw_log_error("reload: track %s: cannot make its voice processor: %s",
					     tc->name, strerror(-res));
				return res;
			}
			continue;
		}
		res = cb_track_node_new(&w->tracks[i], b->core, next->call.name, tc,
					next->call.ptime_samples);
		if (res < 0) {
			pw_log_error("reload: track %s: cannot create node: %s", tc->name,
				     strerror(-res));
			return res;
		}
		w->track_made[i] = true;
		if ((res = cb_voice_prepare_track(w->tracks[i], tc)) < 0) {
			pw_log_error("reload: track %s: cannot make its voice processor: %s",
				     tc->name, strerror(-res));
			return res;
		}
		if (e->action == CB_PLAN_RECREATE)
			pw_log_info("reload: track %s: %s changed: node recreated", tc->name,
				    e->key->key);
		else
			pw_log_info("reload: track %s added", tc->name);
	}
	return 0;
}

static void apply_streams(struct cb_bridge *b, const struct cb_config *next, struct reload_work *w)
{
	uint64_t now = cb_now_ns();

	/* Removed and made anew alike: the old SSRC ends. */
	for (uint32_t j = 0; j < b->n_streams; j++) {
		if (w->stream_kept[j])
			continue;
		pw_log_info("reload: stream %s (ssrc 0x%08x) removed: BYE",
			    b->streams[j]->config.name, b->streams[j]->ssrc);
		cb_send_worker_send_report(&b->worker, b->streams[j], now, "removed");
	}
	for (uint32_t i = 0; i < next->n_streams; i++) {
		struct cb_send_stream *s = w->streams[i];
		struct cb_address dest;

		if (w->stream_made[i])
			continue;
		if (w->plan.streams[i].action == CB_PLAN_LIVE)
			pw_log_info("reload: stream %s: settings applied in place", s->config.name);
		cb_config_stream_dest(next, i, &dest);
		/* Carried over only when the plan found nothing to recreate. */
		cb_send_stream_update(s, &next->streams[i], &dest);
	}
}

static void apply_tracks(struct cb_bridge *b, const struct cb_config *next, struct reload_work *w)
{
	for (uint32_t j = 0; j < b->n_tracks; j++)
		if (w->plan.track_removed[j])
			pw_log_info("reload: track %s removed", b->tracks[j]->config.name);
	for (uint32_t i = 0; i < next->n_tracks; i++) {
		struct cb_track_node *t = w->tracks[i];
		const struct cb_track_config *tc = &next->tracks[i];
		struct cb_key_mask changed = w->plan.tracks[i].changed;

		if (w->track_made[i])
			continue;
		if (cb_reload_key_changed(changed, "track", "gain") ||
		    cb_reload_key_changed(changed, "track", "ignore-audio-level") ||
		    cb_reload_key_changed(changed, "track", "speaking-hangover"))
			pw_log_info("reload: track %s: gain %.1f dB, ignore-audio-level %s",
				    tc->name, tc->gain_db, tc->ignore_audio_level ? "true" : "false");
		if (cb_reload_key_changed(changed, "track", "echo-cancel") ||
		    cb_reload_key_changed(changed, "track", "echo-delay") ||
		    cb_reload_key_changed(changed, "track", "noise-suppression") ||
		    cb_reload_key_changed(changed, "track", "gain-control") ||
		    cb_reload_key_changed(changed, "track", "gain-target") ||
		    cb_reload_key_changed(changed, "track", "high-pass"))
			pw_log_info("reload: track %s: voice processing changed in place, node kept",
				    tc->name);
		if (cb_reload_key_changed(changed, "track", "stream")) {
			pw_log_info("reload: track %s: feeds %u stream%s now, node kept", tc->name,
				    tc->n_streams, tc->n_streams == 1 ? "" : "s");
			cb_track_node_set_rings(t, tc->n_streams);
		}
		/* The stream indexes in it now point into the new config. */
		t->config = *tc;
	}
}

static struct cb_remote *free_slot(struct cb_bridge *b)
{
	struct cb_remote *spare = NULL;

	for (uint32_t i = 0; i < b->n_remotes; i++) {
		struct cb_remote *r = &b->remotes[i];
		if (r->configured)
			continue;
		if (!r->active && !atomic_load(&r->wanted))
			return r;
		if (spare == NULL)
			spare = r;
	}
	/* Every spare slot plays an unknown SSRC: a configured remote wins. */
	if (spare)
		cb_remote_deactivate(spare, "slot needed for a new [remote]");
	return spare;
}

/* The slot of a configured [remote]; each has one (a reload frees the
 * slots of removed ones before it takes slots for new ones). */
static struct cb_remote *configured_slot(struct cb_bridge *b, const char *name)
{
	for (uint32_t i = 0; i < b->n_remotes; i++)
		if (b->remotes[i].configured && strcmp(b->remotes[i].config.name, name) == 0)
			return &b->remotes[i];
	return NULL;
}

static void add_remote(struct cb_bridge *b, const struct cb_remote_config *rc)
{
	struct cb_remote *r;

	/* An unknown SSRC this [remote] names, by number or by the name the
	 * peer gave it, moves over to it. */
	for (uint32_t i = 0; i < b->n_remotes; i++) {
		struct cb_remote *o = &b->remotes[i];
		const char *name;

		if (o->configured || !o->active)
			continue;
		name = cb_receive_worker_peer_name(&b->receiver, o->input, o->ssrc);
		if ((rc->has_ssrc && o->ssrc == rc->ssrc) ||
		    (rc->peer_stream[0] && name && strcmp(name, rc->peer_stream) == 0))
			cb_remote_deactivate(o, "claimed by a new [remote]");
	}
	if ((r = free_slot(b)) == NULL)
		return;
	r->config = *rc;
	r->configured = true;
	snprintf(r->name, sizeof(r->name), "%s", rc->name);
	pw_log_info("reload: remote %s added", rc->name);
}

/* Receive worker paused. A remote whose settings changed is let go and
 * comes back with the next packet, with its new settings and a new node. */
static void apply_remotes(struct cb_bridge *b, const struct cb_config *next,
			  const struct cb_reload_plan *plan)
{
	const struct cb_config *old = &b->config;

	if (!b->receiving) {
		if (next->n_remotes)
			pw_log_warn("reload: not receiving (no remote-srtp-key): [remote]s ignored");
		return;
	}
	for (uint32_t j = 0; j < old->n_remotes; j++) {
		struct cb_remote *r;

		if (!plan->remote_removed[j] ||
		    (r = configured_slot(b, old->remotes[j].name)) == NULL)
			continue;
		pw_log_info("reload: remote %s removed", r->config.name);
		cb_remote_deactivate(r, "removed from the config");
		cb_remote_unconfigure(r);
	}
	for (uint32_t k = 0; k < next->n_remotes; k++) {
		const struct cb_plan_entry *e = &plan->remotes[k];
		struct cb_remote *r;

		if (e->action == CB_PLAN_ADD ||
		    (r = configured_slot(b, next->remotes[k].name)) == NULL)
			continue;
		if (e->action == CB_PLAN_RECREATE) {
			pw_log_info("reload: remote %s: %s changed: restarts with the next packet",
				    r->config.name, e->key->key);
			cb_remote_deactivate(r, "settings changed");
		}
		r->config = next->remotes[k];
	}
	for (uint32_t k = 0; k < next->n_remotes; k++)
		if (plan->remotes[k].action == CB_PLAN_ADD)
			add_remote(b, &next->remotes[k]);
}

/* A new track with a file starts it; a kept one whose file or loop
 * changed starts the new one from its beginning, or stops it. */
static void apply_files(struct cb_bridge *b, struct reload_work *w)
{
	for (uint32_t i = 0; i < b->n_tracks; i++) {
		struct cb_track_node *t = b->tracks[i];
		struct cb_key_mask changed = w->plan.tracks[i].changed;

		if (!w->track_made[i] && !cb_reload_key_changed(changed, "track", "file") &&
		    !cb_reload_key_changed(changed, "track", "loop"))
			continue;
		if (t->config.file[0]) {
			if (!w->track_made[i])
				pw_log_info("reload: track %s: file %s%s", t->config.name,
					    t->config.file, t->config.loop ? " (loop)" : "");
			cb_file_worker_play(&b->files, t, t->config.file, true, t->config.loop);
		} else if (!w->track_made[i]) {
			pw_log_info("reload: track %s: file removed", t->config.name);
			cb_file_worker_stop_plays(&b->files, t, false, true);
		}
	}
}

/* Everything that may fail, before anything running is touched. */
static int make_objects(struct cb_bridge *b, const struct cb_config *next, struct reload_work *w)
{
	int res;

	/* The sessions last: nothing is posted to a server unless the rest
	 * of the reload stands. */
	if ((res = make_streams(b, next, w)) < 0 || (res = make_tracks(b, next, w)) < 0 ||
	    (webrtc(b) && (res = cb_bridge_reload_make_sessions(b, next, &w->plan, w->streams,
								w->stream_made, &w->sessions)) < 0)) {
		discard_work(b, w, next);
		return res;
	}
	return 0;
}

int cb_bridge_reload(struct cb_bridge *b, struct cb_config *next,
		     struct cb_reload_outcome *outcome)
{
	struct reload_work *w;
	const struct cb_reload_plan *plan;
	uint32_t old_n_streams = b->n_streams, old_n_tracks = b->n_tracks;
	struct cb_send_stream *old_streams[CB_MAX_STREAMS];
	struct cb_track_node *old_tracks[CB_MAX_TRACKS];
	bool sdp_changed;
	char why[256];
	uint64_t paused_ns;
	int res;

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	plan = &w->plan;
	if (cb_reload_plan_make(&w->plan, &b->config, next) < 0) {
		/* [ice] included: the agent holds its keys for the life of
		 * the call, and new ones would be a new session for the peer. */
		int line = next->key_lines[plan->fixed - cb_config_keys];
		char where[16] = "";

		if (line > 0)
			snprintf(where, sizeof(where), ":%d", line);
		reload_error(outcome, "%s%s: reload rejected: [%s] %s cannot change while the "
			     "call runs; restart to apply it. The call goes on unchanged.",
			     next->path, where, plan->fixed->section, plan->fixed->key);
		free(w);
		return -EINVAL;
	}
	if (webrtc(b) && cb_bridge_reload_check_webrtc(b, plan, next, why, sizeof(why)) < 0) {
		reload_error(outcome, "%s: reload rejected: %s: adding, removing or recreating "
			     "what [endpoint] serves needs a restart. The call goes on unchanged.",
			     next->path, why);
		free(w);
		return -EINVAL;
	}
	if ((res = make_objects(b, next, w)) < 0) {
		free(w);
		reload_error(outcome, "%s: reload failed (%s, see the log); the call goes on "
			     "unchanged", next->path, strerror(-res));
		return res;
	}

	/* Both workers off the arrays for a few milliseconds; the file
	 * worker too (the rings it fills play on meanwhile). */
	paused_ns = cb_now_ns();
	cb_receive_worker_pause(&b->receiver);
	cb_send_worker_pause(&b->worker);
	cb_file_worker_pause(&b->files);

	apply_streams(b, next, w);
	/* After the removed streams' BYE, which leaves through their
	 * sessions. */
	if (webrtc(b))
		cb_bridge_reload_swap_sessions(b, next, plan, w->stream_kept, w->streams,
					       &w->sessions);
	apply_tracks(b, next, w);
	memcpy(old_streams, b->streams, sizeof(old_streams));
	memcpy(old_tracks, b->tracks, sizeof(old_tracks));
	memcpy(b->streams, w->streams, sizeof(b->streams));
	memcpy(b->tracks, w->tracks, sizeof(b->tracks));
	b->n_streams = next->n_streams;
	b->n_tracks = next->n_tracks;
	cb_bridge_connect_inputs(b);
	apply_remotes(b, next, plan);
	if (webrtc(b))
		cb_bridge_reload_bind_remotes(b, next);
	/* After the remotes: a track's far end names their slots. */
	cb_voice_stage_configure(&b->voice, b->tracks, b->n_tracks,
				 b->receiving ? b->remotes : NULL, b->receiving ? b->n_remotes : 0);

	cb_send_worker_set_streams(&b->worker, b->streams, b->n_streams);
	/* The old first track may be about to go: follow the new one's cycle. */
	b->worker.cycle = b->n_tracks > 0 ? &b->tracks[0]->cycle : NULL;
	if ((res = cb_send_worker_start(&b->worker)) < 0)
		pw_log_error("reload: cannot restart the media worker: %s", strerror(-res));
	pw_log_info("reload: media worker off for %.1f ms", (cb_now_ns() - paused_ns) / 1e6);
	/* Tracks that go have their files closed before their nodes do. */
	cb_file_worker_set_tracks(&b->files, b->tracks, b->n_tracks);
	apply_files(b, w);
	if ((res = cb_file_worker_start(&b->files)) < 0)
		pw_log_error("reload: cannot restart the file worker: %s", strerror(-res));
	if (b->receiving) {
		cb_receive_worker_update(&b->receiver, &next->call);
		if ((res = cb_receive_worker_start(&b->receiver)) < 0)
			pw_log_error("reload: cannot restart the receive worker: %s",
				     strerror(-res));
	}

	/* Nothing reads these any more. */
	for (uint32_t j = 0; j < old_n_tracks; j++)
		if (!w->track_kept[j])
			cb_track_node_destroy(old_tracks[j]);
	for (uint32_t j = 0; j < old_n_streams; j++)
		if (!w->stream_kept[j])
			cb_bridge_free_stream(b, old_streams[j]);
	/* Their streams are gone: the sessions end (DELETE, not waited for). */
	cb_bridge_reload_retire_sessions(b, &w->sessions);

	sdp_changed = plan->added || plan->removed || plan->recreated || plan->live ||
		      cb_reload_key_changed(plan->call_changed, "call", "sdp-file");
	/* The one copy of the new keys is the bridge's from here on. */
	cb_config_move(&b->config, next);
	b->timer_ticks = 0;
	/* webrtc: each session's description is its offer; no file. */
	if (sdp_changed && !webrtc(b) && strcmp(b->config.call.sdp_file, "none") != 0) {
		if (b->config.call.sdp_file[0])
			snprintf(b->sdp_path, sizeof(b->sdp_path), "%s", b->config.call.sdp_file);
		if ((res = cb_bridge_write_sdp(b)) < 0)
			pw_log_warn("reload: cannot write SDP file %s: %s", b->sdp_path,
				    strerror(-res));
	}
	cb_bridge_sync_remote_nodes(b);
	/* New targets, and a node made anew (its global id changed): the
	 * keeper sees the new node in the registry and links it. */
	cb_bridge_update_links(b);
	pw_log_info("%s: reloaded: %u added, %u removed, %u changed in place, %u recreated",
		    b->config.path, plan->added, plan->removed, plan->live, plan->recreated);
	if (outcome)
		snprintf(outcome->summary, sizeof(outcome->summary),
			 "%u added, %u removed, %u changed in place, %u recreated", plan->added,
			 plan->removed, plan->live, plan->recreated);
	free(w);
	return 0;
}

int cb_bridge_reload_file(struct cb_bridge *b, const char *path,
			  struct cb_reload_outcome *outcome)
{
	struct cb_reload_outcome *own = NULL;
	struct cb_config_report *report;
	struct cb_config *next;
	int res;

	if (outcome == NULL)
		outcome = own = calloc(1, sizeof(*own));
	next = calloc(1, sizeof(*next));
	if (outcome == NULL || next == NULL) {
		free(own);
		free(next);
		return -ENOMEM;
	}
	report = &outcome->report;
	res = cb_config_load(path, next, report);
	for (uint32_t i = 0; i < report->n_warnings; i++)
		pw_log_warn("%s", report->warnings[i]);
	for (uint32_t i = 0; i < report->n_errors; i++)
		pw_log_error("%s", report->errors[i]);
	if (res < 0) {
		if (report->n_errors == 0)
			reload_error(outcome, "%s: %s", path, strerror(-res));
		pw_log_error("%s: reload rejected: the file has errors; the call goes on unchanged",
			     path);
	} else {
		res = cb_bridge_reload(b, next, outcome);
	}
	/* Every path: moved into the bridge (then this finds it wiped
	 * already), rejected, or never loaded. */
	cb_config_clear(next);
	free(next);
	free(own);
	return res;
}
