#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spa/utils/json.h>
#include <spa/utils/string.h>

#include "node/graph.h"
#include "util/log.h"

#include <pipewire/extensions/metadata.h>

#define DEFAULT_METADATA "default"
#define KEY_DEFAULT_SOURCE "default.audio.source"
#define KEY_DEFAULT_SINK "default.audio.sink"

enum object_kind { KIND_NODE, KIND_PORT, KIND_LINK };

/* One global of the registry, as far as links need it. */
struct object {
	struct spa_list link;
	uint32_t id;
	enum object_kind kind;
	char *name;			/* node: node.name */
	uint32_t node;			/* port: its node */
	bool output;			/* port: direction */
	struct cb_plan_port port;	/* port: index, monitor, channel */
	uint32_t output_port;		/* link */
	uint32_t input_port;
};

struct cb_graph {
	struct pw_core *core;
	struct spa_hook core_listener;
	int sync_seq;
	bool synced;		/* the registry's first listing is in */
	struct pw_registry *registry;
	struct spa_hook registry_listener;
	struct spa_list objects;
	/* The session manager's "default" metadata, while it exists. */
	uint32_t metadata_id;
	struct pw_proxy *metadata;
	struct spa_hook metadata_listener;
	char default_source[CB_TARGET_MAX + 1];
	char default_sink[CB_TARGET_MAX + 1];
	const struct cb_graph_events *events;
	void *data;
};

static void changed(struct cb_graph *g)
{
	if (g->events && g->events->changed)
		g->events->changed(g->data);
}

static uint32_t prop_uint(const struct spa_dict *props, const char *key)
{
	const char *s = spa_dict_lookup(props, key);
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0')
		return SPA_ID_INVALID;
	v = strtoul(s, &end, 10);
	return *end == '\0' && v < SPA_ID_INVALID ? (uint32_t)v : SPA_ID_INVALID;
}

/* {"name": "alsa_input..."}: the node.name, or "" for anything else. */
static void default_name(const char *value, char *out, size_t len)
{
	struct spa_json it, obj;
	char key[16];
	const char *v;
	int n;

	out[0] = '\0';
	if (value == NULL)
		return;
	spa_json_init(&it, value, strlen(value));
	if (spa_json_enter_object(&it, &obj) <= 0)
		return;
	while (spa_json_get_string(&obj, key, sizeof(key)) > 0) {
		if ((n = spa_json_next(&obj, &v)) <= 0)
			return;
		if (strcmp(key, "name") == 0 && spa_json_is_string(v, n)) {
			if (spa_json_parse_stringn(v, n, out, (int)len) <= 0)
				out[0] = '\0';
			return;
		}
	}
}

static int on_metadata_property(void *data, uint32_t subject, const char *key, const char *type,
				const char *value)
{
	struct cb_graph *g = data;
	char name[CB_TARGET_MAX + 1];
	char *slot;

	if (subject != PW_ID_CORE)
		return 0;
	if (key == NULL) {
		/* Everything cleared. */
		g->default_source[0] = g->default_sink[0] = '\0';
		changed(g);
		return 0;
	}
	if (strcmp(key, KEY_DEFAULT_SOURCE) == 0)
		slot = g->default_source;
	else if (strcmp(key, KEY_DEFAULT_SINK) == 0)
		slot = g->default_sink;
	else
		return 0;
	default_name(value, name, sizeof(name));
	if (strcmp(slot, name) != 0) {
		pw_log_debug("%s = %s", key, name[0] ? name : "(none)");
		memcpy(slot, name, sizeof(name));
		changed(g);
	}
	return 0;
}

static const struct pw_metadata_events metadata_events = {
	PW_VERSION_METADATA_EVENTS,
	.property = on_metadata_property,
};

static void drop_metadata(struct cb_graph *g)
{
	if (g->metadata == NULL)
		return;
	spa_hook_remove(&g->metadata_listener);
	pw_proxy_destroy(g->metadata);
	g->metadata = NULL;
	g->metadata_id = SPA_ID_INVALID;
	g->default_source[0] = g->default_sink[0] = '\0';
}

static void bind_metadata(struct cb_graph *g, uint32_t id)
{
	drop_metadata(g);
	g->metadata = pw_registry_bind(g->registry, id, PW_TYPE_INTERFACE_Metadata,
				       PW_VERSION_METADATA, 0);
	if (g->metadata == NULL) {
		pw_log_warn("cannot bind the default metadata: %s; default targets stay unknown",
			    strerror(errno));
		return;
	}
	g->metadata_id = id;
	pw_metadata_add_listener((struct pw_metadata *)g->metadata, &g->metadata_listener,
				 &metadata_events, g);
	/* Its properties come with the next round trip: a default is not
	 * missing before they are in. */
	g->synced = false;
	g->sync_seq = pw_core_sync(g->core, PW_ID_CORE, 0);
}

static struct object *add_object(struct cb_graph *g, uint32_t id, enum object_kind kind)
{
	struct object *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->id = id;
	o->kind = kind;
	spa_list_append(&g->objects, &o->link);
	return o;
}

static void free_object(struct object *o)
{
	spa_list_remove(&o->link);
	free(o->name);
	free(o);
}

