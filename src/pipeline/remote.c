#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "pipeline/remote.h"

#define RATE 48000
/* ~340 ms of decoded audio: far more than the worker keeps, so a ring
 * overrun would mean the real-time side stopped. */
#define FEED_FRAMES 16384
/* Until the node has run once we do not know the graph's quantum. Guess
 * small: a large guess overfills the ring and the drift control then needs
 * ~15 s to bring the latency down (measured: 75 ms falling to 62 ms). */
#define DEFAULT_QUANTUM 256
/* The top-up runs this long before the remote node's cycle (at most half a
 * cycle), and leaves this much beyond the cycle's quantum in the ring. Both
 * add to the latency one for one. */
#define LEAD_NS 1000000ull
#define HEADROOM_SAMPLES 48
/* A worker that wakes later than the lead misses a cycle, which takes a
 * whole quantum from the ring at once: an underrun unless the ring holds a
 * quantum more. How late the wake-ups were lately (a normal-priority thread
 * on a busy machine: several ms) sets how many cycles' worth the ring holds:
 * the second worst of the last 10 s, so that it takes late wake-ups that
 * come back.  One stall alone buys none: the worst alone held 8 quanta
 * (10.7 ms at 64) for 10 s after a single 9 ms stall of a VM's vCPU
 * (bench/run-latency.sh --verbose, bench/stall-probe), and its underrun no
 * longer stays in the latency (note_underruns()).  Late wake-ups closer
 * together than LATE_EVENT_NS are one stall. */
#define LATE_WINDOW_NS 2500000000ull
#define LATE_EVENT_NS 50000000ull
#define MAX_MISSED_CYCLES 8
/* The most of an underrun made good: a longer one (the worker stopped
 * rather than stalled) is left to the drift control and trimming. */
#define MAX_SKIP_FRAMES (RATE / 10)
/* A wake-up this close to the deadline is on time. */
#define EARLY_NS 100000ull
/* Peak below -55 dBFS: a pause, where a frame left out is not heard. */
#define SILENCE_PEAK 0.0018f
/* An excess worth trimming: more than this above the buffer's target
 * after the frame is left out, so the drift control's own swing around
 * the target (a fraction of a millisecond) never trims. */
#define TRIM_MARGIN_SAMPLES 48
#define TRIM_PER_TOPUP 4
/* ... standing that long against one target: not a burst's passing
 * excess, which the target itself is about to rise to meet (trimmed at
 * once, a burst's frames went and then the buffer stretched to its new
 * target: more concealment, seen in bench/run-latency.sh). */
#define TRIM_AFTER_NS 1000000000ull
/* A node that ran and then has not for this long stopped (suspended,
 * unlinked): beyond the cycle clock's own 100 ms, so that a graph with a
 * quantum of 8192 (170 ms) still counts as running. */
#define STOPPED_NS 500000000ull

int cb_remote_init(struct cb_remote *r, const struct cb_remote_config *config)
{
	int res;

	memset(r, 0, sizeof(*r));
	r->bound_input = -1;
	if (config) {
		r->config = *config;
		r->configured = true;
		snprintf(r->name, sizeof(r->name), "%s", config->name);
	} else {
		cb_remote_unconfigure(r);
	}
	for (int i = 0; i < 2; i++) {
		if ((res = cb_audio_ring_init(&r->feeds[i].ring, 2, FEED_FRAMES)) < 0)
			return res;
		atomic_init(&r->feeds[i].rate, 1.0);
		atomic_init(&r->feeds[i].owner, CB_FEED_FREE);
	}
	r->feed = &r->feeds[0];
	atomic_init(&r->feed_index, 0);
	atomic_init(&r->generation, 0);
	atomic_init(&r->wanted, false);
	atomic_init(&r->stats.audio_level, 127);
	return 0;
}

void cb_remote_unconfigure(struct cb_remote *r)
{
	r->configured = false;
	/* The channel count of what it plays comes from the Opus packets
	 * (receive-worker.c), the rest from here. */
	cb_config_default_remote(&r->config);
}

void cb_remote_clear(struct cb_remote *r)
{
	if (r->jitter_buffer)
		cb_jitter_buffer_free(r->jitter_buffer);
	cb_opus_decoder_free(r->decoder);
	cb_audio_ring_clear(&r->feeds[0].ring);
	cb_audio_ring_clear(&r->feeds[1].ring);
	cb_audio_ring_clear(&r->echo_ring);
	r->jitter_buffer = NULL;
	r->decoder = NULL;
}

