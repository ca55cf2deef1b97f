/* callbridge: reading the INI text, line by line and key by key.
 *
 * libinih does the KEY = VALUE splitting, but it is fed by our own reader
 * rather than a FILE*, for three reasons:
 *  - Debian's inih is built without INI_HANDLER_LINENO, so only the reader
 *    knows which line a handler call comes from;
 *  - inih reads with fgets into a 200-byte buffer and counts each chunk of a
 *    longer line as a line of its own, which would shift every later line
 *    number; the reader consumes whole physical lines and rejects long ones;
 *  - this inih does not call the handler for section headers, so a section
 *    without keys, or the same section twice in a row, would go unnoticed:
 *    the reader sees every header and keeps track of sections itself.
 * The reader also strips leading whitespace, which turns off inih's
 * continuation lines: with them, an indented second key would silently
 * become part of the first key's value.  And it reports malformed lines
 * itself, handing inih a blank line instead, because ini_parse_stream only
 * returns the first bad line and we want them all.
 */
#include "config/config-loader.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <ini.h>

static const char *const section_names[] = {
	[CB_SECTION_CALL] = "call",
	[CB_SECTION_STREAM] = "stream",
	[CB_SECTION_TRACK] = "track",
	[CB_SECTION_REMOTE] = "remote",
	[CB_SECTION_ICE] = "ice",
	[CB_SECTION_ENDPOINT] = "endpoint",
};

const char *cb_section_kind_name(enum cb_section_kind kind)
{
	return kind < CB_SECTION_IGNORED ? section_names[kind] : NULL;
}

static void add_message(struct cb_loader *l, bool error, int line, const char *fmt, va_list ap)
{
	uint32_t *n = error ? &l->report->n_errors : &l->report->n_warnings;
	char (*slots)[CB_ERROR_MAX] = error ? l->report->errors : l->report->warnings;
	int p;

	if (error)
		l->n_errors_total++;
	if (*n >= CB_MAX_ERRORS)
		return;
	if (line > 0)
		p = snprintf(slots[*n], CB_ERROR_MAX, "%s:%d: ", l->name, line);
	else
		p = snprintf(slots[*n], CB_ERROR_MAX, "%s: ", l->name);
	if (p < 0)
		p = 0;
	if (p < CB_ERROR_MAX)
		vsnprintf(slots[*n] + p, CB_ERROR_MAX - (size_t)p, fmt, ap);
	(*n)++;
}

void cb_loader_error(struct cb_loader *l, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_message(l, true, line, fmt, ap);
	va_end(ap);
}

void cb_loader_warning(struct cb_loader *l, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_message(l, false, line, fmt, ap);
	va_end(ap);
}

