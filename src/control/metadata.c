#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <spa/utils/hook.h>
#include <pipewire/pipewire.h>
#include <pipewire/extensions/metadata.h>
#include <pipewire/impl-metadata.h>

#include "control/metadata.h"
#include "util/log.h"

struct cb_call_metadata {
	/* The object lives here, in the bridge, and is exported: other
	 * clients' writes arrive as calls into it, and it dies with our
	 * connection, so a crashed bridge leaves no stale status behind. */
	struct pw_impl_metadata *impl;
	struct pw_proxy *proxy;
	struct spa_hook impl_listener;
	struct spa_hook proxy_listener;
	const struct cb_call_metadata_events *events;
	void *data;
	char name[64];
};

static int on_property(void *data, uint32_t subject, const char *key, const char *type,
		       const char *value)
{
	struct cb_call_metadata *m = data;

	if (subject == PW_ID_CORE && key != NULL && m->events->property)
		m->events->property(m->data, key, type, value);
	return 0;
}

static const struct pw_impl_metadata_events impl_events = {
	PW_VERSION_IMPL_METADATA_EVENTS,
	.property = on_property,
};

static void on_proxy_error(void *data, int seq, int res, const char *message)
{
	struct cb_call_metadata *m = data;
	pw_log_warn("metadata %s: %s", m->name, message);
}

static void on_proxy_removed(void *data)
{
	struct cb_call_metadata *m = data;
	pw_log_info("metadata %s was removed; control and status are off", m->name);
}

static const struct pw_proxy_events proxy_events = {
	PW_VERSION_PROXY_EVENTS,
	.removed = on_proxy_removed,
	.error = on_proxy_error,
};

int cb_call_metadata_new(struct cb_call_metadata **out, struct pw_core *core,
			 const char *call_name, const struct cb_call_metadata_events *events,
			 void *data)
{
	struct cb_call_metadata *m;
	struct pw_properties *props;
	int res;

	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	m->events = events;
	m->data = data;
	snprintf(m->name, sizeof(m->name), CB_METADATA_PREFIX "%s", call_name);

	props = pw_properties_new(PW_KEY_METADATA_NAME, m->name, NULL);
	if (props == NULL) {
		res = -errno;
		goto error;
	}
	m->impl = pw_context_create_metadata(pw_core_get_context(core), m->name,
					     pw_properties_copy(props), 0);
	if (m->impl == NULL) {
		res = -errno;
		pw_properties_free(props);
		goto error;
	}
	pw_impl_metadata_add_listener(m->impl, &m->impl_listener, &impl_events, m);
	m->proxy = pw_core_export(core, PW_TYPE_INTERFACE_Metadata, &props->dict,
				  pw_impl_metadata_get_implementation(m->impl), 0);
	pw_properties_free(props);
	if (m->proxy == NULL) {
		res = -errno;
		goto error;
	}
	pw_proxy_add_listener(m->proxy, &m->proxy_listener, &proxy_events, m);
	*out = m;
	return 0;

error:
	cb_call_metadata_destroy(m);
	return res;
}

void cb_call_metadata_destroy(struct cb_call_metadata *m)
{
	if (m == NULL)
		return;
	if (m->proxy) {
		spa_hook_remove(&m->proxy_listener);
		pw_proxy_destroy(m->proxy);
	}
	if (m->impl) {
		spa_hook_remove(&m->impl_listener);
		pw_impl_metadata_destroy(m->impl);
	}
	free(m);
}

void cb_call_metadata_set(struct cb_call_metadata *m, const char *key, const char *type,
			  const char *value)
{
	pw_impl_metadata_set_property(m->impl, PW_ID_CORE, key, value ? type : NULL, value);
}
