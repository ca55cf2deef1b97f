#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jitter/jitter-buffer-private.h"

#define NSEC_PER_SEC 1000000000ull

/* After an SSRC switch the old stream's stragglers are dropped for this
 * long instead of switching back and forth. */
#define STALE_HOLD_NS (2 * NSEC_PER_SEC)
/* This many packets in a row from more than max_ms away from the playout
 * point (behind or ahead) mean the sender's timeline jumped: restart on the
 * new one rather than drop it all. Merely late packets do not count: those
 * are the network's, and the adaptive target deals with them. */
#define RESYNC_REJECTS 8

static int64_t ms_to_samples(const struct cb_jitter_buffer *jb, uint32_t ms)
{
	return (int64_t)ms * jb->cfg.clock_rate / 1000;
}

static uint32_t samples_to_ms(const struct cb_jitter_buffer *jb, double samples)
{
	return samples <= 0 ? 0 : (uint32_t)(samples * 1000 / jb->cfg.clock_rate + 0.5);
}

static void flush(struct cb_jitter_buffer *jb)
{
	for (uint32_t i = 0; i <= jb->mask; i++)
		jb->ring[i].state = ENTRY_EMPTY;
	jb->dry = false;
	jb->held = 0;
	jb->rejects = 0;
}

/* Forget the stream: the next packet starts a new one from scratch. */
static void restart_stream(struct cb_jitter_buffer *jb)
{
	flush(jb);
	cb_jitter_estimator_reset(&jb->est);
	jb->state = JB_IDLE;
	jb->resync = false;
	jb->new_stream = true;
	jb->known_target = jb->est.target;
	jb->stretch_budget = 0;
	jb->frame = jb->cfg.clock_rate / 50;
}

/* Start the timeline at this packet; the delay reference starts over too,
 * because after a jump the old transit times mean nothing. */
static void start_timeline(struct cb_jitter_buffer *jb, int64_t seq, int64_t ts, uint64_t now)
{
	flush(jb);
	cb_jitter_estimator_restart(&jb->est, now);
	jb->next_seq = jb->high_seq = seq;
	jb->play_ts = jb->high_ts = jb->newest_end = ts;
	jb->state = JB_BUFFERING;
	jb->resync = false;
}

int cb_jitter_buffer_new(struct cb_jitter_buffer **out, const struct cb_jitter_buffer_config *config)
{
	struct cb_jitter_buffer *jb;
	uint32_t n = 16;

	*out = NULL;
	if (config->clock_rate < 8000 || config->clock_rate > 384000 || config->target_ms == 0 ||
	    config->max_ms <= config->target_ms || config->max_ms > 10000)
		return -EINVAL;
	/* Room for max_ms of 5 ms packets; with shorter ones the buffer holds
	 * less than max_ms and says -ENOSPC sooner. */
	while (n < config->max_ms / 5 + 8)
		n *= 2;
	jb = calloc(1, sizeof(*jb));
	if (jb == NULL)
		return -ENOMEM;
	jb->ring = calloc(n, sizeof(*jb->ring));
	if (jb->ring == NULL) {
		free(jb);
		return -ENOMEM;
	}
	jb->cfg = *config;
	jb->mask = n - 1;
	jb->quantum = config->clock_rate / 400;
	jb->max_frame = ms_to_samples(jb, 120);
	jb->max_ahead = ms_to_samples(jb, config->max_ms);
	cb_jitter_estimator_init(&jb->est, config->clock_rate, ms_to_samples(jb, config->target_ms),
			jb->max_ahead * 3 / 4);
	/* Conceal an empty buffer for at least 500 ms before giving up and
	 * rebuffering: Opus DTX sends a packet only every 400 ms. */
	jb->dry_limit = jb->max_ahead > ms_to_samples(jb, 500) ? jb->max_ahead : ms_to_samples(jb, 500);
	cb_jitter_buffer_reset(jb);
	*out = jb;
	return 0;
}

void cb_jitter_buffer_free(struct cb_jitter_buffer *jb)
{
	if (jb == NULL)
		return;
	free(jb->ring);
	free(jb);
}

void cb_jitter_buffer_reset(struct cb_jitter_buffer *jb)
{
	restart_stream(jb);
	jb->have_ssrc = jb->have_old_ssrc = false;
	memset(&jb->stats, 0, sizeof(jb->stats));
}

