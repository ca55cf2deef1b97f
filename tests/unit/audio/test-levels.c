/* Audio levels (RFC 6464), voice activity with hangover, and the per-track
 * controls as the send stream applies them, on a simulated clock. */
#include "audio/levels.h"
#include "node/track-state.h"
#include "pipeline/send-stream.h"
#include "rtp/rtp.h"
#include "rtp/rtp-ext.h"
#include "test.h"
#include "tone.h"

#define FRAME 960
#define MS 1000000ull

static void test_level_math(void)
{
	float buf[FRAME];
	uint64_t phase = 0;

	/* A sine at -20 dBFS RMS: amplitude 0.1 * sqrt(2). */
	tone_fill(buf, FRAME, 1, 1000.0, 0.1 * M_SQRT2, 48000, &phase);
	CHECK_INT_EQ(cb_level_from_power(cb_level_power(buf, FRAME), FRAME), 20);
	for (int i = 0; i < FRAME; i++)
		buf[i] = i % 2 ? 1.0f : -1.0f;
	CHECK_INT_EQ(cb_level_from_power(cb_level_power(buf, FRAME), FRAME), 0);
	memset(buf, 0, sizeof(buf));
	CHECK_INT_EQ(cb_level_from_power(cb_level_power(buf, FRAME), FRAME), 127);
	CHECK_INT_EQ(cb_level_from_power(1e-20, FRAME), 127);
	CHECK_INT_EQ(cb_level_from_power(0.0, 0), 127);
}

static void test_hangover(void)
{
	struct cb_voice_activity v;
	int frames_speaking = 0;

	cb_voice_activity_init(&v, 500);
	CHECK(!cb_voice_activity_update(&v, 127, FRAME));
	CHECK(cb_voice_activity_update(&v, 20, FRAME));
	/* 20 ms frames: still speaking 480 ms after the sound stopped, not at
	 * 500 ms. */
	while (cb_voice_activity_update(&v, 127, FRAME))
		frames_speaking++;
	CHECK_INT_EQ(frames_speaking, 24);

	cb_voice_activity_init(&v, 0);
	CHECK(cb_voice_activity_update(&v, 30, FRAME));
	CHECK(!cb_voice_activity_update(&v, 90, FRAME));
}

struct rig {
	struct cb_send_stream *s;
	struct cb_audio_ring music, voice;
	struct cb_track_state music_state, voice_state;
	uint64_t now, music_phase, voice_phase;
};

static void rig_init(struct rig *r)
{
	struct cb_stream_config cfg = {
		.name = "mix", .channels = 1, .bitrate = 32000, .complexity = 0,
		.application = CB_OPUS_APP_AUDIO, .payload_type = 111,
	};
	memset(r, 0, sizeof(*r));
	cb_track_state_init(&r->music_state);
	cb_track_state_init(&r->voice_state);
	CHECK_INT_EQ(cb_audio_ring_init(&r->music, 1, 65536), 0);
	CHECK_INT_EQ(cb_audio_ring_init(&r->voice, 1, 65536), 0);
	CHECK_INT_EQ(cb_send_stream_new(&r->s, &cfg, FRAME, NULL), 0);
	CHECK_INT_EQ(cb_send_stream_add_input(r->s, &r->music, 0.0f, true), 0);
	CHECK_INT_EQ(cb_send_stream_add_input(r->s, &r->voice, 0.0f, false), 0);
	cb_send_stream_bind_track(r->s, &r->music, &r->music_state, 500, true);
	cb_send_stream_bind_track(r->s, &r->voice, &r->voice_state, 500, true);
}

static void rig_clear(struct rig *r)
{
	cb_send_stream_free(r->s);
	cb_audio_ring_clear(&r->music);
	cb_audio_ring_clear(&r->voice);
}

/* One 20 ms graph cycle: music always, voice (a -20 dBFS RMS sine, or a
 * ramp that numbers its samples) when asked. Returns the packets' level
 * byte, or -1 when no packet came out. */
enum voice_kind { VOICE_SILENT, VOICE_TONE, VOICE_RAMP };

static int rig_cycle(struct rig *r, enum voice_kind voice)
{
	float buf[FRAME];
	uint8_t packet[1600];
	int level = -1;

	tone_fill(buf, FRAME, 1, 300.0, 0.5, 48000, &r->music_phase);
	cb_audio_ring_push(&r->music, buf, FRAME);
	if (voice == VOICE_TONE)
		tone_fill(buf, FRAME, 1, 1000.0, 0.1 * M_SQRT2, 48000, &r->voice_phase);
	for (int i = 0; voice == VOICE_RAMP && i < FRAME; i++)
		buf[i] = (float)(r->voice_phase++ % 100000) * 1e-5f;
	if (voice == VOICE_SILENT)
		memset(buf, 0, sizeof(buf));
	cb_audio_ring_push(&r->voice, buf, FRAME);
	r->now += 20 * MS;

	while (cb_send_stream_ready(r->s, r->now)) {
		struct cb_rtp_packet pkt;
		const uint8_t *data;
		int n = cb_send_stream_produce(r->s, r->now, packet, sizeof(packet));
		CHECK(n > 0);
		CHECK_INT_EQ(cb_rtp_parse(packet, (size_t)n, &pkt), 0);
		CHECK_INT_EQ(cb_rtp_ext_find(pkt.extension_profile, pkt.extension,
					     pkt.extension_len, CB_AUDIO_LEVEL_EXT_ID, &data), 1);
		level = data[0];
	}
	return level;
}

