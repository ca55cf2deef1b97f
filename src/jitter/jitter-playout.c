/* The playout half of the jitter buffer: for each get(), what the next
 * slot of the timeline is. */
#include <math.h>
#include <string.h>

#include "jitter/jitter-buffer-private.h"

/* A whole number of 2.5 ms units, at most 120 ms: what opus_decode takes. */
static int64_t conceal_len(const struct cb_jitter_buffer *jb, int64_t want)
{
	if (want > jb->max_frame)
		want = jb->max_frame;
	want -= want % jb->quantum;
	return want < jb->quantum ? jb->quantum : want;
}

static void emit(struct cb_jitter_buffer *jb, struct cb_jitter_slot *slot,
		enum cb_jitter_action action, const struct entry *e, int64_t samples, int64_t advance)
{
	slot->action = action;
	if (e != NULL) {
		slot->payload = e->data;
		slot->len = e->len;
	}
	slot->samples = (uint32_t)samples;
	slot->timestamp = (uint32_t)jb->play_ts;
	slot->advance = (uint32_t)advance;
	if (action != CB_JITTER_SILENCE) {
		slot->new_stream = jb->new_stream;
		jb->new_stream = false;
	}
	if (action == CB_JITTER_CONCEAL)
		jb->stats.concealed++;
	jb->play_ts += advance;
}

static int64_t find_successor(const struct cb_jitter_buffer *jb)
{
	for (int64_t s = jb->next_seq + 1; s <= jb->high_seq; s++) {
		const struct entry *e = entry_at(jb, s);
		if (e->state == ENTRY_STORED && e->seq == s)
			return s;
	}
	return -1;
}

/* A gap in timestamps before the next packet in sequence: DTX, not loss.
 * Opus wants PLC there (it produces the comfort noise). It is also the one
 * place where the buffer can shrink without touching speech, so when the
 * latency is above target, the excess is cut from the gap: first what lies
 * beyond this slot, then this slot's own output, down to 2.5 ms. */
static void conceal_gap(struct cb_jitter_buffer *jb, struct cb_jitter_slot *slot,
		int64_t gap, uint64_t now, uint32_t queued)
{
	int64_t len = conceal_len(jb, gap < jb->frame ? gap : jb->frame), advance = len;
	double m;

	if (margin(jb, now, &m)) {
		/* latency over its target, as the rate controller sees it */
		double excess = m + queued - latency_goal(jb);
		int64_t cut = excess > 0 ? (int64_t)fmin(excess, (double)(gap - jb->quantum)) : 0;
		cut -= cut % jb->quantum;
		if (cut > 0) {
			int64_t beyond = cut < gap - len ? cut : gap - len;
			advance += beyond;
			len -= cut - beyond;
			jb->stats.skipped_samples += cut;
		}
	}
	emit(jb, slot, CB_JITTER_CONCEAL, NULL, len, advance);
}

/* next_seq is missing and s2 is the first packet after it. */
static bool conceal_loss(struct cb_jitter_buffer *jb, struct cb_jitter_slot *slot, int64_t s2)
{
	const struct entry *e2 = entry_at(jb, s2);
	int64_t n = s2 - jb->next_seq, gap = e2->ts - jb->play_ts, fit;

	if (gap < jb->quantum || jb->held >= gap - jb->quantum / 2) {
		/* no room left on the timeline for the missing ones, or the
		 * dry spell's concealment already stood in for them */
		jb->stats.lost += n;
		pass_to(jb, s2);
		return false;
	}
	/* Part of the gap may already have been concealed while the buffer
	 * was empty: the missing packets that no longer fit are passed. */
	fit = (gap + jb->frame / 2) / jb->frame;
	if (fit < 1)
		fit = 1;
	if (n > fit) {
		jb->stats.lost += n - fit;
		pass_to(jb, s2 - fit);
		n = fit;
	}
	if (n == 1) {
		int64_t fec = gap < e2->samples ? gap : e2->samples;
		if (gap - fec >= jb->quantum) {
			/* more missing than one packet's FEC covers */
			int64_t len = conceal_len(jb, gap - fec);
			emit(jb, slot, CB_JITTER_CONCEAL, NULL, len, len);
			return true;
		}
		jb->stats.lost++;
		jb->stats.fec_recovered++;
		jb->held = 0;
		pass_to(jb, s2);
		emit(jb, slot, CB_JITTER_FEC, e2, gap, gap);
		return true;
	}
	jb->stats.lost++;
	pass_to(jb, jb->next_seq + 1);
	fit = conceal_len(jb, (gap + n / 2) / n);
	emit(jb, slot, CB_JITTER_CONCEAL, NULL, fit, fit);
	return true;
}

/* Nothing at all to play: conceal. For as long as the target margin, the
 * timeline waits (advance 0): the packet for this slot is most likely
 * only late, and when it comes it plays, the latency having grown by
 * what was concealed, as after any delay spike. Letting the timeline run
 * on instead makes that packet late and drops it, and the playout then
 * stays ahead of an intact stream: every packet after it is late by the
 * same amount, and only the rate controller's 0.3% can take that back
 * (seen in the voice test: 5 to 13 s of nothing but concealment after
 * one dry slot, on a path with 1 ms of jitter and no loss). Past the
 * target the packet is taken for lost, and the timeline runs on, so that
 * an outage does not pile up latency; and when it turns out lost (a later
 * packet comes first), the held concealment stood in for it: its time is
 * skipped, not concealed again. */
