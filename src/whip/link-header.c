#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "whip/link-header.h"

#define VALUE_MAX 2048	/* one link's URI or parameter value */

struct cursor {
	const char *p;
	char *err;
	size_t err_len;
};

static int bad(struct cursor *c, const char *why)
{
	snprintf(c->err, c->err_len, "Link header: %s", why);
	return -EINVAL;
}

static void skip_ows(struct cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t')
		c->p++;
}

static bool token_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/* token or quoted-string (RFC 9110 section 5.6) into out. */
static int read_value(struct cursor *c, char *out, size_t cap)
{
	size_t n = 0;

	if (*c->p == '"') {
		c->p++;
		while (*c->p != '"') {
			char ch = *c->p;
			if (ch == '\0')
				return bad(c, "unterminated quoted string");
			if (ch == '\\') {
				ch = *++c->p;
				if (ch == '\0')
					return bad(c, "unterminated quoted string");
			}
			if ((unsigned char)ch < 0x20 && ch != '\t')
				return bad(c, "control character in a quoted string");
			if (n + 1 >= cap)
				return bad(c, "parameter value too long");
			out[n++] = ch;
			c->p++;
		}
		c->p++;
	} else {
		while (token_char(*c->p)) {
			if (n + 1 >= cap)
				return bad(c, "parameter value too long");
			out[n++] = *c->p++;
		}
		if (n == 0)
			return bad(c, "expected a parameter value");
	}
	out[n] = '\0';
	return 0;
}

/* stun:host[:port], turn:host[:port][?transport=udp|tcp], turns:... (RFC
 * 7064, RFC 7065). */
static int parse_uri(struct cursor *c, const char *uri, struct cb_ice_server *s)
{
	const char *rest, *q;
	char hostport[CB_LINK_TEXT_MAX + 8];
	const char *colon;
	size_t len;

	if (strncasecmp(uri, "stun:", 5) == 0)
		s->kind = CB_ICE_SERVER_STUN, rest = uri + 5;
	else if (strncasecmp(uri, "turn:", 5) == 0)
		s->kind = CB_ICE_SERVER_TURN, rest = uri + 5;
	else if (strncasecmp(uri, "turns:", 6) == 0)
		s->kind = CB_ICE_SERVER_TURNS, rest = uri + 6;
	else
		return bad(c, "ice-server URI is not stun:, turn: or turns:");
	q = strchr(rest, '?');
	len = q ? (size_t)(q - rest) : strlen(rest);
	if (len == 0 || len >= sizeof(hostport))
		return bad(c, "ice-server URI has no host, or too long a one");
	memcpy(hostport, rest, len);
	hostport[len] = '\0';
	s->port = s->kind == CB_ICE_SERVER_TURNS ? 5349 : 3478;
	if (hostport[0] == '[') {
		const char *close = strchr(hostport, ']');
		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			return bad(c, "ice-server URI has a broken IPv6 literal");
		len = (size_t)(close - hostport - 1);
		colon = close[1] == ':' ? close + 1 : NULL;
		memcpy(s->host, hostport + 1, len);
		s->host[len] = '\0';
	} else {
		colon = strrchr(hostport, ':');
		len = colon ? (size_t)(colon - hostport) : strlen(hostport);
		if (memchr(hostport, ':', len))
			return bad(c, "ice-server URI has an IPv6 address without brackets");
		memcpy(s->host, hostport, len);
		s->host[len] = '\0';
	}
	if (s->host[0] == '\0')
		return bad(c, "ice-server URI has no host");
	for (const char *h = s->host; *h; h++)
		if ((unsigned char)*h <= ' ' || strchr("/?#@<>\"", *h))
			return bad(c, "ice-server URI host has a character a host cannot have");
	if (colon) {
		char *end;
		long port = strtol(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535)
			return bad(c, "ice-server URI has a bad port");
		s->port = (uint16_t)port;
	}
	if (q) {
		if (s->kind == CB_ICE_SERVER_STUN)
			return bad(c, "a stun: URI takes no query");
		if (strcasecmp(q, "?transport=udp") == 0)
			s->tcp = false;
		else if (strcasecmp(q, "?transport=tcp") == 0)
			s->tcp = true;
		else
			return bad(c, "ice-server URI query is not transport=udp or transport=tcp");
	}
	return 0;
}

static int parse_link(struct cursor *c, struct cb_ice_servers *out)
{
	char uri[VALUE_MAX], name[64], value[VALUE_MAX];
	struct cb_ice_server s = { 0 };
	bool ice_server = false;
	size_t n = 0;
	int res;

	skip_ows(c);
	if (*c->p++ != '<')
		return bad(c, "expected <URI>");
	while (*c->p != '>') {
		if (*c->p == '\0' || (unsigned char)*c->p <= ' ' || n + 1 >= sizeof(uri))
			return bad(c, "URI not closed by >, too long, or with spaces");
		uri[n++] = *c->p++;
	}
	uri[n] = '\0';
	c->p++;
	for (;;) {
		skip_ows(c);
		if (*c->p != ';')
			break;
		c->p++;
		skip_ows(c);
		n = 0;
		while (token_char(*c->p)) {
			if (n + 1 >= sizeof(name))
				return bad(c, "parameter name too long");
			name[n++] = *c->p++;
		}
		name[n] = '\0';
		if (n == 0)
			return bad(c, "expected a parameter name");
		skip_ows(c);
		if (*c->p++ != '=')
			return bad(c, "expected = after a parameter name");
		skip_ows(c);
		if ((res = read_value(c, value, sizeof(value))) < 0)
			return res;
		if (strcasecmp(name, "rel") == 0) {
			ice_server = strcasecmp(value, "ice-server") == 0;
		} else if (strcasecmp(name, "username") == 0) {
			if (strlen(value) >= sizeof(s.username))
				return bad(c, "username too long");
			snprintf(s.username, sizeof(s.username), "%s", value);
		} else if (strcasecmp(name, "credential") == 0) {
			if (strlen(value) >= sizeof(s.credential))
				return bad(c, "credential too long");
			snprintf(s.credential, sizeof(s.credential), "%s", value);
		} else if (strcasecmp(name, "credential-type") == 0) {
			if (strcasecmp(value, "password") != 0)
				return bad(c, "credential-type other than password");
		}
		memset(value, 0, sizeof(value));
	}
	if (!ice_server) {
		out->skipped++;
		memset(&s, 0, sizeof(s));
		return 0;
	}
	if ((res = parse_uri(c, uri, &s)) < 0)
		return res;
	if (s.kind != CB_ICE_SERVER_STUN && (!s.username[0] || !s.credential[0]))
		return bad(c, "a TURN server without username and credential");
	if (out->n >= CB_ICE_SERVERS_MAX)
		return bad(c, "too many ice-server links");
	out->servers[out->n++] = s;
	memset(&s, 0, sizeof(s));
	return 0;
}

int cb_link_header_parse(const char *value, struct cb_ice_servers *out, char *err,
			 size_t err_len)
{
	struct cursor c = { .p = value, .err = err, .err_len = err_len };
	int res;

	for (;;) {
		if ((res = parse_link(&c, out)) < 0)
			return res;
		skip_ows(&c);
		if (*c.p == '\0')
			return 0;
		if (*c.p++ != ',')
			return bad(&c, "expected , between links");
	}
}
