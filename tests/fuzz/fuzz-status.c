/* `pw-callbridge status` prints what any PipeWire client may have written
 * into a callbridge.<call> metadata object.  The input is one call: its name,
 * then key=value records, all separated by NUL bytes.  Each of the three
 * printers runs over it, and the output is checked:
 *  - --json is exactly one valid JSON value (json-check.h, not SPA's parser);
 *  - text and --watch hold no control character but the newline (and
 *    --watch's own clear-screen sequence at the start);
 *  - each value re-encoded on its own is valid JSON, and re-encoding
 *    settles: the second round's output comes back unchanged from a third
 *    (the first may still turn escapes such as \ufffd into UTF-8). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/status-print.h"
#include "tools/strict-json.h"
#include "json-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 64
#define CLEAR_SCREEN "\033[H\033[2J"

static void check_terminal_safe(const char *text, size_t len, size_t skip)
{
	for (size_t i = skip; i < len; i++) {
		unsigned char b = (unsigned char)text[i];
		if ((b < 0x20 && b != '\n') || b == 0x7f)
			abort();
		if (b == 0xc2 && i + 1 < len && (unsigned char)text[i + 1] >= 0x80 &&
		    (unsigned char)text[i + 1] <= 0x9f)
			abort();
	}
}

typedef void (*printer)(FILE *out, const struct cb_status_call *calls, size_t n);

static void print_watch_all(FILE *out, const struct cb_status_call *calls, size_t n)
{
	cb_status_print_watch(out, calls, n, calls[0].name);
}

static char *encode(const char *value, size_t *len)
{
	char *text = NULL;
	FILE *out = open_memstream(&text, len);

	if (out == NULL)
		abort();
	cb_json_put_value(out, value);
	fclose(out);
	if (!json_check(text, *len) || strlen(text) != *len)
		abort();
	return text;
}

static void check_value(const char *value)
{
	size_t len;
	char *once = encode(value, &len), *twice = encode(once, &len), *thrice = encode(twice, &len);

	if (strcmp(twice, thrice) != 0)
		abort();
	free(once);
	free(twice);
	free(thrice);
}

static char *run(printer fn, const struct cb_status_call *calls, size_t n, size_t *len)
{
	char *text = NULL;
	FILE *out = open_memstream(&text, len);

	if (out == NULL)
		abort();
	fn(out, calls, n);
	fclose(out);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spa_dict_item items[MAX_RECORDS];
	struct spa_dict dict;
	struct cb_status_call call;
	char *copy, *p, *end, *text;
	uint32_t n_items = 0;
	size_t len;

	/* NUL-terminated records, so every piece is a C string. */
	copy = malloc(size + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	end = copy + size;
	call.name = copy;
	for (p = copy + strlen(copy) + 1; p < end && n_items < MAX_RECORDS; p += strlen(p) + 1) {
		char *eq = strchr(p, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		items[n_items++] = SPA_DICT_ITEM_INIT(p, eq + 1);
		p = eq + 1;
	}
	dict = SPA_DICT_INIT(items, n_items);
	for (uint32_t i = 0; i < n_items; i++)
		check_value(items[i].value);
	call.keys = &dict;

	text = run(cb_status_print_json, &call, 1, &len);
	if (!json_check(text, len))
		abort();
	free(text);
	text = run(cb_status_print_json, &call, 0, &len);
	if (!json_check(text, len))
		abort();
	free(text);

	text = run(cb_status_print_text, &call, 1, &len);
	check_terminal_safe(text, len, 0);
	free(text);

	text = run(print_watch_all, &call, 1, &len);
	if (len < strlen(CLEAR_SCREEN) || memcmp(text, CLEAR_SCREEN, strlen(CLEAR_SCREEN)) != 0)
		abort();
	check_terminal_safe(text, len, strlen(CLEAR_SCREEN));
	free(text);

	free(copy);
	return 0;
}
