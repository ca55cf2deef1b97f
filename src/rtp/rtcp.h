/* RTCP (RFC 3550 section 6) compound packets: the sender report, receiver
 * report, SDES (CNAME, and the MID of RFC 8843 section 15 naming the
 * stream) and BYE this bridge sends, and a strict parser for what a peer
 * sends back.  Writers append to a cb_rtcp_writer so a compound packet is
 * built in one buffer; a writer that ran out of room is marked failed. */
#ifndef CALLBRIDGE_RTCP_H
#define CALLBRIDGE_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CB_RTCP_SR   200
#define CB_RTCP_RR   201
#define CB_RTCP_SDES 202
#define CB_RTCP_BYE  203
#define CB_RTCP_APP  204

#define CB_RTCP_MAX_REPORTS 31

/* SDES item types (RFC 3550 6.5, IANA "RTP SDES item types"). */
#define CB_SDES_END   0
#define CB_SDES_CNAME 1
#define CB_SDES_MID   15	/* RFC 8843: the a=mid of the stream's media section */

struct cb_rtcp_report_block {
	uint32_t ssrc;
	uint8_t fraction_lost;		/* 1/256 units, since the last report */
	int32_t cumulative_lost;	/* 24-bit signed on the wire */
	uint32_t highest_seq;		/* extended */
	uint32_t jitter;		/* timestamp units */
	uint32_t last_sr;		/* middle 32 bits of the SR's NTP time */
	uint32_t delay_since_last_sr;	/* 1/65536 s */
};

struct cb_rtcp_sender_info {
	uint64_t ntp_time;		/* 32.32 fixed point */
	uint32_t rtp_timestamp;
	uint32_t packet_count;
	uint32_t octet_count;
};

struct cb_rtcp_writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool failed;
};

void cb_rtcp_writer_init(struct cb_rtcp_writer *w, uint8_t *buf, size_t cap);
void cb_rtcp_write_sr(struct cb_rtcp_writer *w, uint32_t ssrc,
		      const struct cb_rtcp_sender_info *info,
		      const struct cb_rtcp_report_block *blocks, uint32_t n_blocks);
void cb_rtcp_write_rr(struct cb_rtcp_writer *w, uint32_t ssrc,
		      const struct cb_rtcp_report_block *blocks, uint32_t n_blocks);
void cb_rtcp_write_sdes_cname(struct cb_rtcp_writer *w, uint32_t ssrc, const char *cname);
/* One chunk: CNAME, then MID when mid is not NULL or empty. */
void cb_rtcp_write_sdes(struct cb_rtcp_writer *w, uint32_t ssrc, const char *cname,
			const char *mid);
void cb_rtcp_write_bye(struct cb_rtcp_writer *w, const uint32_t *ssrcs, uint32_t n_ssrcs,
		       const char *reason);

/* Walks a compound packet; the callback sees each sub-packet that parsed.
 * SDES is read strictly (RFC 3550 6.5): exactly SC chunks, each an SSRC,
 * items that fit, an END octet and zeros to the next 32-bit boundary, and
 * nothing after the last chunk but the sub-packet's padding.
 * Returns the number of sub-packets, or -EINVAL at the first that lies about
 * its length or is otherwise malformed (the callbacks for earlier ones have
 * already run: the caller counts the packet as malformed either way). */
struct cb_rtcp_events {
	void (*sender_report)(void *data, uint32_t ssrc, const struct cb_rtcp_sender_info *info);
	void (*report_block)(void *data, uint32_t reporter_ssrc, const struct cb_rtcp_report_block *block);
	void (*bye)(void *data, uint32_t ssrc);
	/* Every SDES item of every chunk, CNAME and MID included; text is
	 * not NUL-terminated and may hold any byte. */
	void (*sdes_item)(void *data, uint32_t ssrc, uint8_t type, const uint8_t *text,
			  uint8_t len);
};
int cb_rtcp_parse(const uint8_t *buf, size_t len, const struct cb_rtcp_events *events, void *data);

/* Middle 32 bits of an NTP timestamp, as carried in LSR. */
static inline uint32_t cb_ntp_middle32(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}

#endif
