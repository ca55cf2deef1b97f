#include <stddef.h>

#include "rtp/rtp-session.h"

#define RELAXED memory_order_relaxed

void cb_rtp_feedback_init(struct cb_rtp_feedback *f)
{
	atomic_store_explicit(&f->fraction_lost, 0, RELAXED);
	atomic_store_explicit(&f->cumulative_lost, 0, RELAXED);
	atomic_store_explicit(&f->rtt_us, -1, RELAXED);
	atomic_store_explicit(&f->reports, 0, RELAXED);
}

void cb_rtp_session_init(struct cb_rtp_session *s)
{
	atomic_init(&s->payload_type, -1);
	atomic_init(&s->audio_level_ext_id, -1);
	atomic_init(&s->red_payload_type, -1);
	for (uint32_t i = 0; i < CB_RTP_SESSION_MAX_SENDERS; i++) {
		atomic_init(&s->senders[i].ssrc, 0);
		atomic_init(&s->senders[i].used, false);
		cb_rtp_feedback_init(&s->senders[i].feedback);
	}
}

struct cb_rtp_feedback *cb_rtp_session_add_sender(struct cb_rtp_session *s, uint32_t ssrc)
{
	for (uint32_t i = 0; i < CB_RTP_SESSION_MAX_SENDERS; i++) {
		struct cb_rtp_sender *snd = &s->senders[i];
		if (atomic_load_explicit(&snd->used, memory_order_acquire))
			continue;
		cb_rtp_feedback_init(&snd->feedback);
		atomic_store_explicit(&snd->ssrc, ssrc, RELAXED);
		atomic_store_explicit(&snd->used, true, memory_order_release);
		return &snd->feedback;
	}
	return NULL;
}

void cb_rtp_session_remove_sender(struct cb_rtp_session *s, struct cb_rtp_feedback *f)
{
	for (uint32_t i = 0; f && i < CB_RTP_SESSION_MAX_SENDERS; i++)
		if (&s->senders[i].feedback == f)
			atomic_store_explicit(&s->senders[i].used, false, memory_order_release);
}

bool cb_rtp_session_report_block(struct cb_rtp_session *s, const struct cb_rtcp_report_block *b,
				 uint64_t now_ntp)
{
	bool found = false;

	for (uint32_t i = 0; i < CB_RTP_SESSION_MAX_SENDERS; i++) {
		struct cb_rtp_sender *snd = &s->senders[i];
		struct cb_rtp_feedback *f = &snd->feedback;
		int64_t rtt;

		if (!atomic_load_explicit(&snd->used, memory_order_acquire) ||
		    atomic_load_explicit(&snd->ssrc, RELAXED) != b->ssrc)
			continue;
		atomic_store_explicit(&f->fraction_lost, b->fraction_lost, RELAXED);
		atomic_store_explicit(&f->cumulative_lost, b->cumulative_lost, RELAXED);
		if ((rtt = cb_rtcp_round_trip_us(b, now_ntp)) >= 0)
			atomic_store_explicit(&f->rtt_us, rtt, RELAXED);
		atomic_fetch_add_explicit(&f->reports, 1, RELAXED);
		found = true;
	}
	return found;
}
