/* Reload: apply the difference between the running call and a new config.
 *
 * Streams, tracks and remotes are matched by name.  What exists in both and
 * is compatible keeps running as it is (same SSRC, sequence, rings, node);
 * live settings are written into it.  Everything that can fail (encoders,
 * rings, nodes for what is new) is made first, so a failure leaves the call
 * exactly as it was.  Then, with both workers paused for a few milliseconds
 * (the track rings keep filling from the real-time thread meanwhile, so no
 * audio is lost), the arrays are swapped, removed streams say BYE and the
 * stream inputs are rebuilt; the workers resume and only then are the
 * removed track nodes destroyed and their rings freed, when no stream reads
 * them any more.  The real-time thread never sees a change: each track's
 * process callback only ever writes its own rings.
 *
 * [call] keys that define the session itself (name, transport, local,
 * srtp, the keys, ptime) cannot change under a running call: a file that
 * changes them is rejected whole with a log line saying which key, and the
 * user restarts to apply it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/bridge-private.h"
#include "util/log.h"

struct reload_plan {
	struct cb_send_stream *streams[CB_MAX_STREAMS];
	bool stream_made[CB_MAX_STREAMS];	/* new, not carried over */
	bool stream_kept[CB_MAX_STREAMS];	/* indexed by the old config */
	struct cb_track_node *tracks[CB_MAX_TRACKS];
	bool track_made[CB_MAX_TRACKS];
	bool track_kept[CB_MAX_TRACKS];
	uint32_t added, removed, changed, recreated;
};

