#include <math.h>
#include <string.h>

#include "rtp/rtp-source.h"

#define RTP_SEQ_MOD (1u << 16)
#define MAX_DROPOUT 3000
#define MAX_MISORDER 100

void cb_rtp_source_init(struct cb_rtp_source *s, uint32_t ssrc, uint32_t clock_rate)
{
	memset(s, 0, sizeof(*s));
	s->ssrc = ssrc;
	s->clock_rate = clock_rate;
}

/* A reordered packet older than the first one seen, while the whole range
 * is still within the misorder window (so it is a packet from the start of
 * the stream, not one from 64 k packets ago). */
static bool reaches_before_base(const struct cb_rtp_source *s, uint16_t seq)
{
	uint16_t before = (uint16_t)((uint16_t)s->base_seq - seq);
	uint32_t range = cb_rtp_source_extended_max(s) - s->base_seq;

	return before > 0 && before <= MAX_MISORDER && range + before <= MAX_MISORDER;
}

void cb_rtp_source_update(struct cb_rtp_source *s, uint16_t seq, uint32_t timestamp,
			  uint64_t arrival_ns)
{
	uint16_t delta;
	int64_t arrival, transit, d;

	if (!s->started) {
		s->started = true;
		s->max_seq = seq;
		s->base_seq = seq;
		s->cycles = 0;
	} else {
		delta = (uint16_t)(seq - s->max_seq);
		if (delta < MAX_DROPOUT) {
			if (seq < s->max_seq)
				s->cycles += RTP_SEQ_MOD;
			s->max_seq = seq;
		} else if (delta <= RTP_SEQ_MOD - MAX_MISORDER) {
			/* A jump far ahead: the sender restarted. Start over
			 * rather than count thousands of phantom losses. */
			s->base_seq = seq;
			s->max_seq = seq;
			s->cycles = 0;
			s->received = 0;
			s->expected_prior = 0;
			s->received_prior = 0;
		} else if (reaches_before_base(s, seq)) {
			/* The first packets overtook one another (jitter
			 * reorders them): the first to arrive was not the
			 * first sent. Move the start back to it, or RFC 3550's
			 * count (expected - received) is one short for every
			 * packet that came in behind the first. */
			if (seq > s->base_seq)
				s->cycles += RTP_SEQ_MOD;	/* it lies before a wrap */
			s->base_seq = seq;
		}
		/* else: a duplicate or reordered packet from the recent past */
	}
	s->received++;

	/* A.8: jitter from the change in transit time, in timestamp units. */
	arrival = (int64_t)(arrival_ns * s->clock_rate / 1000000000ull);
	transit = arrival - (int64_t)timestamp;
	if (s->have_transit) {
		d = transit - s->transit;
		/* timestamps wrap at 2^32: fold the difference back */
		d = (int64_t)(int32_t)(uint32_t)d;
		s->jitter += (fabs((double)d) - s->jitter) / 16.0;
	}
	s->transit = transit;
	s->have_transit = true;
}

void cb_rtp_source_sender_report(struct cb_rtp_source *s, uint64_t ntp_time, uint64_t arrival_ns)
{
	s->last_sr = cb_ntp_middle32(ntp_time);
	s->last_sr_arrival_ns = arrival_ns;
}

uint32_t cb_rtp_source_extended_max(const struct cb_rtp_source *s)
{
	return s->cycles + s->max_seq;
}

int64_t cb_rtp_source_lost(const struct cb_rtp_source *s)
{
	int64_t expected = (int64_t)cb_rtp_source_extended_max(s) - s->base_seq + 1;
	return s->started ? expected - (int64_t)s->received : 0;
}

void cb_rtp_source_report(struct cb_rtp_source *s, uint64_t now_ns,
			  struct cb_rtcp_report_block *block)
{
	uint64_t expected = (uint64_t)cb_rtp_source_extended_max(s) - s->base_seq + 1;
	int64_t expected_interval = (int64_t)(expected - s->expected_prior);
	int64_t received_interval = (int64_t)(s->received - s->received_prior);
	int64_t lost_interval = expected_interval - received_interval;

	memset(block, 0, sizeof(*block));
	block->ssrc = s->ssrc;
	block->cumulative_lost = (int32_t)cb_rtp_source_lost(s);
	block->highest_seq = cb_rtp_source_extended_max(s);
	block->jitter = (uint32_t)s->jitter;
	if (expected_interval > 0 && lost_interval > 0)
		block->fraction_lost = (uint8_t)((lost_interval << 8) / expected_interval);
	if (s->last_sr_arrival_ns) {
		block->last_sr = s->last_sr;
		block->delay_since_last_sr = (uint32_t)((now_ns - s->last_sr_arrival_ns) * 65536 /
							1000000000ull);
	}
	s->expected_prior = expected;
	s->received_prior = s->received;
}

int64_t cb_rtcp_round_trip_us(const struct cb_rtcp_report_block *block, uint64_t arrival_ntp)
{
	uint32_t a = cb_ntp_middle32(arrival_ntp), rtt;

	if (block->last_sr == 0)
		return -1;
	rtt = a - block->last_sr - block->delay_since_last_sr;	/* 1/65536 s */
	if (rtt > 0x7fffffff)
		return -1;	/* clocks disagree: report nothing rather than nonsense */
	return (int64_t)rtt * 1000000 / 65536;
}
