/* Keeps man/callbridge.ini.5 in step with the key table: every key of
 * cb_config_keys must have an entry in its section's part of the page, with
 * its default, its range or choices and what a reload does with it, and the
 * page may list no key the table does not know.
 *
 * A key entry is a ".TP" whose tag line reads "\fBkey\fR = ...".  Its
 * reload statement is "Reload: WORD" once in the entry, WORD being
 * cb_reload_name() of the key's row ("fixed", "live", "recreates"). */
#include "test.h"

#include "config/config.h"

#include <ctype.h>

#define MAX_ENTRIES 128

struct entry {
	char section[16];	/* "call", "stream", ... */
	char key[64];
	char text[2048];	/* tag and body, escapes removed, lines joined */
};

static struct entry entries[MAX_ENTRIES];
static size_t n_entries;
static char page[256 * 1024];

/* The roff escapes the page uses, reduced to what a reader sees. */
static void unescape(const char *in, size_t len, char *out, size_t out_len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < out_len; i++) {
		if (in[i] != '\\' || i + 1 >= len) {
			out[o++] = in[i];
			continue;
		}
		i++;
		switch (in[i]) {
		case '-':
			out[o++] = '-';
			break;
		case 'e':
			out[o++] = '\\';
			break;
		case '&':
			break;
		case 'f':
			i++;	/* \fB \fI \fR \fP */
			break;
		case '(':
			if (i + 2 < len && strncmp(in + i + 1, "dq", 2) == 0)
				out[o++] = '"';
			i += 2;
			break;
		default:
			out[o++] = in[i];
			break;
		}
	}
	out[o] = '\0';
}

static bool is_macro(const char *line, const char *name)
{
	size_t n = strlen(name);

	return line[0] == '.' && strncmp(line + 1, name, n) == 0 &&
	       (line[1 + n] == ' ' || line[1 + n] == '\0' || line[1 + n] == '\n');
}

static void append(char *dst, size_t dst_len, const char *src)
{
	size_t n = strlen(dst);

	if (n && n + 1 < dst_len)
		dst[n++] = ' ';
	snprintf(dst + n, dst_len - n, "%s", src);
}

static void parse_page(void)
{
	char section[16] = "";
	struct entry *cur = NULL;
	bool want_tag = false;
	char *save = NULL;

	for (char *line = strtok_r(page, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char plain[1024];

		if (is_macro(line, "SH")) {
			section[0] = '\0';
			cur = NULL;
			want_tag = false;
			continue;
		}
		if (is_macro(line, "SS")) {
			const char *p = strchr(line, '[');
			size_t n = p ? strcspn(p + 1, " ]") : 0;

			snprintf(section, sizeof(section), "%.*s", (int)n, p ? p + 1 : "");
			cur = NULL;
			want_tag = false;
			continue;
		}
		if (!section[0])
			continue;
		if (is_macro(line, "TP")) {
			cur = NULL;
			want_tag = true;
			continue;
		}
		unescape(line, strlen(line), plain, sizeof(plain));
		if (want_tag) {
			const char *eq = strstr(plain, " = ");

			want_tag = false;
			if (!eq || n_entries >= MAX_ENTRIES)
				continue;
			cur = &entries[n_entries++];
			snprintf(cur->section, sizeof(cur->section), "%s", section);
			snprintf(cur->key, sizeof(cur->key), "%.*s", (int)(eq - plain), plain);
			snprintf(cur->text, sizeof(cur->text), "%s", plain);
			continue;
		}
		if (cur && line[0] != '.')
			append(cur->text, sizeof(cur->text), plain);
	}
}

static const struct entry *find_entry(const char *section, const char *key)
{
	for (size_t i = 0; i < n_entries; i++)
		if (strcmp(entries[i].section, section) == 0 && strcmp(entries[i].key, key) == 0)
			return &entries[i];
	return NULL;
}

/* `word` occurs in `text` and is not the start of a longer token, so that
 * "default 1" is not found in "default 10". */
static bool has_token(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
		char next = p[n];

		if (!isalnum((unsigned char)next) && next != '.' && next != '_' &&
		    next != ':' && next != '-')
			return true;
	}
	return false;
}

static void fail_key(const struct cb_key_info *k, const char *what)
{
	test_failures++;
	fprintf(stderr, "callbridge.ini.5: [%s] %s: %s\n", k->section, k->key, what);
}

