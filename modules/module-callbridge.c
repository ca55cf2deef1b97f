/* PipeWire module: runs a callbridge call inside the PipeWire daemon.
 *
 * ## Module options
 *
 * - `config`: path of the call's INI file (callbridge.ini(5)); required.
 *
 * Every call setting lives in that file, so the daemon and the module read
 * the same thing: see man callbridge.ini(5) for its keys and defaults.
 *
 * ## Example configuration
 *
 *\code{.unparsed}
 * # ~/.config/pipewire/pipewire.conf.d/callbridge.conf
 * context.modules = [
 *     { name = libpipewire-module-callbridge
 *       args = { config = /home/me/.config/callbridge/call.ini }
 *     }
 * ]
 *\endcode
 *
 * A config with errors is reported as FILE:LINE messages in the daemon's log
 * and the module fails to load; nothing of the call is started.
 *
 * ## Reload
 *
 * The module watches its config file (inotify on the file's directory) and
 * reloads the call when the file is rewritten: a write that is closed, or a
 * file renamed over it, as editors do; changes settle for 200 ms first.
 * A reload applies only the difference, exactly as SIGHUP does for
 * pw-callbridge (see pw-callbridge(1)): what did not change keeps running
 * untouched. A file with errors, or one that changes a key that cannot
 * change while the call runs (those `pw-callbridge --help-keys` marks
 * fixed), is rejected with the reason in the log and the call goes on as
 * it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/impl.h>
#include <pipewire/pipewire.h>

#include "config/config.h"
#include "pipeline/bridge.h"
#include "watch/config-watch.h"

PW_LOG_TOPIC_STATIC(mod_topic, "mod.callbridge.module");
#define PW_LOG_TOPIC_DEFAULT mod_topic

#define MODULE_USAGE "( config=<path to the call's INI file> )"

static const struct spa_dict_item module_props[] = {
	{ PW_KEY_MODULE_AUTHOR, "callbridge developers" },
	{ PW_KEY_MODULE_DESCRIPTION, "Bridge PipeWire tracks into Opus/RTP/SRTP call streams" },
	{ PW_KEY_MODULE_USAGE, MODULE_USAGE },
	{ PW_KEY_MODULE_VERSION, PACKAGE_VERSION },
};

struct impl {
	struct pw_context *context;
	struct pw_impl_module *module;
	struct spa_hook module_listener;
	struct spa_hook context_listener;
	bool context_listening;
	struct pw_core *core;
	struct cb_bridge *bridge;
	struct cb_config_watch *watch;
	char *config_path;
};

/* The call and its connection, in that order. Also run when the daemon
 * exits: pw_context_destroy disconnects every core before it destroys the
 * modules, so by module_destroy our streams and core would already be gone
 * (a double free, seen as an abort when PipeWire stopped). */
static void impl_stop(struct impl *impl)
{
	cb_config_watch_destroy(impl->watch);
	impl->watch = NULL;
	if (impl->bridge)
		cb_bridge_destroy(impl->bridge);
	impl->bridge = NULL;
	if (impl->core)
		pw_core_disconnect(impl->core);
	impl->core = NULL;
}

static void impl_destroy(struct impl *impl)
{
	if (impl->context_listening)
		spa_hook_remove(&impl->context_listener);
	impl_stop(impl);
	free(impl->config_path);
	free(impl);
}

static void context_destroy(void *data)
{
	struct impl *impl = data;
	spa_hook_remove(&impl->context_listener);
	impl->context_listening = false;
	impl_stop(impl);
}

static const struct pw_context_events context_events = {
	PW_VERSION_CONTEXT_EVENTS,
	.destroy = context_destroy,
};

static void module_destroy(void *data)
{
	struct impl *impl = data;
	spa_hook_remove(&impl->module_listener);
	impl_destroy(impl);
}

static const struct pw_impl_module_events module_events = {
	PW_VERSION_IMPL_MODULE_EVENTS,
	.destroy = module_destroy,
};

static int load_config(const char *path, struct cb_config *config)
{
	struct cb_config_report report;
	int res;

	memset(&report, 0, sizeof(report));
	res = cb_config_load(path, config, &report);
	for (uint32_t i = 0; i < report.n_warnings; i++)
		pw_log_warn("%s", report.warnings[i]);
	for (uint32_t i = 0; i < report.n_errors; i++)
		pw_log_error("%s", report.errors[i]);
	return res;
}

static void on_config_changed(void *data)
{
	struct impl *impl = data;
	if (impl->bridge == NULL)
		return;
	pw_log_info("%s changed: reloading", impl->config_path);
	cb_bridge_reload_file(impl->bridge, impl->config_path, NULL);
}

SPA_EXPORT
int pipewire__module_init(struct pw_impl_module *module, const char *args)
{
	struct pw_context *context = pw_impl_module_get_context(module);
	struct pw_properties *props = NULL;
	struct cb_config *config = NULL;
	struct impl *impl;
	const char *path;
	char err[512];
	int res;

	PW_LOG_TOPIC_INIT(mod_topic);

	impl = calloc(1, sizeof(*impl));
	if (impl == NULL)
		return -errno;
	impl->context = context;
	impl->module = module;

	props = pw_properties_new_string(args ? args : "");
	path = props ? pw_properties_get(props, "config") : NULL;
	if (path == NULL) {
		pw_log_error("missing argument: " MODULE_USAGE);
		res = -EINVAL;
		goto error;
	}
	config = calloc(1, sizeof(*config));
	if (config == NULL) {
		res = -errno;
		goto error;
	}
	if ((res = load_config(path, config)) < 0)
		goto error;

	/* Inside the PipeWire daemon (core.daemon in its context), the nodes
	 * are made on the daemon's own core.  Loaded into a client instead,
	 * as `pw-cli -m load-module` does, that core is the client's private
	 * one, which no other client sees: connect to the daemon like any
	 * client, as PipeWire's own modules do (module-loopback). */
	if (pw_properties_get_bool(pw_context_get_properties(context), PW_KEY_CORE_DAEMON, false))
		impl->core = pw_context_connect_self(context, NULL, 0);
	else
		impl->core = pw_context_connect(context, pw_properties_new(
				PW_KEY_APP_NAME, "libpipewire-module-callbridge", NULL), 0);
	if (impl->core == NULL) {
		res = -errno;
		pw_log_error("cannot connect to PipeWire: %s", strerror(-res));
		goto error;
	}
	/* The bridge takes the config over; it is cleared below either way. */
	if ((res = cb_bridge_new(&impl->bridge, impl->core, config, err, sizeof(err))) < 0) {
		pw_log_error("%s", err);
		goto error;
	}

	impl->config_path = strdup(path);
	if (impl->config_path == NULL ||
	    (res = cb_config_watch_new(&impl->watch, pw_context_get_main_loop(context),
				       impl->config_path, on_config_changed, impl)) < 0)
		pw_log_warn("cannot watch %s, it will not be reloaded: %s", path,
			    impl->config_path ? strerror(-res) : "out of memory");

	pw_context_add_listener(context, &impl->context_listener, &context_events, impl);
	impl->context_listening = true;
	pw_impl_module_add_listener(module, &impl->module_listener, &module_events, impl);
	pw_impl_module_update_properties(module, &SPA_DICT_INIT_ARRAY(module_props));
	cb_config_clear(config);
	free(config);
	pw_properties_free(props);
	return 0;

error:
	if (config) {
		cb_config_clear(config);
		free(config);
	}
	pw_properties_free(props);
	impl_destroy(impl);
	return res;
}
