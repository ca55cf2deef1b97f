#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sdp/sdp-ice.h"
#include "sdp/sdpfrag.h"
#include "util/secret.h"

#define BODY_MAX 65536

static int bad(char *err, size_t err_len, uint32_t line, const char *why)
{
	snprintf(err, err_len, "line %u: %s", line, why);
	return -EINVAL;
}

static bool printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return false;
	return true;
}

/* "m=audio 9 PROTO FMT...": checked for shape, not kept. */
static bool media_line(const char *v)
{
	unsigned int port;
	char media[16], proto[64];
	int used = 0;

	return sscanf(v, "%15s %u %63s %n", media, &port, proto, &used) == 3 && used > 0 &&
	       port <= 65535 && v[used] != '\0';
}

int cb_sdpfrag_parse(const char *text, size_t len, struct cb_sdpfrag *out, char *err,
		     size_t err_len)
{
	const char *p = text, *end = text + len;
	uint32_t line = 0;
	bool in_media = false;
	char v[CB_SDPFRAG_LINE_MAX];

	memset(out, 0, sizeof(*out));
	if (len > BODY_MAX)
		return bad(err, err_len, 0, "body too large");
	if (memchr(text, '\0', len))
		return bad(err, err_len, 0, "NUL byte in the body");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		line++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0) {
			/* Only a final empty line (the last CRLF) is allowed. */
			if (nl && nl + 1 < end)
				return bad(err, err_len, line, "empty line");
			break;
		}
		if (n < 3 || p[1] != '=' || n - 2 >= sizeof(v))
			return bad(err, err_len, line, "not a type=value line, or too long");
		if (!printable(p, n))
			return bad(err, err_len, line, "control character");
		memcpy(v, p + 2, n - 2);
		v[n - 2] = '\0';
		if (p[0] == 'm') {
			if (in_media)
				return bad(err, err_len, line, "more than one media section");
			if (!media_line(v))
				return bad(err, err_len, line, "malformed m= line");
			in_media = true;
		} else if (p[0] != 'a') {
			return bad(err, err_len, line, "only a= and m= lines belong in an sdpfrag");
		} else if (strncmp(v, "ice-ufrag:", 10) == 0) {
			if (!cb_ice_chars_valid(v + 10) || strlen(v + 10) > CB_SDPFRAG_CRED_MAX)
				return bad(err, err_len, line, "ice-ufrag is not 1..256 ice-chars");
			snprintf(out->ufrag, sizeof(out->ufrag), "%s", v + 10);
		} else if (strncmp(v, "ice-pwd:", 8) == 0) {
			if (!cb_ice_chars_valid(v + 8) || strlen(v + 8) > CB_SDPFRAG_CRED_MAX)
				return bad(err, err_len, line, "ice-pwd is not 1..256 ice-chars");
			snprintf(out->pwd, sizeof(out->pwd), "%s", v + 8);
		} else if (strncmp(v, "mid:", 4) == 0) {
			if (!in_media || v[4] == '\0' || strlen(v + 4) >= sizeof(out->mid))
				return bad(err, err_len, line, "a=mid outside a media section, or bad");
			snprintf(out->mid, sizeof(out->mid), "%s", v + 4);
		} else if (strncmp(v, "candidate:", 10) == 0) {
			if (!in_media)
				return bad(err, err_len, line, "a=candidate outside a media section");
			if (out->n_candidates >= CB_SDPFRAG_CANDIDATES)
				return bad(err, err_len, line, "too many candidates");
			snprintf(out->candidates[out->n_candidates++], CB_SDPFRAG_LINE_MAX, "%s", v);
		} else if (strcmp(v, "end-of-candidates") == 0) {
			out->end_of_candidates = true;
		}
		/* Other attributes (ice-options, group...) are allowed and ignored. */
		if (!nl)
			break;
		p = nl + 1;
	}
	cb_secret_wipe(v, sizeof(v));
	if (out->n_candidates && out->mid[0] == '\0')
		return bad(err, err_len, line, "candidates without a=mid");
	return 0;
}

struct out {
	char *buf;
	size_t cap, len;
	bool full;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->full = true;
	else
		o->len += (size_t)n;
}

int cb_sdpfrag_write(const struct cb_sdpfrag *f, char *buf, size_t cap)
{
	struct out o = { .buf = buf, .cap = cap };

	if (cap == 0)
		return -ENOSPC;
	buf[0] = '\0';
	if (f->ufrag[0])
		put(&o, "a=ice-ufrag:%s\r\n", f->ufrag);
	if (f->pwd[0])
		put(&o, "a=ice-pwd:%s\r\n", f->pwd);
	if (f->mid[0]) {
		/* RFC 8840 section 9: the m= line only identifies the section. */
		put(&o, "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:%s\r\n", f->mid);
		for (uint32_t i = 0; i < f->n_candidates; i++)
			put(&o, "a=%s\r\n", f->candidates[i]);
		if (f->end_of_candidates)
			put(&o, "a=end-of-candidates\r\n");
	}
	if (o.full) {
		cb_secret_wipe(buf, cap);
		return -ENOSPC;
	}
	return (int)o.len;
}