/* The entry says "Reload: WORD" exactly once, with the table's word. */
static void check_reload(const struct cb_key_info *k, const char *text)
{
	static const char tag[] = "Reload: ";
	const char *want = cb_reload_name(k->reload), *p = strstr(text, tag);
	size_t n;

	test_checks++;
	if (!p) {
		fail_key(k, "the entry does not say what a reload does (Reload: ...)");
		return;
	}
	p += strlen(tag);
	n = strspn(p, "abcdefghijklmnopqrstuvwxyz");
	test_checks++;
	if (!want || n != strlen(want) || strncmp(p, want, n) != 0) {
		char msg[128];

		snprintf(msg, sizeof(msg), "the entry says Reload: %.*s, the table %s",
			 (int)n, p, want ? want : "(nothing)");
		fail_key(k, msg);
	}
	test_checks++;
	if (strstr(p, tag))
		fail_key(k, "the entry says Reload: more than once");
}

static void check_key(const struct cb_key_info *k)
{
	const struct entry *e = find_entry(k->section, k->key);
	char want[256];

	test_checks++;
	if (!e) {
		fail_key(k, "no entry in its section");
		return;
	}

	test_checks++;
	if (k->def && *k->def) {
		snprintf(want, sizeof(want), "default %s", k->def);
		if (!has_token(e->text, want))
			fail_key(k, "the entry does not give the default");
	} else if (k->def) {
		if (!strstr(e->text, "default empty"))
			fail_key(k, "the entry does not say the default is empty");
	} else if (!strstr(e->text, "no default")) {
		fail_key(k, "the entry does not say there is no default");
	}

	check_reload(k, e->text);

	switch (k->type) {
	case CB_KEY_TYPE_INT:
	case CB_KEY_TYPE_FLOAT:
	case CB_KEY_TYPE_ADDRESS:
		snprintf(want, sizeof(want), "%.10g..%.10g", k->min, k->max);
		test_checks++;
		if (!has_token(e->text, want))
			fail_key(k, "the entry does not give the range");
		break;
	case CB_KEY_TYPE_ENUM:
	case CB_KEY_TYPE_PTIME:
		for (const char *p = k->values; p && *p;) {
			const char *bar = strchr(p, '|');
			size_t n = bar ? (size_t)(bar - p) : strlen(p);

			snprintf(want, sizeof(want), "%.*s", (int)n, p);
			test_checks++;
			if (!has_token(e->text, want))
				fail_key(k, "the entry does not list every choice");
			p = bar ? bar + 1 : NULL;
		}
		break;
	default:
		break;
	}
}

static void check_page_structure(const char *text)
{
	static const char *const heads[] = {
		".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SS [call]",
		".SS [stream NAME]", ".SS [track NAME]", ".SS [remote NAME]",
		".SH ERRORS", ".SH RELOAD", ".SH FILES", ".SH EXAMPLE",
	};
	const char *see_also = strstr(text, ".SH SEE ALSO");

	if (!see_also)
		see_also = strstr(text, ".SH \"SEE ALSO\"");
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		test_checks++;
		if (!strstr(text, heads[i])) {
			test_failures++;
			fprintf(stderr, "callbridge.ini.5: no \"%s\"\n", heads[i]);
		}
	}
	CHECK(see_also && strstr(see_also, ".BR pw\\-callbridge (1)"));
	CHECK(strncmp(text, ".\\\"", 3) == 0 || strncmp(text, ".TH", 3) == 0);
}

int main(void)
{
	const char *root = getenv("CALLBRIDGE_SOURCE_ROOT");
	char path[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/man/callbridge.ini.5", root ? root : "../..");
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return 1;
	}
	n = fread(page, 1, sizeof(page) - 1, f);
	fclose(f);
	page[n] = '\0';
	CHECK(n > 0 && n < sizeof(page) - 1);

	check_page_structure(page);
	parse_page();	/* cuts `page` into lines */
	CHECK(n_entries > 0);

	for (size_t i = 0; i < cb_config_n_keys; i++)
		check_key(&cb_config_keys[i]);

	/* Nothing documented that the loader would reject as unknown. */
	for (size_t i = 0; i < n_entries; i++) {
		bool known = false;

		for (size_t j = 0; j < cb_config_n_keys; j++)
			known |= strcmp(cb_config_keys[j].section, entries[i].section) == 0 &&
				 strcmp(cb_config_keys[j].key, entries[i].key) == 0;
		test_checks++;
		if (!known) {
			test_failures++;
			fprintf(stderr, "callbridge.ini.5: [%s] %s is not in cb_config_keys\n",
				entries[i].section, entries[i].key);
		}
	}
	return test_finish("test-manpage");
}