static void test_stream_level_ignores_music(void)
{
	struct rig r;
	int level, speaking_after = 0;

	rig_init(&r);
	for (int i = 0; i < 20; i++) {
		level = rig_cycle(&r, VOICE_SILENT);
		CHECK_INT_EQ(level, 0x7f);		/* 127, V=0 */
	}
	/* The music track itself has a level, it just does not count. */
	CHECK_INT_EQ(atomic_load(&r.music_state.level), 9);	/* 0.5 peak: -9 dB RMS */
	CHECK(atomic_load(&r.music_state.speaking));
	for (int i = 0; i < 20; i++) {
		level = rig_cycle(&r, VOICE_TONE);
		CHECK_INT_EQ(level, 0x80 | 20);
	}
	CHECK_INT_EQ(atomic_load(&r.voice_state.level), 20);
	CHECK(atomic_load(&r.voice_state.speaking));
	for (int i = 0; i < 40; i++) {
		level = rig_cycle(&r, VOICE_SILENT);
		CHECK_INT_EQ(level & 0x7f, 127);
		if (level & 0x80)
			speaking_after++;
	}
	CHECK_INT_EQ(speaking_after, 24);
	CHECK(!atomic_load(&r.voice_state.speaking));
	rig_clear(&r);
}

/* The voice ramp numbers its samples; alone in its stream, the mixed frame
 * shows exactly which voice sample came out. */
static float first_voice_sample(struct rig *r)
{
	return r->s->mix[0];
}

static void test_pause_resume_flush(void)
{
	struct cb_stream_config cfg = {
		.name = "v", .channels = 1, .bitrate = 32000, .complexity = 0,
		.application = CB_OPUS_APP_AUDIO, .payload_type = 111,
	};
	struct rig r;
	float expect;

	/* Voice alone in its stream, so the mix is the ramp itself. */
	rig_init(&r);
	cb_send_stream_free(r.s);
	CHECK_INT_EQ(cb_send_stream_new(&r.s, &cfg, FRAME, NULL), 0);
	CHECK_INT_EQ(cb_send_stream_add_input(r.s, &r.voice, 0.0f, false), 0);
	cb_send_stream_bind_track(r.s, &r.voice, &r.voice_state, 500, true);

	for (int i = 0; i < 5; i++)
		CHECK(rig_cycle(&r, VOICE_RAMP) >= 0);
	expect = (float)(r.voice_phase % 100000) * 1e-5f;	/* the next sample */

	/* Paused: packets keep coming (timing runs on), silent. */
	atomic_store(&r.voice_state.paused, true);
	for (int i = 0; i < 10; i++) {
		CHECK_INT_EQ(rig_cycle(&r, VOICE_RAMP) & 0x7f, 127);
		CHECK(r.s->mix[FRAME / 2] == 0.0f);
	}
	/* Resume: the audio held since the pause comes first, nothing skipped,
	 * and one frame per cycle, not a burst. */
	atomic_store(&r.voice_state.paused, false);
	/* The cycle that resumes may wait for a fresh frame first. */
	if (rig_cycle(&r, VOICE_RAMP) < 0)
		CHECK(rig_cycle(&r, VOICE_RAMP) >= 0);
	CHECK(fabsf(first_voice_sample(&r) - expect) < 1e-6f);
	uint16_t seq_before = r.s->sequence;
	for (int i = 0; i < 10; i++)
		CHECK(rig_cycle(&r, VOICE_RAMP) >= 0);
	CHECK_INT_EQ((uint16_t)(r.s->sequence - seq_before), 10);
	CHECK(cb_audio_ring_avail(&r.voice) >= 10 * FRAME);	/* still holding */

	/* Flush: what is held goes; the next frame is live audio. */
	expect = (float)(r.voice_phase % 100000) * 1e-5f;	/* pushed after the flush */
	atomic_fetch_add(&r.voice_state.flush_requests, 1);
	if (rig_cycle(&r, VOICE_RAMP) < 0)
		CHECK(rig_cycle(&r, VOICE_RAMP) >= 0);
	CHECK(first_voice_sample(&r) >= expect - 1e-6f);
	CHECK(first_voice_sample(&r) <= expect + FRAME * 1e-5f + 1e-6f);
	CHECK(atomic_load(&r.voice_state.flushed_frames) >= 10 * FRAME);
	CHECK(cb_audio_ring_avail(&r.voice) < FRAME);
	rig_clear(&r);
}

int main(void)
{
	test_level_math();
	test_hangover();
	test_stream_level_ignores_music();
	test_pause_resume_flush();
	return test_finish("test-levels");
}
