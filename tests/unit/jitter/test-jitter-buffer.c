/* The jitter buffer and the rate controller on a simulated clock: a sender
 * producing 20 ms packets on its own clock, a network that delays, jitters,
 * reorders, drops and duplicates them, and a consumer that plays 1024-sample
 * quanta at 48 kHz times the rate factor, asking for slots whenever its
 * decoded reserve runs short. No codec: a slot is just its sample count. */
#include <errno.h>

#include "jitter/jitter-buffer.h"
#include "jitter/rate-control.h"
#include "test.h"

#define RATE 48000
#define FRAME 960
#define QUANTUM 1024
#define MSEC 1000000ull
#define SEC 1000000000ull
#define GONE UINT64_MAX		/* arrival of a dropped packet */

struct pkt {
	uint64_t arrival;
	uint32_t id;		/* what the payload carries; a duplicate keeps its original's */
	uint32_t ssrc, ts, samples;
	uint16_t seq;
	int res;		/* what put() said */
	size_t slots_before;	/* slots handed out when it was put */
};

struct rec {
	enum cb_jitter_action action;
	uint32_t ts, samples, advance, ssrc, id;
	bool new_stream;
};

struct sim {
	uint32_t target_ms, max_ms;
	bool rate_control;
	uint64_t end_ns, warmup_ns;
	struct pkt *pkts;
	size_t n_pkts;
	struct rec *log;	/* every slot, when log_slots */
	size_t n_log;
	bool log_slots;
	/* results */
	struct cb_jitter_stats stats;
	unsigned errors;	/* timeline holes, plays out of order */
	bool chain, have_play;
	uint32_t chain_ssrc, chain_ts, play_ssrc, play_id;
	/* ms, of 1-second means after warmup: latency, its error from
	 * cb_jitter_buffer_target_samples(), the depth */
	double lat_min, lat_max, err_min, err_max, depth_min, depth_max;
	double factor_min, factor_max;			/* after warmup */
	double inst_min, inst_max;	/* ms, latency error at single quanta, after warmup */
	size_t n_sec;
	double *err_sec;	/* per second: mean latency error (ms) */
	uint32_t *target_sec;	/* target_ms at the end of each second */
	uint64_t *bad_sec;	/* underruns + late packets so far */
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static double uniform(void)	/* [0, 1) */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 0x2545f4914f6cdd1dull) >> 11) / (double)(1ull << 53);
}

static void sim_init(struct sim *s, uint32_t target_ms, uint64_t end_ns)
{
	memset(s, 0, sizeof(*s));
	rng_state = 0x9e3779b97f4a7c15ull;	/* each test sees the same network */
	s->target_ms = target_ms;
	s->max_ms = 1000;
	s->rate_control = true;
	s->end_ns = end_ns;
	s->warmup_ns = 5 * SEC;
	s->log_slots = true;
}

static struct pkt *add_pkt(struct sim *s, uint32_t ssrc, uint16_t seq, uint32_t ts, uint64_t arrival)
{
	struct pkt *p;

	if ((s->n_pkts & (s->n_pkts - 1)) == 0)	/* grow at powers of two */
		s->pkts = realloc(s->pkts, (s->n_pkts ? 2 * s->n_pkts : 1) * sizeof(*s->pkts));
	p = &s->pkts[s->n_pkts];
	*p = (struct pkt){ .arrival = arrival, .id = (uint32_t)s->n_pkts, .ssrc = ssrc,
		.ts = ts, .samples = FRAME, .seq = seq };
	s->n_pkts++;
	return p;
}

/* n packets, 20 ms apart on a sender clock that runs (1 + drift) times ours,
 * each arriving delay + U(0, jitter) ms after it was sent. Returns the first id. */
static uint32_t send_stream(struct sim *s, uint32_t ssrc, uint16_t seq0, uint32_t ts0, uint32_t n,
		uint64_t start_ns, double drift, double delay_ms, double jitter_ms)
{
	uint32_t first = (uint32_t)s->n_pkts;

	for (uint32_t i = 0; i < n; i++) {
		double sent = start_ns + i * 20e6 / (1 + drift);
		add_pkt(s, ssrc, (uint16_t)(seq0 + i), ts0 + i * FRAME,
			(uint64_t)(sent + (delay_ms + jitter_ms * uniform()) * 1e6));
	}
	return first;
}

static void duplicate(struct sim *s, uint32_t id, double after_ms)
{
	struct pkt o = s->pkts[id];
	struct pkt *p = add_pkt(s, o.ssrc, o.seq, o.ts, o.arrival + (uint64_t)(after_ms * 1e6));
	p->id = o.id;
}

static int cmp_arrival(const void *a, const void *b)
{
	const struct pkt *x = *(const struct pkt *const *)a, *y = *(const struct pkt *const *)b;
	if (x->arrival != y->arrival)
		return x->arrival < y->arrival ? -1 : 1;
	return x < y ? -1 : 1;
}

