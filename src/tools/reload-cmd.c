/* `pw-callbridge reload [CALL]`: asks a running call to reload its file,
 * through the call's metadata object, and prints what came of it.
 *
 * The request is the key `reload` (control/control.h), its value a token
 * of this run; the call reloads exactly as SIGHUP or the module's file
 * watch make it, and answers under `reload.result` with the same token,
 * so an old answer or another client's is never taken for ours.  Going
 * through the metadata rather than a signal reaches the module inside
 * PipeWire the same way as the daemon, and brings back the FILE:LINE
 * errors.
 *
 * Exit status: 0 reloaded; 1 usage, no such call, or the reload was
 * rejected (its errors on stderr, the call going on unchanged); 2 PipeWire
 * not reachable, or no answer. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pipewire/pipewire.h>
#include <pipewire/extensions/metadata.h>

#include "control/control.h"
#include "control/metadata.h"
#include "tools/reload-answer.h"
#include "tools/reload-cmd.h"

#define EXIT_REJECTED 1
#define EXIT_RUNTIME 2
/* A reload makes encoders and nodes: milliseconds.  Also covers a call
 * started less than a second ago, whose metadata is not exported yet. */
#define ANSWER_TIMEOUT_S 15
#define MAX_CALLS 64

struct app {
	struct pw_main_loop *loop;
	struct pw_context *context;
	struct pw_core *core;
	struct pw_registry *registry;
	struct spa_hook core_listener;
	struct spa_hook registry_listener;
	struct pw_proxy *metadata;
	struct spa_hook metadata_listener;
	struct spa_source *timer;
	const char *only;		/* the CALL argument */
	uint32_t n_calls;
	uint32_t ids[MAX_CALLS];
	char names[MAX_CALLS][CB_NAME_MAX + 1];
	uint32_t chosen;		/* index into ids, while bound */
	int sync_seq, syncs;
	bool sent;
	char token[CB_RELOAD_TOKEN_MAX + 1];
	int exit_code;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: pw-callbridge reload [CALL]\n"
		"\n"
		"Reload a running call from its file, as SIGHUP does for pw-callbridge and\n"
		"rewriting the file does for the module: only what changed is applied, and\n"
		"a file with errors, or one changing a fixed key, is rejected with the call\n"
		"going on unchanged. CALL may be left out when one call runs.\n"
		"\n"
		"Exit status: 0 reloaded; 1 usage, no such call, or the reload was rejected\n"
		"(its FILE:LINE errors on stderr); 2 PipeWire not reachable, or no answer.\n");
}

/* Each line of text on stderr, with a prefix. */
static void print_lines(const char *prefix, const char *text)
{
	const char *p = text, *nl;

	while (p && *p) {
		nl = strchr(p, '\n');
		fprintf(stderr, "%s%.*s\n", prefix, (int)(nl ? nl - p : (long)strlen(p)), p);
		p = nl ? nl + 1 : NULL;
	}
}

static void on_answer(struct app *app, const char *value)
{
	const char *name = app->names[app->chosen];
	struct cb_reload_answer a;

	if (!cb_reload_answer_parse(value, &a))
		return;
	if (strcmp(a.token, app->token) != 0) {
		cb_reload_answer_clear(&a);
		return;		/* an earlier request's, or someone else's */
	}
	print_lines("warning: ", a.warnings);
	if (a.ok) {
		printf("%s: reloaded (%s)\n", name, a.summary);
		app->exit_code = 0;
	} else {
		print_lines("", a.errors);
		fprintf(stderr, "pw-callbridge reload: %s: rejected; the call goes on unchanged\n",
			name);
		app->exit_code = EXIT_REJECTED;
	}
	cb_reload_answer_clear(&a);
	pw_main_loop_quit(app->loop);
}

static int on_property(void *data, uint32_t subject, const char *key, const char *type,
		       const char *value)
{
	struct app *app = data;

	if (subject == PW_ID_CORE && app->sent && key && value &&
	    strcmp(key, CB_RELOAD_RESULT_KEY) == 0)
		on_answer(app, value);
	return 0;
}

static const struct pw_metadata_events metadata_events = {
	PW_VERSION_METADATA_EVENTS,
	.property = on_property,
};

static void on_global(void *data, uint32_t id, uint32_t permissions, const char *type,
		      uint32_t version, const struct spa_dict *props)
{
	struct app *app = data;
	const char *name;

	if (strcmp(type, PW_TYPE_INTERFACE_Metadata) != 0 || props == NULL || app->syncs > 0)
		return;
	name = spa_dict_lookup(props, PW_KEY_METADATA_NAME);
	if (name == NULL || strncmp(name, CB_METADATA_PREFIX, strlen(CB_METADATA_PREFIX)) != 0)
		return;
	name += strlen(CB_METADATA_PREFIX);
	if ((app->only && strcmp(app->only, name) != 0) || app->n_calls >= MAX_CALLS ||
	    strlen(name) > CB_NAME_MAX)
		return;
	app->ids[app->n_calls] = id;
	snprintf(app->names[app->n_calls], sizeof(app->names[0]), "%s", name);
	app->n_calls++;
}

static void on_global_remove(void *data, uint32_t id)
{
	struct app *app = data;

	if (app->metadata && id == app->ids[app->chosen]) {
		fprintf(stderr, "pw-callbridge reload: %s: the call ended before it answered\n",
			app->names[app->chosen]);
		app->exit_code = EXIT_RUNTIME;
		pw_main_loop_quit(app->loop);
	}
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = on_global,
	.global_remove = on_global_remove,
};

