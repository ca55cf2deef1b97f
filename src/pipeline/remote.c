#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pipeline/log.h"
#include "pipeline/remote.h"

#define RATE 48000
/* ~340 ms of decoded audio: far more than the worker keeps, so a ring
 * overrun would mean the real-time side stopped. */
#define FEED_FRAMES 16384
/* Until the node has run once we do not know the graph's quantum. Guess
 * small: a large guess overfills the ring and the drift control then needs
 * ~15 s to bring the latency down (measured: 75 ms falling to 62 ms). */
#define DEFAULT_QUANTUM 256

int cb_remote_init(struct cb_remote *r, const struct cb_remote_config *config)
{
	int res;

	memset(r, 0, sizeof(*r));
	if (config) {
		r->config = *config;
		r->configured = true;
		snprintf(r->name, sizeof(r->name), "%s", config->name);
	} else {
		r->config.channels = 2;
		r->config.payload_type = 111;
		r->config.latency_ms = 40;
	}
	if ((res = cb_audio_ring_init(&r->feed.ring, 2, FEED_FRAMES)) < 0)
		return res;
	atomic_init(&r->feed.rate, 1.0);
	atomic_init(&r->generation, 0);
	atomic_init(&r->wanted, false);
	atomic_init(&r->stats.audio_level, 127);
	return 0;
}

void cb_remote_clear(struct cb_remote *r)
{
	if (r->jitter_buffer)
		cb_jitter_buffer_free(r->jitter_buffer);
	if (r->decoder)
		opus_decoder_destroy(r->decoder);
	cb_audio_ring_clear(&r->feed.ring);
	r->jitter_buffer = NULL;
	r->decoder = NULL;
}

int cb_remote_activate(struct cb_remote *r, uint32_t ssrc, uint32_t channels, uint64_t now_ns)
{
	struct cb_jitter_buffer_config jb = {
		.clock_rate = RATE,
		.target_ms = r->config.latency_ms,
		.max_ms = 1000,
	};
	int err, res;

	if (r->decoder)
		opus_decoder_destroy(r->decoder);
	if (r->jitter_buffer)
		cb_jitter_buffer_free(r->jitter_buffer);
	r->decoder = NULL;
	r->jitter_buffer = NULL;

	r->channels = channels;
	r->decoder = opus_decoder_create(RATE, (int)channels, &err);
	if (r->decoder == NULL)
		return -ENOMEM;
	if ((res = cb_jitter_buffer_new(&r->jitter_buffer, &jb)) < 0)
		return res;

	/* The ring's frame layout follows the remote's channel count. Nothing
	 * reads it now: the node of any earlier activation is gone or drained. */
	r->feed.ring.channels = channels;
	r->feed.ring.frame_bytes = channels * sizeof(float);
	spa_ringbuffer_init(&r->feed.ring.rb);
	atomic_store(&r->feed.primed, false);
	atomic_store(&r->feed.rate, 1.0);
	cb_rate_control_init(&r->rate_control, 96, RATE);
	r->last_rate_update_ns = now_ns;
	cb_rtp_source_init(&r->source, ssrc, RATE);

	r->ssrc = ssrc;
	r->active = true;
	r->last_packet_ns = now_ns;
	if (!r->configured)
		snprintf(r->name, sizeof(r->name), "%08x", ssrc);
	atomic_store(&r->stats.ssrc, ssrc);
	atomic_fetch_add(&r->generation, 1);
	atomic_store(&r->wanted, true);
	pw_log_info("remote %s: ssrc 0x%08x, %u channel%s", r->name, ssrc, channels,
		    channels == 1 ? "" : "s");
	return 0;
}

void cb_remote_deactivate(struct cb_remote *r, const char *why)
{
	if (!r->active)
		return;
	r->active = false;
	atomic_store(&r->wanted, false);
	pw_log_info("remote %s: ssrc 0x%08x gone (%s)", r->name, r->ssrc, why);
}

void cb_remote_receive(struct cb_remote *r, uint16_t seq, uint32_t timestamp,
		       const uint8_t *payload, size_t len, uint64_t now_ns)
{
	int samples = opus_packet_get_nb_samples(payload, (opus_int32)len, RATE);

	r->last_packet_ns = now_ns;
	cb_rtp_source_update(&r->source, seq, timestamp, now_ns);
	atomic_fetch_add_explicit(&r->stats.packets, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->stats.bytes, len, memory_order_relaxed);
	if (samples <= 0)
		return;
	cb_jitter_buffer_put(r->jitter_buffer, r->ssrc, seq, timestamp, payload, len,
			     (uint32_t)samples, now_ns);
}

