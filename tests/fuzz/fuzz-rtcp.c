/* The RTCP compound packet parser on arbitrary bytes (lying length fields,
 * truncated sub-packets, report counts past the end). The callbacks check
 * the report counts; ASan checks the reads. The input is copied into an
 * exactly sized heap buffer so an overread by one byte is caught. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp/rtcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tally {
	uint32_t reports, sender_reports, byes, sdes_items;
	size_t sdes_bytes;
};

static void on_sr(void *data, uint32_t ssrc, const struct cb_rtcp_sender_info *info)
{
	((struct tally *)data)->sender_reports++;
}

static void on_block(void *data, uint32_t reporter, const struct cb_rtcp_report_block *b)
{
	((struct tally *)data)->reports++;
}

static void on_bye(void *data, uint32_t ssrc)
{
	((struct tally *)data)->byes++;
}

/* Reads every byte of the item, so an item reaching past the packet is
 * an ASan report. */
static void on_sdes(void *data, uint32_t ssrc, uint8_t type, const uint8_t *text, uint8_t len)
{
	struct tally *t = data;
	volatile uint8_t sum = 0;

	for (uint8_t i = 0; i < len; i++)
		sum += text[i];
	(void)sum;
	if (type == 0)
		abort();	/* END is never an item */
	t->sdes_items++;
	t->sdes_bytes += 2u + len;
}

static const struct cb_rtcp_events events = {
	.sender_report = on_sr,
	.report_block = on_block,
	.bye = on_bye,
	.sdes_item = on_sdes,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tally t = { 0 };
	uint8_t *copy = malloc(size ? size : 1);
	int n;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	n = cb_rtcp_parse(copy, size, &events, &t);
	/* Every block and SSRC takes 4 bytes at least on the wire. */
	if (n > 0 && (size_t)n * 4 > size)
		abort();
	if ((size_t)(t.reports * 24 + t.sender_reports * 24 + t.byes * 4) + t.sdes_bytes > size)
		abort();
	free(copy);
	return 0;
}
