/* The Link header of a WHIP/WHEP answer, from the network: bounded
 * results, NUL-terminated strings, and a TURN server is never accepted
 * without its credentials. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "whip/link-header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_ice_servers s;
	char err[256], *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';	/* a header value is a string: libsoup gives one */
	memset(&s, 0, sizeof(s));
	if (cb_link_header_parse(text, &s, err, sizeof(err)) == 0) {
		if (s.n > CB_ICE_SERVERS_MAX)
			abort();
		for (uint32_t i = 0; i < s.n; i++) {
			const struct cb_ice_server *v = &s.servers[i];
			if (memchr(v->host, '\0', sizeof(v->host)) == NULL || v->host[0] == '\0' ||
			    v->port == 0 ||
			    (v->kind != CB_ICE_SERVER_STUN && (!v->username[0] || !v->credential[0])))
				abort();
		}
	}
	free(text);
	return 0;
}
