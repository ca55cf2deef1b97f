#include <errno.h>
#include <string.h>

#include "pipeline/voice-stage.h"
#include "util/clock.h"
#include "util/log.h"

/* 170 ms: the echo rings hold about this much.  The worker drains them
 * every graph cycle; more than this waiting means it was away (a reload,
 * a stall), and audio that old is no far end for what the mic hears now. */
#define ECHO_RING_FRAMES 16384
#define FAR_BACKLOG_MAX 8192
/* Status every half second: the library's delay metrics aggregate over a
 * second anyway. */
#define STATUS_BLOCKS 50

void cb_voice_settings(const struct cb_track_config *tc, struct cb_apm_settings *s)
{
	*s = (struct cb_apm_settings) {
		.channels = tc->channels,
		.echo_cancel = tc->echo_cancel,
		.echo_delay_ms = tc->echo_delay_ms,
		.noise = (enum cb_apm_noise)tc->noise_suppression,
		.gain_control = tc->gain_control,
		.gain_target_dbfs = tc->gain_target_dbfs,
		.high_pass = tc->high_pass,
	};
}

int cb_voice_prepare_track(struct cb_track_node *t, const struct cb_track_config *tc)
{
	struct cb_apm_settings s;

	cb_voice_settings(tc, &s);
	return cb_track_node_prepare_voice(t, &s);
}

/* The remote slots a track's echo-cancel names: configured [remote]s by
 * name (the loader checked they exist). */
static uint32_t far_mask_of(const struct cb_track_config *tc, const struct cb_remote *remotes,
			    uint32_t n_remotes)
{
	uint32_t mask = 0;

	for (uint32_t k = 0; k < tc->n_echo_remotes; k++)
		for (uint32_t i = 0; i < n_remotes && i < 32; i++)
			if (remotes[i].configured &&
			    strcmp(remotes[i].config.name, tc->echo_remotes[k]) == 0)
				mask |= 1u << i;
	return mask;
}

void cb_voice_stage_attach_node(struct cb_voice_stage *vs, struct cb_remote *r)
{
	(void)vs;
	if (r->node)
		atomic_store_explicit(&r->node->echo_ring,
				      r->echo_wanted && r->echo_ring.data ? &r->echo_ring : NULL,
				      memory_order_release);
}

void cb_voice_stage_configure(struct cb_voice_stage *vs, struct cb_track_node **tracks,
			      uint32_t n_tracks, struct cb_remote *remotes, uint32_t n_remotes)
{
	uint32_t all = n_remotes >= 32 ? UINT32_MAX : (1u << n_remotes) - 1;
	int res;

	vs->tracks = tracks;
	vs->n_tracks = n_tracks;
	vs->remotes = remotes;
	vs->n_remotes = remotes ? SPA_MIN(n_remotes, (uint32_t)32) : 0;
	vs->far_mask = 0;
	vs->active = false;
	for (uint32_t i = 0; i < n_tracks; i++) {
		struct cb_track_node *t = tracks[i];
		struct cb_apm_settings s;
		bool far_all = t->config.n_echo_remotes == 0;
		uint32_t mask = far_all ? all : far_mask_of(&t->config, remotes, vs->n_remotes);

		cb_voice_settings(&t->config, &s);
		cb_track_node_apply_voice(t, &s, far_all, mask);
		if (!atomic_load(&t->voice_on))
			continue;
		vs->active = true;
		if (s.echo_cancel)
			vs->far_mask |= mask;
		pw_log_info("track %s: voice processing: echo-cancel %s, noise-suppression %u, "
			    "gain-control %s, high-pass %s", t->config.name,
			    s.echo_cancel ? (far_all ? "all remotes" : "named remotes") : "off",
			    (unsigned)s.noise, s.gain_control ? "on" : "off",
			    s.high_pass ? "on" : "off");
	}
	for (uint32_t i = 0; i < vs->n_remotes; i++) {
		struct cb_remote *r = &remotes[i];
		bool want = (vs->far_mask >> i) & 1;

		if (want && r->echo_ring.data == NULL &&
		    (res = cb_audio_ring_init(&r->echo_ring, 1, ECHO_RING_FRAMES)) < 0) {
			pw_log_error("remote slot %u: no far-end ring for echo cancellation: %s", i,
				     strerror(-res));
			want = false;
			vs->far_mask &= ~(1u << i);
		}
		r->echo_wanted = want;
		cb_voice_stage_attach_node(vs, r);
	}
	vs->flush_far = true;
}

