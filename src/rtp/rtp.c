#include <errno.h>
#include <string.h>

#include "util/byte-order.h"
#include "rtp/rtp.h"

size_t cb_rtp_write_header(uint8_t *buf, size_t cap, const struct cb_rtp_header *h)
{
	if (cap < CB_RTP_HEADER_SIZE)
		return 0;
	buf[0] = CB_RTP_VERSION << 6;
	buf[1] = (h->marker ? 0x80 : 0) | (h->payload_type & 0x7f);
	cb_put_be16(buf + 2, h->sequence);
	cb_put_be32(buf + 4, h->timestamp);
	cb_put_be32(buf + 8, h->ssrc);
	return CB_RTP_HEADER_SIZE;
}

int cb_rtp_parse(const uint8_t *buf, size_t len, struct cb_rtp_packet *pkt)
{
	size_t offset, padding = 0;

	memset(pkt, 0, sizeof(*pkt));
	if (len < CB_RTP_HEADER_SIZE || (buf[0] >> 6) != CB_RTP_VERSION)
		return -EINVAL;

	pkt->header.marker = buf[1] & 0x80;
	pkt->header.payload_type = buf[1] & 0x7f;
	pkt->header.sequence = cb_get_be16(buf + 2);
	pkt->header.timestamp = cb_get_be32(buf + 4);
	pkt->header.ssrc = cb_get_be32(buf + 8);
	pkt->csrc_count = buf[0] & 0x0f;

	offset = CB_RTP_HEADER_SIZE + 4u * pkt->csrc_count;
	if (offset > len)
		return -EINVAL;

	if (buf[0] & 0x10) {
		size_t words;
		if (offset + 4 > len)
			return -EINVAL;
		pkt->has_extension = true;
		pkt->extension_profile = cb_get_be16(buf + offset);
		words = cb_get_be16(buf + offset + 2);
		offset += 4;
		if (offset + 4 * words > len)
			return -EINVAL;
		pkt->extension = buf + offset;
		pkt->extension_len = 4 * words;
		offset += 4 * words;
	}

	if (buf[0] & 0x20) {
		/* The last octet counts the padding, itself included. */
		if (len == offset)
			return -EINVAL;
		padding = buf[len - 1];
		if (padding == 0 || padding > len - offset)
			return -EINVAL;
	}

	pkt->payload = buf + offset;
	pkt->payload_len = len - offset - padding;
	return 0;
}

bool cb_rtp_is_rtcp(const uint8_t *buf, size_t len)
{
	return len >= 2 && buf[1] >= 192 && buf[1] <= 223;
}
