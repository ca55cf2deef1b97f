/* An independent strict JSON checker (RFC 8259, UTF-8) for tests: the
 * oracle that status output is valid, written without SPA's parser so it
 * cannot share that parser's leniency.  Recursive descent over a buffer. */
#ifndef CALLBRIDGE_TEST_JSON_CHECK_H
#define CALLBRIDGE_TEST_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

struct json_check {
	const unsigned char *p, *end;
	int depth;
};

static bool jc_value(struct json_check *c);

static void jc_space(struct json_check *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool jc_literal(struct json_check *c, const char *word)
{
	for (; *word; word++, c->p++)
		if (c->p >= c->end || *c->p != (unsigned char)*word)
			return false;
	return true;
}

static bool jc_digits(struct json_check *c)
{
	const unsigned char *start = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > start;
}

static bool jc_number(struct json_check *c)
{
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (!jc_digits(c))
		return false;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!jc_digits(c))
			return false;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!jc_digits(c))
			return false;
	}
	return true;
}

/* One UTF-8 sequence, strictly (no overlong forms, surrogates or >U+10FFFF). */
static bool jc_utf8(struct json_check *c)
{
	unsigned b = *c->p, n, cp, min;

	if (b < 0x80) {
		c->p++;
		return true;
	}
	if (b >= 0xc2 && b <= 0xdf) n = 1, cp = b & 0x1f, min = 0x80;
	else if (b >= 0xe0 && b <= 0xef) n = 2, cp = b & 0x0f, min = 0x800;
	else if (b >= 0xf0 && b <= 0xf4) n = 3, cp = b & 0x07, min = 0x10000;
	else return false;
	if ((size_t)(c->end - c->p) <= n)
		return false;
	for (unsigned i = 1; i <= n; i++) {
		if ((c->p[i] & 0xc0) != 0x80)
			return false;
		cp = (cp << 6) | (c->p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return false;
	c->p += n + 1;
	return true;
}

static bool jc_string(struct json_check *c)
{
	if (c->p >= c->end || *c->p++ != '"')
		return false;
	while (c->p < c->end) {
		unsigned char b = *c->p;
		if (b == '"') {
			c->p++;
			return true;
		}
		if (b < 0x20)
			return false;
		if (b == '\\') {
			if (++c->p >= c->end)
				return false;
			b = *c->p++;
			if (b == 'u') {
				for (int i = 0; i < 4; i++, c->p++)
					if (c->p >= c->end || !((*c->p >= '0' && *c->p <= '9') ||
								 (*c->p >= 'a' && *c->p <= 'f') ||
								 (*c->p >= 'A' && *c->p <= 'F')))
						return false;
			} else if (b != '"' && b != '\\' && b != '/' && b != 'b' && b != 'f' &&
				   b != 'n' && b != 'r' && b != 't') {
				return false;
			}
			continue;
		}
		if (!jc_utf8(c))
			return false;
	}
	return false;
}

static bool jc_container(struct json_check *c, char close, bool object)
{
	c->p++;
	if (++c->depth > 64)
		return false;
	jc_space(c);
	if (c->p < c->end && *c->p == (unsigned char)close) {
		c->p++;
		c->depth--;
		return true;
	}
	for (;;) {
		if (object) {
			jc_space(c);
			if (!jc_string(c))
				return false;
			jc_space(c);
			if (c->p >= c->end || *c->p++ != ':')
				return false;
		}
		if (!jc_value(c))
			return false;
		jc_space(c);
		if (c->p >= c->end)
			return false;
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (*c->p++ != (unsigned char)close)
			return false;
		c->depth--;
		return true;
	}
}

static bool jc_value(struct json_check *c)
{
	jc_space(c);
	if (c->p >= c->end)
		return false;
	switch (*c->p) {
	case '{': return jc_container(c, '}', true);
	case '[': return jc_container(c, ']', false);
	case '"': return jc_string(c);
	case 't': return jc_literal(c, "true");
	case 'f': return jc_literal(c, "false");
	case 'n': return jc_literal(c, "null");
	default: return jc_number(c);
	}
}

/* True when text[0..len) is exactly one JSON value (with white space). */
static inline bool json_check(const char *text, size_t len)
{
	struct json_check c = { (const unsigned char *)text, (const unsigned char *)text + len, 0 };

	if (!jc_value(&c))
		return false;
	jc_space(&c);
	return c.p == c.end;
}

#endif
