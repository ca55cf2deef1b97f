#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spa/utils/json.h>
#include <pipewire/pipewire.h>
#include <pipewire/extensions/metadata.h>

#include "control/metadata.h"
#include "tools/status-cmd.h"

#define EXIT_USAGE 1
#define EXIT_RUNTIME 2
#define WATCH_INTERVAL_NS 100000000L
#define METER_WIDTH 30
#define METER_RANGE_DB 60

struct call {
	struct spa_list link;
	struct app *app;
	uint32_t id;
	char name[64];			/* without the prefix */
	struct pw_proxy *proxy;
	struct spa_hook listener;
	struct pw_properties *keys;	/* subject 0: key -> value */
};

struct app {
	struct pw_main_loop *loop;
	struct pw_context *context;
	struct pw_core *core;
	struct pw_registry *registry;
	struct spa_hook core_listener;
	struct spa_hook registry_listener;
	struct spa_list calls;
	const char *only;		/* the CALL argument */
	bool json, watch;
	int sync_seq, syncs;
	bool dirty;
	int exit_code;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: pw-callbridge status [--json] [--watch] [CALL]\n"
		"\n"
		"Show the live state running calls publish in their callbridge.CALL\n"
		"metadata objects: per track level and speaking, per stream packets and\n"
		"bitrate, per remote level, jitter and losses, and the transport.\n"
		"\n"
		"  -j, --json    print JSON for scripts\n"
		"  -w, --watch   a live screen with level meters, until interrupted\n"
		"  -h, --help    this text\n"
		"\n"
		"Exit status: 0 ok, 1 usage or no such call, 2 PipeWire not reachable.\n");
}

/* ---- collecting ---- */

static int on_property(void *data, uint32_t subject, const char *key, const char *type,
		       const char *value)
{
	struct call *c = data;

	if (subject != PW_ID_CORE)
		return 0;
	if (key == NULL)
		pw_properties_clear(c->keys);
	else
		pw_properties_set(c->keys, key, value);
	c->app->dirty = true;
	return 0;
}

static const struct pw_metadata_events metadata_events = {
	PW_VERSION_METADATA_EVENTS,
	.property = on_property,
};

static void call_free(struct call *c)
{
	spa_list_remove(&c->link);
	spa_hook_remove(&c->listener);
	pw_proxy_destroy(c->proxy);
	pw_properties_free(c->keys);
	free(c);
}

static void on_global(void *data, uint32_t id, uint32_t permissions, const char *type,
		      uint32_t version, const struct spa_dict *props)
{
	struct app *app = data;
	const char *name;
	struct call *c;

	if (strcmp(type, PW_TYPE_INTERFACE_Metadata) != 0 || props == NULL)
		return;
	name = spa_dict_lookup(props, PW_KEY_METADATA_NAME);
	if (name == NULL || strncmp(name, CB_METADATA_PREFIX, strlen(CB_METADATA_PREFIX)) != 0)
		return;
	name += strlen(CB_METADATA_PREFIX);
	if (app->only && strcmp(app->only, name) != 0)
		return;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return;
	c->app = app;
	c->id = id;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->keys = pw_properties_new(NULL, NULL);
	c->proxy = pw_registry_bind(app->registry, id, PW_TYPE_INTERFACE_Metadata,
				    PW_VERSION_METADATA, 0);
	if (c->proxy == NULL || c->keys == NULL) {
		pw_properties_free(c->keys);
		free(c);
		return;
	}
	pw_metadata_add_listener((struct pw_metadata *)c->proxy, &c->listener,
				 &metadata_events, c);
	spa_list_append(&app->calls, &c->link);
	app->dirty = true;
}

static void on_global_remove(void *data, uint32_t id)
{
	struct app *app = data;
	struct call *c, *t;

	spa_list_for_each_safe(c, t, &app->calls, link) {
		if (c->id == id) {
			call_free(c);
			app->dirty = true;
		}
	}
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = on_global,
	.global_remove = on_global_remove,
};

/* ---- printing ---- */

