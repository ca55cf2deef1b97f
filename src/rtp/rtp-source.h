/* What a receiver knows about one sender (RFC 3550 appendix A.1, A.3, A.8):
 * the extended highest sequence number, packets expected and received, the
 * interarrival jitter, and the last sender report, which together make the
 * report block of an RR. */
#ifndef CALLBRIDGE_RTP_SOURCE_H
#define CALLBRIDGE_RTP_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "rtp/rtcp.h"

struct cb_rtp_source {
	uint32_t ssrc;
	bool started;
	uint16_t max_seq;
	uint32_t cycles;		/* shifted count of sequence wraps */
	uint32_t base_seq;
	uint64_t received;
	uint64_t expected_prior;
	uint64_t received_prior;

	uint32_t clock_rate;
	bool have_transit;
	int64_t transit;
	double jitter;			/* timestamp units */

	uint32_t last_sr;		/* middle 32 bits of the last SR's NTP time */
	uint64_t last_sr_arrival_ns;
};

void cb_rtp_source_init(struct cb_rtp_source *s, uint32_t ssrc, uint32_t clock_rate);

/* Counts a packet that passed authentication and parsing. */
void cb_rtp_source_update(struct cb_rtp_source *s, uint16_t seq, uint32_t timestamp,
			  uint64_t arrival_ns);

void cb_rtp_source_sender_report(struct cb_rtp_source *s, uint64_t ntp_time, uint64_t arrival_ns);

/* Fills an RR report block and starts the next reporting interval. */
void cb_rtp_source_report(struct cb_rtp_source *s, uint64_t now_ns,
			  struct cb_rtcp_report_block *block);

int64_t cb_rtp_source_lost(const struct cb_rtp_source *s);
uint32_t cb_rtp_source_extended_max(const struct cb_rtp_source *s);

/* Round trip from a report block about our own stream (RFC 3550 6.4.1):
 * arrival - LSR - DLSR, in microseconds; -1 when the block has no LSR. */
int64_t cb_rtcp_round_trip_us(const struct cb_rtcp_report_block *block, uint64_t arrival_ntp);

#endif
