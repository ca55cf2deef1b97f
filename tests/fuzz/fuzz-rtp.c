/* The RTP fixed-header parser and the RFC 5761 demux test on arbitrary
 * bytes; checks that what it reports lies inside the buffer. */
#include <stdint.h>
#include <stdlib.h>

#include "rtp/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_rtp_packet pkt;
	volatile uint8_t sink = 0;

	(void)cb_rtp_is_rtcp(data, size);
	if (cb_rtp_parse(data, size, &pkt) < 0)
		return 0;
	if (pkt.payload < data || pkt.payload + pkt.payload_len > data + size)
		abort();
	if (pkt.has_extension &&
	    (pkt.extension < data || pkt.extension + pkt.extension_len > data + size))
		abort();
	/* Touch every byte reported, so ASan sees a lie about the bounds. */
	for (size_t i = 0; i < pkt.payload_len; i++)
		sink ^= pkt.payload[i];
	for (size_t i = 0; pkt.has_extension && i < pkt.extension_len; i++)
		sink ^= pkt.extension[i];
	(void)sink;
	return 0;
}