static void record(struct sim *s, const struct cb_jitter_slot *slot)
{
	struct rec r = { slot->action, slot->timestamp, slot->samples, slot->advance, slot->ssrc,
		UINT32_MAX, slot->new_stream };

	if (slot->payload != NULL)
		memcpy(&r.id, slot->payload, sizeof(r.id));
	if (r.action == CB_JITTER_SILENCE) {
		s->chain = false;
	} else {
		/* no hole: each slot starts where the previous one ended */
		if (s->chain && !r.new_stream && r.ssrc == s->chain_ssrc && r.ts != s->chain_ts)
			s->errors++;
		s->chain = true;
		s->chain_ssrc = r.ssrc;
		s->chain_ts = r.ts + r.advance;
	}
	if (r.action == CB_JITTER_PLAY) {
		/* in order, each once: ids grow along a stream */
		if (s->have_play && r.ssrc == s->play_ssrc && r.id <= s->play_id)
			s->errors++;
		s->have_play = true;
		s->play_ssrc = r.ssrc;
		s->play_id = r.id;
	}
	if (s->log_slots) {
		if ((s->n_log & (s->n_log - 1)) == 0)
			s->log = realloc(s->log, (s->n_log ? 2 * s->n_log : 1) * sizeof(*s->log));
		s->log[s->n_log] = r;
	}
	s->n_log++;
}

static void run(struct sim *s)
{
	struct cb_jitter_buffer_config cfg = { RATE, s->target_ms, s->max_ms };
	struct cb_jitter_buffer *jb;
	struct cb_rate_control rc;
	struct pkt **order = malloc(s->n_pkts * sizeof(*order));
	size_t next = 0, n_quanta = 0, sec = 0;
	double reserve = 0, factor = 1.0, lat_sum = 0, err_sum = 0, depth_sum = 0;

	for (size_t i = 0; i < s->n_pkts; i++)
		order[i] = &s->pkts[i];
	qsort(order, s->n_pkts, sizeof(*order), cmp_arrival);
	s->n_sec = s->end_ns / SEC;
	s->err_sec = calloc(s->n_sec + 1, sizeof(double));
	s->target_sec = calloc(s->n_sec + 1, sizeof(uint32_t));
	s->bad_sec = calloc(s->n_sec + 1, sizeof(uint64_t));
	s->lat_min = s->err_min = s->depth_min = 1e9;
	s->lat_max = s->err_max = s->depth_max = -1e9;
	s->factor_min = s->inst_min = 1e9;
	s->factor_max = s->inst_max = -1e9;

	CHECK_INT_EQ(cb_jitter_buffer_new(&jb, &cfg), 0);
	cb_rate_control_init(&rc, QUANTUM, RATE);

	for (uint64_t k = 0;; k++) {
		uint64_t now = k * QUANTUM * SEC / RATE;
		struct cb_jitter_slot slot;
		double lat, need = QUANTUM * factor;

		if (now >= (sec + 1) * SEC) {
			/* a second is complete */
			struct cb_jitter_stats st;
			cb_jitter_buffer_stats(jb, &st);
			if (n_quanta > 0) {
				double l = lat_sum / n_quanta * 1000 / RATE, d = depth_sum / n_quanta * 1000 / RATE;
				double e = err_sum / n_quanta * 1000 / RATE;
				s->err_sec[sec] = e;
				if (now > s->warmup_ns) {
					s->lat_min = fmin(s->lat_min, l);
					s->lat_max = fmax(s->lat_max, l);
					s->err_min = fmin(s->err_min, e);
					s->err_max = fmax(s->err_max, e);
					s->depth_min = fmin(s->depth_min, d);
					s->depth_max = fmax(s->depth_max, d);
				}
			}
			s->target_sec[sec] = st.target_ms;
			s->bad_sec[sec] = st.underruns + st.late;
			lat_sum = err_sum = depth_sum = 0;
			n_quanta = 0;
			sec++;
		}
		if (now >= s->end_ns)
			break;

		for (; next < s->n_pkts && order[next]->arrival <= now; next++) {
			struct pkt *p = order[next];
			uint8_t payload[8];
			memcpy(payload, &p->id, 4);
			memcpy(payload + 4, &p->ssrc, 4);
			p->slots_before = s->n_log;
			p->res = cb_jitter_buffer_put(jb, p->ssrc, p->seq, p->ts, payload,
					sizeof(payload), p->samples, p->arrival);
		}
		while (reserve < need) {
			cb_jitter_buffer_get_queued(jb, now, (uint32_t)reserve, &slot);
			record(s, &slot);
			reserve += slot.samples;
		}

		if (cb_jitter_buffer_latency(jb, now, (uint32_t)reserve, &lat)) {
			double target = cb_jitter_buffer_target_samples(jb);
			/* the factor stays 1.0 without rate control: the control experiment */
			if (s->rate_control)
				factor = cb_rate_control_update(&rc, lat, target);
			if (now > s->warmup_ns) {
				s->factor_min = fmin(s->factor_min, factor);
				s->factor_max = fmax(s->factor_max, factor);
				s->inst_min = fmin(s->inst_min, (lat - target) * 1000 / RATE);
				s->inst_max = fmax(s->inst_max, (lat - target) * 1000 / RATE);
			}
			lat_sum += lat;
			err_sum += lat - target;
			depth_sum += cb_jitter_buffer_depth_samples(jb);
			n_quanta++;
		}
		reserve -= need;
	}
	cb_jitter_buffer_stats(jb, &s->stats);
	cb_jitter_buffer_free(jb);
	free(order);
}

