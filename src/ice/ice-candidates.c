#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "ice/ice-candidates.h"

bool cb_ice_parse_candidates(const char *text, struct cb_address *out, uint32_t max,
			     uint32_t *n_out, char *err, size_t err_len)
{
	char entry[CB_ADDR_STR_MAX + 64], why[CB_ERROR_MAX];
	const char *p = text;
	uint32_t n = 0;

	*n_out = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return true;
	for (;;) {
		const char *comma = strchr(p, ','), *end = comma ? comma : p + strlen(p);
		size_t len;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		len = (size_t)(end - p);
		if (len == 0) {
			snprintf(err, err_len, "empty entry in list (expected HOST:PORT[, ...])");
			return false;
		}
		if (len >= sizeof(entry)) {
			snprintf(err, err_len, "entry '%.40s...' is too long", p);
			return false;
		}
		if (n >= max) {
			snprintf(err, err_len, "too many candidates (at most %u)", max);
			return false;
		}
		memcpy(entry, p, len);
		entry[len] = '\0';
		if (!cb_address_parse(entry, 1, &out[n], why, sizeof(why))) {
			snprintf(err, err_len, "%s", why);
			return false;
		}
		n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	*n_out = n;
	return true;
}

void cb_ice_format_address(const struct sockaddr *sa, char *out, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		char scope[IF_NAMESIZE + 1] = "";

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		/* A link-local address means nothing without its interface:
		 * keep the zone, or the printed candidate cannot be pasted back.
		 * glibc reads a zone name back only on link-local addresses. */
		if (in6->sin6_scope_id != 0) {
			char name[IF_NAMESIZE];
			bool link_local = IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr) ||
					  IN6_IS_ADDR_MC_LINKLOCAL(&in6->sin6_addr);
			if (link_local && if_indextoname(in6->sin6_scope_id, name))
				snprintf(scope, sizeof(scope), "%%%s", name);
			else
				snprintf(scope, sizeof(scope), "%%%u", in6->sin6_scope_id);
		}
		snprintf(out, len, "[%s%s]:%u", host, scope, ntohs(in6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(out, len, "%s:%u", host, ntohs(in->sin_port));
	} else {
		snprintf(out, len, "?");
	}
}

bool cb_ice_chars_valid(const char *text)
{
	if (!*text)
		return false;
	for (const char *p = text; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '+' && *p != '/')
			return false;
	return true;
}