/* Takes a feed that no node uses for laying out: preferably the other one,
 * so that a node of the last activation may still drain the current one. */
static struct cb_remote_feed *claim_feed(struct cb_remote *r, unsigned int *index)
{
	unsigned int current = atomic_load(&r->feed_index) & 1;
	unsigned int order[2] = { current ^ 1, current };

	for (int i = 0; i < 2; i++) {
		int expected = CB_FEED_FREE;
		if (atomic_compare_exchange_strong(&r->feeds[order[i]].owner, &expected,
						   CB_FEED_LAYOUT)) {
			*index = order[i];
			return &r->feeds[order[i]];
		}
	}
	return NULL;
}

int cb_remote_activate(struct cb_remote *r, uint32_t ssrc, uint32_t channels, uint64_t now_ns)
{
	struct cb_remote_feed *feed;
	unsigned int index;
	struct cb_jitter_buffer_config jb = {
		.clock_rate = RATE,
		.target_ms = r->config.latency_ms,
		.max_ms = 1000,
	};
	int res;

	if ((feed = claim_feed(r, &index)) == NULL)
		return -EBUSY;
	cb_opus_decoder_free(r->decoder);
	if (r->jitter_buffer)
		cb_jitter_buffer_free(r->jitter_buffer);
	r->decoder = NULL;
	r->jitter_buffer = NULL;

	r->channels = channels;
	if ((res = cb_opus_decoder_new(&r->decoder, channels)) < 0)
		goto release;
	if ((res = cb_jitter_buffer_new(&r->jitter_buffer, &jb)) < 0)
		goto release;

	/* The ring's frame layout follows the remote's channel count. No node
	 * reads this feed: we hold it (owner LAYOUT), and the main thread only
	 * attaches a node to a free one. */
	feed->ring.channels = channels;
	feed->ring.frame_bytes = channels * sizeof(float);
	spa_ringbuffer_init(&feed->ring.rb);
	atomic_store(&feed->primed, false);
	atomic_store(&feed->rate, 1.0);
	atomic_store(&feed->quantum, 0);
	atomic_store(&feed->underrun_frames, 0);
	atomic_store(&feed->cycle.nsec, 0);
	atomic_store(&feed->cycle.next_nsec, 0);
	r->served_ns = 0;
	memset(r->late, 0, sizeof(r->late));
	r->late_event_ns = 0;
	r->planned_ns = 0;
	r->late_start = now_ns;
	r->cycles_seen = cb_cycle_clock_count(&feed->cycle);
	r->cycles_moved_ns = 0;
	r->holding = true;
	r->was_silent = false;
	r->underruns_seen = 0;
	r->skip_owed = 0;
	r->feed = feed;
	atomic_store_explicit(&feed->owner, CB_FEED_FREE, memory_order_release);
	atomic_store_explicit(&r->feed_index, index, memory_order_release);
	cb_rate_control_init(&r->rate_control, 96, RATE);
	r->last_rate_update_ns = now_ns;
	cb_rtp_source_init(&r->source, ssrc, RATE);
	r->fec_plc = 0;

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

release:
	atomic_store_explicit(&feed->owner, CB_FEED_FREE, memory_order_release);
	return res;
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
	int samples = cb_opus_packet_samples(payload, len);

	r->last_packet_ns = now_ns;
	cb_rtp_source_update(&r->source, seq, timestamp, now_ns);
	atomic_fetch_add_explicit(&r->stats.packets, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->stats.bytes, len, memory_order_relaxed);
	if (samples <= 0)
		return;
	cb_jitter_buffer_put(r->jitter_buffer, r->ssrc, seq, timestamp, payload, len,
			     (uint32_t)samples, now_ns);
}

void cb_remote_receive_redundant(struct cb_remote *r, uint16_t seq, uint32_t timestamp,
				 const uint8_t *payload, size_t len)
{
	int samples = cb_opus_packet_samples(payload, len);

	if (samples <= 0)
		return;
	cb_jitter_buffer_put_redundant(r->jitter_buffer, r->ssrc, seq, timestamp, payload, len,
				       (uint32_t)samples);
}