static const char *group_of(const char *key, char *name, size_t len)
{
	static const char *groups[] = { "track", "stream", "remote" };

	for (size_t i = 0; i < SPA_N_ELEMENTS(groups); i++) {
		size_t n = strlen(groups[i]);
		const char *rest = key + n + 1;
		if (strncmp(key, groups[i], n) != 0 || key[n] != '.')
			continue;
		if (strcmp(groups[i], "track") == 0 && strchr(rest, '.') != NULL) {
			/* track.<name>.control */
			snprintf(name, len, "%.*s", (int)(strchr(rest, '.') - rest), rest);
			return strcmp(strchr(rest, '.'), ".control") == 0 ? "control" : NULL;
		}
		snprintf(name, len, "%s", rest);
		return groups[i];
	}
	snprintf(name, len, "%s", key);
	return strcmp(key, "transport") == 0 || strcmp(key, "receive") == 0 ? "call" : NULL;
}

static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* Our status values are JSON already; a control word is a bare string. */
static void print_json_value(const char *v)
{
	if (v[0] == '{' || v[0] == '[' || v[0] == '"')
		fputs(v, stdout);
	else
		print_json_string(v);
}

static void print_json_group(struct call *c, const char *group, const char *label)
{
	const struct spa_dict_item *item;
	char name[128];
	bool first = true;

	printf(",\n    \"%s\": {", label);
	spa_dict_for_each(item, &c->keys->dict) {
		const char *g = group_of(item->key, name, sizeof(name));
		if (g == NULL || strcmp(g, group) != 0)
			continue;
		printf("%s\n      ", first ? "" : ",");
		print_json_string(name);
		printf(": ");
		print_json_value(item->value);
		first = false;
	}
	printf("%s}", first ? "" : "\n    ");
}

static void print_json(struct app *app)
{
	struct call *c;
	bool first = true;

	printf("{");
	spa_list_for_each(c, &app->calls, link) {
		const char *transport = pw_properties_get(c->keys, "transport");
		const char *receive = pw_properties_get(c->keys, "receive");
		printf("%s\n  ", first ? "" : ",");
		print_json_string(c->name);
		printf(": {\n    \"metadata\": \"" CB_METADATA_PREFIX "%s\",\n    \"transport\": ",
		       c->name);
		print_json_value(transport ? transport : "{}");
		printf(",\n    \"receive\": ");
		fputs(receive ? receive : "null", stdout);
		print_json_group(c, "track", "tracks");
		print_json_group(c, "stream", "streams");
		print_json_group(c, "remote", "remotes");
		print_json_group(c, "control", "controls");
		printf("\n  }");
		first = false;
	}
	printf("%s}\n", first ? "" : "\n");
	fflush(stdout);
}

/* Looks a field up in a flat JSON object; returns false when absent. */
static bool json_field(const char *obj, const char *field, char *out, size_t len)
{
	struct spa_json it, sub;
	char key[64];
	const char *value;
	int n;

	spa_json_init(&it, obj, strlen(obj));
	if (spa_json_enter_object(&it, &sub) <= 0)
		return false;
	while (spa_json_get_string(&sub, key, sizeof(key)) > 0) {
		if ((n = spa_json_next(&sub, &value)) <= 0)
			return false;
		if (strcmp(key, field) != 0)
			continue;
		if (spa_json_is_string(value, n))
			spa_json_parse_stringn(value, n, out, (int)len);
		else
			snprintf(out, len, "%.*s", n, value);
		return true;
	}
	return false;
}

/* "key=value ..." for every field of a flat JSON object. */
static void print_fields(const char *obj)
{
	struct spa_json it, sub;
	char key[64], text[256];
	const char *value;
	int n;

	spa_json_init(&it, obj, strlen(obj));
	if (spa_json_enter_object(&it, &sub) <= 0) {
		printf(" %s", obj);
		return;
	}
	while (spa_json_get_string(&sub, key, sizeof(key)) > 0) {
		if ((n = spa_json_next(&sub, &value)) <= 0)
			break;
		if (spa_json_is_string(value, n))
			spa_json_parse_stringn(value, n, text, sizeof(text));
		else
			snprintf(text, sizeof(text), "%.*s", n, value);
		printf(" %s=%s", key, text);
	}
}

static void print_text_group(struct call *c, const char *group)
{
	const struct spa_dict_item *item;
	char name[128];

	spa_dict_for_each(item, &c->keys->dict) {
		const char *g = group_of(item->key, name, sizeof(name));
		if (g == NULL || strcmp(g, group) != 0)
			continue;
		if (strcmp(group, "control") == 0) {
			printf("  control %-12s %s\n", name, item->value);
			continue;
		}
		printf("  %-7s %-12s", strcmp(group, "call") == 0 ? "" : group, name);
		print_fields(item->value);
		printf("\n");
	}
}

