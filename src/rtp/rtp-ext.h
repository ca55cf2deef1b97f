/* RTP header extensions in the one-byte form (RFC 8285 section 4.2) and the
 * client-to-mixer audio level element they carry (RFC 6464).
 *
 * The extension sits in the RTP header, which SRTP authenticates but does
 * not encrypt (RFC 3711), so a mixer -- or a test -- can read levels without
 * the key. */
#ifndef CALLBRIDGE_RTP_EXT_H
#define CALLBRIDGE_RTP_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CB_RTP_EXT_ONE_BYTE_PROFILE 0xBEDE
/* One-byte elements: ID 1..14, 1..16 data bytes; 15 is reserved. */
#define CB_RTP_EXT_MAX_ID 14
#define CB_RTP_EXT_MAX_LEN 16

/* The extmap ID callbridge announces for ssrc-audio-level and expects from
 * a callbridge peer (the receive side has no SDP of the peer to read). */
#define CB_AUDIO_LEVEL_EXT_ID 1
#define CB_AUDIO_LEVEL_SILENT 127	/* -127 dBov and below */

struct cb_rtp_ext_element {
	uint8_t id;		/* 1..14 */
	uint8_t len;		/* 1..16 */
	const uint8_t *data;
};

/* Appends a one-byte-header extension block holding `elements` to an RTP
 * packet whose fixed header (and CSRCs) end at header_len, and sets the X
 * bit.  The block is zero-padded to a 32-bit boundary.  Returns the new
 * header length, or 0 when an element is invalid or cap is too small. */
size_t cb_rtp_ext_append(uint8_t *buf, size_t header_len, size_t cap,
			 const struct cb_rtp_ext_element *elements, uint32_t n_elements);

/* Finds element `id` in the extension data of a parsed packet (the bytes
 * after the 4-byte extension header, see struct cb_rtp_packet).  Returns its
 * length and sets *data, 0 when absent, or -EINVAL when the profile is not
 * one-byte or the block is malformed. */
int cb_rtp_ext_find(uint16_t profile, const uint8_t *ext, size_t ext_len, uint8_t id,
		    const uint8_t **data);

/* RFC 6464: bit 7 is voice activity, bits 0..6 the level in -dBov. */
static inline uint8_t cb_audio_level_pack(uint8_t level, bool voice)
{
	return (uint8_t)((voice ? 0x80 : 0) | (level > 127 ? 127 : level));
}

static inline void cb_audio_level_unpack(uint8_t byte, uint8_t *level, bool *voice)
{
	*level = byte & 0x7f;
	*voice = byte & 0x80;
}

#endif