/* CELT-only Opus (TOC configurations 16..31, every frame below 10 ms)
 * never carries in-band FEC: decoding "its FEC" is concealment. */
static bool celt_only(const uint8_t *payload, size_t len)
{
	return len > 0 && (payload[0] >> 3) >= 16;
}

static int decode_slot(struct cb_remote *r, const struct cb_jitter_slot *slot)
{
	uint32_t samples = slot->samples;
	int n;

	if (samples > CB_OPUS_MAX_FRAME)
		samples = CB_OPUS_MAX_FRAME;
	switch (slot->action) {
	case CB_JITTER_PLAY:
		n = cb_opus_decode(r->decoder, slot->payload, slot->len, r->pcm, CB_OPUS_MAX_FRAME);
		break;
	case CB_JITTER_FEC:
		/* The next packet's in-band FEC rebuilds this one. */
		if (celt_only(slot->payload, slot->len))
			r->fec_plc++;
		n = cb_opus_decode_fec(r->decoder, slot->payload, slot->len, r->pcm, samples);
		break;
	case CB_JITTER_CONCEAL:
		n = cb_opus_conceal(r->decoder, r->pcm, samples);
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
		n = cb_opus_conceal(r->decoder, r->pcm, samples);
		if (n < 0) {
			memset(r->pcm, 0, (size_t)samples * r->channels * sizeof(float));
			n = (int)samples;
		}
	}
	return n;
}

static uint64_t lead_ns(uint64_t period)
{
	return LEAD_NS < period / 2 ? LEAD_NS : period / 2;
}

/* Keeps late among a window's two worst, worst first. */
static void keep_late(uint64_t worst[2], uint64_t late)
{
	if (late > worst[0]) {
		worst[1] = worst[0];
		worst[0] = late;
	} else if (late > worst[1]) {
		worst[1] = late;
	}
}

/* Cycles a wake-up as late as the second worst stall lately would miss. */
static uint32_t missable_cycles(const struct cb_remote *r, uint64_t period)
{
	uint64_t worst[2] = { 0, 0 }, late, lead = lead_ns(period);
	uint32_t n;

	for (int i = 0; i < CB_REMOTE_LATE_WINDOWS; i++) {
		keep_late(worst, r->late[i][0]);
		keep_late(worst, r->late[i][1]);
	}
	late = worst[1];
	if (late <= lead)
		return 0;
	n = (uint32_t)((late - lead + period - 1) / period);
	return n < MAX_MISSED_CYCLES ? n : MAX_MISSED_CYCLES;
}

/* How late this top-up is, kept per window, the windows rotating.  A
 * late wake-up within LATE_EVENT_NS of the last one belongs to the same
 * stall (a machine catching up wakes late more than once): it may raise
 * the window's worst, never add a second. */
static void note_lateness(struct cb_remote *r, uint64_t now_ns, uint64_t deadline, uint64_t lead)
{
	uint64_t late = now_ns > deadline ? now_ns - deadline : 0;

	if (now_ns - r->late_start >= LATE_WINDOW_NS) {
		for (int i = CB_REMOTE_LATE_WINDOWS - 1; i > 0; i--)
			memcpy(r->late[i], r->late[i - 1], sizeof(r->late[i]));
		r->late[0][0] = r->late[0][1] = 0;
		r->late_start = now_ns;
	}
	if (late <= lead)
		return;
	if (r->late_event_ns && now_ns - r->late_event_ns < LATE_EVENT_NS) {
		r->late_event_ns = now_ns;
		if (late > r->late[0][0])
			r->late[0][0] = late;
		return;
	}
	r->late_event_ns = now_ns;
	keep_late(r->late[0], late);
}

/* The remote node's first cycle that the ring has not been topped up for,
 * and its deadline (the cycle's start minus the lead). By time, not by
 * counting published cycles: a callback that runs late in its cycle must not
 * make a top-up look done. False without a running node. */
static bool locked_deadline(struct cb_remote *r, uint64_t now_ns, uint64_t *deadline,
			    uint64_t *period_out, uint64_t *cycle_out)
{
	uint64_t next, period;

	if (!cb_cycle_clock_next(&r->feed->cycle, now_ns, &next, &period))
		return false;
	while (next <= r->served_ns + period / 2)
		next += period;
	*deadline = next - lead_ns(period);
	*period_out = period;
	*cycle_out = next;
	return true;
}