static void print_text(struct app *app)
{
	struct call *c;

	spa_list_for_each(c, &app->calls, link) {
		printf("call %s (metadata " CB_METADATA_PREFIX "%s)\n", c->name, c->name);
		print_text_group(c, "call");
		print_text_group(c, "track");
		print_text_group(c, "stream");
		print_text_group(c, "remote");
		print_text_group(c, "control");
	}
	fflush(stdout);
}

/* A bar from -60 dBov (empty) to 0 dBov (full). */
static void meter(char *out, const char *level_text)
{
	int level = level_text ? atoi(level_text) : 127, filled;

	if (level > METER_RANGE_DB)
		level = METER_RANGE_DB;
	filled = (METER_RANGE_DB - level) * METER_WIDTH / METER_RANGE_DB;
	for (int i = 0; i < METER_WIDTH; i++)
		out[i] = i < filled ? '#' : '.';
	out[METER_WIDTH] = '\0';
}

static void watch_rows(struct call *c, const char *group, const char *flag_field)
{
	const struct spa_dict_item *item;
	char name[128], level[16], flag[16], bar[METER_WIDTH + 1], a[32], b[32], d[32], e[32];

	spa_dict_for_each(item, &c->keys->dict) {
		const char *g = group_of(item->key, name, sizeof(name));
		if (g == NULL || strcmp(g, group) != 0)
			continue;
		if (!json_field(item->value, "level", level, sizeof(level)))
			snprintf(level, sizeof(level), "127");
		if (!json_field(item->value, flag_field, flag, sizeof(flag)))
			flag[0] = '\0';
		meter(bar, level);
		printf("  %-6s %-14s %4s dBov [%s] %s", group, name,
		       atoi(level) >= 127 ? "-inf" : (snprintf(a, sizeof(a), "-%d", atoi(level)), a),
		       bar, strcmp(flag, "true") == 0 ? "SPEAKING" : "        ");
		if (strcmp(group, "track") == 0) {
			json_field(item->value, "paused", a, sizeof(a));
			printf("%s", strcmp(a, "true") == 0 ? " PAUSED" : "");
		} else {
			a[0] = b[0] = d[0] = e[0] = '\0';
			json_field(item->value, "jitter_ms", a, sizeof(a));
			json_field(item->value, "lost", b, sizeof(b));
			json_field(item->value, "depth_ms", d, sizeof(d));
			json_field(item->value, "auth_failures", e, sizeof(e));
			printf(" jitter %s ms, buffer %s ms, lost %s, auth failures %s", a, d, b, e);
		}
		printf("\n");
	}
}

static void print_watch(struct app *app)
{
	const struct spa_dict_item *item;
	struct call *c;
	char name[128], a[32], b[32], d[32], e[32];

	printf("\033[H\033[2J");
	if (spa_list_is_empty(&app->calls))
		printf("no callbridge call is running%s%s\n", app->only ? " named " : "",
		       app->only ? app->only : "");
	spa_list_for_each(c, &app->calls, link) {
		const char *t = pw_properties_get(c->keys, "transport");
		a[0] = b[0] = d[0] = '\0';
		if (t) {
			json_field(t, "state", a, sizeof(a));
			json_field(t, "local", b, sizeof(b));
			json_field(t, "srtp", d, sizeof(d));
		}
		printf("CALL %s   transport %s   local %s   SRTP %s\n", c->name, a, b, d);
		watch_rows(c, "track", "speaking");
		watch_rows(c, "remote", "voice");
		spa_dict_for_each(item, &c->keys->dict) {
			const char *g = group_of(item->key, name, sizeof(name));
			if (g == NULL || strcmp(g, "stream") != 0)
				continue;
			a[0] = b[0] = d[0] = e[0] = '\0';
			json_field(item->value, "packets", a, sizeof(a));
			json_field(item->value, "bitrate", b, sizeof(b));
			json_field(item->value, "rtt_ms", d, sizeof(d));
			json_field(item->value, "peer_fraction_lost", e, sizeof(e));
			printf("  stream %-14s %s packets, %.1f kbit/s, rtt %s ms, peer loss %s\n",
			       name, a, atof(b) / 1000.0, d, e);
		}
		printf("\n");
	}
	fflush(stdout);
}

/* ---- running ---- */

