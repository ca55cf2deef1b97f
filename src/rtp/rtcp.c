#include <errno.h>
#include <string.h>

#include "util/byte-order.h"
#include "rtp/rtcp.h"

void cb_rtcp_writer_init(struct cb_rtcp_writer *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->failed = false;
}

static uint8_t *reserve(struct cb_rtcp_writer *w, size_t size)
{
	uint8_t *p;
	if (w->failed || size > w->cap - w->len) {
		w->failed = true;
		return NULL;
	}
	p = w->buf + w->len;
	w->len += size;
	return p;
}

/* Common header: the length field counts 32-bit words minus one. */
static void put_header(uint8_t *p, uint8_t count, uint8_t type, size_t size)
{
	p[0] = 0x80 | (count & 0x1f);
	p[1] = type;
	cb_put_be16(p + 2, (uint16_t)(size / 4 - 1));
}

static void put_report_block(uint8_t *p, const struct cb_rtcp_report_block *b)
{
	int32_t lost = b->cumulative_lost;
	/* Clamp to the 24-bit signed field rather than let it wrap. */
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	if (lost < -0x800000)
		lost = -0x800000;
	cb_put_be32(p, b->ssrc);
	cb_put_be32(p + 4, (uint32_t)b->fraction_lost << 24 | ((uint32_t)lost & 0xffffff));
	cb_put_be32(p + 8, b->highest_seq);
	cb_put_be32(p + 12, b->jitter);
	cb_put_be32(p + 16, b->last_sr);
	cb_put_be32(p + 20, b->delay_since_last_sr);
}

void cb_rtcp_write_sr(struct cb_rtcp_writer *w, uint32_t ssrc,
		      const struct cb_rtcp_sender_info *info,
		      const struct cb_rtcp_report_block *blocks, uint32_t n_blocks)
{
	size_t size;
	uint8_t *p;

	if (n_blocks > CB_RTCP_MAX_REPORTS)
		n_blocks = CB_RTCP_MAX_REPORTS;
	size = 28 + 24 * n_blocks;
	if ((p = reserve(w, size)) == NULL)
		return;
	put_header(p, n_blocks, CB_RTCP_SR, size);
	cb_put_be32(p + 4, ssrc);
	cb_put_be32(p + 8, (uint32_t)(info->ntp_time >> 32));
	cb_put_be32(p + 12, (uint32_t)info->ntp_time);
	cb_put_be32(p + 16, info->rtp_timestamp);
	cb_put_be32(p + 20, info->packet_count);
	cb_put_be32(p + 24, info->octet_count);
	for (uint32_t i = 0; i < n_blocks; i++)
		put_report_block(p + 28 + 24 * i, &blocks[i]);
}

void cb_rtcp_write_rr(struct cb_rtcp_writer *w, uint32_t ssrc,
		      const struct cb_rtcp_report_block *blocks, uint32_t n_blocks)
{
	size_t size;
	uint8_t *p;

	if (n_blocks > CB_RTCP_MAX_REPORTS)
		n_blocks = CB_RTCP_MAX_REPORTS;
	size = 8 + 24 * n_blocks;
	if ((p = reserve(w, size)) == NULL)
		return;
	put_header(p, n_blocks, CB_RTCP_RR, size);
	cb_put_be32(p + 4, ssrc);
	for (uint32_t i = 0; i < n_blocks; i++)
		put_report_block(p + 8 + 24 * i, &blocks[i]);
}

void cb_rtcp_write_sdes(struct cb_rtcp_writer *w, uint32_t ssrc, const char *cname,
			const char *mid)
{
	size_t n = strlen(cname), m = mid ? strlen(mid) : 0, size;
	uint8_t *p;

	if (n > 255)
		n = 255;
	if (m > 255)
		m = 255;
	/* ssrc, CNAME item (type, length, text), the MID item likewise, then
	 * at least one zero octet ending the item list, padded to a 32-bit
	 * boundary. */
	size = (4 + 4 + 2 + n + (m ? 2 + m : 0) + 1 + 3) & ~(size_t)3;
	if ((p = reserve(w, size)) == NULL)
		return;
	memset(p, 0, size);
	put_header(p, 1, CB_RTCP_SDES, size);
	cb_put_be32(p + 4, ssrc);
	p[8] = CB_SDES_CNAME;
	p[9] = (uint8_t)n;
	memcpy(p + 10, cname, n);
	if (m) {
		p[10 + n] = CB_SDES_MID;
		p[11 + n] = (uint8_t)m;
		memcpy(p + 12 + n, mid, m);
	}
}

void cb_rtcp_write_sdes_cname(struct cb_rtcp_writer *w, uint32_t ssrc, const char *cname)
{
	cb_rtcp_write_sdes(w, ssrc, cname, NULL);
}

/* The chunks of an SDES sub-packet p of `size` bytes (padding included);
 * -EINVAL on anything RFC 3550 6.5 does not allow. */
