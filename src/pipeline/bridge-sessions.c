/* The bridge's session slots.  A session sits in b->sessions[slot]; the
 * send worker's output and the receive worker's input of that slot are
 * its way out and in, and the streams and remotes it carries name the
 * slot.  A reload (transport = webrtc) takes the sessions of removed
 * streams and remotes out of their slots and puts new ones into free
 * slots, so the slots are reused and the list never grows past the
 * sessions that run.  A session taken out is ended without waiting: its
 * DELETE goes out, the main-loop timer frees it once the server answered
 * or a bounded moment passed (cb_bridge_reap_sessions), so neither the
 * call nor PipeWire's main loop waits for a server.  Main thread. */
#include <errno.h>

#include "pipeline/bridge-private.h"
#include "util/clock.h"
#include "util/log.h"

int cb_bridge_join_session(struct cb_send_stream *s, struct cb_call_session *cs)
{
	s->feedback = cb_rtp_session_add_sender(&cs->rtp, s->ssrc);
	s->rtp = &cs->rtp;
	return s->feedback ? 0 : -ENOSPC;
}

int cb_bridge_plug_session(struct cb_bridge *b, struct cb_call_session *cs, bool workers)
{
	uint32_t slot;

	for (slot = 0; slot < CB_MAX_SESSIONS && b->sessions[slot]; slot++)
		;
	if (slot == CB_MAX_SESSIONS)
		return -ENOSPC;
	b->sessions[slot] = cs;
	if (slot >= b->n_sessions)
		b->n_sessions = slot + 1;
	if (workers) {
		cb_send_worker_set_output(&b->worker, slot, cs->transport, &cs->keying);
		if (b->receiving)
			cb_receive_worker_set_input(&b->receiver, slot, cs->transport, &cs->keying,
						    &cs->rtp);
	}
	return (int)slot;
}

struct cb_call_session *cb_bridge_unplug_session(struct cb_bridge *b, uint32_t slot)
{
	struct cb_call_session *cs;

	if (slot >= b->n_sessions || (cs = b->sessions[slot]) == NULL)
		return NULL;
	cb_send_worker_drop_output(&b->worker, slot);
	if (b->receiving)
		cb_receive_worker_drop_input(&b->receiver, slot);
	b->sessions[slot] = NULL;
	while (b->n_sessions > 0 && b->sessions[b->n_sessions - 1] == NULL)
		b->n_sessions--;
	return cs;
}

void cb_bridge_retire_session(struct cb_bridge *b, struct cb_call_session *cs)
{
	if (cs == NULL)
		return;
	pw_log_info("call %s: session %s ends", b->config.call.name, cs->name);
	cb_call_session_end(cs, cb_now_ns());
	if (b->n_ending < CB_MAX_SESSIONS) {
		b->ending[b->n_ending++] = cs;
		return;
	}
	cb_call_session_close(cs);	/* cannot happen: at most one per slot */
}

void cb_bridge_reap_sessions(struct cb_bridge *b, bool all)
{
	uint64_t now = cb_now_ns();

	for (uint32_t i = 0; i < b->n_ending;) {
		struct cb_call_session *cs = b->ending[i];

		if (!all && !cb_call_session_end_done(cs, now)) {
			i++;
			continue;
		}
		pw_log_info("call %s: session %s ended", b->config.call.name, cs->name);
		cb_call_session_close(cs);
		b->ending[i] = b->ending[--b->n_ending];
	}
}
