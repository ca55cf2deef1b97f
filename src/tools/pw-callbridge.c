/* pw-callbridge: runs one call from an INI file in the foreground.
 *
 * Exit status: 0 after a clean stop, 1 for a config error (nothing was
 * started), 2 for a runtime failure (PipeWire not running, port in use...).
 *
 * SIGHUP, or `pw-callbridge reload` from anywhere, reloads the file into
 * the running call (cb_bridge_reload). When
 * the PipeWire daemon goes away mid-call the call runs on and the nodes come
 * back once it can reconnect.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/pipewire.h>

#include "tools/print-links.h"
#include "callbridge-version.h"
#include "config/config.h"
#include "pipeline/call-session.h"
#include "transport/ice-transport.h"
#include "util/secret.h"
#include "pipeline/bridge.h"
#include "tools/reload-cmd.h"
#include "tools/status-cmd.h"

#define EXIT_CONFIG 1
#define EXIT_RUNTIME 2

struct app {
	struct pw_main_loop *loop;
	struct pw_context *context;
	struct pw_core *core;
	struct spa_hook core_listener;
	struct cb_bridge *bridge;
	const char *config_path;
	struct spa_source *reconnect_timer;
	uint32_t reconnect_delay_ms;
	int exit_code;
};

/* Reconnecting after PipeWire went away: quick at first (a restart takes a
 * moment), then no more often than once a second. */
#define RECONNECT_FIRST_MS 100
#define RECONNECT_MAX_MS 1000u

static void usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s --config FILE [--check | --print-ice | --print-links]\n"
		"       %s status [--json] [--watch] [CALL]\n"
		"       %s reload [CALL]\n"
		"       %s --help | --version | --help-keys\n"
		"\n"
		"Bridge PipeWire sink nodes (custom tracks) into Opus/RTP/SRTP streams.\n"
		"\n"
		"  -c, --config FILE   the call's INI file (see callbridge.ini(5))\n"
		"      --check         validate the file only: exit 0, or print FILE:LINE: message\n"
		"                      for every problem and exit 1\n"
		"      --print-ice     transport = ice: gather candidates, print this side's\n"
		"                      credentials and candidates for the other side's [ice]\n"
		"                      section, and exit\n"
		"      --print-links   [endpoint]: print the links to send to browser guests\n"
		"                      (the token in the URL fragment), and exit\n"
		"  -v, --verbose       more log output (repeat for debug)\n"
		"      --help-keys     list every config key with its default and what a\n"
		"                      reload that changes it does\n"
		"  -h, --help          this text\n"
		"      --version       print the version\n"
		"\n"
		"  status              show running calls live (see status --help)\n"
		"  reload              reload a running call from its file, printing\n"
		"                      FILE:LINE errors if it is rejected (see reload --help)\n"
		"\n"
		"SIGHUP reloads FILE into the running call; SIGINT/SIGTERM end it.\n"
		"Exit status: 0 clean stop, 1 config error, 2 runtime failure.\n",
		prog, prog, prog, prog);
}

