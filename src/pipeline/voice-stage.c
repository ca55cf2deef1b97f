#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "pipeline/voice-stage.h"
#include "util/clock.h"
#include "util/log.h"

/* 1.4 s, as a track's rings: the worker drains them every graph cycle,
 * but a stalled worker (a loaded machine) finds the far end and the near
 * end piled up alike, and must find them whole to keep them paired.  Far
 * end beyond the near end's by more than FAR_AHEAD_MAX means the near end
 * stopped coming: that much is dropped.  (Dropped on its own size alone,
 * a stall past 170 ms would move the pairing by the amount dropped, and
 * the canceller would have to find the echo again.) */
#define ECHO_RING_FRAMES 65536
#define FAR_AHEAD_MAX 8192
/* Status every half second: the library's delay metrics aggregate over a
 * second anyway. */
#define STATUS_BLOCKS 50

static bool cancels(struct cb_track_node *t);
static uint32_t lead_blocks(struct cb_voice_stage *vs);

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

/* A new far end: both sides start from now, together (in the worker, at
 * one moment), so that the n-th far block pairs with the n-th near block
 * of each cancelling track, a steady delay from then on.  What the near
 * rings held is dropped (at most a cycle or two: the worker drains them
 * every cycle); left in, it would pair older near audio with newer far
 * audio and could put the echo ahead of its reference. */
static void flush_far(struct cb_voice_stage *vs)
{
	for (uint32_t i = 0; i < vs->n_remotes; i++)
		if ((vs->far_mask >> i) & 1)
			cb_audio_ring_skip(&vs->remotes[i].echo_ring,
					   cb_audio_ring_avail(&vs->remotes[i].echo_ring));
	for (uint32_t k = 0; k < vs->n_tracks; k++) {
		struct cb_track_node *t = vs->tracks[k];

		if (atomic_load_explicit(&t->voice_on, memory_order_relaxed) &&
		    t->voice.settings.echo_cancel) {
			t->voice.skip_to = atomic_load_explicit(&t->voice_ring.written_frames,
							      memory_order_acquire);
			t->voice.aligned = false;
		}
	}
	memset(vs->far_owed, 0, sizeof(vs->far_owed));
	vs->lead = lead_blocks(vs);
	for (uint32_t k = 0; k < vs->n_tracks; k++)
		if (cancels(vs->tracks[k]))
			cb_apm_set_lead(vs->tracks[k]->voice.apm, (int)(vs->lead * 10));
	vs->flush_far = false;
}

static bool cancels(struct cb_track_node *t)
{
	return atomic_load_explicit(&t->voice_on, memory_order_relaxed) &&
	       t->voice.settings.echo_cancel && t->voice.far_mask != 0;
}

/* Before the track's blocks: drop what is stale, then pass the head on as
 * it is, up to where the stream rings' frames start a 10 ms block.  Why:
 * a stream's encoder takes whole frames from its ring, and frames of 10 ms
 * and more are whole blocks; blocks laid on the same grid complete in the
 * same graph cycle as the frames, and add nothing (bench/run-voice.sh).
 * Off the grid (processing turned on mid-call, or the near end cut back to
 * meet the far end) each frame would wait for a block that ends up to
 * 10 ms later.  The head is less than a block, once per start. */
static void skip_stale(struct cb_track_node *t)
{
	struct cb_track_voice *v = &t->voice;
	struct cb_audio_ring *in = &t->voice_ring;
	uint64_t read = atomic_load_explicit(&in->read_frames, memory_order_relaxed);
	uint32_t n_rings, n;

	if (read < v->skip_to)
		cb_audio_ring_skip(in, (uint32_t)SPA_MIN(v->skip_to - read, (uint64_t)UINT32_MAX));
	n_rings = atomic_load_explicit(&t->n_rings, memory_order_acquire);
	if (!v->aligned) {
		/* The encoder's next frame ends where its ring's read position
		 * (this worker's) plus whole frames ends. */
		uint64_t w = 0, r = 0;

		if (n_rings) {
			w = atomic_load_explicit(&t->rings[0].written_frames, memory_order_relaxed);
			r = atomic_load_explicit(&t->rings[0].read_frames, memory_order_relaxed);
		}
		v->head = (uint32_t)((r % CB_APM_BLOCK + CB_APM_BLOCK - w % CB_APM_BLOCK) %
				     CB_APM_BLOCK);
		v->aligned = true;
	}
	if (v->head == 0 || (n = SPA_MIN(cb_audio_ring_avail(in), v->head)) == 0)
		return;
	cb_audio_ring_pull(in, v->block, n);
	for (uint32_t j = 0; j < n_rings; j++)
		cb_audio_ring_push(&t->rings[j], v->block, n);
	v->head -= n;
}

/* The far end ahead of the near end by more than FAR_AHEAD_MAX: the near
 * end stopped coming for a while; pair what is left from now on. */
