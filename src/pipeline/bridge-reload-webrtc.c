/* Reload with transport = webrtc: every [stream] is a WHIP session of its
 * own and every [remote] a WHEP one (bridge-webrtc.c), so a reload that
 * adds one opens its session, one that removes it ends it (DELETE), and
 * one that recreates it (its whip or whep URL, its token, its channels
 * changed) does both.  The other sessions are not touched: same ICE
 * agent, same DTLS keys, same SSRC and sequence, no new POST.
 *
 * In the reload's two phases (bridge-reload.c): the new sessions are made
 * and POSTed last among the new objects, so a failure before them posts
 * nothing and a failure of one of them ends the ones already posted and
 * leaves the call as it was.  While both workers are paused the sessions
 * that end leave their slots (after the removed streams' BYE went out
 * through them) and the new ones take free slots; after the workers
 * resume, the ended ones are retired: their DELETE goes out at once and
 * the timer frees them when it is answered (bridge-sessions.c).  Main
 * thread. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pipeline/bridge-private.h"
#include "util/log.h"

static bool carried_over(const struct cb_plan_entry *e)
{
	return e->action == CB_PLAN_KEEP || e->action == CB_PLAN_LIVE;
}

int cb_bridge_reload_check_webrtc(const struct cb_bridge *b, const struct cb_reload_plan *plan,
				  const struct cb_config *next, char *why, size_t len)
{
	const struct cb_config *old = &b->config;

	/* [endpoint] routes are fixed when the server starts: the sessions
	 * that browsers publish into and play from stay for the call. */
	for (uint32_t i = 0; i < next->n_streams; i++) {
		const struct cb_plan_entry *e = &plan->streams[i];
		if (!carried_over(e) && (next->streams[i].whep_endpoint[0] ||
		    (e->old_index >= 0 && old->streams[e->old_index].whep_endpoint[0]))) {
			snprintf(why, len, "stream %s has whep-endpoint", next->streams[i].name);
			return -EINVAL;
		}
	}
	for (uint32_t j = 0; j < old->n_streams; j++)
		if (plan->stream_removed[j] && old->streams[j].whep_endpoint[0]) {
			snprintf(why, len, "stream %s has whep-endpoint", old->streams[j].name);
			return -EINVAL;
		}
	for (uint32_t k = 0; k < next->n_remotes; k++) {
		const struct cb_plan_entry *e = &plan->remotes[k];
		if (!carried_over(e) && (next->remotes[k].whip_endpoint[0] ||
		    (e->old_index >= 0 && old->remotes[e->old_index].whip_endpoint[0]))) {
			snprintf(why, len, "remote %s has whip-endpoint", next->remotes[k].name);
			return -EINVAL;
		}
	}
	for (uint32_t j = 0; j < old->n_remotes; j++)
		if (plan->remote_removed[j] && old->remotes[j].whip_endpoint[0]) {
			snprintf(why, len, "remote %s has whip-endpoint", old->remotes[j].name);
			return -EINVAL;
		}
	return 0;
}

int cb_bridge_reload_make_sessions(struct cb_bridge *b, const struct cb_config *next,
				   const struct cb_reload_plan *plan,
				   struct cb_send_stream *const *streams, const bool *made,
				   struct cb_reload_sessions *rs)
{
	char err[512];
	int res;

	for (uint32_t i = 0; i < next->n_streams; i++) {
		if (!made[i])
			continue;
		err[0] = '\0';
		if ((res = cb_bridge_make_whip(b, next, i, streams[i], &rs->streams[i], err,
					       sizeof(err))) < 0) {
			pw_log_error("reload: %s", err);
			return res;
		}
		pw_log_info("reload: stream %s: WHIP session posted (ssrc 0x%08x)",
			    next->streams[i].name, streams[i]->ssrc);
	}
	for (uint32_t k = 0; k < next->n_remotes; k++) {
		if (carried_over(&plan->remotes[k]) || !next->remotes[k].whep[0])
			continue;
		err[0] = '\0';
		if ((res = cb_bridge_make_whep(b, next, k, &rs->remotes[k], err, sizeof(err))) < 0) {
			pw_log_error("reload: %s", err);
			return res;
		}
		pw_log_info("reload: remote %s: WHEP session posted", next->remotes[k].name);
	}
	return 0;
}