int cb_loader_find_key(const char *section, const char *key)
{
	for (size_t i = 0; i < cb_config_n_keys; i++)
		if (strcmp(cb_config_keys[i].section, section) == 0 &&
		    strcmp(cb_config_keys[i].key, key) == 0)
			return (int)i;
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Where inih would see the start of an inline comment: ';' after a space. */
static const char *find_before_comment(const char *s, const char *end, const char *chars)
{
	bool after_space = false;

	for (const char *p = s; p < end; p++) {
		if (strchr(chars, *p))
			return p;
		if (after_space && *p == ';')
			return NULL;
		after_space = is_space(*p);
	}
	return NULL;
}

static void ignore_section(struct cb_loader *l)
{
	l->kind = CB_SECTION_IGNORED;
	l->cur = NULL;
}

/* The entries of a named kind of section, in cfg and in the loader. */
static uint32_t *entry_count(struct cb_loader *l, enum cb_section_kind kind, uint32_t *max)
{
	switch (kind) {
	case CB_SECTION_STREAM:
		*max = CB_MAX_STREAMS;
		return &l->cfg->n_streams;
	case CB_SECTION_TRACK:
		*max = CB_MAX_TRACKS;
		return &l->cfg->n_tracks;
	default:
		*max = CB_MAX_REMOTES;
		return &l->cfg->n_remotes;
	}
}

static char *entry_name(struct cb_loader *l, enum cb_section_kind kind, uint32_t i)
{
	switch (kind) {
	case CB_SECTION_STREAM:
		return l->cfg->streams[i].name;
	case CB_SECTION_TRACK:
		return l->cfg->tracks[i].name;
	default:
		return l->cfg->remotes[i].name;
	}
}

static struct cb_section_state *entry_state(struct cb_loader *l, enum cb_section_kind kind,
					    uint32_t i)
{
	switch (kind) {
	case CB_SECTION_STREAM:
		return &l->streams[i];
	case CB_SECTION_TRACK:
		return &l->tracks[i].s;
	default:
		return &l->remotes[i];
	}
}

static void begin_named_section(struct cb_loader *l, enum cb_section_kind kind,
				const char *name, int line)
{
	const char *kname = section_names[kind];
	uint32_t *count, max;

	if (!*name) {
		cb_loader_error(l, line, "[%s] needs a name: write [%s NAME]", kname, kname);
		return ignore_section(l);
	}
	if (!cb_name_valid(name)) {
		cb_loader_error(l, line, "%s: '%s' is not a valid name "
				"(1..32 of a-z, 0-9, _ and -)", l->title, name);
		return ignore_section(l);
	}
	count = entry_count(l, kind, &max);
	for (uint32_t i = 0; i < *count; i++) {
		if (strcmp(entry_name(l, kind, i), name) == 0) {
			cb_loader_error(l, line, "duplicate section %s (first at line %d)",
					l->title, entry_state(l, kind, i)->line);
			return ignore_section(l);
		}
	}
	if (*count >= max) {
		if (!l->too_many_reported[kind])
			cb_loader_error(l, line, "too many [%s] sections (at most %u)", kname, max);
		l->too_many_reported[kind] = true;
		return ignore_section(l);
	}

	l->kind = kind;
	l->index = (*count)++;
	memcpy(entry_name(l, kind, l->index), name, strlen(name) + 1);
	l->cur = entry_state(l, kind, l->index);
	l->cur->line = line;
	if (kind == CB_SECTION_STREAM)
		l->cfg->streams[l->index].line = line;
	else if (kind == CB_SECTION_TRACK)
		l->cfg->tracks[l->index].line = line;
	else
		l->cfg->remotes[l->index].line = line;
	cb_loader_apply_defaults(l, kind, l->index);
}

static void begin_endpoint_section(struct cb_loader *l, const char *name, int line)
{
	if (l->have_endpoint) {
		cb_loader_error(l, line, "duplicate section [endpoint] (first at line %d)",
				l->endpoint.line);
		return ignore_section(l);
	}
	if (*name)
		cb_loader_error(l, line, "[endpoint %s]: the [endpoint] section takes no name", name);
	snprintf(l->title, sizeof(l->title), "[endpoint]");
	l->have_endpoint = true;
	l->kind = CB_SECTION_ENDPOINT;
	l->index = 0;
	l->endpoint.line = line;
	l->cur = &l->endpoint;
	l->cfg->endpoint.present = true;
	l->cfg->endpoint.line = line;
	cb_loader_apply_defaults(l, CB_SECTION_ENDPOINT, 0);
}

static void begin_ice_section(struct cb_loader *l, const char *name, int line)
{
	if (l->have_ice) {
		cb_loader_error(l, line, "duplicate section [ice] (first at line %d)", l->ice.line);
		return ignore_section(l);
	}
	if (*name)
		cb_loader_error(l, line, "[ice %s]: the [ice] section takes no name", name);
	snprintf(l->title, sizeof(l->title), "[ice]");
	l->have_ice = true;
	l->kind = CB_SECTION_ICE;
	l->index = 0;
	l->ice.line = line;
	l->cur = &l->ice;
	l->cfg->ice.present = true;
	cb_loader_apply_defaults(l, CB_SECTION_ICE, 0);
}

/* `title` is what stood between the brackets. */
static void begin_section(struct cb_loader *l, const char *title, size_t len, int line)
{
	char buf[256], *kind, *name;
	enum cb_section_kind k = CB_SECTION_NONE;

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, title, len);
	buf[len] = '\0';
	kind = buf;
	while (is_space(*kind))
		kind++;
	name = kind;
	while (*name && !is_space(*name))
		name++;
	if (*name)
		*name++ = '\0';
	while (is_space(*name))
		name++;
	for (size_t n = strlen(name); n > 0 && is_space(name[n - 1]); n--)
		name[n - 1] = '\0';

	for (int i = CB_SECTION_CALL; i < CB_SECTION_IGNORED; i++)
		if (strcmp(kind, section_names[i]) == 0)
			k = (enum cb_section_kind)i;

	/* Lines are short; the precisions only keep the compiler sure of it. */
	if (*name)
		snprintf(l->title, sizeof(l->title), "[%.40s %.200s]", kind, name);
	else
		snprintf(l->title, sizeof(l->title), "[%.200s]", kind);

	if (k == CB_SECTION_NONE) {
		cb_loader_error(l, line, "unknown section %s (sections are [call], [stream NAME], "
				"[track NAME], [remote NAME], [ice] and [endpoint])", l->title);
		return ignore_section(l);
	}
	if (k == CB_SECTION_ICE)
		return begin_ice_section(l, name, line);
	if (k == CB_SECTION_ENDPOINT)
		return begin_endpoint_section(l, name, line);
	if (k != CB_SECTION_CALL)
		return begin_named_section(l, k, name, line);

	if (l->have_call) {
		cb_loader_error(l, line, "duplicate section [call] (first at line %d)", l->call.line);
		return ignore_section(l);
	}
	/* Still read the keys of a named [call]: they are probably right. */
	if (*name)
		cb_loader_error(l, line, "[call %s]: the [call] section takes no name; "
				"the call's name is the name key", name);
	snprintf(l->title, sizeof(l->title), "[call]");
	l->have_call = true;
	l->kind = CB_SECTION_CALL;
	l->index = 0;
	l->call.line = line;
	l->cur = &l->call;
	cb_loader_apply_defaults(l, CB_SECTION_CALL, 0);
}