static bool same_key(const struct cb_key *a, const struct cb_key *b)
{
	return a->set == b->set && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static bool same_address(const struct cb_address *a, const struct cb_address *b)
{
	return a->set == b->set && strcmp(a->text, b->text) == 0;
}

/* The [call] key that cannot change live, or NULL. */
static const char *fixed_call_change(const struct cb_call_config *a, const struct cb_call_config *b)
{
	if (strcmp(a->name, b->name) != 0)
		return "name";
	if (a->transport != b->transport)
		return "transport";
	if (!same_address(&a->local, &b->local))
		return "local";
	if (a->srtp != b->srtp)
		return "srtp";
	if (!same_key(&a->srtp_key, &b->srtp_key))
		return "srtp-key";
	if (!same_key(&a->remote_srtp_key, &b->remote_srtp_key))
		return "remote-srtp-key";
	if (a->ptime_samples != b->ptime_samples)
		return "ptime";
	return NULL;
}

/* Whether a track feeds the same streams, in the same order, under both
 * configs (its ring j feeds its j-th stream). */
static bool same_track_streams(const struct cb_config *old, const struct cb_track_config *a,
			       const struct cb_config *next, const struct cb_track_config *b)
{
	if (a->n_streams != b->n_streams)
		return false;
	for (uint32_t j = 0; j < a->n_streams; j++)
		if (strcmp(old->streams[a->streams[j]].name, next->streams[b->streams[j]].name) != 0)
			return false;
	return true;
}

static void discard_plan(struct cb_bridge *b, struct reload_plan *p, const struct cb_config *next)
{
	for (uint32_t i = 0; i < next->n_tracks; i++)
		if (p->track_made[i])
			cb_track_node_destroy(p->tracks[i]);
	for (uint32_t i = 0; i < next->n_streams; i++)
		if (p->stream_made[i])
			cb_bridge_free_stream(b, p->streams[i]);
}

/* Everything that may fail, before anything running is touched. */
static int make_plan(struct cb_bridge *b, const struct cb_config *next, struct reload_plan *p)
{
	const struct cb_config *old = &b->config;
	int res;

	for (uint32_t i = 0; i < next->n_streams; i++) {
		const struct cb_stream_config *sc = &next->streams[i];
		int j = cb_config_find_stream(old, sc->name);

		if (j >= 0 && cb_send_stream_can_update(b->streams[j], sc)) {
			p->streams[i] = b->streams[j];
			p->stream_kept[j] = true;
			continue;
		}
		res = cb_bridge_make_stream(b, next, i, &p->streams[i]);
		if (res < 0) {
			pw_log_error("reload: stream %s: cannot create encoder: %s", sc->name,
				     strerror(-res));
			return res;
		}
		p->stream_made[i] = true;
		if (b->core == NULL)
			cb_send_stream_set_pipewire(p->streams[i], CB_SEND_PIPEWIRE_AWAY);
		if (j >= 0) {
			pw_log_info("reload: stream %s: channels, payload-type or application "
				    "changed: new SSRC 0x%08x", sc->name, p->streams[i]->ssrc);
			p->recreated++;
		} else {
			pw_log_info("reload: stream %s added, ssrc 0x%08x -> %s", sc->name,
				    p->streams[i]->ssrc, p->streams[i]->dest.text);
			p->added++;
		}
	}
	for (uint32_t i = 0; i < next->n_tracks; i++) {
		const struct cb_track_config *tc = &next->tracks[i];
		int j = cb_config_find_track(old, tc->name);

		/* Only new channels need a new node; other streams just need
		 * their rings. */
		if (j >= 0 && b->tracks[j]->config.channels == tc->channels &&
		    cb_track_node_prepare_rings(b->tracks[j], tc->n_streams) == 0) {
			p->tracks[i] = b->tracks[j];
			p->track_kept[j] = true;
			continue;
		}
		res = cb_track_node_new(&p->tracks[i], b->core, next->call.name, tc,
					next->call.ptime_samples);
		if (res < 0) {
			pw_log_error("reload: track %s: cannot create node: %s", tc->name,
				     strerror(-res));
			return res;
		}
		p->track_made[i] = true;
		if (j >= 0) {
			pw_log_info("reload: track %s: channels changed: node recreated",
				    tc->name);
			p->recreated++;
		} else {
			pw_log_info("reload: track %s added", tc->name);
			p->added++;
		}
	}
	return 0;
}

static void apply_streams(struct cb_bridge *b, const struct cb_config *next, struct reload_plan *p)
{
	uint64_t now = cb_now_ns();

	for (uint32_t j = 0; j < b->n_streams; j++) {
		if (p->stream_kept[j])
			continue;
		pw_log_info("reload: stream %s (ssrc 0x%08x) removed: BYE",
			    b->streams[j]->config.name, b->streams[j]->ssrc);
		cb_send_worker_send_report(&b->worker, b->streams[j], now, "removed");
		if (cb_config_find_stream(next, b->streams[j]->config.name) < 0)
			p->removed++;
	}
	for (uint32_t i = 0; i < next->n_streams; i++) {
		struct cb_send_stream *s = p->streams[i];
		struct cb_address dest;

		if (p->stream_made[i])
			continue;
		cb_bridge_stream_dest(next, i, &dest);
		if (s->config.bitrate != next->streams[i].bitrate ||
		    s->config.fec != next->streams[i].fec ||
		    s->config.dtx != next->streams[i].dtx ||
		    s->config.expected_loss != next->streams[i].expected_loss ||
		    s->config.complexity != next->streams[i].complexity ||
		    strcmp(s->dest.text, dest.text) != 0) {
			pw_log_info("reload: stream %s: settings applied in place", s->config.name);
			p->changed++;
		}
		/* Checked by cb_send_stream_can_update() already. */
		cb_send_stream_update(s, &next->streams[i], &dest);
	}
}

static void apply_tracks(struct cb_bridge *b, const struct cb_config *next, struct reload_plan *p)
{
	for (uint32_t j = 0; j < b->n_tracks; j++)
		if (!p->track_kept[j] && cb_config_find_track(next, b->tracks[j]->config.name) < 0) {
			pw_log_info("reload: track %s removed", b->tracks[j]->config.name);
			p->removed++;
		}
	for (uint32_t i = 0; i < next->n_tracks; i++) {
		struct cb_track_node *t = p->tracks[i];
		const struct cb_track_config *tc = &next->tracks[i];

		if (p->track_made[i])
			continue;
		if (t->config.gain_db != tc->gain_db ||
		    t->config.ignore_audio_level != tc->ignore_audio_level ||
		    t->config.speaking_hangover_ms != tc->speaking_hangover_ms) {
			pw_log_info("reload: track %s: gain %.1f dB, ignore-audio-level %s",
				    tc->name, tc->gain_db, tc->ignore_audio_level ? "true" : "false");
			p->changed++;
		}
		if (!same_track_streams(&b->config, &t->config, next, tc)) {
			pw_log_info("reload: track %s: feeds %u stream%s now, node kept", tc->name,
				    tc->n_streams, tc->n_streams == 1 ? "" : "s");
			cb_track_node_set_rings(t, tc->n_streams);
			p->changed++;
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

/* Receive worker paused. A remote whose settings changed is let go and
 * comes back with the next packet, with its new settings and a new node. */
static void apply_remotes(struct cb_bridge *b, const struct cb_config *next, struct reload_plan *p)
{
	bool present[CB_MAX_REMOTES] = { false };

	if (!b->receiving) {
		if (next->n_remotes)
			pw_log_warn("reload: not receiving (no remote-srtp-key): [remote]s ignored");
		return;
	}
	for (uint32_t i = 0; i < b->n_remotes; i++) {
		struct cb_remote *r = &b->remotes[i];
		int k;

		if (!r->configured)
			continue;
		for (k = 0; k < (int)next->n_remotes; k++)
			if (strcmp(next->remotes[k].name, r->config.name) == 0)
				break;
		if (k == (int)next->n_remotes) {
			pw_log_info("reload: remote %s removed", r->config.name);
			cb_remote_deactivate(r, "removed from the config");
			cb_remote_unconfigure(r);
			p->removed++;
			continue;
		}
		present[k] = true;
		if (r->config.channels != next->remotes[k].channels ||
		    r->config.has_ssrc != next->remotes[k].has_ssrc ||
		    r->config.ssrc != next->remotes[k].ssrc ||
		    r->config.payload_type != next->remotes[k].payload_type ||
		    r->config.latency_ms != next->remotes[k].latency_ms) {
			pw_log_info("reload: remote %s changed: restarts with the next packet",
				    r->config.name);
			cb_remote_deactivate(r, "settings changed");
			p->recreated++;
		}
		r->config = next->remotes[k];
	}
	for (uint32_t k = 0; k < next->n_remotes; k++) {
		const struct cb_remote_config *rc = &next->remotes[k];
		struct cb_remote *r;

		if (present[k])
			continue;
		/* An unknown SSRC this [remote] names moves over to it. */
		for (uint32_t i = 0; rc->has_ssrc && i < b->n_remotes; i++)
			if (!b->remotes[i].configured && b->remotes[i].active &&
			    b->remotes[i].ssrc == rc->ssrc)
				cb_remote_deactivate(&b->remotes[i], "claimed by a new [remote]");
		if ((r = free_slot(b)) == NULL)
			break;
		r->config = *rc;
		r->configured = true;
		snprintf(r->name, sizeof(r->name), "%s", rc->name);
		pw_log_info("reload: remote %s added", rc->name);
		p->added++;
	}
}

int cb_bridge_reload(struct cb_bridge *b, struct cb_config *next)
{
	struct reload_plan *p;
	const char *fixed;
	uint32_t old_n_streams = b->n_streams, old_n_tracks = b->n_tracks;
	struct cb_send_stream *old_streams[CB_MAX_STREAMS];
	struct cb_track_node *old_tracks[CB_MAX_TRACKS];
	bool sdp_changed;
	int res;

	if ((fixed = fixed_call_change(&b->config.call, &next->call)) != NULL) {
		pw_log_error("%s: reload rejected: [call] %s cannot change while the call runs; "
			     "restart to apply it. The call goes on unchanged.", next->path, fixed);
		return -EINVAL;
	}
	/* The ICE agent holds these for the life of the call; a new set would
	 * mean a new agent and so a new session on the other side. */
	if (memcmp(&b->config.ice, &next->ice, sizeof(next->ice)) != 0) {
		pw_log_error("%s: reload rejected: [ice] cannot change while the call runs; "
			     "restart to apply it. The call goes on unchanged.", next->path);
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	if ((res = make_plan(b, next, p)) < 0) {
		discard_plan(b, p, next);
		free(p);
		pw_log_error("%s: reload failed; the call goes on unchanged", next->path);
		return res;
	}

	/* Both workers off the arrays for a few milliseconds. */
	cb_receive_worker_pause(&b->receiver);
	cb_send_worker_pause(&b->worker);

	apply_streams(b, next, p);
	apply_tracks(b, next, p);
	memcpy(old_streams, b->streams, sizeof(old_streams));
	memcpy(old_tracks, b->tracks, sizeof(old_tracks));
	memcpy(b->streams, p->streams, sizeof(b->streams));
	memcpy(b->tracks, p->tracks, sizeof(b->tracks));
	b->n_streams = next->n_streams;
	b->n_tracks = next->n_tracks;
	cb_bridge_connect_inputs(b);
	apply_remotes(b, next, p);

	cb_send_worker_set_streams(&b->worker, b->streams, b->n_streams);
	/* The old first track may be about to go: follow the new one's cycle. */
	b->worker.cycle = b->n_tracks > 0 ? &b->tracks[0]->cycle : NULL;
	if ((res = cb_send_worker_start(&b->worker)) < 0)
		pw_log_error("reload: cannot restart the media worker: %s", strerror(-res));
	if (b->receiving) {
		cb_receive_worker_update(&b->receiver, &next->call);
		if ((res = cb_receive_worker_start(&b->receiver)) < 0)
			pw_log_error("reload: cannot restart the receive worker: %s",
				     strerror(-res));
	}

	/* Nothing reads these any more. */
	for (uint32_t j = 0; j < old_n_tracks; j++)
		if (!p->track_kept[j])
			cb_track_node_destroy(old_tracks[j]);
	for (uint32_t j = 0; j < old_n_streams; j++)
		if (!p->stream_kept[j])
			cb_bridge_free_stream(b, old_streams[j]);

	sdp_changed = p->added || p->removed || p->recreated || p->changed ||
		      strcmp(b->config.call.sdp_file, next->call.sdp_file) != 0;
	/* The one copy of the new keys is the bridge's from here on. */
	cb_config_move(&b->config, next);
	b->timer_ticks = 0;
	if (sdp_changed && strcmp(b->config.call.sdp_file, "none") != 0) {
		if (b->config.call.sdp_file[0])
			snprintf(b->sdp_path, sizeof(b->sdp_path), "%s", b->config.call.sdp_file);
		if ((res = cb_bridge_write_sdp(b)) < 0)
			pw_log_warn("reload: cannot write SDP file %s: %s", b->sdp_path,
				    strerror(-res));
	}
	cb_bridge_sync_remote_nodes(b);
	pw_log_info("%s: reloaded: %u added, %u removed, %u changed in place, %u recreated",
		    b->config.path, p->added, p->removed, p->changed, p->recreated);
	free(p);
	return 0;
}

int cb_bridge_reload_file(struct cb_bridge *b, const char *path)
{
	struct cb_config_report *report;
	struct cb_config *next;
	int res;

	report = calloc(1, sizeof(*report));
	next = calloc(1, sizeof(*next));
	if (report == NULL || next == NULL) {
		free(report);
		free(next);
		return -ENOMEM;
	}
	res = cb_config_load(path, next, report);
	for (uint32_t i = 0; i < report->n_warnings; i++)
		pw_log_warn("%s", report->warnings[i]);
	for (uint32_t i = 0; i < report->n_errors; i++)
		pw_log_error("%s", report->errors[i]);
	if (res < 0) {
		if (report->n_errors == 0)
			pw_log_error("%s: %s", path, strerror(-res));
		pw_log_error("%s: reload rejected: the file has errors; the call goes on unchanged",
			     path);
	} else {
		res = cb_bridge_reload(b, next);
	}
	/* Every path: moved into the bridge (then this finds it wiped
	 * already), rejected, or never loaded. */
	cb_config_clear(next);
	free(next);
	free(report);
	return res;
}