void cb_bridge_reload_discard_sessions(struct cb_bridge *b, struct cb_reload_sessions *rs)
{
	/* Posted, so ended like any other: a DELETE each, not waited for.
	 * The streams that joined them are freed already. */
	for (uint32_t i = 0; i < CB_MAX_STREAMS; i++)
		cb_bridge_retire_session(b, rs->streams[i]);
	for (uint32_t k = 0; k < CB_MAX_REMOTES; k++)
		cb_bridge_retire_session(b, rs->remotes[k]);
	memset(rs, 0, sizeof(*rs));
}

static void take_out(struct cb_bridge *b, uint32_t slot, struct cb_reload_sessions *rs)
{
	struct cb_call_session *cs = cb_bridge_unplug_session(b, slot);

	if (cs && rs->n_gone < CB_MAX_SESSIONS)
		rs->gone[rs->n_gone++] = cs;
}

static int put_in(struct cb_bridge *b, struct cb_call_session *cs, struct cb_reload_sessions *rs)
{
	int slot = cb_bridge_plug_session(b, cs, true);

	/* Cannot happen: every session that ends has left its slot, and
	 * there is one slot per stream and remote. */
	if (slot < 0) {
		pw_log_error("reload: session %s: no free slot; it ends", cs->name);
		if (rs->n_gone < CB_MAX_SESSIONS)
			rs->gone[rs->n_gone++] = cs;
	}
	return slot;
}

void cb_bridge_reload_swap_sessions(struct cb_bridge *b, const struct cb_config *next,
				    const struct cb_reload_plan *plan, const bool *stream_kept,
				    struct cb_send_stream *const *streams,
				    struct cb_reload_sessions *rs)
{
	const struct cb_config *old = &b->config;
	uint32_t map[CB_MAX_REMOTES] = { 0 };
	bool remote_kept[CB_MAX_REMOTES] = { false };

	/* Out first, so the new ones can take the slots they leave. */
	for (uint32_t j = 0; j < b->n_streams; j++)
		if (!stream_kept[j] && old->streams[j].whip[0])
			take_out(b, b->streams[j]->output, rs);
	for (uint32_t k = 0; k < next->n_remotes; k++)
		if (carried_over(&plan->remotes[k]))
			remote_kept[plan->remotes[k].old_index] = true;
	for (uint32_t j = 0; j < old->n_remotes; j++)
		if (!remote_kept[j] && old->remotes[j].whep[0] && b->remote_session[j] > 0)
			take_out(b, b->remote_session[j] - 1, rs);

	for (uint32_t i = 0; i < next->n_streams; i++) {
		int slot;

		if (rs->streams[i] == NULL)
			continue;
		slot = put_in(b, rs->streams[i], rs);
		/* No slot: the stream sends nothing (the worker skips it). */
		streams[i]->output = slot >= 0 ? (uint32_t)slot : CB_MAX_SESSIONS;
		rs->streams[i] = NULL;
	}
	for (uint32_t k = 0; k < next->n_remotes; k++) {
		const struct cb_plan_entry *e = &plan->remotes[k];
		int slot;

		if (carried_over(e)) {
			map[k] = b->remote_session[e->old_index];
		} else if (rs->remotes[k]) {
			slot = put_in(b, rs->remotes[k], rs);
			map[k] = slot >= 0 ? (uint32_t)slot + 1 : 0;
			rs->remotes[k] = NULL;
		}
	}
	memcpy(b->remote_session, map, sizeof(map));
}

void cb_bridge_reload_bind_remotes(struct cb_bridge *b, const struct cb_config *next)
{
	if (!b->receiving)
		return;
	for (uint32_t i = 0; i < b->n_remotes; i++) {
		struct cb_remote *r = &b->remotes[i];

		r->bound_input = -1;
		if (!r->configured)
			continue;
		for (uint32_t k = 0; k < next->n_remotes; k++)
			if (strcmp(next->remotes[k].name, r->config.name) == 0 &&
			    b->remote_session[k] > 0)
				r->bound_input = (int)b->remote_session[k] - 1;
	}
}

void cb_bridge_reload_retire_sessions(struct cb_bridge *b, struct cb_reload_sessions *rs)
{
	for (uint32_t i = 0; i < rs->n_gone; i++)
		cb_bridge_retire_session(b, rs->gone[i]);
	rs->n_gone = 0;
}
