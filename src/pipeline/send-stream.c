#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "audio/mixer.h"
#include "pipeline/send-stream.h"
#include "rtp/rtp.h"

static uint32_t random32(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)rand();
	return v;
}

int cb_send_stream_new(struct cb_send_stream **out, const struct cb_stream_config *config,
		       uint32_t frame, const struct cb_address *dest)
{
	struct cb_opus_encoder_settings settings = {
		.channels = config->channels,
		.frame_samples = frame,
		.bitrate = config->bitrate,
		.fec = config->fec,
		.dtx = config->dtx,
		.expected_loss = config->expected_loss,
		.complexity = config->complexity,
		.application = config->application,
	};
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
	 * encryption harder and keep restarts distinguishable. */
	do {
		s->ssrc = random32();
	} while (s->ssrc == 0);
	s->sequence = (uint16_t)random32();
	s->timestamp = random32();
	s->last_timestamp = s->timestamp;
	s->marker_next = true;
	atomic_init(&s->feedback.rtt_us, -1);

	s->mix = calloc((size_t)frame * 2, sizeof(float));
	if (s->mix == NULL) {
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
	free(s);
}

int cb_send_stream_add_input(struct cb_send_stream *s, struct cb_audio_ring *ring,
			     float gain_db, bool ignore_audio_level)
{
	if (s->n_inputs >= CB_MAX_TRACKS || ring->channels < 1 || ring->channels > 2)
		return -ENOSPC;
	s->inputs[s->n_inputs++] = (struct cb_send_input) {
		.ring = ring,
		.gain = cb_db_to_gain(gain_db),
		.ignore_audio_level = ignore_audio_level,
	};
	return 0;
}

bool cb_send_stream_ready(struct cb_send_stream *s, uint64_t now_ns)
{
	uint32_t min_avail = UINT32_MAX, max_avail = 0;

	if (s->n_inputs == 0) {
		/* Nothing feeds it: keep time with the monotonic clock so the
		 * receiver still sees a live, silent stream. */
		if (s->next_frame_ns == 0)
			s->next_frame_ns = now_ns;
		return now_ns >= s->next_frame_ns;
	}
	for (uint32_t i = 0; i < s->n_inputs; i++) {
		uint32_t avail = cb_audio_ring_avail(s->inputs[i].ring);
		if (avail < min_avail)
			min_avail = avail;
		if (avail > max_avail)
			max_avail = avail;
	}
	/* All tracks normally share one graph cycle, so they fill together; a
	 * track whose node stopped must not hold the others back for long. */
	return min_avail >= s->frame || max_avail >= s->frame + CB_SEND_MAX_SKEW_FRAMES;
}

/* Adds up to a frame of one track into the mix straight from its ring's
 * memory (one span, or two where it wraps; a frame never straddles the wrap,
 * the ring's byte size being a power of two) and consumes it. */
static uint32_t mix_input(struct cb_send_stream *s, struct cb_send_input *in)
{
	struct cb_audio_ring *ring = in->ring;
	const uint32_t channels = s->config.channels;
	uint32_t index, frames, bytes, offset, first;
	int32_t filled = spa_ringbuffer_get_read_index(&ring->rb, &index);

	frames = filled > 0 ? (uint32_t)filled / ring->frame_bytes : 0;
	if (frames > s->frame)
		frames = s->frame;
	if (frames == 0)
		return 0;
	bytes = frames * ring->frame_bytes;
	offset = index & (ring->size - 1);
	first = SPA_MIN(bytes, ring->size - offset);
	cb_mixer_accumulate(s->mix, channels, SPA_PTROFF(ring->data, offset, const float),
			    ring->channels, first / ring->frame_bytes, in->gain);
	if (bytes > first)
		cb_mixer_accumulate(s->mix + (first / ring->frame_bytes) * channels, channels,
				    ring->data, ring->channels, (bytes - first) / ring->frame_bytes,
				    in->gain);
	spa_ringbuffer_read_update(&ring->rb, (int32_t)(index + bytes));
	return frames;
}

static void mix_frame(struct cb_send_stream *s)
{
	const uint32_t channels = s->config.channels;

	memset(s->mix, 0, (size_t)s->frame * channels * sizeof(float));
	for (uint32_t i = 0; i < s->n_inputs; i++) {
		struct cb_send_input *in = &s->inputs[i];
		uint32_t got = mix_input(s, in), left;

		/* what is missing stays silent in the mix */
		if (got < s->frame)
			s->stats.underrun_frames += s->frame - got;

		left = cb_audio_ring_avail(in->ring);
		if (left > CB_SEND_MAX_BACKLOG_FRAMES)
			s->stats.dropped_frames += cb_audio_ring_skip(in->ring, left - s->frame);
	}
	cb_mixer_limit(s->mix, s->frame * channels);
}

int cb_send_stream_produce(struct cb_send_stream *s, uint64_t now_ns, uint8_t *buf, size_t cap)
{
	struct cb_rtp_header header;
	size_t header_size;
	int n;

	mix_frame(s);

	header = (struct cb_rtp_header) {
		.payload_type = s->config.payload_type,
		.marker = s->marker_next,
		.sequence = s->sequence,
		.timestamp = s->timestamp,
		.ssrc = s->ssrc,
	};
	header_size = cb_rtp_write_header(buf, cap, &header);
	if (header_size == 0)
		return -ENOSPC;

	n = cb_opus_encode(s->encoder, s->mix, buf + header_size, cap - header_size);
	s->last_timestamp = s->timestamp;
	s->last_frame_ns = now_ns;
	/* The timestamp follows the samples, sent or not, so the receiver's
	 * timeline stays continuous through DTX and underruns. */
	s->timestamp += s->frame;
	s->next_frame_ns = (s->next_frame_ns ? s->next_frame_ns : now_ns) +
			   (uint64_t)s->frame * 1000000000ull / CB_OPUS_RATE;
	s->stats.frames++;
	if (n < 0)
		return n;

	if (s->config.dtx && n <= 2) {
		/* RFC 7587: a DTX frame need not be sent; the next real one
		 * starts a talkspurt and carries the marker. */
		s->stats.dtx_frames++;
		s->marker_next = true;
		return 0;
	}
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
	cb_rtcp_write_sdes_cname(w, s->ssrc, cname);
}
