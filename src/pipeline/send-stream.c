#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "audio/mixer.h"
#include "pipeline/send-stream.h"
#include "rtp/rtp.h"
#include "rtp/rtp-ext.h"

#define FRAME_NS(s) ((uint64_t)(s)->frame * 1000000000ull / CB_OPUS_RATE)

static uint32_t random32(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)rand();
	return v;
}

static struct cb_opus_encoder_settings encoder_settings(const struct cb_stream_config *config,
							 uint32_t frame)
{
	return (struct cb_opus_encoder_settings) {
		.channels = config->channels,
		.frame_samples = frame,
		.bitrate = config->bitrate,
		.fec = config->fec,
		.dtx = config->dtx,
		.expected_loss = config->expected_loss,
		.complexity = config->complexity,
		.application = config->application,
	};
}

int cb_send_stream_new(struct cb_send_stream **out, const struct cb_stream_config *config,
		       uint32_t frame, const struct cb_address *dest)
{
	struct cb_opus_encoder_settings settings = encoder_settings(config, frame);
	struct cb_send_stream *s;
	int res;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->config = *config;
	s->frame = frame;
	if (dest)
		s->dest = *dest;

	/* RFC 3550: random starting points make known-plaintext attacks on the
	 * encryption harder and keep restarts distinguishable.  A fixed SSRC
	 * is the user's choice; sequence and timestamp stay random. */
	if (config->has_ssrc)
		s->ssrc = config->ssrc;
	while (s->ssrc == 0)
		s->ssrc = random32();
	s->sequence = (uint16_t)random32();
	s->timestamp = random32();
	s->last_timestamp = s->timestamp;
	s->marker_next = true;
	cb_rtp_feedback_init(&s->own_feedback);
	s->feedback = &s->own_feedback;

	s->mix = calloc((size_t)frame * 2, sizeof(float));
	s->scratch = calloc((size_t)frame * 2, sizeof(float));
	s->level_mix = calloc((size_t)frame * 2, sizeof(float));
	s->audio_level_ext_id = CB_AUDIO_LEVEL_EXT_ID;
	s->audio_level = CB_AUDIO_LEVEL_SILENT;
	if (s->mix == NULL || s->scratch == NULL || s->level_mix == NULL) {
		res = -ENOMEM;
		goto error;
	}
	if ((res = cb_opus_encoder_new(&s->encoder, &settings)) < 0)
		goto error;
	*out = s;
	return 0;

error:
	cb_send_stream_free(s);
	return res;
}

void cb_send_stream_free(struct cb_send_stream *s)
{
	if (s == NULL)
		return;
	cb_opus_encoder_free(s->encoder);
	free(s->mix);
	free(s->scratch);
	free(s->level_mix);
	free(s);
}

bool cb_send_stream_can_update(const struct cb_send_stream *s,
			       const struct cb_stream_config *config)
{
	return config->channels == s->config.channels &&
	       config->payload_type == s->config.payload_type &&
	       config->application == s->config.application;
}

int cb_send_stream_update(struct cb_send_stream *s, const struct cb_stream_config *config,
			  const struct cb_address *dest)
{
	struct cb_opus_encoder_settings settings = encoder_settings(config, s->frame);
	int res;

	if (!cb_send_stream_can_update(s, config))
		return -EINVAL;
	if ((res = cb_opus_encoder_update(s->encoder, &settings)) < 0)
		return res;
	s->config = *config;
	if (dest)
		s->dest = *dest;
	return 0;
}

void cb_send_stream_clear_inputs(struct cb_send_stream *s)
{
	s->n_inputs = 0;
}

int cb_send_stream_add_input(struct cb_send_stream *s, struct cb_audio_ring *ring,
			     float gain_db, bool ignore_audio_level)
{
	if (s->n_inputs >= CB_MAX_TRACKS || ring->channels < 1 || ring->channels > 2)
		return -ENOSPC;
	s->inputs[s->n_inputs] = (struct cb_send_input) {
		.ring = ring,
		.gain = cb_db_to_gain(gain_db),
		.ignore_audio_level = ignore_audio_level,
	};
	cb_voice_activity_init(&s->inputs[s->n_inputs].voice, 500);
	s->n_inputs++;
	return 0;
}