/* Every whole block of the far end waiting, to each canceller. */
static void run_far(struct cb_voice_stage *vs)
{
	if (vs->flush_far) {
		for (uint32_t i = 0; i < vs->n_remotes; i++)
			if ((vs->far_mask >> i) & 1)
				cb_audio_ring_skip(&vs->remotes[i].echo_ring,
						   cb_audio_ring_avail(&vs->remotes[i].echo_ring));
		vs->flush_far = false;
	}
	for (;;) {
		uint32_t have = 0;

		for (uint32_t i = 0; i < vs->n_remotes; i++) {
			struct cb_audio_ring *ring = &vs->remotes[i].echo_ring;
			uint32_t avail;

			if (!((vs->far_mask >> i) & 1))
				continue;
			avail = cb_audio_ring_avail(ring);
			if (avail > FAR_BACKLOG_MAX)
				avail -= cb_audio_ring_skip(ring, avail - CB_APM_BLOCK);
			if (avail >= CB_APM_BLOCK &&
			    cb_audio_ring_pull(ring, vs->far_blocks[i], CB_APM_BLOCK) == CB_APM_BLOCK)
				have |= 1u << i;
		}
		if (have == 0)
			return;
		for (uint32_t k = 0; k < vs->n_tracks; k++) {
			struct cb_track_node *t = vs->tracks[k];
			struct cb_track_voice *v = &t->voice;
			uint32_t mine;

			if (!atomic_load_explicit(&t->voice_on, memory_order_relaxed) ||
			    !v->settings.echo_cancel || (mine = have & v->far_mask) == 0)
				continue;
			memset(v->far_mix, 0, sizeof(v->far_mix));
			for (uint32_t i = 0; i < vs->n_remotes; i++)
				if ((mine >> i) & 1)
					for (uint32_t j = 0; j < CB_APM_BLOCK; j++)
						v->far_mix[j] += vs->far_blocks[i][j];
			if (cb_apm_far(v->apm, v->far_mix) < 0)
				atomic_fetch_add_explicit(&v->errors, 1, memory_order_relaxed);
		}
	}
}

static void publish_status(struct cb_track_voice *v)
{
	struct cb_apm_status st;

	cb_apm_get_status(v->apm, &st);
	atomic_store_explicit(&v->echo_valid, st.echo_valid, memory_order_relaxed);
	atomic_store_explicit(&v->erle_cdb, (int)(st.erle_db * 100.0f), memory_order_relaxed);
	atomic_store_explicit(&v->delay_ms, st.delay_ms, memory_order_relaxed);
	atomic_store_explicit(&v->gain_cdb, (int)(st.gain_db * 100.0f), memory_order_relaxed);
	atomic_store_explicit(&v->voice, st.voice, memory_order_relaxed);
}

/* The track's waiting blocks through its processor, into its stream rings. */
static uint32_t run_near(struct cb_track_node *t)
{
	struct cb_track_voice *v = &t->voice;
	struct cb_audio_ring *in = &t->voice_ring;
	uint64_t read = atomic_load_explicit(&in->read_frames, memory_order_relaxed);
	uint32_t n = 0;

	if (read < v->skip_to)
		cb_audio_ring_skip(in, (uint32_t)SPA_MIN(v->skip_to - read, (uint64_t)UINT32_MAX));
	while (cb_audio_ring_avail(in) >= CB_APM_BLOCK) {
		uint32_t n_rings = atomic_load_explicit(&t->n_rings, memory_order_acquire);

		cb_audio_ring_pull(in, v->block, CB_APM_BLOCK);
		/* A block the library refuses goes on as it came. */
		if (cb_apm_process(v->apm, v->block) < 0)
			atomic_fetch_add_explicit(&v->errors, 1, memory_order_relaxed);
		for (uint32_t j = 0; j < n_rings; j++)
			cb_audio_ring_push(&t->rings[j], v->block, CB_APM_BLOCK);
		if (++v->blocks % STATUS_BLOCKS == 0)
			publish_status(v);
		n++;
	}
	return n;
}

void cb_voice_stage_run(struct cb_voice_stage *vs)
{
	uint64_t start;
	uint32_t blocks = 0;

	if (!vs->active)
		return;
	start = cb_now_ns();
	run_far(vs);
	for (uint32_t k = 0; k < vs->n_tracks; k++)
		if (atomic_load_explicit(&vs->tracks[k]->voice_on, memory_order_relaxed))
			blocks += run_near(vs->tracks[k]);
	if (blocks) {
		atomic_fetch_add_explicit(&vs->blocks, blocks, memory_order_relaxed);
		atomic_fetch_add_explicit(&vs->busy_ns, cb_now_ns() - start, memory_order_relaxed);
	}
}