static void sim_free(struct sim *s)
{
	free(s->pkts);
	free(s->log);
	free(s->err_sec);
	free(s->target_sec);
	free(s->bad_sec);
}

/* Position in the log of the PLAY of packet id, or -1. */
static long play_pos(const struct sim *s, uint32_t id)
{
	for (size_t i = 0; i < s->n_log; i++)
		if (s->log[i].action == CB_JITTER_PLAY && s->log[i].id == id)
			return (long)i;
	return -1;
}

static unsigned count_plays(const struct sim *s, uint32_t id)
{
	unsigned n = 0;
	for (size_t i = 0; i < s->n_log; i++)
		n += s->log[i].action == CB_JITTER_PLAY && s->log[i].id == id;
	return n;
}

/* Slots of this action between the PLAYs of packets first and last. */
static unsigned count_between(const struct sim *s, enum cb_jitter_action action, uint32_t first, uint32_t last)
{
	long a = play_pos(s, first), b = play_pos(s, last);
	unsigned n = 0;
	for (long i = a + 1; a >= 0 && i < b; i++)
		n += s->log[i].action == action;
	return n;
}

/* Every packet in [first, first + n) played exactly once. */
static void check_all_played(const struct sim *s, uint32_t first, uint32_t n)
{
	unsigned bad = 0;
	for (uint32_t id = first; id < first + n; id++)
		bad += count_plays(s, id) != 1;
	CHECK_INT_EQ(bad, 0);
}

static void test_in_order(void)
{
	struct sim s;

	sim_init(&s, 40, 11 * SEC);
	send_stream(&s, 0x1111, 100, 5000, 500, 0, 0, 30, 0);
	run(&s);
	CHECK_INT_EQ(s.errors, 0);
	check_all_played(&s, 0, 500);
	CHECK_INT_EQ(count_between(&s, CB_JITTER_CONCEAL, 0, 499), 0);
	CHECK_INT_EQ(count_between(&s, CB_JITTER_FEC, 0, 499), 0);
	CHECK_INT_EQ(count_between(&s, CB_JITTER_SILENCE, 0, 499), 0);
	CHECK(s.log[play_pos(&s, 0)].new_stream);
	CHECK_INT_EQ(s.stats.received, 500);
	CHECK_INT_EQ(s.stats.lost, 0);
	CHECK_INT_EQ(s.stats.late, 0);
	CHECK_INT_EQ(s.stats.underruns, 0);
	CHECK_INT_EQ(s.stats.target_ms, 40);
	sim_free(&s);
}

static void test_reorder(void)
{
	struct sim s;

	sim_init(&s, 100, 8 * SEC);
	send_stream(&s, 0x2222, 0, 0, 300, 0, 0, 30, 0);
	s.pkts[100].arrival += 25 * MSEC;	/* swapped with 101 */
	s.pkts[200].arrival += 65 * MSEC;	/* after 201, 202 and 203 */
	run(&s);
	CHECK_INT_EQ(s.errors, 0);
	CHECK(s.pkts[100].arrival > s.pkts[101].arrival);
	CHECK(s.pkts[200].arrival > s.pkts[203].arrival);
	CHECK_INT_EQ(s.pkts[100].res, 0);
	CHECK_INT_EQ(s.pkts[200].res, 0);
	check_all_played(&s, 0, 300);
	CHECK(play_pos(&s, 100) < play_pos(&s, 101));
	CHECK(play_pos(&s, 200) < play_pos(&s, 201));
	CHECK_INT_EQ(count_between(&s, CB_JITTER_CONCEAL, 0, 299), 0);
	CHECK_INT_EQ(s.stats.reordered, 2);
	CHECK_INT_EQ(s.stats.lost, 0);
	CHECK_INT_EQ(s.stats.late, 0);
	sim_free(&s);
}

static void test_duplicates(void)
{
	struct sim s;

	sim_init(&s, 40, 5 * SEC);
	send_stream(&s, 0x3333, 0, 0, 200, 0, 0, 30, 0);
	duplicate(&s, 50, 5);		/* still buffered */
	duplicate(&s, 51, 1000);	/* long played */
	duplicate(&s, 52, 0);
	duplicate(&s, 52, 10);
	run(&s);
	CHECK_INT_EQ(s.errors, 0);
	for (size_t i = 200; i < s.n_pkts; i++)
		CHECK_INT_EQ(s.pkts[i].res, -EALREADY);
	CHECK_INT_EQ(s.stats.duplicates, 4);
	CHECK_INT_EQ(s.stats.received, 200);
	check_all_played(&s, 0, 200);
	CHECK_INT_EQ(s.stats.lost, 0);
	sim_free(&s);
}