static void update_rate(struct cb_remote *r, uint64_t now_ns)
{
	uint32_t ring = cb_audio_ring_avail(&r->feed->ring);
	double level;

	r->last_rate_update_ns = now_ns;
	/* Published here, not with the other stats: at the top-up's phase,
	 * as the DLL sees it, not up to a quantum lower. */
	atomic_store_explicit(&r->stats.ring_us, (uint32_t)((uint64_t)ring * 1000000u / RATE),
			      memory_order_relaxed);
	/* The level rises between the node's pulls and drops by a quantum at
	 * each: sampled at a random phase it reads high by up to a quantum, and
	 * the loop then holds the real margin under the target. Sampled at the
	 * top-up, which is where every get() happens and whose phase the
	 * worker holds fixed, it is the level the jitter buffer's goal means
	 * (the get()s themselves do not change it: play_ts and the ring move
	 * by the same amount). */
	if (cb_jitter_buffer_latency(r->jitter_buffer, now_ns, ring, &level)) {
		double factor = cb_rate_control_update(&r->rate_control, level,
						       cb_jitter_buffer_target_samples(r->jitter_buffer));
		/* The factor is input consumed per output sample; the adapter's
		 * rate is its inverse (rate < 1 makes it ask for more input). */
		atomic_store_explicit(&r->feed->rate, 1.0 / factor, memory_order_relaxed);
	}
}

/* Whether the node plays the feed: it ran since the activation, and not
 * so long ago that it stopped. */
static bool node_plays(struct cb_remote *r, uint64_t now_ns)
{
	uint64_t count = cb_cycle_clock_count(&r->feed->cycle);

	if (count != r->cycles_seen) {
		r->cycles_seen = count;
		r->cycles_moved_ns = now_ns;
	}
	return r->cycles_moved_ns != 0 && now_ns - r->cycles_moved_ns < STOPPED_NS;
}

/* No node plays the feed (not made, linked or running yet; suspended):
 * nothing is taken from the jitter buffer, and when a node plays it
 * again (its first top-up), the buffer starts over from the next packet,
 * so that the node starts at the buffer's target.  Why: before, the ring
 * was filled once and what arrived meanwhile stayed queued, and the node
 * started with it all ahead of it, the drift control then taking it down
 * at 0.3%: measured with bench/run-latency.sh --verbose, 18..30 ms over
 * the 5 ms target one second in, at the target only after 6-8 s.  Nobody
 * heard what is dropped.
 *
 * Not by letting the stream go by at the wall clock's pace, slot by slot,
 * which a first version did: the buffer's playout then ran ahead of a
 * jittery stream's packets before the node started and never came back
 * (tests/integration/receive-gst.sh, 30 ms of jitter, once in 12 runs:
 * 375 of 378 packets late, a recording of silence). */
static void hold(struct cb_remote *r)
{
	r->holding = true;
}

/* The node plays: after a hold, the buffer starts over. */
static void resume(struct cb_remote *r)
{
	if (!r->holding)
		return;
	r->holding = false;
	cb_jitter_buffer_reset(r->jitter_buffer);
	cb_opus_decoder_reset(r->decoder);
	r->underruns_seen = atomic_load_explicit(&r->feed->underrun_frames, memory_order_relaxed);
	r->skip_owed = 0;
}

/* An underrun (the worker woke too late, the node played silence) puts
 * the stream behind by what was missing: the frames meant for that time
 * come a cycle later and everything after them too.  They are left out
 * instead, so the stream is where it was meant to be.  Why: played late,
 * the underrun's length stayed in the latency, and the ring's reserve for
 * late wake-ups, added at the same moment, hid it from the drift control
 * and from trimming; measured (tests/unit/pipeline/test-remote-start.c),
 * one 8 ms stall of the worker held the latency 10 ms up for over 15 s,
 * the steps seen in bench/run-latency.sh.  The frames are gone either way:
 * their time was silence. */
