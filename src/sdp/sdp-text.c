/* The little scanners the SDP parser is built from.  Every one works on a
 * NUL-terminated copy of one line, so none can run past its end. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "sdp/sdp-parse-private.h"

int cb_sdp_fail(struct cb_sdp_parser *p, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err == NULL || p->err_len == 0)
		return code;
	n = snprintf(p->err, p->err_len, "line %u: ", p->line);
	if (n >= 0 && (size_t)n < p->err_len) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->err_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return code;
}

bool cb_sdp_is_token(const char *s, bool allow_slash)
{
	/* RFC 8866 §9: token-char = %x21 / %x23-27 / %x2A-2B / %x2D-2E /
	 * %x30-39 / %x41-5A / %x5E-7E.  Protos ("UDP/TLS/RTP/SAVPF") are
	 * tokens joined by '/'. */
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool ok = c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a || c == 0x2b ||
			  c == 0x2d || c == 0x2e || (c >= 0x30 && c <= 0x39) ||
			  (c >= 0x41 && c <= 0x5a) || (c >= 0x5e && c <= 0x7e) ||
			  (allow_slash && c == '/');
		if (!ok)
			return false;
	}
	return true;
}

int cb_sdp_next_word(const char **s, char *out, size_t len)
{
	const char *p = *s;
	size_t n = strcspn(p, " ");

	if (n == 0)
		return 0;
	if (n >= len)
		return -E2BIG;
	memcpy(out, p, n);
	out[n] = '\0';
	p += n;
	while (*p == ' ')
		p++;
	*s = p;
	return (int)n;
}

bool cb_sdp_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

bool cb_sdp_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (!cb_sdp_parse_u64(s, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool cb_sdp_copy(char *out, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (n >= len)
		return false;
	memcpy(out, s, n + 1);
	return true;
}

bool cb_sdp_valid_address(const char *addrtype, const char *address, bool allow_host)
{
	unsigned char buf[16];
	int family = strcmp(addrtype, "IP4") == 0 ? AF_INET : AF_INET6;

	if (inet_pton(family, address, buf) == 1)
		return true;
	if (!allow_host || *address == '\0')
		return false;
	for (const char *c = address; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '-'))
			return false;
	return true;
}

bool cb_sdp_is_ice_chars(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '+' || *s == '/'))
			return false;
	return true;
}