static void test_burst_loss(void)
{
	struct sim s;
	long p;

	sim_init(&s, 40, 6 * SEC);
	send_stream(&s, 0x4444, 0, 0, 250, 0, 0, 30, 0);
	s.pkts[100].arrival = s.pkts[101].arrival = s.pkts[102].arrival = GONE;
	s.pkts[200].arrival = GONE;
	run(&s);
	CHECK_INT_EQ(s.errors, 0);

	/* With 40 ms buffered, 60 ms lost: the first two slots are concealed
	 * (the buffer is empty by then, or holds only packet 103 whose FEC
	 * covers only the last), the third recovered from 103's FEC. */
	p = play_pos(&s, 99);
	CHECK_INT_EQ(play_pos(&s, 103), p + 4);
	CHECK_INT_EQ(s.log[p + 1].action, CB_JITTER_CONCEAL);
	CHECK_INT_EQ(s.log[p + 2].action, CB_JITTER_CONCEAL);
	CHECK_INT_EQ(s.log[p + 3].action, CB_JITTER_FEC);
	CHECK_INT_EQ(s.log[p + 3].id, 103);
	for (int i = 1; i <= 3; i++) {
		CHECK_INT_EQ(s.log[p + i].samples, FRAME);
		CHECK_INT_EQ(s.log[p + i].advance, FRAME);
		CHECK_INT_EQ(s.log[p + i].ts, (uint32_t)(99 + i) * FRAME);
	}
	/* a single loss with its successor buffered: FEC from the successor */
	p = play_pos(&s, 199);
	CHECK_INT_EQ(play_pos(&s, 201), p + 2);
	CHECK_INT_EQ(s.log[p + 1].action, CB_JITTER_FEC);
	CHECK_INT_EQ(s.log[p + 1].id, 201);
	CHECK_INT_EQ(s.log[p + 1].samples, FRAME);

	CHECK_INT_EQ(count_between(&s, CB_JITTER_CONCEAL, 0, 249), 2);
	CHECK_INT_EQ(s.stats.lost, 4);
	CHECK_INT_EQ(s.stats.fec_recovered, 2);
	CHECK_INT_EQ(s.stats.underruns, 0);
	CHECK_INT_EQ(s.stats.late, 0);
	CHECK_INT_EQ(s.stats.received, 246);
	sim_free(&s);
}

/* One packet held up 200 ms while its successors come through: its slot is
 * recovered from the next packet's FEC, and it is late when it arrives. */
static void test_late_packet_fec(void)
{
	struct sim s;
	long p;

	sim_init(&s, 40, 5 * SEC);
	send_stream(&s, 0x5555, 0, 0, 200, 0, 0, 30, 0);
	s.pkts[100].arrival += 200 * MSEC;
	run(&s);
	CHECK_INT_EQ(s.errors, 0);
	CHECK_INT_EQ(s.pkts[100].res, -ETIME);
	CHECK_INT_EQ(count_plays(&s, 100), 0);
	p = play_pos(&s, 99);
	CHECK_INT_EQ(s.log[p + 1].action, CB_JITTER_FEC);
	CHECK_INT_EQ(s.log[p + 1].id, 101);
	CHECK_INT_EQ(s.stats.late, 1);
	CHECK_INT_EQ(s.stats.lost, 1);
	CHECK_INT_EQ(s.stats.underruns, 0);
	sim_free(&s);
}

/* The network stalls for 80 ms, then delivers what it held all at once: the
 * buffer runs dry and conceals with the timeline held, so the packets it
 * waited for play when they come, late, and none is lost; the target grows
 * to absorb such stalls. */
static void test_late_packet_dry(void)
{
	struct sim s;
	uint64_t t;

	sim_init(&s, 40, 8 * SEC);
	send_stream(&s, 0x6666, 0, 0, 300, 0, 0, 30, 0);
	t = s.pkts[204].arrival;
	for (int i = 200; i < 205; i++)
		s.pkts[i].arrival = t + (i - 200) * 1000;
	run(&s);
	CHECK_INT_EQ(s.errors, 0);
	CHECK_INT_EQ(s.pkts[200].res, 0);
	CHECK_INT_EQ(s.pkts[201].res, 0);
	CHECK_INT_EQ(s.log[play_pos(&s, 199) + 1].action, CB_JITTER_CONCEAL);
	CHECK_INT_EQ(s.log[play_pos(&s, 199) + 1].advance, 0);
	check_all_played(&s, 0, 300);
	CHECK_INT_EQ(s.stats.late, 0);
	CHECK_INT_EQ(s.stats.lost, 0);
	CHECK(s.target_sec[6] > 80);
	sim_free(&s);
}

