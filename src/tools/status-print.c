#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <spa/utils/defs.h>
#include <spa/utils/json.h>

#include "control/metadata.h"
#include "tools/status-print.h"
#include "tools/strict-json.h"

#define METER_WIDTH 30
#define METER_RANGE_DB 60
#define FIELD_MAX 256

/* The group a key belongs to ("track", "stream", "remote", "session",
 * "guest", "control", "call"), or NULL for a key that is not ours; name
 * gets the rest (a guest's is "<route>.<id>"). */
static const char *group_of(const char *key, char *name, size_t len)
{
	static const char *groups[] = { "track", "stream", "remote", "session", "guest" };

	for (size_t i = 0; i < SPA_N_ELEMENTS(groups); i++) {
		size_t n = strlen(groups[i]);
		const char *rest, *dot;
		if (strncmp(key, groups[i], n) != 0 || key[n] != '.')
			continue;
		rest = key + n + 1;
		if (strcmp(groups[i], "track") == 0 && (dot = strchr(rest, '.')) != NULL) {
			/* track.<name>.control */
			snprintf(name, len, "%.*s", (int)(dot - rest), rest);
			return strcmp(dot, ".control") == 0 ? "control" : NULL;
		}
		snprintf(name, len, "%s", rest);
		return groups[i];
	}
	snprintf(name, len, "%s", key);
	return strcmp(key, "transport") == 0 || strcmp(key, "receive") == 0 ||
	       strcmp(key, "endpoint") == 0 ? "call" : NULL;
}

/* s for a terminal: control characters (C0, DEL, and C1 as UTF-8) become
 * '?', so a value cannot move the cursor or retitle the window.  Padded
 * with spaces to width bytes, like %-*s. */
static void put_text(FILE *out, const char *s, int width)
{
	const unsigned char *p = (const unsigned char *)s;
	int n = 0;

	for (; *p; p++, n++) {
		if (*p < 0x20 || *p == 0x7f) {
			fputc('?', out);
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fputc('?', out);
			p++;
		} else {
			fputc(*p, out);
		}
	}
	for (; n < width; n++)
		fputc(' ', out);
}

/* ---- JSON ---- */

static void put_json_group(FILE *out, const struct cb_status_call *c, const char *group,
			   const char *label)
{
	const struct spa_dict_item *item;
	char name[128];
	bool first = true;

	fprintf(out, ",\n    \"%s\": {", label);
	spa_dict_for_each(item, c->keys) {
		const char *g = group_of(item->key, name, sizeof(name));
		if (g == NULL || strcmp(g, group) != 0 || item->value == NULL)
			continue;
		fprintf(out, "%s\n      ", first ? "" : ",");
		cb_json_put_string(out, name, strlen(name));
		fputs(": ", out);
		cb_json_put_value(out, item->value);
		first = false;
	}
	fprintf(out, "%s}", first ? "" : "\n    ");
}

void cb_status_print_json(FILE *out, const struct cb_status_call *calls, size_t n_calls)
{
	fputc('{', out);
	for (size_t i = 0; i < n_calls; i++) {
		const struct cb_status_call *c = &calls[i];
		const char *transport = spa_dict_lookup(c->keys, "transport");
		const char *receive = spa_dict_lookup(c->keys, "receive");
		const char *endpoint = spa_dict_lookup(c->keys, "endpoint");
		char metadata[256];

		fprintf(out, "%s\n  ", i == 0 ? "" : ",");
		cb_json_put_string(out, c->name, strlen(c->name));
		snprintf(metadata, sizeof(metadata), CB_METADATA_PREFIX "%s", c->name);
		fputs(": {\n    \"metadata\": ", out);
		cb_json_put_string(out, metadata, strlen(metadata));
		fputs(",\n    \"transport\": ", out);
		cb_json_put_value(out, transport ? transport : "{}");
		fputs(",\n    \"receive\": ", out);
		cb_json_put_value(out, receive ? receive : "null");
		/* An [endpoint]'s routes and counters: only a call with one. */
		if (endpoint) {
			fputs(",\n    \"endpoint\": ", out);
			cb_json_put_value(out, endpoint);
		}
		put_json_group(out, c, "track", "tracks");
		put_json_group(out, c, "stream", "streams");
		put_json_group(out, c, "remote", "remotes");
		put_json_group(out, c, "session", "sessions");
		put_json_group(out, c, "guest", "guests");
		put_json_group(out, c, "control", "controls");
		fputs("\n  }", out);
	}
	fputs(n_calls ? "\n}\n" : "}\n", out);
	fflush(out);
}

