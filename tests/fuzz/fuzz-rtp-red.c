/* The RFC 2198 (RED) payload parser on arbitrary bytes: every block it
 * reports lies inside the payload, in order, the primary last and taking
 * the rest; and what parses and fits the writer's limits writes back to
 * the same bytes. The first byte picks the RED payload type and the block
 * limit, the rest is the payload. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/rtp-red.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_red_block blocks[CB_RED_MAX_BLOCKS];
	static uint8_t out[4 * CB_RED_MAX_BLOCKS + 65536];
	const uint8_t *payload, *end;
	volatile uint8_t sink = 0;
	uint8_t red_pt;
	uint32_t max;
	bool writable = true;
	int n, w;

	if (size < 1)
		return 0;
	red_pt = data[0] & 0x7f;
	max = 1 + (data[0] >> 7) * (CB_RED_MAX_BLOCKS + 4);	/* 1, or more than allowed */
	payload = data + 1;
	size--;
	end = payload + size;
	n = cb_red_parse(payload, size, red_pt, blocks, max);
	if (n < 0)
		return 0;
	if (n < 1 || n > CB_RED_MAX_BLOCKS || (uint32_t)n > max)
		abort();
	for (int i = 0; i < n; i++) {
		const struct cb_red_block *b = &blocks[i];
		if (b->data < payload || b->data > end || b->len > (size_t)(end - b->data) ||
		    b->payload_type > 127 || b->payload_type == red_pt)
			abort();
		if (i > 0 && b->data != blocks[i - 1].data + blocks[i - 1].len)
			abort();	/* the data follows the headers' order */
		for (size_t k = 0; k < b->len; k++)
			sink ^= b->data[k];
		if (i + 1 < n && !cb_red_block_fits(b->offset, b->len))
			writable = false;
	}
	(void)sink;
	if (blocks[n - 1].offset != 0 || blocks[n - 1].len == 0 ||
	    blocks[n - 1].data + blocks[n - 1].len != end)
		abort();
	if (!writable)
		return 0;
	w = cb_red_write(out, sizeof(out), blocks, (uint32_t)n - 1, blocks[n - 1].payload_type,
			 blocks[n - 1].data, blocks[n - 1].len);
	if (w < 0 || (size_t)w != size || memcmp(out, payload, size) != 0)
		abort();
	return 0;
}