/* The sender stalls 25 ms, then carries on where its timestamps left off
 * (a graph that skipped cycles): every packet from then on is 25 ms later
 * than before, more than the 20 ms margin. The buffer runs dry once; the
 * packet it waited for must play, and none after it may be late. Dropping
 * it instead left the playout a frame ahead of an intact stream, with
 * every later packet late by the same amount until the rate controller's
 * 0.3% had taken the frame back: here 25 packets in a row, in the voice
 * test's call seconds of nothing but concealment. */
static void test_delay_step(void)
{
	struct sim s;
	long p;

	sim_init(&s, 20, 10 * SEC);
	send_stream(&s, 0x6767, 0, 0, 450, 0, 0, 30, 0);
	for (int i = 200; i < 450; i++)
		s.pkts[i].arrival += 25 * MSEC;
	run(&s);
	printf("delay step of 25 ms on a 20 ms target: late %llu, lost %llu, concealed %u "
		"while the stream ran\n", (unsigned long long)s.stats.late,
		(unsigned long long)s.stats.lost, count_between(&s, CB_JITTER_CONCEAL, 0, 449));
	CHECK_INT_EQ(s.errors, 0);
	check_all_played(&s, 0, 450);
	CHECK_INT_EQ(s.stats.late, 0);
	CHECK_INT_EQ(s.stats.lost, 0);
	CHECK(count_between(&s, CB_JITTER_CONCEAL, 0, 449) <= 2);
	p = play_pos(&s, 200);
	CHECK(p > 0 && s.log[p - 1].action == CB_JITTER_CONCEAL);
	sim_free(&s);
}

static void test_ssrc_change(void)
{
	struct sim s;
	uint32_t b;
	size_t switch_at = SIZE_MAX;
	unsigned old_after = 0, stale = 0;

	sim_init(&s, 40, 13 * SEC);
	send_stream(&s, 0xaaaa, 0, 0, 310, 0, 0, 30, 0);
	b = send_stream(&s, 0xbbbb, 40000, 123456789, 300, 300 * 20 * MSEC + MSEC, 0, 30, 0);
	s.pkts[298].arrival += 50 * MSEC;	/* stragglers of the old stream */
	s.pkts[299].arrival += 50 * MSEC;
	run(&s);
	CHECK_INT_EQ(s.errors, 0);
	CHECK_INT_EQ(s.stats.ssrc_changes, 1);
	switch_at = s.pkts[b].slots_before;
	for (size_t i = switch_at; i < s.n_log; i++)
		old_after += s.log[i].ssrc == 0xaaaa && s.log[i].action != CB_JITTER_SILENCE;
	CHECK_INT_EQ(old_after, 0);
	for (uint32_t i = 0; i < 310; i++)
		if (s.pkts[i].arrival > s.pkts[b].arrival) {
			CHECK_INT_EQ(s.pkts[i].res, -ESTALE);
			stale++;
		}
	CHECK_INT_EQ(stale, 11);	/* 298, 299 and 301..309 */
	CHECK_INT_EQ(s.stats.stale, 11);
	check_all_played(&s, b, 300);
	CHECK(s.log[play_pos(&s, b)].new_stream);
	CHECK_INT_EQ(count_between(&s, CB_JITTER_CONCEAL, b, b + 299), 0);
	check_all_played(&s, 0, 295);
	sim_free(&s);
}

static void test_wraparound(void)
{
	struct sim s;

	sim_init(&s, 100, 8 * SEC);
	/* seq wraps between packets 5 and 6, the timestamp between 4 and 5 */
	send_stream(&s, 0x7777, 65530, 0xfffff000, 300, 0, 0, 30, 0);
	s.pkts[5].arrival += 25 * MSEC;		/* seq 65535 after 0 */
	s.pkts[4].arrival += 50 * MSEC;		/* timestamp 0xffffff00 after 0x000000c0 */
	run(&s);
	CHECK_INT_EQ(s.errors, 0);
	check_all_played(&s, 0, 300);
	CHECK_INT_EQ(count_between(&s, CB_JITTER_CONCEAL, 0, 299), 0);
	CHECK_INT_EQ(s.log[play_pos(&s, 6)].ts, 0xfffff000u + 6 * FRAME);
	CHECK_INT_EQ(s.stats.lost, 0);
	CHECK_INT_EQ(s.stats.late, 0);
	CHECK_INT_EQ(s.stats.reordered, 2);
	sim_free(&s);
}

/* Speech, then DTX (one packet every 400 ms, sequence numbers consecutive,
 * timestamps jumping), then speech again: the gaps are concealed (Opus
 * makes comfort noise from PLC), and none of it is loss. */