/* Looks at a line before inih does; false when it must not reach inih. */
static bool classify_line(struct cb_loader *l, const char *s, size_t n, int line)
{
	const char *end = s + n, *close;

	if (n == 0 || *s == ';' || *s == '#')
		return true;
	if (*s == '[') {
		close = find_before_comment(s + 1, end, "]");
		if (!close) {
			cb_loader_error(l, line, "syntax error: section header without ']'");
			ignore_section(l);
			return false;
		}
		for (const char *p = close + 1; p < end; p++) {
			if (*p == ';' && is_space(p[-1]))
				break;
			if (!is_space(*p)) {
				cb_loader_error(l, line, "syntax error: text after ']' of a section header");
				break;
			}
		}
		begin_section(l, s + 1, (size_t)(close - s - 1), line);
		return true;
	}
	if (!find_before_comment(s, end, "=:")) {
		/* Not quoted: the line might be a key someone forgot the name of. */
		cb_loader_error(l, line, "syntax error: expected [SECTION] or KEY = VALUE");
		return false;
	}
	return true;
}

/* An ini_reader: hands inih one whole physical line, or a blank line in place
 * of one that is too long or already reported as broken. */
static char *reader(char *str, int num, void *stream)
{
	struct cb_loader *l = stream;
	const char *s, *nl;
	size_t n, phys;
	int line;

	if (l->pos >= l->len || num < 4) {
		/* inih's line buffer held every line, keys too, and is called
		 * with here once more at the end: leave nothing in it. */
		if (num > 0)
			explicit_bzero(str, (size_t)num);
		return NULL;
	}
	s = l->text + l->pos;
	nl = memchr(s, '\n', l->len - l->pos);
	n = nl ? (size_t)(nl - s) : l->len - l->pos;
	l->pos += n + (nl ? 1 : 0);
	line = ++l->lineno;
	str[0] = '\0';

	if (n > 0 && s[n - 1] == '\r')
		n--;
	phys = n;
	if (line == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		n -= 3;
	}
	/* inih documents its limit as the buffer less '\r', '\n' and '\0'. */
	if (phys > (size_t)num - 3) {
		cb_loader_error(l, line, "line is too long (%zu characters, at most %d)",
				phys, num - 3);
		/* Keys after a broken header would land in the previous section. */
		while (n > 0 && is_space(*s)) {
			s++;
			n--;
		}
		if (n > 0 && *s == '[')
			ignore_section(l);
		return str;
	}
	if (memchr(s, '\0', n)) {
		cb_loader_error(l, line, "line contains a NUL byte");
		return str;
	}
	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	if (!classify_line(l, s, n, line))
		return str;
	memcpy(str, s, n);
	str[n] = '\0';
	return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct cb_loader *l = user;
	int line = l->lineno, row;
	struct cb_value v;
	char err[CB_ERROR_MAX];

	(void)section;	/* cut at 50 bytes by inih; the reader keeps the real one */
	if (l->kind == CB_SECTION_IGNORED)
		return 1;
	if (!*name || !value) {
		cb_loader_error(l, line, "syntax error: expected KEY = VALUE");
		return 1;
	}
	/* A name with capitals may be half of a base64 key split across lines:
	 * quote only what looks like a key name. */
	bool quotable = strlen(name) <= 32 && strspn(name, "abcdefghijklmnopqrstuvwxyz"
						      "0123456789_.-") == strlen(name);
	if (l->kind == CB_SECTION_NONE) {
		if (quotable)
			cb_loader_error(l, line, "key '%s' is outside any section", name);
		else
			cb_loader_error(l, line, "key outside any section");
		return 1;
	}
	row = cb_loader_find_key(section_names[l->kind], name);
	if (row < 0) {
		if (quotable)
			cb_loader_error(l, line, "unknown key '%s' in %s", name, l->title);
		else
			cb_loader_error(l, line, "unknown key in %s (key names are lower case)",
					l->title);
		return 1;
	}
	if (row >= CB_LOADER_MAX_KEYS) {
		cb_loader_error(l, line, "internal error: key table larger than the loader's");
		return 1;
	}
	if (cb_loader_seen(l->cur, row)) {
		cb_loader_error(l, line, "duplicate key '%s' in %s (first at line %d)",
				name, l->title, l->cur->key_lines[row]);
		return 1;
	}
	l->cur->seen[row / 64] |= UINT64_C(1) << (row % 64);
	l->cur->key_lines[row] = line;

	if (!cb_value_parse(&cb_config_keys[row], value, &v, err, sizeof(err))) {
		cb_loader_error(l, line, "%s: %s", name, err);
	} else {
		cb_loader_store(l, l->kind, l->index, (size_t)row, value, &v, line);
	}
	cb_value_wipe(&v);
	explicit_bzero(err, sizeof(err));
	return 1;
}

void cb_loader_parse(struct cb_loader *l, const char *text, size_t len)
{
	int r;

	l->text = text;
	l->len = len;
	l->kind = CB_SECTION_NONE;

	r = ini_parse_stream(reader, l, handler, l);
	if (r > 0)
		/* Only reached if inih rejects a line the reader let through. */
		cb_loader_error(l, r, "syntax error");
	else if (r < 0)
		cb_loader_error(l, 0, "cannot parse: out of memory");
}