/* ---- text ---- */

/* Looks a field up in a flat JSON object.  False when it is absent or does
 * not fit out; out is always a string afterwards. */
static bool json_field(const char *obj, const char *field, char *out, size_t len)
{
	struct spa_json it, sub;
	char key[64];
	const char *value;
	int n;

	out[0] = '\0';
	if (obj == NULL)
		return false;
	spa_json_init(&it, obj, strlen(obj));
	if (spa_json_enter_object(&it, &sub) <= 0)
		return false;
	while (spa_json_get_string(&sub, key, sizeof(key)) > 0) {
		if ((n = spa_json_next(&sub, &value)) <= 0)
			return false;
		if (strcmp(key, field) != 0)
			continue;
		if ((size_t)n >= len)
			return false;
		if (spa_json_is_string(value, n))
			spa_json_parse_stringn(value, n, out, (int)len);
		else
			snprintf(out, len, "%.*s", n, value);
		return true;
	}
	return false;
}

/* " key=value" for every field of a flat JSON object; anything else as
 * it stands. */
static void put_fields(FILE *out, const char *obj)
{
	struct spa_json it, sub;
	char key[64], text[FIELD_MAX];
	const char *value;
	int n;

	spa_json_init(&it, obj, strlen(obj));
	if (spa_json_enter_object(&it, &sub) <= 0) {
		fputc(' ', out);
		put_text(out, obj, 0);
		return;
	}
	while (spa_json_get_string(&sub, key, sizeof(key)) > 0) {
		if ((n = spa_json_next(&sub, &value)) <= 0)
			break;
		if (spa_json_is_string(value, n) && n < (int)sizeof(text))
			spa_json_parse_stringn(value, n, text, sizeof(text));
		else
			snprintf(text, sizeof(text), "%.*s", n, value);
		fputc(' ', out);
		put_text(out, key, 0);
		fputc('=', out);
		put_text(out, text, 0);
	}
}

static void put_text_group(FILE *out, const struct cb_status_call *c, const char *group)
{
	const struct spa_dict_item *item;
	char name[128];

	spa_dict_for_each(item, c->keys) {
		const char *g = group_of(item->key, name, sizeof(name));
		if (g == NULL || strcmp(g, group) != 0 || item->value == NULL)
			continue;
		fputs("  ", out);
		if (strcmp(group, "control") == 0) {
			fputs("control ", out);
			put_text(out, name, 12);
			fputc(' ', out);
			put_text(out, item->value, 0);
			fputc('\n', out);
			continue;
		}
		put_text(out, strcmp(group, "call") == 0 ? "" : group, 7);
		fputc(' ', out);
		put_text(out, name, 12);
		put_fields(out, item->value);
		fputc('\n', out);
	}
}

void cb_status_print_text(FILE *out, const struct cb_status_call *calls, size_t n_calls)
{
	for (size_t i = 0; i < n_calls; i++) {
		fputs("call ", out);
		put_text(out, calls[i].name, 0);
		fputs(" (metadata " CB_METADATA_PREFIX, out);
		put_text(out, calls[i].name, 0);
		fputs(")\n", out);
		put_text_group(out, &calls[i], "call");
		put_text_group(out, &calls[i], "track");
		put_text_group(out, &calls[i], "stream");
		put_text_group(out, &calls[i], "remote");
		put_text_group(out, &calls[i], "session");
		put_text_group(out, &calls[i], "guest");
		put_text_group(out, &calls[i], "control");
	}
	fflush(out);
}

/* ---- watch ---- */