static void test_dtx(void)
{
	struct sim s;
	uint32_t ts = 0, n = 0;
	uint64_t t = 0;
	unsigned gap_conceal = 0;

	sim_init(&s, 40, 12 * SEC);
	for (; n < 100; n++, ts += FRAME, t += 20 * MSEC)
		add_pkt(&s, 0x8888, (uint16_t)n, ts, t + 30 * MSEC);
	for (; n < 110; n++, ts += 20 * FRAME, t += 400 * MSEC)
		add_pkt(&s, 0x8888, (uint16_t)n, ts, t + 30 * MSEC);
	for (; n < 300; n++, ts += FRAME, t += 20 * MSEC)
		add_pkt(&s, 0x8888, (uint16_t)n, ts, t + 30 * MSEC);
	run(&s);
	CHECK_INT_EQ(s.errors, 0);
	check_all_played(&s, 0, 300);
	gap_conceal = count_between(&s, CB_JITTER_CONCEAL, 100, 110);
	/* 19 frames in each of the 10 gaps; the first slots of a gap, with
	 * the timeline held, may come in other sizes */
	CHECK(gap_conceal >= 10 * 18 && gap_conceal <= 10 * 20);
	CHECK_INT_EQ(count_between(&s, CB_JITTER_CONCEAL, 0, 100), 0);
	CHECK_INT_EQ(count_between(&s, CB_JITTER_CONCEAL, 110, 299), 0);
	CHECK_INT_EQ(s.stats.lost, 0);
	CHECK_INT_EQ(s.stats.late, 0);
	CHECK_INT_EQ(s.stats.underruns, 0);
	CHECK_INT_EQ(s.stats.target_ms, 40);
	sim_free(&s);
}

/* Same SSRC, but the sender's timeline jumps (it restarted): the buffer
 * resyncs after a few packets instead of dropping the rest of the call. And
 * a 2 s outage: concealment, then rebuffering, then the stream again. */
static void test_resync(void)
{
	struct sim s;
	uint32_t b;

	sim_init(&s, 40, 10 * SEC);
	send_stream(&s, 0xcccc, 100, 1000, 200, 0, 0, 30, 0);
	b = send_stream(&s, 0xcccc, 30000, 2000000000u, 200, 4 * SEC, 0, 30, 0);
	run(&s);
	CHECK_INT_EQ(s.errors, 0);
	CHECK_INT_EQ(s.stats.resyncs, 1);
	CHECK_INT_EQ(s.stats.dropped_overflow, 7);
	check_all_played(&s, 0, 200);
	check_all_played(&s, b + 7, 193);
	CHECK_INT_EQ(s.stats.ssrc_changes, 0);
	sim_free(&s);

	sim_init(&s, 40, 10 * SEC);
	send_stream(&s, 0xdddd, 0, 0, 400, 0, 0, 30, 0);
	for (int i = 150; i < 250; i++)
		s.pkts[i].arrival = GONE;
	run(&s);
	CHECK_INT_EQ(s.errors, 0);
	CHECK_INT_EQ(s.stats.lost, 100);
	CHECK_INT_EQ(s.stats.resyncs, 1);
	CHECK_INT_EQ(s.stats.late, 0);
	check_all_played(&s, 0, 150);
	check_all_played(&s, 250, 150);
	CHECK(count_between(&s, CB_JITTER_SILENCE, 149, 250) > 0);
	CHECK_INT_EQ(count_between(&s, CB_JITTER_CONCEAL, 250, 399), 0);
	sim_free(&s);
}

/* Without rate control, only a DTX gap can take back latency that a jittery
 * spell added once the target comes down: 5 s of jitter, 20 s calm speech,
 * 4 s of DTX, speech again. */
static void test_dtx_shrink(void)
{
	struct sim s;
	uint32_t ts = 0, n = 0;
	uint64_t t = 0;

	sim_init(&s, 20, 36 * SEC);
	s.rate_control = false;
	for (; n < 250; n++, ts += FRAME, t += 20 * MSEC)
		add_pkt(&s, 0x8989, (uint16_t)n, ts, t + (uint64_t)((30 + 40 * uniform()) * 1e6));
	for (; n < 1250; n++, ts += FRAME, t += 20 * MSEC)
		add_pkt(&s, 0x8989, (uint16_t)n, ts, t + 30 * MSEC);
	for (; n < 1260; n++, ts += 20 * FRAME, t += 400 * MSEC)
		add_pkt(&s, 0x8989, (uint16_t)n, ts, t + 30 * MSEC);
	for (; n < 1600; n++, ts += FRAME, t += 20 * MSEC)
		add_pkt(&s, 0x8989, (uint16_t)n, ts, t + 30 * MSEC);
	run(&s);
	printf("dtx shrink: target %u ms at 4 s, %u ms at 24 s; error %+.1f ms before the DTX, "
		"%+.1f ms after; %llu samples skipped\n", s.target_sec[4], s.target_sec[24],
		s.err_sec[24], s.err_sec[32], (unsigned long long)s.stats.skipped_samples);
	CHECK_INT_EQ(s.errors, 0);
	CHECK(s.target_sec[4] >= 30);
	CHECK_INT_EQ(s.target_sec[24], 20);
	CHECK(s.err_sec[24] >= 7);		/* the slack is there... */
	for (int i = 30; i < 36; i++)
		CHECK_NEAR(s.err_sec[i], 0, 5);	/* ...and gone after the DTX */
	CHECK(s.stats.skipped_samples >= 5 * RATE / 1000);
	check_all_played(&s, 250, 1350);
	CHECK_INT_EQ(s.stats.lost, s.stats.late);
	sim_free(&s);
}

