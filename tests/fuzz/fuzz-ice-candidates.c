/* The [ice] address list (remote-candidates, turn-server style HOST:PORT
 * lists) and the ice-chars check for ufrag/pwd, on arbitrary text.  Every
 * address the parser accepts must format back ("1.2.3.4:5", "[::1]:5") to
 * text that parses to the same address, as --print-ice promises. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "net/address.h"
#include "sdp/sdp-ice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CANDIDATES 8

/* Host names would go to the resolver (files, then DNS on the network):
 * slow, and not what is being tested.  Numeric addresses only, here. */
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res)
{
	static int (*real)(const char *, const char *, const struct addrinfo *,
			   struct addrinfo **);
	struct addrinfo h = { 0 };

	if (real == NULL)
		real = (int (*)(const char *, const char *, const struct addrinfo *,
				struct addrinfo **))dlsym(RTLD_NEXT, "getaddrinfo");
	if (hints)
		h = *hints;
	h.ai_flags |= AI_NUMERICHOST;
	return real(node, service, &h, res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_address out[MAX_CANDIDATES], again;
	char *text, err[256], formatted[128];
	uint32_t n = 0, n_again = 0;

	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	(void)cb_ice_chars_valid(text);
	err[0] = '\0';
	if (!cb_address_parse_list(text, out, MAX_CANDIDATES, &n, err, sizeof(err))) {
		if (err[0] == '\0' || strlen(err) >= sizeof(err))
			abort();	/* a refusal must say why */
		free(text);
		return 0;
	}
	if (n > MAX_CANDIDATES)
		abort();
	for (uint32_t i = 0; i < n; i++) {
		const struct sockaddr *sa = (const struct sockaddr *)&out[i].addr;
		if (!out[i].set || out[i].len > sizeof(out[i].addr))
			abort();
		cb_address_format_sockaddr(sa, formatted, sizeof(formatted));
		if (!cb_address_parse_list(formatted, &again, 1, &n_again, err, sizeof(err)) ||
		    n_again != 1 || again.len != out[i].len ||
		    memcmp(&again.addr, &out[i].addr, out[i].len) != 0)
			abort();
	}
	free(text);
	return 0;
}