static void on_core_done(void *data, uint32_t id, int seq)
{
	struct app *app = data;

	if (id != PW_ID_CORE || seq != app->sync_seq)
		return;
	/* The first round trip lists the objects, the second brings the
	 * values of the ones we bound. */
	if (++app->syncs < 2) {
		app->sync_seq = pw_core_sync(app->core, PW_ID_CORE, 0);
		return;
	}
	if (app->watch)
		return;
	if (app->json)
		print_json(app);
	else
		print_text(app);
	if (spa_list_is_empty(&app->calls)) {
		fprintf(stderr, "pw-callbridge status: no callbridge call%s%s is running\n",
			app->only ? " named " : "", app->only ? app->only : "");
		app->exit_code = EXIT_USAGE;
	}
	pw_main_loop_quit(app->loop);
}

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
	struct app *app = data;

	if (id == PW_ID_CORE && res == -EPIPE) {
		fprintf(stderr, "pw-callbridge status: lost the connection to PipeWire\n");
		app->exit_code = EXIT_RUNTIME;
		pw_main_loop_quit(app->loop);
	}
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.done = on_core_done,
	.error = on_core_error,
};

static void on_watch_timer(void *data, uint64_t expirations)
{
	struct app *app = data;

	if (!app->dirty || app->syncs < 2)
		return;
	app->dirty = false;
	if (app->json)
		print_json(app);
	else
		print_watch(app);
}

static void on_signal(void *data, int signal_number)
{
	struct app *app = data;
	pw_main_loop_quit(app->loop);
}

int cb_status_command(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "watch", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct app app = { .exit_code = 0 };
	struct spa_source *timer = NULL;
	struct call *c, *t;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "jwh", options, NULL)) != -1) {
		switch (opt) {
		case 'j': app.json = true; break;
		case 'w': app.watch = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc)
		app.only = argv[optind++];
	if (optind < argc) {
		usage(stderr);
		return EXIT_USAGE;
	}

	if (getenv("PIPEWIRE_DEBUG") == NULL)
		setenv("PIPEWIRE_DEBUG", "1", 1);
	pw_init(NULL, NULL);
	spa_list_init(&app.calls);
	app.loop = pw_main_loop_new(NULL);
	if (app.loop == NULL)
		goto runtime_error;
	pw_loop_add_signal(pw_main_loop_get_loop(app.loop), SIGINT, on_signal, &app);
	pw_loop_add_signal(pw_main_loop_get_loop(app.loop), SIGTERM, on_signal, &app);
	app.context = pw_context_new(pw_main_loop_get_loop(app.loop), NULL, 0);
	if (app.context == NULL)
		goto runtime_error;
	app.core = pw_context_connect(app.context, pw_properties_new(
			PW_KEY_APP_NAME, "pw-callbridge status", NULL), 0);
	if (app.core == NULL) {
		fprintf(stderr, "pw-callbridge status: cannot connect to PipeWire (is it running?): %s\n",
			strerror(errno));
		app.exit_code = EXIT_RUNTIME;
		goto done;
	}
	pw_core_add_listener(app.core, &app.core_listener, &core_events, &app);
	app.registry = pw_core_get_registry(app.core, PW_VERSION_REGISTRY, 0);
	pw_registry_add_listener(app.registry, &app.registry_listener, &registry_events, &app);
	app.sync_seq = pw_core_sync(app.core, PW_ID_CORE, 0);

	if (app.watch) {
		struct timespec interval = { 0, WATCH_INTERVAL_NS };
		timer = pw_loop_add_timer(pw_main_loop_get_loop(app.loop), on_watch_timer, &app);
		pw_loop_update_timer(pw_main_loop_get_loop(app.loop), timer, &interval, &interval,
				     false);
		app.dirty = true;
	}
	pw_main_loop_run(app.loop);
	goto done;

runtime_error:
	fprintf(stderr, "pw-callbridge status: %s\n", strerror(errno));
	app.exit_code = EXIT_RUNTIME;
done:
	spa_list_for_each_safe(c, t, &app.calls, link)
		call_free(c);
	if (timer)
		pw_loop_destroy_source(pw_main_loop_get_loop(app.loop), timer);
	if (app.registry) {
		spa_hook_remove(&app.registry_listener);
		pw_proxy_destroy((struct pw_proxy *)app.registry);
	}
	if (app.core) {
		spa_hook_remove(&app.core_listener);
		pw_core_disconnect(app.core);
	}
	if (app.context)
		pw_context_destroy(app.context);
	if (app.loop)
		pw_main_loop_destroy(app.loop);
	pw_deinit();
	return app.exit_code;
}