void cb_send_stream_bind_track(struct cb_send_stream *s, struct cb_audio_ring *ring,
			       struct cb_track_state *track, uint32_t hangover_ms,
			       bool publishes)
{
	for (uint32_t i = 0; i < s->n_inputs; i++) {
		struct cb_send_input *in = &s->inputs[i];
		if (in->ring != ring)
			continue;
		in->track = track;
		in->publishes = publishes;
		in->ring_index = track->rings && ring >= track->rings ?
				 (uint32_t)(ring - track->rings) : 0;
		in->flushes_seen = atomic_load(&track->flush_requests);
		in->interrupts_seen = atomic_load(&track->interrupt_requests);
		in->in_interrupt = atomic_load(&track->interrupted);
		cb_voice_activity_init(&in->voice, hangover_ms);
	}
}

static bool input_paused(const struct cb_send_input *in)
{
	return in->track && atomic_load_explicit(&in->track->paused, memory_order_relaxed);
}

/* Not read for the mix: paused (held) or interrupted (dropped). */
static bool input_idle(const struct cb_send_input *in)
{
	return in->was_paused || in->in_interrupt;
}

static void count_dropped(struct cb_send_input *in, uint32_t frames)
{
	if (in->publishes && frames)
		atomic_fetch_add_explicit(&in->track->dropped_frames, frames, memory_order_relaxed);
}

/* interrupt ... open: everything the ring got before the open goes, never
 * to be sent.  While interrupted that is all it holds; the written count
 * is taken before the flag, so audio an open lets through after it is
 * never taken for audio from before. */
static void apply_interrupt(struct cb_send_input *in)
{
	struct cb_track_state *t = in->track;
	unsigned int requests = atomic_load_explicit(&t->interrupt_requests, memory_order_acquire);
	uint64_t written, read, until;

	if (requests != in->interrupts_seen) {
		in->interrupts_seen = requests;
		in->in_interrupt = true;
		in->held_frames = 0;
	}
	if (!in->in_interrupt)
		return;
	written = atomic_load_explicit(&in->ring->written_frames, memory_order_acquire);
	if (atomic_load_explicit(&t->interrupted, memory_order_acquire)) {
		until = written;
	} else {
		until = in->ring_index < CB_MAX_TRACK_STREAMS ? t->open_pos[in->ring_index] : written;
		in->in_interrupt = false;
	}
	read = atomic_load_explicit(&in->ring->read_frames, memory_order_relaxed);
	if (until > read)
		count_dropped(in, cb_audio_ring_skip(in->ring, (uint32_t)SPA_MIN(until - read,
								      (uint64_t)UINT32_MAX)));
}

/* What the input has beyond the audio it holds from a pause: what decides
 * pacing and the backlog cap. */
static uint32_t input_fresh(struct cb_send_input *in)
{
	uint32_t avail = cb_audio_ring_avail(in->ring);

	/* The ring overflowed while holding: what is left is all held. */
	if (avail < in->held_frames)
		in->held_frames = avail;
	return avail - in->held_frames;
}

/* Flushes and pause transitions, on the worker, the ring's only consumer. */
static void apply_controls(struct cb_send_input *in)
{
	unsigned int flushes;
	bool paused;

	if (in->track == NULL)
		return;
	flushes = atomic_load_explicit(&in->track->flush_requests, memory_order_acquire);
	if (flushes != in->flushes_seen) {
		uint32_t dropped = cb_audio_ring_skip(in->ring, cb_audio_ring_avail(in->ring));
		in->flushes_seen = flushes;
		in->held_frames = 0;
		if (in->publishes)
			atomic_fetch_add_explicit(&in->track->flushed_frames, dropped,
						  memory_order_relaxed);
		count_dropped(in, dropped);
	}
	apply_interrupt(in);
	paused = input_paused(in);
	if (in->was_paused && !paused)
		in->held_frames = cb_audio_ring_avail(in->ring);
	in->was_paused = paused;
}

