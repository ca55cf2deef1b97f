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
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/impl.h>
#include <pipewire/pipewire.h>

#include "config/config.h"
#include "pipeline/bridge.h"

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
	struct pw_core *core;
	struct cb_bridge *bridge;
};

static void impl_destroy(struct impl *impl)
{
	if (impl->bridge)
		cb_bridge_destroy(impl->bridge);
	if (impl->core)
		pw_core_disconnect(impl->core);
	free(impl);
}

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

	impl->core = pw_context_connect_self(context, NULL, 0);
	if (impl->core == NULL) {
		res = -errno;
		pw_log_error("cannot connect to the local context: %s", strerror(-res));
		goto error;
	}
	if ((res = cb_bridge_new(&impl->bridge, impl->core, config, err, sizeof(err))) < 0) {
		pw_log_error("%s", err);
		goto error;
	}

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