static void trim_far(struct cb_voice_stage *vs, uint32_t near_avail)
{
	for (uint32_t i = 0; i < vs->n_remotes; i++) {
		struct cb_audio_ring *ring = &vs->remotes[i].echo_ring;
		uint32_t avail;

		if (((vs->far_mask >> i) & 1) &&
		    (avail = cb_audio_ring_avail(ring)) > near_avail + FAR_AHEAD_MAX)
			cb_audio_ring_skip(ring, avail - near_avail);
	}
}

/* A far end off its place by less than this is left: the far tap lands
 * a frame either side of the quantum per cycle (node/far-tap.c), and a
 * canceller fed a far end that hops by a frame now and then does worse
 * than one a frame off.  Whatever goes astray in the graph is a whole
 * cycle, 64 frames at the least. */
#define FAR_SLACK 32

static void count_realign(struct cb_voice_stage *vs, uint32_t slot, int64_t frames)
{
	uint64_t now = cb_now_ns();

	vs->realigns++;
	vs->realign_frames += (uint64_t)(frames < 0 ? -frames : frames);
	/* A line a second at most: a graph that misses cycles all the time
	 * would otherwise write one per cycle from this worker. */
	if (now - vs->realign_logged_ns < 1000000000ull)
		return;
	pw_log_info("echo cancellation: far end of remote slot %u %s by %" PRId64 " frames "
		    "(%" PRIu64 " times, %" PRIu64 " frames since the last line)", slot,
		    frames > 0 ? "late, skipped" : "early, held back", frames < 0 ? -frames : frames,
		    vs->realigns, vs->realign_frames);
	vs->realigns = vs->realign_frames = 0;
	vs->realign_logged_ns = now;
}

/* Remote slot i's far block starting at graph position `want`
 * (CB_AUDIO_RING_NO_CLOCK: wherever its ring is) into vs->far_blocks[i],
 * silence where its ring has nothing for it: false when it had nothing at
 * all.
 *
 * Why by position and not by count: the near end and the far end are
 * each kept on the graph's timeline by their own node (node/timeline.h),
 * and yet, paired block by block, the echo moved against its far end by
 * whole quanta now and then: in tests/integration/voice.sh (quantum 128)
 * from 1695.6 samples to 1823.5, 1951.6 and 2079.3 within seconds, and
 * the far end's drop fell from 53..61 dB to 20 dB at the first step.  The
 * rings' stamps say where each frame was on the graph's clock, whatever
 * went astray: a far end found late is skipped to its place, one found
 * early is held back by silence, and the canceller sees one delay. */
static bool far_block_at(struct cb_voice_stage *vs, uint32_t i, int64_t want)
{
	struct cb_audio_ring *ring = &vs->remotes[i].echo_ring;
	float *dst = vs->far_blocks[i];
	uint32_t avail = cb_audio_ring_avail(ring), pad = 0, got;
	int64_t at, off;

	/* Read short before: those frames are this block's past. */
	if (vs->far_owed[i] > 0) {
		uint32_t n = SPA_MIN(vs->far_owed[i], avail);

		cb_audio_ring_skip(ring, n);
		vs->far_owed[i] -= n;
		avail -= n;
	}
	if (want != CB_AUDIO_RING_NO_CLOCK && cb_audio_ring_read_clock(ring, &at) &&
	    ((off = want - at) >= FAR_SLACK || off <= -FAR_SLACK)) {
		count_realign(vs, i, off);
		if (off > 0) {
			uint32_t n = (uint32_t)SPA_MIN(off, (int64_t)avail);

			cb_audio_ring_skip(ring, n);
			avail -= n;
			/* Not come yet: skipped when it does. */
			vs->far_owed[i] = (uint32_t)SPA_MIN(off - (int64_t)n, (int64_t)FAR_AHEAD_MAX);
		} else {
			pad = (uint32_t)SPA_MIN(-off, (int64_t)CB_APM_BLOCK);
		}
	}
	if (avail == 0 && pad == 0)
		return false;
	memset(dst, 0, pad * sizeof(float));
	got = cb_audio_ring_pull(ring, dst + pad, SPA_MIN(avail, CB_APM_BLOCK - pad));
	if (pad + got < CB_APM_BLOCK) {
		/* Late: silence now, and the rest skipped when it comes, so
		 * that the next block starts where it should. */
		memset(dst + pad + got, 0, (CB_APM_BLOCK - pad - got) * sizeof(float));
		vs->far_owed[i] = SPA_MIN(vs->far_owed[i] + CB_APM_BLOCK - pad - got,
					  (uint32_t)FAR_AHEAD_MAX);
	}
	return true;
}

/* The far block that goes with a near block starting at graph position
 * near_at, to each canceller.  With no stamp (a node without a position)
 * near_at is CB_AUDIO_RING_NO_CLOCK and the rings are read as they come. */