bool cb_send_stream_ready(struct cb_send_stream *s, uint64_t now_ns)
{
	uint32_t min_avail = UINT32_MAX, max_avail = 0, n_live = 0;

	for (uint32_t i = 0; i < s->n_inputs; i++) {
		struct cb_send_input *in = &s->inputs[i];
		uint32_t avail;

		apply_controls(in);
		/* A paused or interrupted track is not read: it must not hold
		 * the stream up. */
		if (input_idle(in))
			continue;
		avail = input_fresh(in);
		if (avail < min_avail)
			min_avail = avail;
		if (avail > max_avail)
			max_avail = avail;
		n_live++;
	}
	if (n_live == 0) {
		/* Nothing feeds it: keep time with the monotonic clock so the
		 * receiver still sees a live, silent stream. */
		if (s->next_frame_ns == 0)
			s->next_frame_ns = now_ns;
		/* Coming from graph pacing, do not rush to catch up. */
		if (s->next_frame_ns + 2ull * s->frame * 1000000000ull / CB_OPUS_RATE < now_ns)
			s->next_frame_ns = now_ns;
		return now_ns >= s->next_frame_ns;
	}
	/* All tracks normally share one graph cycle, so they fill together; a
	 * track whose node stopped must not hold the others back for long. */
	if (min_avail >= s->frame || max_avail >= s->frame + CB_SEND_MAX_SKEW_FRAMES)
		return true;
	/* PipeWire is away (or its nodes are not running again yet): go on in
	 * silence on the monotonic clock, catching up from the last frame we
	 * heard, so the peer sees a live stream whose RTP time follows real
	 * time. Otherwise a late graph is waited for: its audio is not lost. */
	if (atomic_load_explicit(&s->pipewire, memory_order_relaxed) == CB_SEND_PIPEWIRE_UP)
		return false;
	if (s->next_frame_ns == 0)
		s->next_frame_ns = now_ns;
	return now_ns >= s->next_frame_ns;
}

void cb_send_stream_set_pipewire(struct cb_send_stream *s, enum cb_send_pipewire state)
{
	atomic_store(&s->pipewire, state);
}

/* Level and voice activity of one input's contribution, after its gain. */
static void measure_input(struct cb_send_stream *s, struct cb_send_input *in, uint64_t now_ns)
{
	uint32_t n = s->frame * in->ring->channels;
	uint8_t level = cb_level_from_power(cb_level_power(s->scratch, n) * in->gain * in->gain, n);
	bool speaking = cb_voice_activity_update(&in->voice, level, s->frame);

	if (in->publishes) {
		atomic_store_explicit(&in->track->level, level, memory_order_relaxed);
		atomic_store_explicit(&in->track->speaking, speaking, memory_order_relaxed);
		if (level < CB_AUDIO_LEVEL_SILENT)
			atomic_store_explicit(&in->track->audible_ns, now_ns, memory_order_relaxed);
	}
}

/* The marks of the input's track whose last frame in this ring is in the
 * frame just taken (or was dropped before it): the ring's bit is set, and
 * for the first ring the RTP time just past that frame is kept.  Marks are
 * passed in order; cb_send_stream_commit_marks moves them on once the
 * packet is out. */