/* The listing is in: the call to ask, or why there is none. */
static bool choose(struct app *app)
{
	if (app->n_calls == 1) {
		app->chosen = 0;
		return true;
	}
	if (app->n_calls == 0) {
		fprintf(stderr, "pw-callbridge reload: no callbridge call%s%s is running\n",
			app->only ? " named " : "", app->only ? app->only : "");
	} else {
		fprintf(stderr, "pw-callbridge reload: %u calls are running; name one:", app->n_calls);
		for (uint32_t i = 0; i < app->n_calls; i++)
			fprintf(stderr, " %s", app->names[i]);
		fputc('\n', stderr);
	}
	app->exit_code = EXIT_REJECTED;
	return false;
}

static void on_core_done(void *data, uint32_t id, int seq)
{
	struct app *app = data;

	if (id != PW_ID_CORE || seq != app->sync_seq)
		return;
	if (++app->syncs == 1) {
		/* First round trip: the calls are listed. */
		if (!choose(app)) {
			pw_main_loop_quit(app->loop);
			return;
		}
		app->metadata = pw_registry_bind(app->registry, app->ids[app->chosen],
						 PW_TYPE_INTERFACE_Metadata, PW_VERSION_METADATA, 0);
		if (app->metadata == NULL) {
			fprintf(stderr, "pw-callbridge reload: cannot bind %s%s: %s\n",
				CB_METADATA_PREFIX, app->names[app->chosen], strerror(errno));
			app->exit_code = EXIT_RUNTIME;
			pw_main_loop_quit(app->loop);
			return;
		}
		pw_metadata_add_listener((struct pw_metadata *)app->metadata,
					 &app->metadata_listener, &metadata_events, app);
		app->sync_seq = pw_core_sync(app->core, PW_ID_CORE, 0);
		return;
	}
	if (app->syncs == 2) {
		/* Second: what the metadata held is in, so any answer from
		 * now on is to this request. */
		app->sent = true;
		pw_metadata_set_property((struct pw_metadata *)app->metadata, PW_ID_CORE,
					 CB_RELOAD_KEY, NULL, app->token);
	}
}

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
	struct app *app = data;

	if (id == PW_ID_CORE && res == -EPIPE) {
		fprintf(stderr, "pw-callbridge reload: lost the connection to PipeWire\n");
		app->exit_code = EXIT_RUNTIME;
		pw_main_loop_quit(app->loop);
	}
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.done = on_core_done,
	.error = on_core_error,
};

static void on_timeout(void *data, uint64_t expirations)
{
	struct app *app = data;

	fprintf(stderr, "pw-callbridge reload: %s: no answer in %d s\n",
		app->n_calls ? app->names[app->chosen] : "?", ANSWER_TIMEOUT_S);
	app->exit_code = EXIT_RUNTIME;
	pw_main_loop_quit(app->loop);
}

static void on_signal(void *data, int signal_number)
{
	struct app *app = data;

	app->exit_code = EXIT_RUNTIME;
	pw_main_loop_quit(app->loop);
}

int cb_reload_command(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct app app = { .exit_code = EXIT_RUNTIME };
	struct timespec now, timeout = { ANSWER_TIMEOUT_S, 0 };
	struct pw_loop *loop;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_REJECTED;
		}
	}
	if (optind < argc)
		app.only = argv[optind++];
	if (optind < argc) {
		usage(stderr);
		return EXIT_REJECTED;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(app.token, sizeof(app.token), "%ld-%ld.%09ld", (long)getpid(), (long)now.tv_sec,
		 now.tv_nsec);

	if (getenv("PIPEWIRE_DEBUG") == NULL)
		setenv("PIPEWIRE_DEBUG", "1", 1);
	pw_init(NULL, NULL);
	app.loop = pw_main_loop_new(NULL);
	if (app.loop == NULL)
		goto runtime_error;
	loop = pw_main_loop_get_loop(app.loop);
	pw_loop_add_signal(loop, SIGINT, on_signal, &app);
	pw_loop_add_signal(loop, SIGTERM, on_signal, &app);
	app.context = pw_context_new(loop, NULL, 0);
	if (app.context == NULL)
		goto runtime_error;
	app.core = pw_context_connect(app.context, pw_properties_new(
			PW_KEY_APP_NAME, "pw-callbridge reload", NULL), 0);
	if (app.core == NULL) {
		fprintf(stderr, "pw-callbridge reload: cannot connect to PipeWire (is it running?): %s\n",
			strerror(errno));
		goto done;
	}
	pw_core_add_listener(app.core, &app.core_listener, &core_events, &app);
	app.registry = pw_core_get_registry(app.core, PW_VERSION_REGISTRY, 0);
	pw_registry_add_listener(app.registry, &app.registry_listener, &registry_events, &app);
	app.sync_seq = pw_core_sync(app.core, PW_ID_CORE, 0);
	app.timer = pw_loop_add_timer(loop, on_timeout, &app);
	if (app.timer)
		pw_loop_update_timer(loop, app.timer, &timeout, NULL, false);
	pw_main_loop_run(app.loop);
	goto done;

runtime_error:
	fprintf(stderr, "pw-callbridge reload: %s\n", strerror(errno));
	app.exit_code = EXIT_RUNTIME;
done:
	if (app.timer)
		pw_loop_destroy_source(pw_main_loop_get_loop(app.loop), app.timer);
	if (app.metadata) {
		spa_hook_remove(&app.metadata_listener);
		pw_proxy_destroy(app.metadata);
	}
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
