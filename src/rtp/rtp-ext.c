#include <errno.h>
#include <string.h>

#include "rtp/rtp-ext.h"

size_t cb_rtp_ext_append(uint8_t *buf, size_t header_len, size_t cap,
			 const struct cb_rtp_ext_element *elements, uint32_t n_elements)
{
	size_t body = 0, padded, offset;

	for (uint32_t i = 0; i < n_elements; i++) {
		const struct cb_rtp_ext_element *e = &elements[i];
		if (e->id < 1 || e->id > CB_RTP_EXT_MAX_ID ||
		    e->len < 1 || e->len > CB_RTP_EXT_MAX_LEN)
			return 0;
		body += 1 + e->len;
	}
	padded = (body + 3) & ~(size_t)3;
	if (header_len < 12 || header_len + 4 + padded > cap || padded / 4 > 0xffff)
		return 0;

	buf[0] |= 0x10;
	buf[header_len] = CB_RTP_EXT_ONE_BYTE_PROFILE >> 8;
	buf[header_len + 1] = CB_RTP_EXT_ONE_BYTE_PROFILE & 0xff;
	buf[header_len + 2] = (uint8_t)((padded / 4) >> 8);
	buf[header_len + 3] = (uint8_t)(padded / 4);
	offset = header_len + 4;
	for (uint32_t i = 0; i < n_elements; i++) {
		const struct cb_rtp_ext_element *e = &elements[i];
		/* The length field stores len - 1: a zero-length element
		 * cannot be expressed in this form. */
		buf[offset++] = (uint8_t)(e->id << 4 | (e->len - 1));
		memcpy(buf + offset, e->data, e->len);
		offset += e->len;
	}
	memset(buf + offset, 0, padded - body);
	return header_len + 4 + padded;
}

int cb_rtp_ext_find(uint16_t profile, const uint8_t *ext, size_t ext_len, uint8_t id,
		    const uint8_t **data)
{
	size_t offset = 0;

	if (profile != CB_RTP_EXT_ONE_BYTE_PROFILE)
		return -EINVAL;
	while (offset < ext_len) {
		uint8_t elem_id = ext[offset] >> 4;
		size_t len = (size_t)(ext[offset] & 0x0f) + 1;

		if (ext[offset] == 0) {		/* padding between elements */
			offset++;
			continue;
		}
		/* ID 15 ends the block: nothing after it may be read. */
		if (elem_id == 15)
			return 0;
		if (offset + 1 + len > ext_len)
			return -EINVAL;
		if (elem_id == id) {
			*data = ext + offset + 1;
			return (int)len;
		}
		offset += 1 + len;
	}
	return 0;
}