static void on_global(void *data, uint32_t id, uint32_t permissions, const char *type,
		      uint32_t version, const struct spa_dict *props)
{
	struct cb_graph *g = data;
	const char *s;
	struct object *o;

	if (props == NULL)
		return;
	if (strcmp(type, PW_TYPE_INTERFACE_Node) == 0) {
		if ((s = spa_dict_lookup(props, PW_KEY_NODE_NAME)) == NULL ||
		    (o = add_object(g, id, KIND_NODE)) == NULL)
			return;
		o->name = strdup(s);
	} else if (strcmp(type, PW_TYPE_INTERFACE_Port) == 0) {
		if ((s = spa_dict_lookup(props, PW_KEY_PORT_DIRECTION)) == NULL ||
		    (o = add_object(g, id, KIND_PORT)) == NULL)
			return;
		o->output = strcmp(s, "out") == 0;
		o->node = prop_uint(props, PW_KEY_NODE_ID);
		o->port.id = id;
		o->port.index = prop_uint(props, PW_KEY_PORT_ID);
		o->port.monitor = spa_atob(spa_dict_lookup(props, PW_KEY_PORT_MONITOR));
		snprintf(o->port.channel, sizeof(o->port.channel), "%s",
			 (s = spa_dict_lookup(props, PW_KEY_AUDIO_CHANNEL)) ? s : "");
	} else if (strcmp(type, PW_TYPE_INTERFACE_Link) == 0) {
		if ((o = add_object(g, id, KIND_LINK)) == NULL)
			return;
		o->output_port = prop_uint(props, PW_KEY_LINK_OUTPUT_PORT);
		o->input_port = prop_uint(props, PW_KEY_LINK_INPUT_PORT);
	} else if (strcmp(type, PW_TYPE_INTERFACE_Metadata) == 0) {
		if ((s = spa_dict_lookup(props, PW_KEY_METADATA_NAME)) != NULL &&
		    strcmp(s, DEFAULT_METADATA) == 0)
			bind_metadata(g, id);
		return;
	} else {
		return;
	}
	changed(g);
}

static void on_global_remove(void *data, uint32_t id)
{
	struct cb_graph *g = data;
	struct object *o, *t;

	if (id == g->metadata_id) {
		drop_metadata(g);
		changed(g);
		return;
	}
	spa_list_for_each_safe(o, t, &g->objects, link) {
		if (o->id == id) {
			free_object(o);
			changed(g);
		}
	}
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = on_global,
	.global_remove = on_global_remove,
};

/* The answer to the last sync asked for (after the registry, and after
 * binding the default metadata): every global that existed then has been
 * listed and the defaults are in, so a target missing now is missing, not
 * yet to be listed. */
static void on_core_done(void *data, uint32_t id, int seq)
{
	struct cb_graph *g = data;

	if (id != PW_ID_CORE || seq != g->sync_seq || g->synced)
		return;
	g->synced = true;
	changed(g);
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.done = on_core_done,
};

int cb_graph_new(struct cb_graph **out, struct pw_core *core, const struct cb_graph_events *events,
		 void *data)
{
	struct cb_graph *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return -errno;
	spa_list_init(&g->objects);
	g->metadata_id = SPA_ID_INVALID;
	g->events = events;
	g->data = data;
	g->core = core;
	g->registry = pw_core_get_registry(core, PW_VERSION_REGISTRY, 0);
	if (g->registry == NULL) {
		int res = -errno;
		free(g);
		return res;
	}
	pw_registry_add_listener(g->registry, &g->registry_listener, &registry_events, g);
	pw_core_add_listener(core, &g->core_listener, &core_events, g);
	g->sync_seq = pw_core_sync(core, PW_ID_CORE, 0);
	*out = g;
	return 0;
}

void cb_graph_destroy(struct cb_graph *g)
{
	struct object *o, *t;

	if (g == NULL)
		return;
	drop_metadata(g);
	spa_hook_remove(&g->core_listener);
	spa_hook_remove(&g->registry_listener);
	pw_proxy_destroy((struct pw_proxy *)g->registry);
	spa_list_for_each_safe(o, t, &g->objects, link)
		free_object(o);
	free(g);
}

bool cb_graph_synced(const struct cb_graph *g)
{
	return g->synced;
}

uint32_t cb_graph_find_node(const struct cb_graph *g, const char *name)
{
	struct object *o;
	uint32_t best = SPA_ID_INVALID;

	spa_list_for_each(o, &g->objects, link)
		if (o->kind == KIND_NODE && o->name && strcmp(o->name, name) == 0 && o->id < best)
			best = o->id;
	return best;
}

uint32_t cb_graph_ports(const struct cb_graph *g, uint32_t node, bool output,
			struct cb_plan_port *ports, uint32_t max)
{
	struct object *o;
	uint32_t n = 0;

	spa_list_for_each(o, &g->objects, link)
		if (o->kind == KIND_PORT && o->node == node && o->output == output && n < max)
			ports[n++] = o->port;
	return n;
}

bool cb_graph_has_link(const struct cb_graph *g, uint32_t output_port, uint32_t input_port)
{
	struct object *o;

	spa_list_for_each(o, &g->objects, link)
		if (o->kind == KIND_LINK && o->output_port == output_port &&
		    o->input_port == input_port)
			return true;
	return false;
}

const char *cb_graph_default(const struct cb_graph *g, bool source)
{
	return source ? g->default_source : g->default_sink;
}