static void note_underruns(struct cb_remote *r)
{
	uint64_t under = atomic_load_explicit(&r->feed->underrun_frames, memory_order_relaxed);

	if (under > r->underruns_seen)
		r->skip_owed = (uint32_t)SPA_MIN((uint64_t)r->skip_owed + (under - r->underruns_seen),
						 (uint64_t)MAX_SKIP_FRAMES);
	r->underruns_seen = under;
}

/* How many of a decoded slot's n frames to leave out for an underrun. */
static uint32_t skip_for_underrun(struct cb_remote *r, const struct cb_jitter_slot *slot,
				  uint32_t n)
{
	uint32_t skip;

	if (r->skip_owed == 0 || slot->action == CB_JITTER_SILENCE)
		return 0;
	skip = SPA_MIN(r->skip_owed, n);
	r->skip_owed -= skip;
	atomic_fetch_add_explicit(&r->stats.trimmed, skip, memory_order_relaxed);
	return skip;
}

/* A decoded frame the node need not play: silence after silence, while
 * the latency stands above its target by more than the frame.  Why: an
 * excess (a burst of late packets that raised the target and then let
 * it fall, the ring's reserve for late wake-ups given back, a stall)
 * otherwise goes only as fast as the drift control's 0.3% takes it,
 * 3 ms a second at best: measured, 35 ms held against a 5 ms target for
 * 10 s with the control pinned at +3000 ppm (README, the late burst).  A
 * frame of a pause left out is not heard; speech has a pause every second
 * or so.  (NetEq does the same, and stretches speech too, which this
 * does not.)  Called after the slot's get(): latency() no longer counts
 * the frame, which is not pushed yet.  Only an excess that has stood for
 * a second against one target is trimmed (TRIM_AFTER_NS). */
static bool trim_silence(struct cb_remote *r, const struct cb_jitter_slot *slot, uint32_t frames,
			 uint64_t now_ns, uint32_t queued)
{
	uint32_t samples = frames * r->channels, target;
	bool silent = slot->action == CB_JITTER_PLAY, was = r->was_silent;
	double level;

	for (uint32_t i = 0; i < samples && silent; i++)
		silent = r->pcm[i] < SILENCE_PEAK && r->pcm[i] > -SILENCE_PEAK;
	r->was_silent = silent;
	target = cb_jitter_buffer_target_samples(r->jitter_buffer);
	if (!cb_jitter_buffer_latency(r->jitter_buffer, now_ns, queued, &level) ||
	    level < (double)target + TRIM_MARGIN_SAMPLES || target != r->excess_target) {
		/* No excess, or the target moved: the excess must stand
		 * against one target for TRIM_AFTER_NS first. */
		r->excess_since_ns = now_ns;
		r->excess_target = target;
		return false;
	}
	if (!silent || !was || now_ns - r->excess_since_ns < TRIM_AFTER_NS)
		return false;
	atomic_fetch_add_explicit(&r->stats.trimmed, frames, memory_order_relaxed);
	return true;
}

