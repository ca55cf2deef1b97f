#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <spa/utils/json.h>

#include "tools/strict-json.h"

size_t cb_utf8_sequence_len(const unsigned char *s, size_t avail)
{
	uint32_t cp, min;
	size_t n;

	if (avail == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void cb_json_put_string(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	fputc('"', out);
	while (p < end) {
		size_t n = cb_utf8_sequence_len(p, (size_t)(end - p));
		if (n == 0) {
			fputs("\\ufffd", out);
			p++;
		} else if (*p == '"' || *p == '\\') {
			fprintf(out, "\\%c", *p++);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\u%04x", *p++);
		} else {
			fwrite(p, 1, n, out);
			p += n;
		}
	}
	fputc('"', out);
}

bool cb_json_is_number(const char *s, size_t len)
{
	size_t i = 0, digits;

	if (i < len && s[i] == '-')
		i++;
	if (i < len && s[i] == '0')
		i++;
	else if (i < len && s[i] >= '1' && s[i] <= '9')
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return false;
	if (i < len && s[i] == '.') {
		for (i++, digits = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
		if (digits == 0)
			return false;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (digits = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
		if (digits == 0)
			return false;
	}
	return i == len;
}

/* A quoted token as its decoded bytes; a bare one as it stands. */
static void put_token_as_string(FILE *out, const char *value, int len)
{
	char *decoded;

	if (!spa_json_is_string(value, len)) {
		cb_json_put_string(out, value, (size_t)len);
		return;
	}
	/* \u escapes decode to at most as many bytes as they take. */
	decoded = malloc((size_t)len + 1);
	if (decoded == NULL || spa_json_parse_stringn(value, len, decoded, len + 1) < 0)
		cb_json_put_string(out, "", 0);
	else
		cb_json_put_string(out, decoded, strlen(decoded));
	free(decoded);
}

static void put_token(FILE *out, struct spa_json *it, const char *value, int len, int depth);

static void put_container(FILE *out, struct spa_json *it, const char *value, int depth)
{
	bool object = value[0] == '{', first = true;
	struct spa_json sub;
	const char *v;
	int n;

	if (depth >= CB_JSON_MAX_DEPTH) {
		/* Not entered: the parent's next token skips it whole. */
		fputs("null", out);
		return;
	}
	spa_json_enter(it, &sub);
	fputc(object ? '{' : '[', out);
	/* A malformed inside (n < 0) ends the container early, still closed. */
	while ((n = spa_json_next(&sub, &v)) > 0) {
		if (!first)
			fputc(',', out);
		first = false;
		if (!object) {
			put_token(out, &sub, v, n, depth + 1);
			continue;
		}
		/* A key is a string; a container where a key should be is not
		 * entered, so the next token skips it. */
		if (spa_json_is_container(v, n))
			cb_json_put_string(out, "", 0);
		else
			put_token_as_string(out, v, n);
		fputc(':', out);
		if ((n = spa_json_next(&sub, &v)) <= 0) {
			fputs("null", out);
			break;
		}
		put_token(out, &sub, v, n, depth + 1);
	}
	fputc(object ? '}' : ']', out);
}

static void put_token(FILE *out, struct spa_json *it, const char *value, int len, int depth)
{
	if (spa_json_is_container(value, len))
		put_container(out, it, value, depth);
	else if (spa_json_is_null(value, len) || spa_json_is_bool(value, len) ||
		 cb_json_is_number(value, (size_t)len))
		fwrite(value, 1, (size_t)len, out);
	else
		put_token_as_string(out, value, len);
}

void cb_json_put_value(FILE *out, const char *text)
{
	struct spa_json it, probe;
	const char *value, *rest;
	int len;

	spa_json_init(&it, text, strlen(text));
	/* One value and nothing after it; "hello world" is a string, not
	 * "hello" with the rest dropped.  A stray ']' or '}' ends SPA's parse
	 * early without an error, hence the check that it read to the end. */
	probe = it;
	if (spa_json_next(&probe, &value) <= 0 || spa_json_next(&probe, &rest) != 0 ||
	    probe.cur != probe.end) {
		cb_json_put_string(out, text, strlen(text));
		return;
	}
	len = spa_json_next(&it, &value);
	put_token(out, &it, value, len, 0);
}