static void pass_marks(struct cb_send_stream *s, struct cb_send_input *in, uint64_t read_before)
{
	struct cb_track_state *t = in->track;
	uint32_t bit = 1u << in->ring_index;
	unsigned int k = atomic_load_explicit(&t->marks_done, memory_order_relaxed);
	unsigned int tail = atomic_load_explicit(&t->marks_tail, memory_order_acquire);
	uint64_t read = atomic_load_explicit(&in->ring->read_frames, memory_order_relaxed);

	for (; k != tail; k++) {
		struct cb_track_mark *m = &t->marks[k % CB_TRACK_MAX_MARKS];
		uint64_t pos;

		if (in->ring_index >= m->n_rings || (m->passed & bit))
			continue;
		pos = m->pos[in->ring_index];
		if (read < pos)
			break;
		m->passed |= bit;
		if (in->ring_index == 0) {
			m->ssrc = s->ssrc;
			m->rtp_end = s->timestamp +
				     (uint32_t)(pos > read_before ? pos - read_before : 0);
		}
	}
}

uint32_t cb_send_stream_commit_marks(struct cb_send_stream *s)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < s->n_inputs; i++) {
		struct cb_track_state *t = s->inputs[i].track;
		unsigned int k, first, tail;
		uint32_t rings;

		if (t == NULL)
			continue;
		k = first = atomic_load_explicit(&t->marks_done, memory_order_relaxed);
		tail = atomic_load_explicit(&t->marks_tail, memory_order_acquire);
		rings = cb_track_state_rings(t);
		for (; k != tail; k++) {
			const struct cb_track_mark *m = &t->marks[k % CB_TRACK_MAX_MARKS];
			/* A ring a reload took away has nothing left to send. */
			uint32_t want = ((1u << SPA_MIN(m->n_rings, rings)) - 1);

			if ((m->passed & want) != want)
				break;
		}
		if (k != first) {
			n += k - first;
			atomic_store_explicit(&t->marks_done, k, memory_order_release);
		}
	}
	return n;
}

/* Returns whether any input had a whole frame: a stopped graph leaves part
 * of one behind. */
static bool mix_frame(struct cb_send_stream *s, uint64_t now_ns)
{
	const uint32_t channels = s->config.channels;
	const uint32_t samples = s->frame * channels;
	bool voice = false, heard = false, any_ignored = false;

	for (uint32_t i = 0; i < s->n_inputs; i++)
		any_ignored |= s->inputs[i].ignore_audio_level;
	memset(s->mix, 0, (size_t)samples * sizeof(float));
	/* Only a stream with ignored tracks needs a second, level-only mix;
	 * otherwise the level is that of the mix itself, before the limiter. */
	if (any_ignored)
		memset(s->level_mix, 0, (size_t)samples * sizeof(float));
	for (uint32_t i = 0; i < s->n_inputs; i++) {
		struct cb_send_input *in = &s->inputs[i];
		uint64_t read_before = atomic_load_explicit(&in->ring->read_frames,
							    memory_order_relaxed);
		uint32_t got = 0, fresh;

		/* Paused: contribute silence and leave the ring alone, so what
		 * it holds plays on resume.  Interrupted: silence too, the
		 * ring was emptied. */
		if (!input_idle(in)) {
			got = cb_audio_ring_pull(in->ring, s->scratch, s->frame);
			heard |= got == s->frame;
			if (got < s->frame)
				s->stats.underrun_frames += s->frame - got;
		}
		if (in->track)
			pass_marks(s, in, read_before);
		if (got < s->frame)
			memset(s->scratch + got * in->ring->channels, 0,
			       (size_t)(s->frame - got) * in->ring->frame_bytes);
		cb_mixer_accumulate(s->mix, channels, s->scratch, in->ring->channels,
				    s->frame, in->gain);
		measure_input(s, in, now_ns);
		if (!in->ignore_audio_level) {
			if (any_ignored)
				cb_mixer_accumulate(s->level_mix, channels, s->scratch,
						    in->ring->channels, s->frame, in->gain);
			voice |= in->voice.speaking;
		}

		if (input_idle(in))
			continue;
		fresh = input_fresh(in);
		if (fresh > CB_SEND_MAX_BACKLOG_FRAMES) {
			uint32_t dropped = cb_audio_ring_skip(in->ring, fresh - s->frame);
			s->stats.dropped_frames += dropped;
			if (in->track)
				count_dropped(in, dropped);
		}
	}
	/* Only the tracks that count: music marked ignore-audio-level leaves
	 * the level at 127 and V clear. */
	s->audio_level = cb_level_from_power(
		cb_level_power(any_ignored ? s->level_mix : s->mix, samples), samples);
	cb_mixer_limit(s->mix, samples);
	s->voice = voice;
	return heard;
}