/* 10 s of a calm path on a 20 ms target, 60 s of 0..30 ms random extra
 * delay, then 60 s calm again. */
static void test_jitter_adaptation(void)
{
	struct sim s;

	sim_init(&s, 20, 130 * SEC);
	s.log_slots = false;
	send_stream(&s, 0x9999, 0, 0, 500, 0, 0, 30, 0);
	send_stream(&s, 0x9999, 500, 500 * FRAME, 3000, 10 * SEC, 0, 30, 30);
	send_stream(&s, 0x9999, 3500, 3500 * FRAME, 3000, 70 * SEC, 0, 30, 0);
	run(&s);
	CHECK_INT_EQ(s.errors, 0);
	printf("jitter adaptation: target %u ms calm, %u ms 5 s into the jitter, %u ms at its end, "
		"%u ms after 60 s calm; underruns+late: %llu in the first 5 s of jitter, "
		"%llu in the 55 s after\n", s.target_sec[9], s.target_sec[14], s.target_sec[69],
		s.target_sec[129], (unsigned long long)(s.bad_sec[14] - s.bad_sec[9]),
		(unsigned long long)(s.bad_sec[69] - s.bad_sec[14]));
	CHECK_INT_EQ(s.target_sec[9], 20);
	CHECK_INT_EQ(s.bad_sec[9], 0);
	CHECK(s.target_sec[14] >= 30);
	CHECK(s.target_sec[69] >= 30 && s.target_sec[69] <= 45);
	CHECK_INT_EQ(s.bad_sec[69] - s.bad_sec[14], 0);	/* then the buffer held */
	for (int i = 20; i < 70; i++)
		CHECK_NEAR(s.err_sec[i], 0, 5);
	CHECK_NEAR(s.target_sec[129], 20, 5);
	for (int i = 120; i < 130; i++)
		CHECK_NEAR(s.err_sec[i], 0, 5);
	CHECK_INT_EQ(s.stats.lost, s.stats.late);
	CHECK_INT_EQ(s.stats.dropped_overflow, 0);
	sim_free(&s);
}

/* The soak's path: 2% loss and 0..20 ms of jitter against a 40 ms target.
 * The jitter fits the target twice over, so no packet may come too late,
 * and a loss must not make its neighbours late either. */
static void test_loss_with_jitter(void)
{
	struct sim s;
	uint32_t n = 10 * 60 * 50, first;
	unsigned dropped = 0;

	sim_init(&s, 40, 10 * 60 * SEC);
	s.log_slots = false;
	first = send_stream(&s, 0x50a6, 100, 4242, n, 0, 0, 5, 20);
	for (uint32_t i = first; i < first + n; i++)
		if (uniform() < 0.02) {
			s.pkts[i].arrival = GONE;
			dropped++;
		}
	run(&s);
	printf("2%% loss + 20 ms jitter, 40 ms target, 10 min: dropped %u, lost %llu, late %llu, "
	       "underruns %llu, concealed %llu, fec %llu, target %u ms, 1-s mean latency %.1f..%.1f ms\n",
	       dropped, (unsigned long long)s.stats.lost, (unsigned long long)s.stats.late,
	       (unsigned long long)s.stats.underruns, (unsigned long long)s.stats.concealed,
	       (unsigned long long)s.stats.fec_recovered, s.stats.target_ms, s.lat_min, s.lat_max);
	CHECK_INT_EQ(s.errors, 0);
	CHECK_INT_EQ(s.stats.late, 0);
	CHECK_INT_EQ(s.stats.lost, dropped);
	CHECK_INT_EQ(s.stats.target_ms, 40);
	sim_free(&s);
}

/* Returns the largest deviation of a 1-second mean latency from its target
 * after the first 5 s. */