/* A bar from -60 dBov (empty) to 0 dBov (full). */
static void meter(char *bar, int level)
{
	int filled;

	level = SPA_CLAMP(level, 0, METER_RANGE_DB);
	filled = (METER_RANGE_DB - level) * METER_WIDTH / METER_RANGE_DB;
	for (int i = 0; i < METER_WIDTH; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[METER_WIDTH] = '\0';
}

static void watch_rows(FILE *out, const struct cb_status_call *c, const char *group,
		       const char *flag_field)
{
	const struct spa_dict_item *item;
	char name[128], text[32], flag[16], bar[METER_WIDTH + 1];
	static const char *remote_fields[][2] = {
		{ " jitter ", "jitter_ms" }, { " ms, buffer ", "depth_ms" },
		{ " ms, lost ", "lost" }, { ", auth failures ", "auth_failures" },
	};

	spa_dict_for_each(item, c->keys) {
		const char *g = group_of(item->key, name, sizeof(name));
		int level = 127;

		if (g == NULL || strcmp(g, group) != 0 || item->value == NULL)
			continue;
		if (json_field(item->value, "level", text, sizeof(text)))
			level = atoi(text);
		json_field(item->value, flag_field, flag, sizeof(flag));
		meter(bar, level);
		fprintf(out, "  %-6s ", group);
		put_text(out, name, 14);
		if (level >= 127 || level < 0)
			fprintf(out, " -inf dBov [%s] ", bar);
		else
			fprintf(out, " %4d dBov [%s] ", -level, bar);
		fputs(strcmp(flag, "true") == 0 ? "SPEAKING" : "        ", out);
		if (strcmp(group, "track") == 0) {
			json_field(item->value, "paused", text, sizeof(text));
			fputs(strcmp(text, "true") == 0 ? " PAUSED" : "", out);
			json_field(item->value, "state", text, sizeof(text));
			fputs(strcmp(text, "interrupted") == 0 ? " INTERRUPTED" : "", out);
		} else {
			for (size_t i = 0; i < SPA_N_ELEMENTS(remote_fields); i++) {
				json_field(item->value, remote_fields[i][1], text, sizeof(text));
				fputs(remote_fields[i][0], out);
				put_text(out, text, 0);
			}
		}
		fputc('\n', out);
	}
}

static void watch_streams(FILE *out, const struct cb_status_call *c)
{
	const struct spa_dict_item *item;
	char name[128], packets[32], bitrate[32], rtt[32], loss[32];

	spa_dict_for_each(item, c->keys) {
		const char *g = group_of(item->key, name, sizeof(name));
		if (g == NULL || strcmp(g, "stream") != 0 || item->value == NULL)
			continue;
		json_field(item->value, "packets", packets, sizeof(packets));
		json_field(item->value, "bitrate", bitrate, sizeof(bitrate));
		json_field(item->value, "rtt_ms", rtt, sizeof(rtt));
		json_field(item->value, "peer_fraction_lost", loss, sizeof(loss));
		fputs("  stream ", out);
		put_text(out, name, 14);
		fputc(' ', out);
		put_text(out, packets, 0);
		fprintf(out, " packets, %.1f kbit/s, rtt ", atof(bitrate) / 1000.0);
		put_text(out, rtt, 0);
		fputs(" ms, peer loss ", out);
		put_text(out, loss, 0);
		fputc('\n', out);
	}
}

void cb_status_print_watch(FILE *out, const struct cb_status_call *calls, size_t n_calls,
			   const char *only)
{
	char state[64], local[64], srtp[32];

	fputs("\033[H\033[2J", out);
	if (n_calls == 0) {
		fputs("no callbridge call is running", out);
		if (only) {
			fputs(" named ", out);
			put_text(out, only, 0);
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < n_calls; i++) {
		const char *t = spa_dict_lookup(calls[i].keys, "transport");
		json_field(t, "state", state, sizeof(state));
		json_field(t, "local", local, sizeof(local));
		json_field(t, "srtp", srtp, sizeof(srtp));
		fputs("CALL ", out);
		put_text(out, calls[i].name, 0);
		fputs("   transport ", out);
		put_text(out, state, 0);
		fputs("   local ", out);
		put_text(out, local, 0);
		fputs("   SRTP ", out);
		put_text(out, srtp, 0);
		fputc('\n', out);
		watch_rows(out, &calls[i], "track", "speaking");
		watch_rows(out, &calls[i], "remote", "voice");
		watch_streams(out, &calls[i]);
		fputc('\n', out);
	}
	fflush(out);
}