/* RFC 2198: wraps the frame in s->encoded (n bytes) as RED after the
 * header, with as many of the previous frames as redundancy asks for and
 * RED's limits allow; then remembers the frame.  Only frames continuous
 * with this one go along (none across a DTX gap), so a receiver can tell
 * each one's sequence number from its offset. */
static int pack_red(struct cb_send_stream *s, int red_pt, uint8_t *payload, size_t cap, int n)
{
	struct cb_red_block blocks[CB_RED_MAX_REDUNDANCY];
	uint32_t want = s->config.redundancy, k = 0;
	int res;

	if (want > CB_RED_MAX_REDUNDANCY)
		want = CB_RED_MAX_REDUNDANCY;
	/* Only the unbroken run of sent frames right before this one: after a
	 * frame that did not go out (DTX, an encoder error) the sequence
	 * numbers no longer step with the timestamps, and a receiver could
	 * not place an older copy.  How many: */
	while (k < want) {
		const struct cb_send_red_frame *h = &s->red_history[k];
		uint32_t offset = (k + 1) * s->frame;

		if (!h->valid || h->timestamp != s->timestamp - offset ||
		    !cb_red_block_fits(offset, h->len))
			break;
		k++;
	}
	want = k;
	k = 0;
	/* Oldest first, as RFC 2198 orders the blocks. */
	for (uint32_t i = want; i-- > 0;) {
		const struct cb_send_red_frame *h = &s->red_history[i];
		uint32_t offset = (i + 1) * s->frame;

		blocks[k++] = (struct cb_red_block) {
			.payload_type = cb_rtp_session_payload_type(s->rtp,
								(uint8_t)s->config.payload_type),
			.offset = offset, .data = h->data, .len = h->len,
		};
	}
	/* The oldest go first when the packet would overflow. */
	while (k > 0 && cb_red_size(blocks, k, (size_t)n) > cap) {
		memmove(blocks, blocks + 1, (k - 1) * sizeof(blocks[0]));
		k--;
	}
	res = cb_red_write(payload, cap, blocks, k, cb_rtp_session_payload_type(s->rtp,
			   (uint8_t)s->config.payload_type), s->encoded, (size_t)n);
	if (res >= 0)
		s->stats.red_frames += k;
	return res;
}

static void remember_frame(struct cb_send_stream *s, int n)
{
	memmove(&s->red_history[1], &s->red_history[0],
		(CB_RED_MAX_REDUNDANCY - 1) * sizeof(s->red_history[0]));
	s->red_history[0].valid = n > 0 && (size_t)n <= CB_RED_MAX_LENGTH;
	s->red_history[0].timestamp = s->timestamp;
	s->red_history[0].len = (uint16_t)(s->red_history[0].valid ? n : 0);
	if (s->red_history[0].valid)
		memcpy(s->red_history[0].data, s->encoded, (size_t)n);
}

