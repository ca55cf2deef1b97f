/* callbridge: value parsers for the INI loader.
 *
 * Every parser is strict (the whole value must be consumed) because a typo
 * that silently becomes a default is worse than an error at load time.
 */
#include "config/config-values.h"
#include "util/message.h"

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>
#include <spa/debug/types.h>
#include <spa/param/audio/type-info.h>

bool cb_name_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return n >= 1 && n <= CB_NAME_MAX;
}

/* "a|b|c" -> "a, b, c", for messages. */
static void list_choices(const char *values, char *out, size_t out_len)
{
	size_t o = 0;

	for (const char *p = values; *p && o + 3 < out_len; p++) {
		if (*p == '|') {
			out[o++] = ',';
			out[o++] = ' ';
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}

static void format_range(const struct cb_key_info *info, char *out, size_t out_len)
{
	snprintf(out, out_len, "%.10g..%.10g", info->min, info->max);
}

static bool parse_bool(const char *text, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool parse_int(const struct cb_key_info *info, const char *text, int64_t *out,
		      char *err, size_t err_len)
{
	char range[64];
	char *end;
	long long v;

	if (!*text)
		return cb_fail(err, err_len, "empty value, expected an integer");
	errno = 0;
	v = strtoll(text, &end, 10);
	if (*end || end == text)
		return cb_fail(err, err_len, "'%s' is not an integer", text);
	format_range(info, range, sizeof(range));
	if (errno == ERANGE || (double)v < info->min || (double)v > info->max)
		return cb_fail(err, err_len, "%s is out of range (%s)", text, range);
	*out = v;
	return true;
}

/* g_ascii_strtod rather than strtod: the daemon may run under a locale with
 * a decimal comma, and "2.5" must mean the same everywhere. */
static bool parse_double(const char *text, double *out)
{
	char *end;
	double v;

	if (!*text)
		return false;
	errno = 0;
	v = g_ascii_strtod(text, &end);
	if (*end || end == text || errno == ERANGE || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static bool parse_float(const struct cb_key_info *info, const char *text, double *out,
			char *err, size_t err_len)
{
	char range[64];
	double v;

	if (!parse_double(text, &v))
		return cb_fail(err, err_len, "'%s' is not a number", text);
	format_range(info, range, sizeof(range));
	if (v < info->min || v > info->max)
		return cb_fail(err, err_len, "%s is out of range (%s)", text, range);
	*out = v;
	return true;
}

static bool parse_enum(const struct cb_key_info *info, const char *text, int64_t *out,
		       char *err, size_t err_len)
{
	const char *p = info->values;
	size_t len = strlen(text);
	int64_t index = 0;
	char choices[256];

	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (n == len && strncasecmp(p, text, n) == 0) {
			*out = index;
			return true;
		}
		index++;
		p = bar ? bar + 1 : NULL;
	}
	list_choices(info->values, choices, sizeof(choices));
	return cb_fail(err, err_len, "'%s' is not one of %s", text, choices);
}

/* The durations Opus can put in one packet at 48 kHz. */
static bool parse_ptime(const char *text, int64_t *samples, char *err, size_t err_len)
{
	static const int half_ms[] = { 5, 10, 20, 40, 80, 120 };
	double ms;

	if (parse_double(text, &ms)) {
		for (size_t i = 0; i < sizeof(half_ms) / sizeof(half_ms[0]); i++) {
			if (ms * 2 == half_ms[i]) {
				*samples = (int64_t)half_ms[i] * 24;
				return true;
			}
		}
	}
	return cb_fail(err, err_len, "'%s' is not one of 2.5, 5, 10, 20, 40, 60 (milliseconds)", text);
}

static bool parse_ssrc(const char *text, int64_t *out, char *err, size_t err_len)
{
	const char *digits = text;
	int base = 10;
	unsigned long long v;
	char *end;

	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		digits = text + 2;
		base = 16;
	}
	/* strtoull would accept a sign or spaces; an SSRC has neither. */
	if (!*digits || !(base == 16 ? g_ascii_isxdigit(*digits) : g_ascii_isdigit(*digits)))
		goto bad;
	errno = 0;
	v = strtoull(digits, &end, base);
	if (*end || errno == ERANGE || v > UINT32_MAX)
		goto bad;
	*out = (int64_t)v;
	return true;
bad:
	return cb_fail(err, err_len, "'%s' is not a 32-bit number (decimal, or hex with 0x)", text);
}

static bool parse_list(const struct cb_key_info *info, const char *text, struct cb_value *v,
		       char *err, size_t err_len)
{
	const char *p = text;

	v->n_names = 0;
	if (!*text)
		return cb_fail(err, err_len, "empty value, expected NAME[,NAME...]");
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char name[CB_NAME_MAX + 2];

		while (n && g_ascii_isspace(*p)) {
			p++;
			n--;
		}
		while (n && g_ascii_isspace(p[n - 1]))
			n--;
		if (n == 0)
			return cb_fail(err, err_len, "empty name in list '%s'", text);
		if (n > CB_NAME_MAX)
			return cb_fail(err, err_len, "'%.*s' is not a valid name (1..32 of a-z, 0-9, _ and -)",
				    (int)n, p);
		memcpy(name, p, n);
		name[n] = '\0';
		if (!cb_name_valid(name))
			return cb_fail(err, err_len, "'%s' is not a valid name (1..32 of a-z, 0-9, _ and -)",
				    name);
		for (uint32_t i = 0; i < v->n_names; i++)
			if (strcmp(v->names[i], name) == 0)
				return cb_fail(err, err_len, "'%s' is listed twice", name);
		if (v->n_names >= (uint32_t)info->max || v->n_names >= CB_MAX_TRACK_STREAMS)
			return cb_fail(err, err_len, "too many names (at most %d)", (int)info->max);
		memcpy(v->names[v->n_names++], name, n + 1);
		if (!comma)
			return true;
		p = comma + 1;
	}
}

/* A node.name as PipeWire's tools take it (pw-link, pw-cat --target): any
 * visible ASCII but spaces, which no node name of a device or a stream
 * holds and which would only be a typo here. */
static bool parse_target(const char *text, char *err, size_t err_len)
{
	size_t len = strlen(text);

	if (len == 0)
		return cb_fail(err, err_len, "empty value, expected default or a node.name");
	if (len > CB_TARGET_MAX)
		return cb_fail(err, err_len, "the node name is %zu characters long, at most %d",
			       len, CB_TARGET_MAX);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] <= 0x20 || (unsigned char)text[i] >= 0x7f)
			return cb_fail(err, err_len, "'%s' holds a space, a control or a non-ASCII "
				       "character at position %zu; a node.name has none", text, i + 1);
	return true;
}

