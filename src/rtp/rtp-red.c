#include <errno.h>
#include <string.h>

#include "rtp/rtp-red.h"

#define F_BIT 0x80u

size_t cb_red_size(const struct cb_red_block *redundant, uint32_t n, size_t primary_len)
{
	size_t size = 4u * n + 1 + primary_len;

	for (uint32_t i = 0; i < n; i++)
		size += redundant[i].len;
	return size;
}

int cb_red_write(uint8_t *buf, size_t cap, const struct cb_red_block *redundant, uint32_t n,
		 uint8_t primary_pt, const uint8_t *primary, size_t primary_len)
{
	size_t pos;

	if (n + 1 > CB_RED_MAX_BLOCKS || primary_len == 0 || primary_pt > 127)
		return -EINVAL;
	if (cb_red_size(redundant, n, primary_len) > cap)
		return -ENOSPC;
	for (uint32_t i = 0; i < n; i++) {
		const struct cb_red_block *b = &redundant[i];
		uint8_t *h = buf + 4u * i;

		if (!cb_red_block_fits(b->offset, b->len) || b->payload_type > 127)
			return -EINVAL;
		/* F | PT, then 14 bits of offset and 10 of length across
		 * the next three octets. */
		h[0] = (uint8_t)(F_BIT | b->payload_type);
		h[1] = (uint8_t)(b->offset >> 6);
		h[2] = (uint8_t)((b->offset & 0x3f) << 2 | (uint32_t)(b->len >> 8));
		h[3] = (uint8_t)(b->len & 0xff);
	}
	buf[4u * n] = primary_pt;
	pos = 4u * n + 1;
	for (uint32_t i = 0; i < n; i++) {
		/* memmove: the caller may pack in place over its own buffer */
		memmove(buf + pos, redundant[i].data, redundant[i].len);
		pos += redundant[i].len;
	}
	memmove(buf + pos, primary, primary_len);
	return (int)(pos + primary_len);
}

int cb_red_parse(const uint8_t *payload, size_t len, uint8_t red_pt,
		 struct cb_red_block *blocks, uint32_t max)
{
	size_t pos = 0, data;
	uint32_t n = 0;

	if (max > CB_RED_MAX_BLOCKS)
		max = CB_RED_MAX_BLOCKS;
	/* The headers: every one but the last has F set and is 4 octets. */
	for (;;) {
		if (pos >= len || n >= max)
			return -EINVAL;
		if (!(payload[pos] & F_BIT))
			break;
		if (pos + 4 > len)
			return -EINVAL;
		blocks[n] = (struct cb_red_block) {
			.payload_type = payload[pos] & 0x7f,
			.offset = (uint32_t)payload[pos + 1] << 6 | payload[pos + 2] >> 2,
			.len = (size_t)(payload[pos + 2] & 0x03) << 8 | payload[pos + 3],
		};
		pos += 4;
		n++;
	}
	blocks[n] = (struct cb_red_block) { .payload_type = payload[pos] & 0x7f };
	pos++;
	n++;
	/* The data, in header order; the primary takes what is left. */
	data = pos;
	for (uint32_t i = 0; i + 1 < n; i++) {
		if (blocks[i].len > len - data)
			return -EINVAL;
		blocks[i].data = payload + data;
		data += blocks[i].len;
	}
	if (data >= len)
		return -EINVAL;
	blocks[n - 1].data = payload + data;
	blocks[n - 1].len = len - data;
	for (uint32_t i = 0; i < n; i++)
		if (blocks[i].payload_type == red_pt)
			return -EINVAL;
	return (int)n;
}