static double drift_run(double drift, uint64_t duration, bool rate_control, bool report)
{
	struct sim s;
	double dev;

	sim_init(&s, 40, duration);
	s.log_slots = false;
	s.rate_control = rate_control;
	send_stream(&s, 0xd1f7, 1000, 77777, (uint32_t)(duration / (20 * MSEC) * 1.002 + 10), 0, drift, 20, 2);
	run(&s);
	dev = fmax(s.err_max, -s.err_min);
	if (report) {
		printf("drift %+.1f%%, %llu s, after the first 5 s: 1-s mean latency %.2f..%.2f ms "
			"for a target of %u ms (margin %u + pull-ahead %u), error %+.2f..%+.2f ms "
			"(%+.2f..%+.2f ms quantum by quantum); 1-s mean depth %.2f..%.2f ms; "
			"factor %.5f..%.5f; underruns %llu, concealed %llu\n", drift * 100,
			(unsigned long long)(duration / SEC), s.lat_min, s.lat_max,
			s.stats.target_ms + s.stats.pull_ahead_ms, s.stats.target_ms, s.stats.pull_ahead_ms,
			s.err_min, s.err_max, s.inst_min, s.inst_max, s.depth_min, s.depth_max,
			s.factor_min, s.factor_max,
			(unsigned long long)s.stats.underruns, (unsigned long long)s.stats.concealed);
		CHECK_INT_EQ(s.errors, 0);
		CHECK_INT_EQ(s.stats.underruns, 0);
		CHECK_INT_EQ(s.stats.late, 0);
		CHECK_INT_EQ(s.stats.lost, 0);
		CHECK_INT_EQ(s.stats.stretched, 0);
		CHECK_INT_EQ(s.stats.dropped_overflow, 0);
		CHECK_INT_EQ(s.stats.target_ms, 40);
	}
	sim_free(&s);
	return dev;
}

static void test_clock_drift(void)
{
	double fast, slow;

	CHECK(drift_run(+0.001, 3600 * SEC, true, true) <= 5);
	CHECK(drift_run(-0.001, 3600 * SEC, true, true) <= 5);
	/* The control experiment: the same runs with the factor held at 1.0
	 * must drift out of the band, or the test above proves nothing. Fast,
	 * the latency grows without bound; slow, it sinks until a frame of
	 * concealment is stretched in, again and again. */
	fast = drift_run(+0.001, 120 * SEC, false, false);
	slow = drift_run(-0.001, 120 * SEC, false, false);
	printf("without rate control, 120 s: latency off target by up to %.1f ms (fast sender), "
		"%.1f ms (slow sender)\n", fast, slow);
	CHECK(fast > 20);
	CHECK(slow > 5);
}

static void test_rate_control_sign(void)
{
	struct cb_rate_control rc;
	double f = 1;

	cb_rate_control_init(&rc, QUANTUM, RATE);
	for (int i = 0; i < 100; i++)
		f = cb_rate_control_update(&rc, 3000, 2000);
	CHECK(f > 1.0);		/* too full: consume faster */
	CHECK(f <= 1.0 + CB_RATE_CONTROL_MAX_DEVIATION);
	cb_rate_control_reset(&rc);
	for (int i = 0; i < 100; i++)
		f = cb_rate_control_update(&rc, 1000, 2000);
	CHECK(f < 1.0);
	CHECK(f >= 1.0 - CB_RATE_CONTROL_MAX_DEVIATION);
	CHECK_NEAR(cb_rate_control_factor(&rc), f, 0);
}

static void test_api_errors(void)
{
	struct cb_jitter_buffer_config bad = { RATE, 40, 20 }, good = { RATE, 40, 1000 };
	struct cb_jitter_buffer *jb;
	uint8_t big[CB_JITTER_MAX_PAYLOAD + 1] = { 0 };
	struct cb_jitter_slot slot;

	CHECK_INT_EQ(cb_jitter_buffer_new(&jb, &bad), -EINVAL);
	CHECK(jb == NULL);
	CHECK_INT_EQ(cb_jitter_buffer_new(&jb, &good), 0);
	CHECK_INT_EQ(cb_jitter_buffer_put(jb, 1, 0, 0, big, sizeof(big), FRAME, 0), -EINVAL);
	CHECK_INT_EQ(cb_jitter_buffer_put(jb, 1, 0, 0, big, 10, 0, 0), -EINVAL);
	cb_jitter_buffer_get(jb, 0, &slot);
	CHECK_INT_EQ(slot.action, CB_JITTER_SILENCE);
	CHECK_INT_EQ(slot.samples, FRAME);
	CHECK_INT_EQ(slot.advance, 0);
	CHECK_INT_EQ(cb_jitter_buffer_put(jb, 1, 0, 0, big, 10, FRAME, 0), 0);
	CHECK_INT_EQ(cb_jitter_buffer_put(jb, 1, 100, 100 * FRAME * 60, big, 10, FRAME, 0), -ENOSPC);
	CHECK_INT_EQ(cb_jitter_buffer_depth_samples(jb), FRAME);
	cb_jitter_buffer_reset(jb);
	CHECK_INT_EQ(cb_jitter_buffer_depth_samples(jb), 0);
	cb_jitter_buffer_free(jb);
}

int main(void)
{
	test_api_errors();
	test_rate_control_sign();
	test_in_order();
	test_reorder();
	test_duplicates();
	test_burst_loss();
	test_late_packet_fec();
	test_late_packet_dry();
	test_delay_step();
	test_ssrc_change();
	test_wraparound();
	test_dtx();
	test_dtx_shrink();
	test_resync();
	test_jitter_adaptation();
	test_clock_drift();
	test_loss_with_jitter();
	return test_finish("test-jitter-buffer");
}