/* Channel positions by SPA's short names, as ports carry them in
 * audio.channel (FL, FR, MONO, AUX0, ...), into v->names. */
static bool parse_channels(const struct cb_key_info *info, const char *text, struct cb_value *v,
			   char *err, size_t err_len)
{
	const char *p = text;

	v->n_names = 0;
	if (!*text)
		return cb_fail(err, err_len, "empty value, expected CHANNEL[,CHANNEL] (FL, FR, MONO, ...)");
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char name[CB_CHANNEL_NAME_MAX + 1];

		while (n && g_ascii_isspace(*p)) {
			p++;
			n--;
		}
		while (n && g_ascii_isspace(p[n - 1]))
			n--;
		if (n == 0)
			return cb_fail(err, err_len, "empty channel in list '%s'", text);
		if (n > CB_CHANNEL_NAME_MAX)
			return cb_fail(err, err_len, "'%.*s' is not a channel position (FL, FR, MONO, "
				       "AUX0, ...)", (int)n, p);
		memcpy(name, p, n);
		name[n] = '\0';
		if (spa_debug_type_find_short(spa_type_audio_channel, name) == NULL)
			return cb_fail(err, err_len, "'%s' is not a channel position (FL, FR, MONO, "
				       "AUX0, ...; upper case)", name);
		if (v->n_names >= (uint32_t)info->max)
			return cb_fail(err, err_len, "too many channels (at most %d, one per channel "
				       "of the track)", (int)info->max);
		memcpy(v->names[v->n_names++], name, n + 1);
		if (!comma)
			return true;
		p = comma + 1;
	}
}

static bool parse_address(const struct cb_key_info *info, const char *text, struct cb_address *a,
			  char *err, size_t err_len)
{
	return cb_address_parse(text, (int)info->min, a, err, err_len);
}

void cb_url_display(const char *url, char *out, size_t out_len)
{
	GUri *uri = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
	const char *sep, *at;
	size_t n;

	if (uri) {
		char *shown = g_uri_to_string_partial(uri, G_URI_HIDE_USERINFO |
						      G_URI_HIDE_PASSWORD | G_URI_HIDE_AUTH_PARAMS |
						      G_URI_HIDE_QUERY | G_URI_HIDE_FRAGMENT);

		g_uri_unref(uri);
		if (shown) {
			snprintf(out, out_len, "%s", shown);
			g_free(shown);
			return;
		}
	}
	/* Not a URL GLib takes: cut it by hand, at the query or fragment, and
	 * without what could be user:password@ before the host. */
	n = strcspn(url, "?#");
	if ((sep = strstr(url, "://")) != NULL && (size_t)(sep - url) < n) {
		const char *host = sep + 3;
		size_t auth = strcspn(host, "/?#");

		if ((at = memchr(host, '@', auth)) != NULL) {
			snprintf(out, out_len, "%.*s%.*s", (int)(host - url), url,
				 (int)(n - (size_t)(at + 1 - url)), at + 1);
			return;
		}
	}
	snprintf(out, out_len, "%.*s", (int)n, url);
}

/* What the WHIP client (whip/whip-client.c) takes: an http or https URL
 * with a host, as GLib parses it.  Messages show it without its query,
 * fragment or user info, which may hold a key. */