static int parse_sdes(const uint8_t *p, size_t size, uint8_t count,
		      const struct cb_rtcp_events *events, void *data)
{
	size_t end = size, off = 4;

	/* RFC 3550 6.4.1: the last octet of padding counts the padding. */
	if (p[0] & 0x20) {
		uint8_t pad = p[size - 1];
		if (pad == 0 || pad > size - 4)
			return -EINVAL;
		end = size - pad;
	}
	for (uint32_t c = 0; c < count; c++) {
		uint32_t ssrc;

		if (off + 4 > end)
			return -EINVAL;
		ssrc = cb_get_be32(p + off);
		off += 4;
		for (;;) {
			uint8_t type, len;

			if (off >= end)
				return -EINVAL;	/* no END octet */
			type = p[off];
			if (type == CB_SDES_END)
				break;
			if (off + 2 > end)
				return -EINVAL;
			len = p[off + 1];
			if (off + 2 + len > end)
				return -EINVAL;
			if (events && events->sdes_item)
				events->sdes_item(data, ssrc, type, p + off + 2, len);
			off += 2 + (size_t)len;
		}
		/* The END octet and null octets up to the next 32-bit
		 * boundary, all zero. */
		off++;
		for (; off % 4; off++)
			if (off >= end || p[off] != 0)
				return -EINVAL;
	}
	return off == end ? 0 : -EINVAL;
}

void cb_rtcp_write_bye(struct cb_rtcp_writer *w, const uint32_t *ssrcs, uint32_t n_ssrcs,
		       const char *reason)
{
	size_t n = reason ? strlen(reason) : 0, size;
	uint8_t *p;

	if (n_ssrcs > CB_RTCP_MAX_REPORTS)
		n_ssrcs = CB_RTCP_MAX_REPORTS;
	if (n > 255)
		n = 255;
	size = 4 + 4 * n_ssrcs;
	if (n > 0)
		size += (1 + n + 3) & ~(size_t)3;
	if ((p = reserve(w, size)) == NULL)
		return;
	memset(p, 0, size);
	put_header(p, n_ssrcs, CB_RTCP_BYE, size);
	for (uint32_t i = 0; i < n_ssrcs; i++)
		cb_put_be32(p + 4 + 4 * i, ssrcs[i]);
	if (n > 0) {
		p[4 + 4 * n_ssrcs] = (uint8_t)n;
		memcpy(p + 5 + 4 * n_ssrcs, reason, n);
	}
}

static void parse_report_block(const uint8_t *p, struct cb_rtcp_report_block *b)
{
	uint32_t lost = cb_get_be32(p + 4) & 0xffffff;
	b->ssrc = cb_get_be32(p);
	b->fraction_lost = p[4];
	/* sign-extend the 24-bit field */
	b->cumulative_lost = (lost & 0x800000) ? (int32_t)(lost | 0xff000000u) : (int32_t)lost;
	b->highest_seq = cb_get_be32(p + 8);
	b->jitter = cb_get_be32(p + 12);
	b->last_sr = cb_get_be32(p + 16);
	b->delay_since_last_sr = cb_get_be32(p + 20);
}

int cb_rtcp_parse(const uint8_t *buf, size_t len, const struct cb_rtcp_events *events, void *data)
{
	size_t offset = 0;
	int count = 0;

	if (len < 4)
		return -EINVAL;

	while (offset < len) {
		const uint8_t *p = buf + offset;
		size_t remaining = len - offset, size, body;
		uint8_t rc, type;
		struct cb_rtcp_report_block block;

		if (remaining < 4 || (p[0] >> 6) != 2)
			return -EINVAL;
		rc = p[0] & 0x1f;
		type = p[1];
		size = 4 * ((size_t)(p[2] << 8 | p[3]) + 1);
		if (size > remaining)
			return -EINVAL;
		/* Padding is only allowed on the last sub-packet. */
		if ((p[0] & 0x20) && offset + size != len)
			return -EINVAL;
		body = size;

		switch (type) {
		case CB_RTCP_SR: {
			struct cb_rtcp_sender_info info;
			uint32_t ssrc;
			if (body < 28 + 24u * rc)
				return -EINVAL;
			ssrc = cb_get_be32(p + 4);
			info.ntp_time = (uint64_t)cb_get_be32(p + 8) << 32 | cb_get_be32(p + 12);
			info.rtp_timestamp = cb_get_be32(p + 16);
			info.packet_count = cb_get_be32(p + 20);
			info.octet_count = cb_get_be32(p + 24);
			if (events && events->sender_report)
				events->sender_report(data, ssrc, &info);
			for (uint32_t i = 0; i < rc; i++) {
				parse_report_block(p + 28 + 24 * i, &block);
				if (events && events->report_block)
					events->report_block(data, ssrc, &block);
			}
			break;
		}
		case CB_RTCP_RR: {
			uint32_t ssrc;
			if (body < 8 + 24u * rc)
				return -EINVAL;
			ssrc = cb_get_be32(p + 4);
			for (uint32_t i = 0; i < rc; i++) {
				parse_report_block(p + 8 + 24 * i, &block);
				if (events && events->report_block)
					events->report_block(data, ssrc, &block);
			}
			break;
		}
		case CB_RTCP_SDES:
			if (parse_sdes(p, size, rc, events, data) < 0)
				return -EINVAL;
			break;
		case CB_RTCP_BYE:
			if (body < 4 + 4u * rc)
				return -EINVAL;
			for (uint32_t i = 0; i < rc; i++)
				if (events && events->bye)
					events->bye(data, cb_get_be32(p + 4 + 4 * i));
			break;
		default:
			/* APP, feedback: well-formed is enough for now. */
			break;
		}
		offset += size;
		count++;
	}
	return count;
}
