/* RFC 2198 redundant audio (RED): one RTP payload carrying the current
 * frame (the primary) and copies of earlier ones, so a receiver rebuilds a
 * lost packet's frame from a later packet.  WebRTC negotiates it as
 * "red/48000/2" with "a=fmtp:<red> <opus>/<opus>", every block Opus.
 *
 * Layout (RFC 2198 section 3): a 4-byte header per redundant block
 *   F=1 | block PT (7) | timestamp offset (14) | block length (10)
 * then a 1-byte header for the primary (F=0 | PT), then the blocks' data
 * in the same order, the primary's last, its length what is left. */
#ifndef CALLBRIDGE_RTP_RED_H
#define CALLBRIDGE_RTP_RED_H

#include <stddef.h>
#include <stdint.h>

/* The payload type callbridge uses for RED unless the session's SDP says
 * otherwise: the one Chrome offers, so answers need no remapping. */
#define CB_RED_PAYLOAD_TYPE 63
/* The 14-bit timestamp offset and the 10-bit block length. */
#define CB_RED_MAX_OFFSET 0x3fffu
#define CB_RED_MAX_LENGTH 0x3ffu
/* Blocks in one packet, primary included, that a receiver takes: WebRTC
 * sends up to 3; more is malformed (and a cheap way to make a receiver
 * work, so it is refused). */
#define CB_RED_MAX_BLOCKS 8
/* Most redundant frames a sender carries ([stream] redundancy). */
#define CB_RED_MAX_REDUNDANCY 2

struct cb_red_block {
	uint8_t payload_type;
	uint32_t offset;	/* samples before the packet's timestamp; 0 for the primary */
	const uint8_t *data;
	size_t len;
};

/* Redundant blocks' headers, data and the primary: how many bytes the
 * RED payload takes. */
size_t cb_red_size(const struct cb_red_block *redundant, uint32_t n, size_t primary_len);

/* Writes the RED payload: the redundant blocks oldest (largest offset)
 * first, as given, then the primary.  Every block must be within the
 * limits (cb_red_block_fits).  Returns its size, or -ENOSPC, -EINVAL. */
int cb_red_write(uint8_t *buf, size_t cap, const struct cb_red_block *redundant, uint32_t n,
		 uint8_t primary_pt, const uint8_t *primary, size_t primary_len);

static inline int cb_red_block_fits(uint32_t offset, size_t len)
{
	return offset > 0 && offset <= CB_RED_MAX_OFFSET && len > 0 && len <= CB_RED_MAX_LENGTH;
}

/* Splits a RED payload into its blocks, the primary last (offset 0).
 * Returns how many, or -EINVAL when malformed: lengths beyond the payload,
 * an empty primary, more than `max` blocks (at most CB_RED_MAX_BLOCKS), or
 * a block whose payload type is red_pt itself (RED in RED). */
int cb_red_parse(const uint8_t *payload, size_t len, uint8_t red_pt,
		 struct cb_red_block *blocks, uint32_t max);

#endif
