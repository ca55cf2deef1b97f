#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "control/json-out.h"

void cb_json_out_buffer(struct cb_json_out *o, char *buf, size_t cap)
{
	*o = (struct cb_json_out) { .buf = buf, .cap = cap };
	if (cap > 0)
		buf[0] = '\0';
	else
		o->failed = true;
}

void cb_json_out_file(struct cb_json_out *o, FILE *f)
{
	*o = (struct cb_json_out) { .file = f };
}

static void put_bytes(struct cb_json_out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->file) {
		if (n && fwrite(s, 1, n, o->file) != n)
			o->failed = true;
		return;
	}
	/* Cut short rather than written in part: the caller throws it away. */
	if (o->len + n >= o->cap) {
		o->failed = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void vraw(struct cb_json_out *o, const char *fmt, va_list ap)
{
	char text[512];	/* %f of any double fits */
	int n;

	n = vsnprintf(text, sizeof(text), fmt, ap);
	if (n < 0 || (size_t)n >= sizeof(text)) {
		/* Our formats are short: a longer one is a bug, not data. */
		o->failed = true;
		return;
	}
	put_bytes(o, text, (size_t)n);
}

void cb_json_raw(struct cb_json_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vraw(o, fmt, ap);
	va_end(ap);
}

/* The separator and the key of the next value in the open object. */
static void field(struct cb_json_out *o, const char *key)
{
	if (o->depth > 0) {
		cb_json_raw(o, "%s", o->first[o->depth] ? " " : ", ");
		o->first[o->depth] = false;
	}
	if (key)
		cb_json_raw(o, "\"%s\": ", key);
}

void cb_json_open_object(struct cb_json_out *o, const char *key)
{
	field(o, key);
	if (o->depth + 1 >= CB_JSON_OUT_DEPTH) {
		o->failed = true;
		return;
	}
	put_bytes(o, "{", 1);
	o->first[++o->depth] = true;
}

void cb_json_close_object(struct cb_json_out *o)
{
	if (o->depth == 0) {
		o->failed = true;
		return;
	}
	cb_json_raw(o, "%s", o->first[o->depth] ? "}" : " }");
	o->depth--;
}

void cb_json_uint(struct cb_json_out *o, const char *key, uint64_t v)
{
	field(o, key);
	cb_json_raw(o, "%" PRIu64, v);
}

void cb_json_int(struct cb_json_out *o, const char *key, int64_t v)
{
	field(o, key);
	cb_json_raw(o, "%" PRId64, v);
}

void cb_json_bool(struct cb_json_out *o, const char *key, bool v)
{
	field(o, key);
	cb_json_raw(o, "%s", v ? "true" : "false");
}

void cb_json_fixed(struct cb_json_out *o, const char *key, double v, int decimals)
{
	field(o, key);
	/* JSON has no NaN or infinity; %f of a huge value is still a number. */
	if (!isfinite(v))
		cb_json_raw(o, "null");
	else
		cb_json_raw(o, "%.*f", decimals, v);
}

void cb_json_null(struct cb_json_out *o, const char *key)
{
	field(o, key);
	cb_json_raw(o, "null");
}

void cb_json_string(struct cb_json_out *o, const char *key, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *run;

	field(o, key);
	if (s == NULL) {
		cb_json_raw(o, "null");
		return;
	}
	put_bytes(o, "\"", 1);
	while (*p) {
		/* Plain ASCII goes out in runs. */
		for (run = p; *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\'; p++)
			;
		put_bytes(o, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			break;
		if (*p == '"' || *p == '\\')
			cb_json_raw(o, "\\%c", *p);
		else if (*p < 0x80)
			cb_json_raw(o, "\\u%04x", *p);	/* control characters, DEL */
		else
			/* Our strings (names, addresses, libnice's words) are ASCII;
			 * a byte beyond it cannot be shown as it is without checking
			 * it is UTF-8, so it is shown as U+FFFD. */
			cb_json_raw(o, "\\ufffd");
		p++;
	}
	put_bytes(o, "\"", 1);
}