static void step_far(struct cb_voice_stage *vs, int64_t near_at)
{
	int64_t want = near_at == CB_AUDIO_RING_NO_CLOCK ?
			       near_at : near_at - (int64_t)vs->lead * CB_APM_BLOCK;
	uint32_t have = 0;

	for (uint32_t i = 0; i < vs->n_remotes; i++)
		if (((vs->far_mask >> i) & 1) && far_block_at(vs, i, want))
			have |= 1u << i;
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

/* The track's next block, if one waits, through its processor into its
 * stream rings: false when none waited. */
static bool step_near(struct cb_track_node *t)
{
	struct cb_track_voice *v = &t->voice;
	struct cb_audio_ring *in = &t->voice_ring;
	uint32_t n_rings;

	skip_stale(t);
	if (cb_audio_ring_avail(in) < CB_APM_BLOCK)
		return false;
	n_rings = atomic_load_explicit(&t->n_rings, memory_order_acquire);
	cb_audio_ring_pull(in, v->block, CB_APM_BLOCK);
	/* A block the library refuses goes on as it came. */
	if (cb_apm_process(v->apm, v->block) < 0)
		atomic_fetch_add_explicit(&v->errors, 1, memory_order_relaxed);
	for (uint32_t j = 0; j < n_rings; j++)
		cb_audio_ring_push(&t->rings[j], v->block, CB_APM_BLOCK);
	if (++v->blocks % STATUS_BLOCKS == 0)
		publish_status(v);
	return true;
}

/* Far and near blocks go in pairs, as the graph made them: near block at
 * graph position p with the far end from p - lead blocks (far_block_at),
 * one steady far-to-near delay for the canceller.  Fed all far blocks
 * first and then the near ones, or as each happens to be there when the
 * worker wakes (mid-cycle, after a remote node and before a track), the
 * delay it sees jumps by a quantum now and then, and the filter chases it:
 * measured, ERLE from 9 to 50 dB run to run in tests/integration/voice.sh.
 *
 * The near end never waits for the far end: lead is the blocks of a
 * quantum (rounded up), which a far end of the same graph has always
 * brought by then.  Waiting for the far end of the same time instead held
 * the near end back by however late the far end started, for good:
 * measured +96 ms mouth-to-ear (bench/run-voice.sh --e2e, a remote node
 * nobody listens to).  The canceller sees the echo `lead` blocks early,
 * and is told so (cb_apm_set_lead): an echo path is a quantum at the very
 * least (played in one cycle, heard in a later one). */
static uint32_t lead_blocks(struct cb_voice_stage *vs)
{
	uint32_t q = 0;

	for (uint32_t k = 0; k < vs->n_tracks; k++)
		q = SPA_MAX(q, cb_track_node_quantum(vs->tracks[k]));
	if (q == 0)
		q = 1024;
	return (q + CB_APM_BLOCK - 1) / CB_APM_BLOCK;
}

void cb_voice_stage_run(struct cb_voice_stage *vs)
{
	uint64_t start;
	uint32_t blocks = 0;

	if (!vs->active)
		return;
	start = cb_now_ns();
	if (vs->flush_far)
		flush_far(vs);
	for (;;) {
		bool all_near = true, any = false, more = false;
		uint32_t near_min = UINT32_MAX;
		struct cb_track_node *ref = NULL;

		for (uint32_t k = 0; k < vs->n_tracks; k++) {
			struct cb_track_node *t = vs->tracks[k];
			uint32_t avail;

			if (!cancels(t))
				continue;
			skip_stale(t);
			avail = cb_audio_ring_avail(&t->voice_ring);
			near_min = SPA_MIN(near_min, avail);
			all_near &= avail >= CB_APM_BLOCK;
			any = true;
			if (ref == NULL)
				ref = t;
		}
		if (any) {
			trim_far(vs, near_min);
			if (all_near) {
				/* Several cancelling tracks share the far end's
				 * reading: placed by the first one's timeline (in
				 * one graph they are the same). */
				int64_t near_at = CB_AUDIO_RING_NO_CLOCK;

				if (ref != NULL && !cb_audio_ring_read_clock(&ref->voice_ring, &near_at))
					near_at = CB_AUDIO_RING_NO_CLOCK;
				step_far(vs, near_at);
				for (uint32_t k = 0; k < vs->n_tracks; k++)
					if (cancels(vs->tracks[k]) && step_near(vs->tracks[k]))
						blocks++;
				more = true;
			}
		}
		/* Tracks that cancel nothing take no far end: as they come. */
		for (uint32_t k = 0; k < vs->n_tracks; k++) {
			struct cb_track_node *t = vs->tracks[k];

			if (atomic_load_explicit(&t->voice_on, memory_order_relaxed) && !cancels(t) &&
			    step_near(t)) {
				blocks++;
				more = true;
			}
		}
		if (!more)
			break;
	}
	if (blocks) {
		atomic_fetch_add_explicit(&vs->blocks, blocks, memory_order_relaxed);
		atomic_fetch_add_explicit(&vs->busy_ns, cb_now_ns() - start, memory_order_relaxed);
	}
}