uint64_t cb_remote_produce(struct cb_remote *r, uint64_t now_ns, uint64_t fallback_ns)
{
	struct cb_remote_feed *feed = r->feed;
	uint32_t quantum = (uint32_t)atomic_load_explicit(&feed->quantum, memory_order_relaxed);
	uint32_t low_water, avail, guard = 0, trimmed = 0;
	struct cb_jitter_slot slot;
	uint64_t deadline, period = 0, cycle = 0;
	bool locked;

	if (!r->active)
		return now_ns + fallback_ns;
	if (quantum == 0)
		quantum = DEFAULT_QUANTUM;
	locked = locked_deadline(r, now_ns, &deadline, &period, &cycle);
	if (locked) {
		/* Once per cycle, just before it: the decode uses every packet
		 * that made it by then, and the level the DLL sees is always
		 * taken at the same phase. Early calls (a packet woke the
		 * worker) wait. */
		if (now_ns + EARLY_NS < deadline)
			return deadline;
		/* Against the deadline planned at the last top-up: a wake-up
		 * so late that it missed the cycle counts in full.  None
		 * planned (the first top-up of a node, or after a fallback
		 * one): the worker could not know the cycle, and its wake-up
		 * is no lateness; counted, it kept a quantum or more of
		 * reserve in the ring for the next 10 s (LATE_WINDOW_NS x
		 * CB_REMOTE_LATE_WINDOWS). */
		if (r->planned_ns)
			note_lateness(r, now_ns, r->planned_ns, lead_ns(period));
		low_water = quantum * (1 + missable_cycles(r, period)) + HEADROOM_SAMPLES;
	} else if (!node_plays(r, now_ns)) {
		hold(r);
		r->planned_ns = 0;
		return now_ns + fallback_ns;
	} else {
		/* A node that runs without a cycle clock the worker can
		 * follow (no next-cycle estimate, quanta over 100 ms): enough
		 * for the next graph cycle plus the time until the worker
		 * wakes again; the jitter buffer holds the rest. */
		low_water = quantum + 2 * (uint32_t)(fallback_ns * RATE / 1000000000ull);
	}

	resume(r);
	note_underruns(r);
	while ((avail = cb_audio_ring_avail(&feed->ring)) < low_water && guard++ < 16) {
		uint32_t skip;
		int n;
		cb_jitter_buffer_get_queued(r->jitter_buffer, now_ns, avail, &slot);
		if (slot.new_stream)
			cb_opus_decoder_reset(r->decoder);
		n = decode_slot(r, &slot);
		if (slot.action != CB_JITTER_SILENCE)
			atomic_store_explicit(&feed->primed, true, memory_order_relaxed);
		/* A few frames a top-up, so that the top-up still fills the
		 * ring within its guard: trimming 16 slots in a row left it
		 * short (underruns, seen in bench/run-latency.sh). */
		if (locked && trimmed < TRIM_PER_TOPUP &&
		    trim_silence(r, &slot, (uint32_t)n, now_ns, avail)) {
			trimmed++;
			continue;
		}
		/* Buffering: the silence moves nothing along the stream, so
		 * only what the ring lacks goes in.  A whole slot of it (up to
		 * a frame) sat in the ring ahead of the stream, and the buffer,
		 * which counts what the caller holds into its target, kept it
		 * in the latency for seconds: seen, 12 ms queued at a node's
		 * start and the buffer 18 ms deep against 5 (tests/unit/
		 * pipeline/test-remote-start.c). */
		if (slot.action == CB_JITTER_SILENCE && slot.advance == 0)
			n = SPA_MIN(n, (int)(low_water - avail));
		skip = skip_for_underrun(r, &slot, (uint32_t)n);
		cb_audio_ring_push(&feed->ring, r->pcm + skip * r->channels, (uint32_t)n - skip);
	}

	if (locked) {
		r->served_ns = cycle;
		if (r->rate_control.period != quantum)
			cb_rate_control_set_period(&r->rate_control, quantum);
		update_rate(r, now_ns);
		locked_deadline(r, now_ns, &deadline, &period, &cycle);
		r->planned_ns = deadline;
		return deadline;
	}
	r->planned_ns = 0;
	/* The DLL wants evenly spaced updates; the worker also wakes on every
	 * packet, so only feed it once per period. */
	if (now_ns - r->last_rate_update_ns >= (uint64_t)r->rate_control.period * 1000000000ull / RATE) {
		if (r->rate_control.period != (uint32_t)(fallback_ns * RATE / 1000000000ull))
			cb_rate_control_set_period(&r->rate_control,
						   (uint32_t)(fallback_ns * RATE / 1000000000ull));
		update_rate(r, now_ns);
	}
	return now_ns + fallback_ns;
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
	/* Of those FEC slots, the ones whose packet had no FEC in it: Opus
	 * concealed them all the same. */
	atomic_store_explicit(&r->stats.fec_empty, r->fec_plc, memory_order_relaxed);
	atomic_store_explicit(&r->stats.red_recovered, j.red_recovered, memory_order_relaxed);
	atomic_store_explicit(&r->stats.underruns,
			      atomic_load(&r->feed->underrun_frames), memory_order_relaxed);
	atomic_store_explicit(&r->stats.jitter_us, (uint32_t)(j.jitter * 1000000ull / RATE),
			      memory_order_relaxed);
	atomic_store_explicit(&r->stats.depth_ms, j.depth_ms, memory_order_relaxed);
	atomic_store_explicit(&r->stats.target_ms, j.target_ms, memory_order_relaxed);
	atomic_store_explicit(&r->stats.drift_ppm,
			      (int32_t)lround((cb_rate_control_factor(&r->rate_control) - 1.0) * 1e6),
			      memory_order_relaxed);
}
