/* RTP fixed header (RFC 3550 section 5.1) packing and parsing. */
#ifndef CALLBRIDGE_RTP_H
#define CALLBRIDGE_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CB_RTP_HEADER_SIZE 12
#define CB_RTP_VERSION 2

struct cb_rtp_header {
	uint8_t payload_type;
	bool marker;
	uint16_t sequence;
	uint32_t timestamp;
	uint32_t ssrc;
};

/* A parsed packet: header fields plus where the payload sits in the buffer.
 * CSRCs and the header extension are skipped but their bounds are checked,
 * and padding is removed from payload_len. */
struct cb_rtp_packet {
	struct cb_rtp_header header;
	uint8_t csrc_count;
	bool has_extension;
	uint16_t extension_profile;
	const uint8_t *extension;	/* extension data, after its 4-byte header */
	size_t extension_len;
	const uint8_t *payload;
	size_t payload_len;
};

/* Writes the 12-byte header; returns its size, or 0 when cap is too small. */
size_t cb_rtp_write_header(uint8_t *buf, size_t cap, const struct cb_rtp_header *h);

/* Returns 0, or -EINVAL for anything that is not a well-formed RTP packet. */
int cb_rtp_parse(const uint8_t *buf, size_t len, struct cb_rtp_packet *pkt);

/* RFC 5761 demultiplexing: RTCP packet types 192..223 sit where RTP's
 * marker+payload type byte would be 64..95, a range RTP must not use. */
bool cb_rtp_is_rtcp(const uint8_t *buf, size_t len);

/* Serial-number arithmetic for 16-bit sequence numbers (RFC 1982). */
static inline int16_t cb_rtp_seq_diff(uint16_t a, uint16_t b)
{
	return (int16_t)(uint16_t)(a - b);
}

#endif
