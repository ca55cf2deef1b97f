/* pw-callbridge: runs one call from an INI file in the foreground.
 *
 * Exit status: 0 after a clean stop, 1 for a config error (nothing was
 * started), 2 for a runtime failure (PipeWire not running, port in use...).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/pipewire.h>

#include "callbridge-version.h"
#include "config/config.h"
#include "pipeline/bridge.h"

#define EXIT_CONFIG 1
#define EXIT_RUNTIME 2

struct app {
	struct pw_main_loop *loop;
	struct pw_context *context;
	struct pw_core *core;
	struct spa_hook core_listener;
	struct cb_bridge *bridge;
	int exit_code;
};

static void usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s --config FILE [--check]\n"
		"       %s --help | --version | --help-keys\n"
		"\n"
		"Bridge PipeWire sink nodes (custom tracks) into Opus/RTP/SRTP streams.\n"
		"\n"
		"  -c, --config FILE   the call's INI file (see callbridge.ini(5))\n"
		"      --check         validate the file only: exit 0, or print FILE:LINE: message\n"
		"                      for every problem and exit 1\n"
		"  -v, --verbose       more log output (repeat for debug)\n"
		"      --help-keys     list every config key with its default\n"
		"  -h, --help          this text\n"
		"      --version       print the version\n"
		"\n"
		"Exit status: 0 clean stop, 1 config error, 2 runtime failure.\n",
		prog, prog);
}

static void print_keys(void)
{
	const char *section = NULL;

	for (size_t i = 0; i < cb_config_n_keys; i++) {
		const struct cb_key_info *k = &cb_config_keys[i];
		if (section == NULL || strcmp(section, k->section) != 0) {
			section = k->section;
			printf("%s[%s%s]\n", i ? "\n" : "", section,
			       strcmp(section, "call") == 0 ? "" : " NAME");
		}
		printf("  %-22s %-14s %s\n", k->key, k->def ? k->def : "(none)", k->help);
	}
}

static int load_config(const char *path, struct cb_config *config)
{
	struct cb_config_report report;
	int res;

	memset(&report, 0, sizeof(report));
	res = cb_config_load(path, config, &report);
	for (uint32_t i = 0; i < report.n_warnings; i++)
		fprintf(stderr, "warning: %s\n", report.warnings[i]);
	for (uint32_t i = 0; i < report.n_errors; i++)
		fprintf(stderr, "%s\n", report.errors[i]);
	if (res < 0 && report.n_errors == 0)
		fprintf(stderr, "%s: %s\n", path, strerror(-res));
	return res;
}

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
	struct app *app = data;

	if (id == PW_ID_CORE && res == -EPIPE) {
		fprintf(stderr, "pw-callbridge: lost the connection to PipeWire\n");
		app->exit_code = EXIT_RUNTIME;
		pw_main_loop_quit(app->loop);
	}
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.error = on_core_error,
};

static void on_signal(void *data, int signal_number)
{
	struct app *app = data;
	pw_log_info("signal %d: ending the call", signal_number);
	pw_main_loop_quit(app->loop);
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "help-keys", no_argument, NULL, 'K' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct app app = { .exit_code = 0 };
	struct cb_config *config;
	const char *config_path = NULL;
	bool check_only = false;
	int verbose = 0, opt, res;
	char err[512];
	sigset_t stop_signals;

	/* PipeWire takes SIGINT/SIGTERM through a signalfd, which only sees
	 * blocked signals. Block them before anything else: one that arrives
	 * while the config loads or PipeWire connects then waits for the loop
	 * and ends the call cleanly, rather than killing the process with
	 * nodes half made; and every thread inherits the mask. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);

	while ((opt = getopt_long(argc, argv, "c:vh", options, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'C': check_only = true; break;
		case 'v': verbose++; break;
		case 'h': usage(stdout, argv[0]); return 0;
		case 'K': print_keys(); return 0;
		case 'V': printf("pw-callbridge %s\n", CALLBRIDGE_VERSION); return 0;
		default: usage(stderr, argv[0]); return EXIT_CONFIG;
		}
	}
	if (config_path == NULL || optind < argc) {
		usage(stderr, argv[0]);
		return EXIT_CONFIG;
	}

	config = calloc(1, sizeof(*config));
	if (config == NULL)
		return EXIT_RUNTIME;
	if (load_config(config_path, config) < 0) {
		free(config);
		return EXIT_CONFIG;
	}
	if (check_only) {
		printf("%s: OK\n", config_path);
		cb_config_clear(config);
		free(config);
		return 0;
	}

	/* Our own topics at info by default, PipeWire's at warnings, so the
	 * log says what the call does without the library's chatter. */
	if (getenv("PIPEWIRE_DEBUG") == NULL)
		setenv("PIPEWIRE_DEBUG", verbose >= 2 ? "3,mod.callbridge*:5" :
					 verbose == 1 ? "2,mod.callbridge*:4" :
					 "2,mod.callbridge*:3", 1);
	pw_init(&argc, &argv);

	app.loop = pw_main_loop_new(NULL);
	if (app.loop == NULL) {
		fprintf(stderr, "pw-callbridge: cannot create a main loop: %s\n", strerror(errno));
		app.exit_code = EXIT_RUNTIME;
		goto done;
	}
	pw_loop_add_signal(pw_main_loop_get_loop(app.loop), SIGINT, on_signal, &app);
	pw_loop_add_signal(pw_main_loop_get_loop(app.loop), SIGTERM, on_signal, &app);

	app.context = pw_context_new(pw_main_loop_get_loop(app.loop),
				     pw_properties_new(PW_KEY_CONFIG_NAME, "client-rt.conf", NULL), 0);
	if (app.context == NULL) {
		fprintf(stderr, "pw-callbridge: cannot create a PipeWire context: %s\n", strerror(errno));
		app.exit_code = EXIT_RUNTIME;
		goto done;
	}
	app.core = pw_context_connect(app.context,
				      pw_properties_new(PW_KEY_APP_NAME, "pw-callbridge", NULL), 0);
	if (app.core == NULL) {
		fprintf(stderr, "pw-callbridge: cannot connect to PipeWire (is it running?): %s\n",
			strerror(errno));
		app.exit_code = EXIT_RUNTIME;
		goto done;
	}
	pw_core_add_listener(app.core, &app.core_listener, &core_events, &app);

	res = cb_bridge_new(&app.bridge, app.core, config, err, sizeof(err));
	cb_config_clear(config);
	if (res < 0) {
		fprintf(stderr, "pw-callbridge: %s\n", err);
		app.exit_code = EXIT_RUNTIME;
		goto done;
	}
	if (cb_bridge_sdp_path(app.bridge))
		pw_log_info("SDP written to %s", cb_bridge_sdp_path(app.bridge));

	pw_main_loop_run(app.loop);

done:
	if (app.bridge)
		cb_bridge_destroy(app.bridge);
	if (app.core) {
		spa_hook_remove(&app.core_listener);
		pw_core_disconnect(app.core);
	}
	if (app.context)
		pw_context_destroy(app.context);
	if (app.loop)
		pw_main_loop_destroy(app.loop);
	cb_config_clear(config);
	free(config);
	pw_deinit();
	return app.exit_code;
}