static bool parse_url(const char *text, char *err, size_t err_len)
{
	size_t len = strlen(text);
	char shown[256];
	const char *scheme, *host;
	bool ok;
	GUri *uri;

	if (!*text)
		return cb_fail(err, err_len, "empty value, expected an http:// or https:// URL");
	if (len > CB_URL_MAX)
		return cb_fail(err, err_len, "the URL is %zu characters long, at most %d", len,
			    CB_URL_MAX);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] <= 0x20 || (unsigned char)text[i] >= 0x7f)
			return cb_fail(err, err_len, "the URL holds a space, a control or a non-ASCII "
				    "character at position %zu (%%-encode it)", i + 1);
	cb_url_display(text, shown, sizeof(shown));
	uri = g_uri_parse(text, G_URI_FLAGS_ENCODED, NULL);
	if (uri == NULL)
		return cb_fail(err, err_len, "'%s' is not a valid URL", shown);
	scheme = g_uri_get_scheme(uri);
	host = g_uri_get_host(uri);
	ok = scheme && (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0);
	if (ok && (host == NULL || host[0] == '\0')) {
		g_uri_unref(uri);
		return cb_fail(err, err_len, "'%s' has no host", shown);
	}
	g_uri_unref(uri);
	if (!ok)
		return cb_fail(err, err_len, "'%s' is not an http:// or https:// URL", shown);
	return true;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* g_base64_decode skips characters it does not know and never reports an
 * error, so a mistyped key would quietly turn into a different key: check
 * the alphabet and padding first.  Messages give positions, never
 * characters, as the text is secret. */
bool cb_base64_key_parse(const char *text, size_t len, struct cb_key *key,
			 char *err, size_t err_len)
{
	size_t pad = 0, out_len = 0;
	guchar *out;
	char *copy;

	if (len == 0)
		return cb_fail(err, err_len, "empty key");
	if (len % 4 != 0)
		return cb_fail(err, err_len, "not valid base64 (length %zu is not a multiple of 4)", len);
	while (pad < 2 && text[len - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < len - pad; i++)
		if (b64_value(text[i]) < 0)
			return cb_fail(err, err_len, "not valid base64 (bad character at position %zu)",
				    i + 1);
	if ((len - pad) % 4 == 1)
		return cb_fail(err, err_len, "not valid base64 (bad padding)");

	/* g_base64_decode wants a terminated string and `text` may not be one. */
	copy = g_malloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	out = g_base64_decode(copy, &out_len);
	explicit_bzero(copy, len);
	g_free(copy);

	if (out_len > sizeof(key->bytes)) {
		explicit_bzero(out, out_len);
		g_free(out);
		return cb_fail(err, err_len, "key is %zu bytes, longer than any SRTP suite uses", out_len);
	}
	memset(key, 0, sizeof(*key));
	memcpy(key->bytes, out, out_len);
	key->len = out_len;
	key->set = true;
	explicit_bzero(out, out_len);
	g_free(out);
	return true;
}

bool cb_value_parse(const struct cb_key_info *info, const char *text,
		    struct cb_value *v, char *err, size_t err_len)
{
	memset(v, 0, sizeof(*v));
	v->s = text;

	switch (info->type) {
	case CB_KEY_TYPE_NAME:
		if (!cb_name_valid(text))
			return cb_fail(err, err_len,
				    "'%s' is not a valid name (1..32 of a-z, 0-9, _ and -)", text);
		return true;
	case CB_KEY_TYPE_STRING:
	case CB_KEY_TYPE_PATH:
		return true;
	case CB_KEY_TYPE_BOOL:
		if (!parse_bool(text, &v->b))
			return cb_fail(err, err_len,
				    "'%s' is not a boolean (true, false, yes, no, on, off, 1, 0)", text);
		return true;
	case CB_KEY_TYPE_INT:
		return parse_int(info, text, &v->i, err, err_len);
	case CB_KEY_TYPE_FLOAT:
		return parse_float(info, text, &v->f, err, err_len);
	case CB_KEY_TYPE_ENUM:
		return parse_enum(info, text, &v->i, err, err_len);
	case CB_KEY_TYPE_ADDRESS:
		return parse_address(info, text, &v->addr, err, err_len);
	case CB_KEY_TYPE_BASE64_KEY:
		return cb_base64_key_parse(text, strlen(text), &v->key, err, err_len);
	case CB_KEY_TYPE_LIST:
		return parse_list(info, text, v, err, err_len);
	case CB_KEY_TYPE_SSRC:
		return parse_ssrc(text, &v->i, err, err_len);
	case CB_KEY_TYPE_PTIME:
		return parse_ptime(text, &v->i, err, err_len);
	case CB_KEY_TYPE_URL:
		return parse_url(text, err, err_len);
	case CB_KEY_TYPE_TARGET:
		return parse_target(text, err, err_len);
	case CB_KEY_TYPE_CHANNELS:
		return parse_channels(info, text, v, err, err_len);
	}
	return cb_fail(err, err_len, "internal error: unknown key type %d", (int)info->type);
}

void cb_value_wipe(struct cb_value *v)
{
	explicit_bzero(&v->key, sizeof(v->key));
}
