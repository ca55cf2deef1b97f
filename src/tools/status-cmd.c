#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/pipewire.h>
#include <pipewire/extensions/metadata.h>

#include "control/metadata.h"
#include "tools/status-cmd.h"
#include "tools/status-print.h"

#define EXIT_USAGE 1
#define EXIT_RUNTIME 2
#define WATCH_INTERVAL_NS 100000000L

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

static void print(struct app *app)
{
	struct cb_status_call *calls;
	struct call *c;
	size_t n = 0;

	spa_list_for_each(c, &app->calls, link)
		n++;
	calls = calloc(n ? n : 1, sizeof(*calls));
	if (calls == NULL)
		return;
	n = 0;
	spa_list_for_each(c, &app->calls, link)
		calls[n++] = (struct cb_status_call){ .name = c->name, .keys = &c->keys->dict };
	if (app->json)
		cb_status_print_json(stdout, calls, n);
	else if (app->watch)
		cb_status_print_watch(stdout, calls, n, app->only);
	else
		cb_status_print_text(stdout, calls, n);
	free(calls);
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
	print(app);
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
	print(app);
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