static void conceal_dry(struct cb_jitter_buffer *jb, struct cb_jitter_slot *slot)
{
	int64_t len = conceal_len(jb, jb->frame), advance = len;

	if (!jb->dry) {
		jb->dry = true;
		jb->dry_samples = 0;
	}
	if (jb->held + len <= jb->est.target) {
		advance = 0;
		jb->held += len;
	}
	emit(jb, slot, CB_JITTER_CONCEAL, NULL, len, advance);
	jb->dry_samples += len;
	if (jb->dry_samples >= jb->dry_limit) {
		/* the stream stopped: rebuffer and resync on its next packet */
		jb->state = JB_BUFFERING;
		jb->resync = true;
		jb->dry = false;
	}
}

void cb_jitter_buffer_get_queued(struct cb_jitter_buffer *jb, uint64_t now_ns, uint32_t queued,
		struct cb_jitter_slot *slot)
{
	double m;

	memset(slot, 0, sizeof(*slot));
	slot->ssrc = jb->ssrc;
	cb_jitter_estimator_note_pull(&jb->est, now_ns, queued);

	if (jb->state == JB_BUFFERING) {
		/* Start when the latency reaches its target, so that even the
		 * last slot of a burst of get()s has the target margin; until
		 * then, silence just long enough to get there, so that the
		 * start is not up to a frame late. */
		int64_t len = jb->frame;
		if (!jb->resync && jb->newest_end > jb->play_ts && margin(jb, now_ns, &m)) {
			double missing = latency_goal(jb) - (m + queued);
			if (missing <= 0)
				jb->state = JB_PLAYING;
			else if (missing < len)
				len = ((int64_t)missing + jb->quantum - 1) / jb->quantum * jb->quantum;
		}
		if (jb->state != JB_PLAYING) {
			emit(jb, slot, CB_JITTER_SILENCE, NULL, conceal_len(jb, len), 0);
			return;
		}
	} else if (jb->state != JB_PLAYING) {
		emit(jb, slot, CB_JITTER_SILENCE, NULL, conceal_len(jb, jb->frame), 0);
		return;
	}

	/* The target grew past what we hold: stretch now, with concealment,
	 * rather than wait for the next late packet to make the same sound.
	 * Only by as much as the target grew: holding the latency against
	 * drift is the rate controller's job, and two controllers on one level
	 * would fight, with concealment as the casualty. Deficits under half
	 * a frame are left to it as well. */
	if (jb->est.target > jb->known_target)
		jb->stretch_budget += jb->est.target - jb->known_target;
	jb->known_target = jb->est.target;
	if (jb->stretch_budget > 0) {
		double deficit = margin(jb, now_ns, &m) ? latency_goal(jb) - (m + queued) : 0;
		if (deficit < (double)jb->stretch_budget)
			jb->stretch_budget = deficit > 0 ? (int64_t)deficit : 0;
		if (jb->stretch_budget >= jb->frame / 2) {
			int64_t len = conceal_len(jb, jb->stretch_budget < jb->frame ?
					jb->stretch_budget : jb->frame);
			jb->stats.stretched++;
			jb->stretch_budget -= len;
			emit(jb, slot, CB_JITTER_CONCEAL, NULL, len, 0);
			return;
		}
	}

	for (;;) {
		struct entry *e = entry_at(jb, jb->next_seq);
		int64_t s2;

		if (e->state == ENTRY_STORED && e->seq == jb->next_seq) {
			int64_t gap = e->ts - jb->play_ts;
			if (e->ts + e->samples <= jb->play_ts) {
				/* its time went to concealment already */
				e->state = ENTRY_DONE;
				jb->stats.late++;
				jb->next_seq++;
				continue;
			}
			if (gap >= jb->quantum && jb->held < gap - jb->quantum / 2) {
				conceal_gap(jb, slot, gap, now_ns, queued);
				return;
			}
			/* A sliver of gap or overlap is absorbed: the packet
			 * plays whole and the timeline continues at its end.
			 * So is a gap that concealment with the timeline held
			 * has already filled. */
			jb->held = 0;
			e->state = ENTRY_DONE;
			jb->next_seq++;
			jb->frame = e->samples;
			if (e->redundant) {
				/* network loss all the same; RED made up for it */
				jb->stats.lost++;
				jb->stats.red_recovered++;
			}
			emit(jb, slot, CB_JITTER_PLAY, e, e->samples, e->ts + e->samples - jb->play_ts);
			return;
		}
		s2 = find_successor(jb);
		if (s2 < 0) {
			conceal_dry(jb, slot);
			return;
		}
		if (conceal_loss(jb, slot, s2))
			return;
	}
}

void cb_jitter_buffer_get(struct cb_jitter_buffer *jb, uint64_t now_ns, struct cb_jitter_slot *slot)
{
	cb_jitter_buffer_get_queued(jb, now_ns, 0, slot);
}