static int decode_slot(struct cb_remote *r, const struct cb_jitter_slot *slot)
{
	uint32_t samples = slot->samples;
	int n;

	if (samples > 5760)
		samples = 5760;
	switch (slot->action) {
	case CB_JITTER_PLAY:
		n = opus_decode_float(r->decoder, slot->payload, (opus_int32)slot->len, r->pcm,
				      5760, 0);
		break;
	case CB_JITTER_FEC:
		/* The next packet's in-band FEC rebuilds this one. */
		n = opus_decode_float(r->decoder, slot->payload, (opus_int32)slot->len, r->pcm,
				      (int)samples, 1);
		break;
	case CB_JITTER_CONCEAL:
		n = opus_decode_float(r->decoder, NULL, 0, r->pcm, (int)samples, 0);
		break;
	case CB_JITTER_SILENCE:
	default:
		memset(r->pcm, 0, (size_t)samples * r->channels * sizeof(float));
		n = (int)samples;
		break;
	}
	if (n < 0) {
		/* A packet that passed every check but still fails to decode:
		 * conceal rather than leave a hole. */
		n = opus_decode_float(r->decoder, NULL, 0, r->pcm, (int)samples, 0);
		if (n < 0) {
			memset(r->pcm, 0, (size_t)samples * r->channels * sizeof(float));
			n = (int)samples;
		}
	}
	return n;
}

void cb_remote_produce(struct cb_remote *r, uint64_t now_ns, uint32_t wake_period_samples)
{
	uint32_t quantum = (uint32_t)atomic_load_explicit(&r->feed.quantum, memory_order_relaxed);
	uint32_t low_water, avail, guard = 0;
	struct cb_jitter_slot slot;
	double level;

	if (!r->active)
		return;
	if (quantum == 0)
		quantum = DEFAULT_QUANTUM;
	/* Enough decoded audio for the next graph cycle plus the time until
	 * the worker wakes again; the jitter buffer holds the rest. */
	low_water = quantum + 2 * wake_period_samples;

	while ((avail = cb_audio_ring_avail(&r->feed.ring)) < low_water && guard++ < 16) {
		int n;
		cb_jitter_buffer_get_queued(r->jitter_buffer, now_ns, avail, &slot);
		if (slot.new_stream)
			opus_decoder_ctl(r->decoder, OPUS_RESET_STATE);
		n = decode_slot(r, &slot);
		if (slot.action != CB_JITTER_SILENCE)
			atomic_store_explicit(&r->feed.primed, true, memory_order_relaxed);
		cb_audio_ring_push(&r->feed.ring, r->pcm, (uint32_t)n);
	}

	/* The DLL wants evenly spaced updates; the worker also wakes on every
	 * packet, so only feed it once per period. */
	if (now_ns - r->last_rate_update_ns < (uint64_t)r->rate_control.period * 1000000000ull / RATE)
		return;
	r->last_rate_update_ns = now_ns;
	if (cb_jitter_buffer_latency(r->jitter_buffer, now_ns, cb_audio_ring_avail(&r->feed.ring),
				     &level)) {
		double factor = cb_rate_control_update(&r->rate_control, level,
						       cb_jitter_buffer_target_samples(r->jitter_buffer));
		/* The factor is input consumed per output sample; the adapter's
		 * rate is its inverse (rate < 1 makes it ask for more input). */
		atomic_store_explicit(&r->feed.rate, 1.0 / factor, memory_order_relaxed);
	}
}

void cb_remote_publish_stats(struct cb_remote *r)
{
	struct cb_jitter_stats j;

	if (r->jitter_buffer == NULL)
		return;
	cb_jitter_buffer_stats(r->jitter_buffer, &j);
	/* RFC 3550 cumulative loss, as the receiver report says it: a packet
	 * that came too late to play was still received. */
	atomic_store_explicit(&r->stats.lost, (uint64_t)SPA_MAX(cb_rtp_source_lost(&r->source), 0),
			      memory_order_relaxed);
	atomic_store_explicit(&r->stats.first_seq, r->source.base_seq, memory_order_relaxed);
	atomic_store_explicit(&r->stats.highest_seq, cb_rtp_source_extended_max(&r->source),
			      memory_order_relaxed);
	atomic_store_explicit(&r->stats.late, j.late, memory_order_relaxed);
	atomic_store_explicit(&r->stats.duplicates, j.duplicates, memory_order_relaxed);
	atomic_store_explicit(&r->stats.concealed, j.concealed, memory_order_relaxed);
	atomic_store_explicit(&r->stats.fec_recovered, j.fec_recovered, memory_order_relaxed);
	atomic_store_explicit(&r->stats.underruns,
			      atomic_load(&r->feed.underrun_frames), memory_order_relaxed);
	atomic_store_explicit(&r->stats.jitter_us, (uint32_t)(j.jitter * 1000000ull / RATE),
			      memory_order_relaxed);
	atomic_store_explicit(&r->stats.depth_ms, j.depth_ms, memory_order_relaxed);
	atomic_store_explicit(&r->stats.target_ms, j.target_ms, memory_order_relaxed);
}
