/* The RFC 8285 one-byte header-extension parser, two ways:
 *  - the input (after a selector byte) as the extension data of a packet:
 *    every ID is looked up and what is found must lie inside the block;
 *  - the input as a list of elements (a one-byte element header, then its
 *    data) written with cb_rtp_ext_append into a packet that cb_rtp_parse
 *    reads back: every ID's first element must come back unchanged.
 * The selector byte picks the profile, so non-one-byte profiles are seen. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/rtp-ext.h"
#include "rtp/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ELEMENTS 20

static void find_all(uint16_t profile, const uint8_t *ext, size_t len)
{
	volatile uint8_t sink = 0;

	for (uint8_t id = 0; id < 16; id++) {
		const uint8_t *found = NULL;
		int n = cb_rtp_ext_find(profile, ext, len, id, &found);
		if (n <= 0)
			continue;
		if (n > CB_RTP_EXT_MAX_LEN || found < ext || found + n > ext + len)
			abort();
		for (int i = 0; i < n; i++)
			sink ^= found[i];
	}
	(void)sink;
}

static void round_trip(const uint8_t *data, size_t size)
{
	struct cb_rtp_ext_element elements[MAX_ELEMENTS];
	struct cb_rtp_header h = { .payload_type = 111, .sequence = 1, .ssrc = 0x11111111 };
	uint8_t pkt[12 + 4 + MAX_ELEMENTS * 17 + 3 + 4];
	struct cb_rtp_packet parsed;
	uint32_t n = 0;
	size_t pos = 0, header_len;

	while (n < MAX_ELEMENTS && pos < size) {
		uint8_t b = data[pos++];
		size_t len = (size_t)(b & 0x0f) + 1;
		if (len > size - pos)
			break;
		elements[n++] = (struct cb_rtp_ext_element){ .id = b >> 4, .len = (uint8_t)len,
							     .data = data + pos };
		pos += len;
	}
	if (cb_rtp_write_header(pkt, sizeof(pkt), &h) != 12)
		abort();
	header_len = cb_rtp_ext_append(pkt, 12, sizeof(pkt) - 4, elements, n);
	if (header_len == 0) {
		for (uint32_t i = 0; i < n; i++)
			if (elements[i].id < 1 || elements[i].id > CB_RTP_EXT_MAX_ID)
				return;
		abort();	/* all valid and the buffer is big enough */
	}
	memset(pkt + header_len, 0x5a, 4);	/* a payload */
	if (cb_rtp_parse(pkt, header_len + 4, &parsed) < 0 || !parsed.has_extension ||
	    parsed.payload_len != 4)
		abort();
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *found = NULL;
		bool first = true;
		for (uint32_t j = 0; j < i; j++)
			first = first && elements[j].id != elements[i].id;
		if (!first)
			continue;
		if (cb_rtp_ext_find(parsed.extension_profile, parsed.extension,
				    parsed.extension_len, elements[i].id, &found) != elements[i].len ||
		    memcmp(found, elements[i].data, elements[i].len) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t profile;

	if (size < 1)
		return 0;
	/* Mostly the one-byte profile; sometimes another (two-byte 0x100x). */
	profile = data[0] < 0xf0 ? CB_RTP_EXT_ONE_BYTE_PROFILE : (uint16_t)(0x1000 | data[0]);
	find_all(profile, data + 1, size - 1);
	round_trip(data + 1, size - 1);
	return 0;
}
