/* pw-callbridge --config FILE --print-links: the links to send to guests
 * for an [endpoint] (callbridge.ini(5)).  The token goes in the URL's
 * fragment, after '#': browsers never send a fragment to a server, so it
 * stays out of request lines, proxies' logs and Referer headers; the page
 * reads it and presents it as a Bearer token.  Query parameters name the
 * paths, which are not secret. */
#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include "tools/print-links.h"

/* RFC 3986 section 2.3: unreserved characters as they are, the rest %XX. */
static void encode(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p && o + 4 < len; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			out[o++] = (char)*p;
		else
			o += (size_t)snprintf(out + o, len - o, "%%%02X", *p);
	}
	out[o] = '\0';
}

/* The address guests reach: the one listened on, or for 0.0.0.0 the
 * first non-loopback IPv4 address of an interface that is up. */
static void host_of(const struct cb_address *listen, char *out, size_t len)
{
	const struct sockaddr *sa = (const struct sockaddr *)&listen->addr;
	struct ifaddrs *ifs = NULL;

	out[0] = '\0';
	if (sa->sa_family == AF_INET &&
	    ((const struct sockaddr_in *)sa)->sin_addr.s_addr != htonl(INADDR_ANY)) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)len);
		return;
	}
	if (sa->sa_family == AF_INET6 &&
	    !IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr)) {
		char a[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, a, sizeof(a));
		snprintf(out, len, "[%s]", a);
		return;
	}
	if (getifaddrs(&ifs) == 0) {
		for (struct ifaddrs *i = ifs; i && !out[0]; i = i->ifa_next)
			if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
			    (i->ifa_flags & IFF_UP) && !(i->ifa_flags & IFF_LOOPBACK))
				inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr,
					  out, (socklen_t)len);
		freeifaddrs(ifs);
	}
	if (!out[0] && gethostname(out, len - 1) != 0)
		snprintf(out, len, "localhost");
}

int cb_print_links(const struct cb_config *config, FILE *out)
{
	const struct cb_endpoint_config *e = &config->endpoint;
	const char *program = NULL;
	char host[256], base[320], token[3 * CB_BEARER_TOKEN_MAX + 1];
	uint16_t port;
	const struct sockaddr *sa = (const struct sockaddr *)&e->listen.addr;

	if (!e->present) {
		fprintf(stderr, "%s: --print-links needs an [endpoint] section\n", config->path);
		return 1;
	}
	port = ntohs(sa->sa_family == AF_INET6 ? ((const struct sockaddr_in6 *)sa)->sin6_port :
		     ((const struct sockaddr_in *)sa)->sin_port);
	host_of(&e->listen, host, sizeof(host));
	if (port)
		snprintf(base, sizeof(base), "%s://%s:%u", e->tls ? "https" : "http", host, port);
	else
		snprintf(base, sizeof(base), "%s://%s:PORT", e->tls ? "https" : "http", host);
	encode(e->bearer_token, token, sizeof(token));
	for (uint32_t i = 0; i < config->n_streams && !program; i++)
		if (config->streams[i].whep_endpoint[0])
			program = config->streams[i].whep_endpoint;

	fprintf(out, "# Links for call %s: send each to its guest; anyone with a link can join.\n",
		config->call.name);
	if (!port)
		fprintf(out, "# listen has port 0: PORT is what the log's \"endpoint listening "
			"on\" line says once the call runs.\n");
	for (uint32_t k = 0; k < config->n_remotes; k++) {
		const struct cb_remote_config *r = &config->remotes[k];
		if (!r->whip_endpoint[0])
			continue;
		fprintf(out, "guest %s (microphone -> callbridge.%s.remote.%s%s%s):\n  %s/?whip=%s%s%s"
			"#token=%s\n", r->name, config->call.name, r->name, program ? ", hears " : "",
			program ? program : "", base, r->whip_endpoint, program ? "&whep=" : "",
			program ? program : "", token);
	}
	for (uint32_t i = 0; i < config->n_streams; i++) {
		const struct cb_stream_config *s = &config->streams[i];
		if (!s->whep_endpoint[0])
			continue;
		fprintf(out, "listener %s (plays stream %s):\n  %s/?whep=%s#token=%s\n", s->name,
			s->name, base, s->whep_endpoint, token);
	}
	fprintf(out, "# For WHIP/WHEP software (OBS, GStreamer, ...): the endpoint URLs, with the "
		"token of bearer-token-file as the Bearer token.\n");
	for (uint32_t k = 0; k < config->n_remotes; k++)
		if (config->remotes[k].whip_endpoint[0])
			fprintf(out, "whip %s/%s\n", base, config->remotes[k].whip_endpoint + 1);
	for (uint32_t i = 0; i < config->n_streams; i++)
		if (config->streams[i].whep_endpoint[0])
			fprintf(out, "whep %s/%s\n", base, config->streams[i].whep_endpoint + 1);
	if (e->tls && !e->tls_certificate_file[0])
		fprintf(out, "# tls = true without tls-certificate-file: the browser warns about the "
			"self-signed certificate; compare its sha-256 with the one in the log.\n");
	explicit_bzero(token, sizeof(token));
	return 0;
}