int cb_jitter_buffer_put(struct cb_jitter_buffer *jb, uint32_t ssrc, uint16_t seq,
		uint32_t timestamp, const uint8_t *payload, size_t len, uint32_t samples,
		uint64_t arrival_ns)
{
	int64_t ext_seq, ext_ts;
	struct entry *e;

	if (payload == NULL || len == 0 || len > CB_JITTER_MAX_PAYLOAD ||
	    samples == 0 || samples > jb->max_frame)
		return -EINVAL;

	if (!jb->have_ssrc) {
		jb->have_ssrc = true;
		jb->ssrc = ssrc;
	} else if (ssrc != jb->ssrc) {
		if (jb->have_old_ssrc && ssrc == jb->old_ssrc && arrival_ns < jb->old_ssrc_until) {
			jb->stats.stale++;
			return -ESTALE;
		}
		jb->have_old_ssrc = true;
		jb->old_ssrc = jb->ssrc;
		jb->old_ssrc_until = arrival_ns + STALE_HOLD_NS;
		jb->ssrc = ssrc;
		jb->stats.ssrc_changes++;
		restart_stream(jb);
	}
	if (jb->state == JB_IDLE) {
		start_timeline(jb, seq, timestamp, arrival_ns);
		jb->frame = samples;
	}

	/* Extend relative to the highest packet so far: serial-number
	 * arithmetic makes both wraparounds invisible. */
	ext_seq = jb->high_seq + (int16_t)(uint16_t)(seq - (uint16_t)jb->high_seq);
	ext_ts = jb->high_ts + (int32_t)(timestamp - (uint32_t)jb->high_ts);

	if (jb->resync) {
		/* First packet after an outage: whatever sequence numbers
		 * it skipped were lost (none, if the sender was only quiet). */
		if (ext_seq > jb->next_seq && ext_seq - jb->next_seq < 0x8000)
			jb->stats.lost += ext_seq - jb->next_seq;
		start_timeline(jb, ext_seq, ext_ts, arrival_ns);
		jb->stats.resyncs++;
	}

	e = entry_at(jb, ext_seq);
	if (e->seq == ext_seq && e->state == ENTRY_STORED && e->redundant) {
		/* The packet itself, after its RED copy: it takes the copy's
		 * place (the same frame) and is not a duplicate. */
		jb->stats.received++;
		e->redundant = false;
		e->len = (uint16_t)len;
		e->samples = samples;
		memcpy(e->data, payload, len);
		return 0;
	}
	if (e->seq == ext_seq && (e->state == ENTRY_STORED || e->state == ENTRY_DONE)) {
		jb->stats.duplicates++;
		return -EALREADY;
	}
	jb->stats.received++;
	if (ext_seq < jb->high_seq)
		jb->stats.reordered++;

	/* Nothing handed out yet: an earlier packet just moves the start back. */
	if (jb->state == JB_BUFFERING && ext_seq < jb->next_seq &&
	    jb->high_seq - ext_seq <= jb->mask && ext_ts <= jb->play_ts) {
		jb->next_seq = ext_seq;
		jb->play_ts = ext_ts;
	}

	/* Late packets are what the target learns from; packets from a
	 * timeline that jumped (further off than max_ms) would teach it
	 * nonsense. */
	if (ext_ts + jb->max_ahead >= jb->play_ts && ext_ts + samples - jb->play_ts <= jb->max_ahead)
		cb_jitter_estimator_observe(&jb->est, ext_ts, arrival_ns, jb->frame);

	if (ext_seq < jb->next_seq || ext_ts < jb->play_ts) {
		bool jumped = ext_ts + jb->max_ahead < jb->play_ts || jb->next_seq - ext_seq > jb->mask;
		jb->rejects = jumped ? jb->rejects + 1 : 0;
		if (jb->rejects < RESYNC_REJECTS) {
			jb->stats.late++;
			if (jb->dry) {
				/* the buffer ran empty waiting for this one */
				jb->stats.underruns++;
				jb->dry = false;
			}
			if (ext_seq >= jb->next_seq) {
				jb->stats.lost += ext_seq + 1 - jb->next_seq;
				pass_to(jb, ext_seq + 1);
			}
			if (e->state != ENTRY_STORED) {
				e->seq = ext_seq;
				e->state = ENTRY_DONE;
			}
			return -ETIME;
		}
		start_timeline(jb, ext_seq, ext_ts, arrival_ns);
		cb_jitter_estimator_observe(&jb->est, ext_ts, arrival_ns, jb->frame);
		jb->stats.resyncs++;
	} else if (ext_ts + samples - jb->play_ts > jb->max_ahead || ext_seq - jb->next_seq > jb->mask) {
		if (++jb->rejects < RESYNC_REJECTS) {
			jb->stats.dropped_overflow++;
			return -ENOSPC;
		}
		start_timeline(jb, ext_seq, ext_ts, arrival_ns);
		cb_jitter_estimator_observe(&jb->est, ext_ts, arrival_ns, jb->frame);
		jb->stats.resyncs++;
	}

	e = entry_at(jb, ext_seq);
	e->seq = ext_seq;
	e->ts = ext_ts;
	e->samples = samples;
	e->len = (uint16_t)len;
	e->state = ENTRY_STORED;
	e->redundant = false;
	memcpy(e->data, payload, len);
	if (ext_seq > jb->high_seq) {
		jb->high_seq = ext_seq;
		jb->high_ts = ext_ts;
	}
	if (ext_ts + samples > jb->newest_end)
		jb->newest_end = ext_ts + samples;
	/* An empty buffer that got its next packet in time was a DTX gap or
	 * a loss, not an underrun. */
	jb->dry = false;
	jb->rejects = 0;
	return 0;
}

