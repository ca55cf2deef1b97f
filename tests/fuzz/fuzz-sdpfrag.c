/* Trickle ICE fragments from the network (a PATCH body): whatever parses
 * must write back and parse to the same thing, and nothing may be read
 * past the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdpfrag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cb_sdpfrag a, b;
	static char out[65536 + 4096];
	char err[256];
	int n;

	if (cb_sdpfrag_parse((const char *)data, size, &a, err, sizeof(err)) < 0)
		return 0;
	n = cb_sdpfrag_write(&a, out, sizeof(out));
	if (n < 0)
		abort();
	if (cb_sdpfrag_parse(out, (size_t)n, &b, err, sizeof(err)) < 0 ||
	    memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	return 0;
}