/* The key table as it is: the same rows drive the loader and the reload. */
static void print_keys(void)
{
	const char *section = NULL;

	printf("Each key: its default, what a reload that changes it does, and what it is.\n"
	       "Reload: fixed = the file is rejected and the call goes on (restart to\n"
	       "apply it); live = applied in place; recreates = the stream gets a new\n"
	       "encoder and SSRC, the track a new node, the remote restarts with its\n"
	       "next packet.\n");
	for (size_t i = 0; i < cb_config_n_keys; i++) {
		const struct cb_key_info *k = &cb_config_keys[i];
		if (section == NULL || strcmp(section, k->section) != 0) {
			section = k->section;
			printf("\n[%s%s]\n", section,
			       strcmp(section, "call") == 0 || strcmp(section, "ice") == 0 ?
			       "" : " NAME");
		}
		printf("  %-22s %-14s %-10s %s\n", k->key, k->def ? k->def : "(none)",
		       cb_reload_name(k->reload), k->help);
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

/* What the other side's [ice] section needs from this side, in its own
 * syntax.  Gathering binds the configured port for a moment, so run it
 * before the call, not beside it. */
static int print_ice(const struct cb_config *config)
{
	struct cb_ice_transport *ice = NULL;
	struct cb_ice_params params;
	char list[1024], err[256];
	int res;

	if (config->call.transport != CB_TRANSPORT_ICE) {
		fprintf(stderr, "%s: --print-ice needs transport = ice\n", config->path);
		return EXIT_CONFIG;
	}
	cb_call_session_ice_params(&params, config);
	res = cb_ice_transport_new(&ice, &params, err, sizeof(err));
	cb_secret_wipe(&params, sizeof(params));
	if (res < 0) {
		fprintf(stderr, "pw-callbridge: %s\n", err);
		return EXIT_RUNTIME;
	}
	cb_ice_transport_start(ice, 10000);	/* waits for STUN and TURN too */
	cb_ice_transport_candidate_list(ice, list, sizeof(list));
	cb_ice_transport_destroy(ice);
	printf("; ICE of call %s (%s): paste into the other side's [ice] section\n",
	       config->call.name,
	       config->ice.role == CB_ICE_ROLE_CONTROLLING ? "controlling" : "controlled");
	printf("role = %s\n", config->ice.role == CB_ICE_ROLE_CONTROLLING ?
	       "controlled" : "controlling");
	printf("remote-ufrag = %s\n", config->ice.ufrag);
	printf("remote-pwd = %s\n", config->ice.pwd);
	printf("remote-candidates = %s\n", list);
	return list[0] ? 0 : EXIT_RUNTIME;
}

static void schedule_reconnect(struct app *app)
{
	struct timespec value = {
		.tv_sec = app->reconnect_delay_ms / 1000,
		.tv_nsec = (long)(app->reconnect_delay_ms % 1000) * 1000000L,
	};
	pw_loop_update_timer(pw_main_loop_get_loop(app->loop), app->reconnect_timer, &value,
			     NULL, false);
}

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
	struct app *app = data;

	if (id != PW_ID_CORE || res != -EPIPE || app->core == NULL)
		return;
	/* The daemon went away (restart, crash). The call's network side runs
	 * on; the core is dropped outside its own callback, then we retry. */
	pw_log_warn("lost the connection to PipeWire; reconnecting");
	if (app->bridge)
		cb_bridge_pipewire_lost(app->bridge);
	app->reconnect_delay_ms = RECONNECT_FIRST_MS;
	schedule_reconnect(app);
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.error = on_core_error,
};

static void on_reconnect_timer(void *data, uint64_t expirations)
{
	struct app *app = data;

	if (app->core) {
		spa_hook_remove(&app->core_listener);
		pw_core_disconnect(app->core);
		app->core = NULL;
	}
	app->core = pw_context_connect(app->context,
				       pw_properties_new(PW_KEY_APP_NAME, "pw-callbridge", NULL), 0);
	if (app->core == NULL) {
		pw_log_info("PipeWire not back yet (%s); retrying in %u ms", strerror(errno),
			    app->reconnect_delay_ms);
		schedule_reconnect(app);
		app->reconnect_delay_ms = SPA_MIN(app->reconnect_delay_ms * 2, RECONNECT_MAX_MS);
		return;
	}
	pw_core_add_listener(app->core, &app->core_listener, &core_events, app);
	pw_log_info("reconnected to PipeWire");
	if (app->bridge)
		cb_bridge_pipewire_attach(app->bridge, app->core);
}

static void on_reload_signal(void *data, int signal_number)
{
	struct app *app = data;
	pw_log_info("SIGHUP: reloading %s", app->config_path);
	if (app->bridge)
		cb_bridge_reload_file(app->bridge, app->config_path, NULL);
}

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
		{ "print-ice", no_argument, NULL, 'I' },
		{ "print-links", no_argument, NULL, 'L' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "help-keys", no_argument, NULL, 'K' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct app app = { .exit_code = 0 };
	struct pw_loop *loop;
	struct cb_config *config;
	const char *config_path = NULL;
	bool check_only = false, ice_only = false, links_only = false;
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

	if (argc > 1 && strcmp(argv[1], "status") == 0)
		return cb_status_command(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "reload") == 0)
		return cb_reload_command(argc - 1, argv + 1);

	while ((opt = getopt_long(argc, argv, "c:vh", options, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'C': check_only = true; break;
		case 'I': ice_only = true; break;
		case 'L': links_only = true; break;
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
		cb_config_clear(config);
		free(config);
		return EXIT_CONFIG;
	}
	if (ice_only) {
		if (getenv("PIPEWIRE_DEBUG") == NULL)
			setenv("PIPEWIRE_DEBUG", verbose ? "2,mod.callbridge*:4" : "1", 1);
		pw_init(&argc, &argv);
		res = print_ice(config);
		cb_config_clear(config);
		free(config);
		pw_deinit();
		return res;
	}
	if (links_only) {
		res = cb_print_links(config, stdout);
		cb_config_clear(config);
		free(config);
		return res;
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
	loop = pw_main_loop_get_loop(app.loop);
	app.config_path = config_path;
	pw_loop_add_signal(loop, SIGINT, on_signal, &app);
	pw_loop_add_signal(loop, SIGTERM, on_signal, &app);
	pw_loop_add_signal(loop, SIGHUP, on_reload_signal, &app);
	app.reconnect_timer = pw_loop_add_timer(loop, on_reconnect_timer, &app);
	if (app.reconnect_timer == NULL) {
		fprintf(stderr, "pw-callbridge: cannot create a timer: %s\n", strerror(errno));
		app.exit_code = EXIT_RUNTIME;
		goto done;
	}

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

	/* The bridge takes the config over; ours is wiped either way. */
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