int cb_send_stream_produce(struct cb_send_stream *s, uint64_t now_ns, uint8_t *buf, size_t cap)
{
	struct cb_rtp_header header;
	size_t header_size;
	bool heard;
	int n, ext_id, red_pt;

	heard = mix_frame(s, now_ns);
	red_pt = cb_rtp_session_red_send_pt(s->rtp, s->config.redundancy);

	header = (struct cb_rtp_header) {
		.payload_type = red_pt >= 0 ? (uint8_t)red_pt :
			cb_rtp_session_payload_type(s->rtp, (uint8_t)s->config.payload_type),
		.marker = s->marker_next,
		.sequence = s->sequence,
		.timestamp = s->timestamp,
		.ssrc = s->ssrc,
	};
	header_size = cb_rtp_write_header(buf, cap, &header);
	ext_id = cb_rtp_session_level_ext_id(s->rtp, s->audio_level_ext_id);
	if (header_size > 0 && ext_id > 0) {
		uint8_t level = cb_audio_level_pack(s->audio_level, s->voice);
		struct cb_rtp_ext_element e = { (uint8_t)ext_id, 1, &level };
		header_size = cb_rtp_ext_append(buf, header_size, cap, &e, 1);
	}
	if (header_size == 0)
		return -ENOSPC;

	n = cb_opus_encode(s->encoder, s->mix, s->encoded,
			   SPA_MIN(cap - header_size, sizeof(s->encoded)));
	s->last_timestamp = s->timestamp;
	s->last_frame_ns = now_ns;
	/* With audio, the graph paces us and this only marks when it was last
	 * heard from; without, the monotonic clock paces (see _ready). */
	if (heard) {
		int back = CB_SEND_PIPEWIRE_BACK;
		s->next_frame_ns = now_ns + FRAME_NS(s);
		atomic_compare_exchange_strong(&s->pipewire, &back, CB_SEND_PIPEWIRE_UP);
	} else
		s->next_frame_ns = (s->next_frame_ns ? s->next_frame_ns : now_ns) + FRAME_NS(s);
	s->stats.frames++;
	if (n < 0 || (s->config.dtx && n <= 2)) {
		/* Nothing goes out, so nothing is carried again either. */
		remember_frame(s, 0);
		s->timestamp += s->frame;
		if (n < 0)
			return n;
		/* RFC 7587: a DTX frame need not be sent; the next real one
		 * starts a talkspurt and carries the marker. */
		s->stats.dtx_frames++;
		s->marker_next = true;
		return 0;
	}
	if (red_pt >= 0) {
		int red = pack_red(s, red_pt, buf + header_size, cap - header_size, n);
		if (red < 0) {
			/* cannot happen with the caps the worker uses: plain */
			buf[1] = (uint8_t)((buf[1] & 0x80) | cb_rtp_session_payload_type(s->rtp,
					   (uint8_t)s->config.payload_type));
			memcpy(buf + header_size, s->encoded, (size_t)n);
			remember_frame(s, n);
		} else {
			remember_frame(s, n);
			n = red;
		}
	} else {
		memcpy(buf + header_size, s->encoded, (size_t)n);
		remember_frame(s, n);
	}
	/* The timestamp follows the samples, sent or not, so the receiver's
	 * timeline stays continuous through DTX and underruns. */
	s->timestamp += s->frame;
	s->marker_next = false;
	s->sequence++;
	s->stats.packets++;
	s->stats.octets += (uint64_t)n;
	return (int)header_size + n;
}

void cb_send_stream_write_report(struct cb_send_stream *s, struct cb_rtcp_writer *w,
				 uint64_t ntp_time, uint64_t now_ns, const char *cname)
{
	struct cb_rtcp_sender_info info;
	uint64_t elapsed = now_ns > s->last_frame_ns ? now_ns - s->last_frame_ns : 0;

	/* The RTP time that corresponds to "now", extrapolated from the last
	 * frame so a receiver can line streams up against wall clock. */
	info.ntp_time = ntp_time;
	info.rtp_timestamp = s->last_frame_ns ?
		s->last_timestamp + (uint32_t)(elapsed * CB_OPUS_RATE / 1000000000ull) :
		s->timestamp;
	info.packet_count = (uint32_t)s->stats.packets;
	info.octet_count = (uint32_t)s->stats.octets;
	cb_rtcp_write_sr(w, s->ssrc, &info, NULL, 0);
	/* The stream's name as its MID (RFC 8843 15): the same as the a=mid
	 * of the SDP file, and what a callbridge peer's peer-stream matches. */
	cb_rtcp_write_sdes(w, s->ssrc, cname, s->config.name);
}