/* Whether the entry holds exactly packet seq. */
static const struct entry *stored(const struct cb_jitter_buffer *jb, int64_t seq)
{
	const struct entry *e = entry_at(jb, seq);
	return e->state == ENTRY_STORED && e->seq == seq ? e : NULL;
}

int cb_jitter_buffer_put_redundant(struct cb_jitter_buffer *jb, uint32_t ssrc, uint16_t seq,
		uint32_t timestamp, const uint8_t *payload, size_t len, uint32_t samples)
{
	const struct entry *prev, *next;
	int64_t ext_seq, ext_ts;
	struct entry *e;

	if (payload == NULL || len == 0 || len > CB_JITTER_MAX_PAYLOAD ||
	    samples == 0 || samples > jb->max_frame)
		return -EINVAL;
	if (!jb->have_ssrc || ssrc != jb->ssrc || jb->state == JB_IDLE || jb->resync)
		return -ESTALE;
	ext_seq = jb->high_seq + (int16_t)(uint16_t)(seq - (uint16_t)jb->high_seq);
	ext_ts = jb->high_ts + (int32_t)(timestamp - (uint32_t)jb->high_ts);
	/* Only holes the playout has yet to reach, and within the ring: a
	 * copy never moves the start back nor plays after concealment. */
	if (ext_seq < jb->next_seq || ext_ts < jb->play_ts || ext_seq >= jb->high_seq ||
	    jb->high_seq - ext_seq > jb->mask)
		return -ETIME;
	e = entry_at(jb, ext_seq);
	if (e->seq == ext_seq && (e->state == ENTRY_STORED || e->state == ENTRY_DONE))
		return -EALREADY;
	if (e->state == ENTRY_STORED)
		return -ENOSPC;	/* a newer packet's storage */
	/* The sequence number was inferred from the offset: where packets
	 * on either side are known, their timestamps must agree. */
	if (((prev = stored(jb, ext_seq - 1)) != NULL && prev->ts + prev->samples != ext_ts) ||
	    ((next = stored(jb, ext_seq + 1)) != NULL && ext_ts + samples != next->ts))
		return -EINVAL;
	e->seq = ext_seq;
	e->ts = ext_ts;
	e->samples = samples;
	e->len = (uint16_t)len;
	e->state = ENTRY_STORED;
	e->redundant = true;
	memcpy(e->data, payload, len);
	return 0;
}

bool cb_jitter_buffer_latency(const struct cb_jitter_buffer *jb, uint64_t now_ns,
		uint32_t queued, double *samples)
{
	double m;

	if (jb->state != JB_PLAYING || !margin(jb, now_ns, &m))
		return false;
	*samples = m + queued;
	return true;
}

uint32_t cb_jitter_buffer_depth_samples(const struct cb_jitter_buffer *jb)
{
	if (jb->state == JB_IDLE || jb->resync || jb->newest_end <= jb->play_ts)
		return 0;
	return (uint32_t)(jb->newest_end - jb->play_ts);
}

uint32_t cb_jitter_buffer_target_samples(const struct cb_jitter_buffer *jb)
{
	return (uint32_t)latency_goal(jb);
}

void cb_jitter_buffer_stats(const struct cb_jitter_buffer *jb, struct cb_jitter_stats *out)
{
	*out = jb->stats;
	out->jitter = (uint32_t)(jb->est.jitter + 0.5);
	out->depth_ms = samples_to_ms(jb, cb_jitter_buffer_depth_samples(jb));
	out->target_ms = samples_to_ms(jb, (double)jb->est.target);
	out->peak_delay_ms = samples_to_ms(jb, jb->est.peak);
	out->pull_ahead_ms = samples_to_ms(jb, cb_jitter_estimator_pull_ahead(&jb->est));
}
