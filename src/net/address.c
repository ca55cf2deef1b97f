/* Addresses as users write them (HOST:PORT, [V6]:PORT) and as the code
 * uses them (sockaddr), in one place below every folder that handles
 * either: the config loader, the transports, the SDP model. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "net/address.h"
#include "util/message.h"

bool cb_address_parse(const char *text, int min_port, struct cb_address *a,
		      char *err, size_t err_len)
{
	char host[256];
	const char *port;
	struct addrinfo hints = { 0 }, *res = NULL;
	size_t host_len;
	char *end;
	long pnum;
	int r;

	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':')
			return cb_fail(err, err_len, "'%s' is not [ADDRESS]:PORT", text);
		host_len = (size_t)(close - text - 1);
		if (host_len >= sizeof(host))
			return cb_fail(err, err_len, "address in '%s' is too long", text);
		memcpy(host, text + 1, host_len);
		hints.ai_flags |= AI_NUMERICHOST;
		hints.ai_family = AF_INET6;
		port = close + 2;
	} else {
		const char *colon = strrchr(text, ':');

		if (!colon)
			return cb_fail(err, err_len, "'%s' has no port (expected HOST:PORT)", text);
		host_len = (size_t)(colon - text);
		if (memchr(text, ':', host_len))
			return cb_fail(err, err_len,
				    "'%s': write IPv6 addresses in brackets, as [ADDRESS]:PORT", text);
		if (host_len >= sizeof(host))
			return cb_fail(err, err_len, "host name in '%s' is too long", text);
		memcpy(host, text, host_len);
		port = colon + 1;
	}
	host[host_len] = '\0';
	if (host_len == 0)
		return cb_fail(err, err_len, "'%s' has no host (expected HOST:PORT)", text);

	errno = 0;
	pnum = g_ascii_isdigit(port[0]) ? strtol(port, &end, 10) : -1;
	if (pnum < 0 || *end || errno == ERANGE)
		return cb_fail(err, err_len, "'%s': port '%s' is not a number", text, port);
	if (pnum < min_port || pnum > 65535)
		return cb_fail(err, err_len, "'%s': port %ld is out of range (%d..65535)", text, pnum,
			    min_port);

	r = getaddrinfo(host, port, &hints, &res);
	if (r != 0)
		return cb_fail(err, err_len, "cannot resolve '%s': %s", host,
			    r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
	if (!res || res->ai_addrlen > sizeof(a->addr)) {
		freeaddrinfo(res);
		return cb_fail(err, err_len, "cannot resolve '%s'", host);
	}
	memset(a, 0, sizeof(*a));
	memcpy(&a->addr, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	a->set = true;
	/* Only for messages, so a long host name may be cut short. */
	g_strlcpy(a->text, text, sizeof(a->text));
	freeaddrinfo(res);
	return true;
}

void cb_address_format(const struct cb_address *a, char *out, size_t len)
{
	const struct sockaddr *sa = (const struct sockaddr *)&a->addr;
	char host[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(out, len, "%s:%u", host, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(out, len, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		snprintf(out, len, "(none)");
	}
}

int cb_address_add_port(struct cb_address *a, uint32_t delta)
{
	struct sockaddr *sa = (struct sockaddr *)&a->addr;
	in_port_t *port;
	uint32_t value;

	if (sa->sa_family == AF_INET)
		port = &((struct sockaddr_in *)sa)->sin_port;
	else if (sa->sa_family == AF_INET6)
		port = &((struct sockaddr_in6 *)sa)->sin6_port;
	else
		return -EAFNOSUPPORT;
	value = ntohs(*port) + delta;
	if (value > 65535)
		return -ERANGE;
	*port = htons((uint16_t)value);
	cb_address_format(a, a->text, sizeof(a->text));
	return 0;
}

bool cb_address_parse_list(const char *text, struct cb_address *out, uint32_t max,
			     uint32_t *n_out, char *err, size_t err_len)
{
	char entry[CB_ADDR_STR_MAX + 64], why[512];
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

void cb_address_format_sockaddr(const struct sockaddr *sa, char *out, size_t len)
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

