#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/graph.h"
#include "node/link-keeper.h"
#include "node/link-plan.h"
#include "util/clock.h"
#include "util/log.h"

/* After the link factory refused a link (a port that went away between
 * the registry event and the request, a format the two sides cannot
 * agree on), the next try waits this long, so a link that keeps failing
 * costs one request and one log line every two seconds, not one a tick. */
#define RETRY_NS (2 * SPA_NSEC_PER_SEC)
#define MAX_PAIRS CB_LINK_PLAN_MAX_PORTS

/* A link this keeper asked for: the user data of its proxy, so it lives
 * exactly as long as the proxy. */
struct own_link {
	struct spa_list link;
	struct cb_link_keeper *keeper;
	struct pw_proxy *proxy;
	struct spa_hook listener;
	uint32_t output, input;		/* port global ids */
	bool marked;			/* still wanted, this tick */
	bool gone;			/* removed by the server, or refused: drop it */
};

struct want_state {
	struct cb_link_want want;
	bool linked;
	bool logged;			/* this stretch of waiting was logged */
	char state[CB_LINK_STATE_MAX];
};

struct cb_link_keeper {
	struct pw_core *core;		/* the bridge's, or own_core */
	/* Inside the PipeWire daemon: a socket connection of the keeper's
	 * own (see cb_link_keeper_new). */
	struct pw_core *own_core;
	struct cb_graph *graph;
	char own_prefix[CB_LINK_NODE_MAX];
	struct spa_list links;		/* struct own_link */
	uint32_t n_wants;
	struct want_state *wants;
	bool dirty;			/* the graph or the wants changed */
	uint64_t retry_at_ns;		/* 0: no failed link waits */
};

static void on_graph_changed(void *data)
{
	struct cb_link_keeper *k = data;
	k->dirty = true;
}

static const struct cb_graph_events graph_events = {
	.changed = on_graph_changed,
};

static void on_link_removed(void *data)
{
	struct own_link *l = data;

	l->gone = true;
	l->keeper->dirty = true;
}

static void on_link_error(void *data, int seq, int res, const char *message)
{
	struct own_link *l = data;

	pw_log_warn("cannot link port %u to port %u: %s; trying again in %d s", l->output,
		    l->input, message ? message : strerror(-res), (int)(RETRY_NS / SPA_NSEC_PER_SEC));
	l->gone = true;
	l->keeper->dirty = true;
	l->keeper->retry_at_ns = cb_now_ns() + RETRY_NS;
}

static void on_link_destroy(void *data)
{
	struct own_link *l = data;

	spa_hook_remove(&l->listener);
	spa_list_remove(&l->link);
}

static const struct pw_proxy_events link_events = {
	PW_VERSION_PROXY_EVENTS,
	.removed = on_link_removed,
	.error = on_link_error,
	.destroy = on_link_destroy,
};

static struct own_link *find_own(struct cb_link_keeper *k, uint32_t output, uint32_t input)
{
	struct own_link *l;

	spa_list_for_each(l, &k->links, link)
		if (l->output == output && l->input == input && !l->gone)
			return l;
	return NULL;
}

static void make_link(struct cb_link_keeper *k, uint32_t from, uint32_t to,
		      const struct cb_port_pair *pair)
{
	struct pw_properties *props = pw_properties_new(PW_KEY_OBJECT_LINGER, "false", NULL);
	struct pw_proxy *proxy;
	struct own_link *l;

	if (props == NULL)
		return;
	pw_properties_setf(props, PW_KEY_LINK_OUTPUT_NODE, "%u", from);
	pw_properties_setf(props, PW_KEY_LINK_OUTPUT_PORT, "%u", pair->output);
	pw_properties_setf(props, PW_KEY_LINK_INPUT_NODE, "%u", to);
	pw_properties_setf(props, PW_KEY_LINK_INPUT_PORT, "%u", pair->input);
	proxy = pw_core_create_object(k->core, "link-factory", PW_TYPE_INTERFACE_Link,
				      PW_VERSION_LINK, &props->dict, sizeof(*l));
	pw_properties_free(props);
	if (proxy == NULL) {
		pw_log_warn("cannot ask for a link: %s", strerror(errno));
		k->retry_at_ns = cb_now_ns() + RETRY_NS;
		return;
	}
	l = pw_proxy_get_user_data(proxy);
	*l = (struct own_link) {
		.keeper = k, .proxy = proxy, .output = pair->output, .input = pair->input,
		.marked = true,
	};
	pw_proxy_add_listener(proxy, &l->listener, &link_events, l);
	spa_list_append(&k->links, &l->link);
	pw_log_debug("linking port %u -> %u", pair->output, pair->input);
}

static const char *direction_text(const struct cb_link_want *w)
{
	return w->capture ? "capture" : "playback";
}

/* Sets the want's state, and logs what changed: linked, and once per
 * stretch of waiting the reason, when there is one to tell. */
static void set_state(struct want_state *ws, bool linked, const char *name, const char *why)
{
	char state[CB_LINK_STATE_MAX];
	const struct cb_link_want *w = &ws->want;

	snprintf(state, sizeof(state), "%s:%s", linked ? "linked" : "waiting", name);
	if (linked && !ws->linked)
		pw_log_info("%s: %s %s: linked", w->node, direction_text(w), name);
	if (!linked && why && !ws->logged) {
		pw_log_info("%s: %s %s: %s; waiting for it", w->node, direction_text(w), w->target,
			    why);
		ws->logged = true;
	}
	if (linked)
		ws->logged = false;
	ws->linked = linked;
	memcpy(ws->state, state, sizeof(state));
}

static void keep_want(struct cb_link_keeper *k, struct want_state *ws, bool retrying)
{
	const struct cb_link_want *w = &ws->want;
	struct cb_plan_port outs[CB_LINK_PLAN_MAX_PORTS], ins[CB_LINK_PLAN_MAX_PORTS];
	struct cb_port_pair pairs[MAX_PAIRS];
	const char *name = w->target;
	uint32_t node, target, from, to, n_outs, n_ins, n_pairs;
	bool done;

	if (strcmp(name, "default") == 0) {
		name = cb_graph_default(k->graph, w->capture);
		if (name[0] == '\0')
			return set_state(ws, false, "default", w->capture ?
					 "no default source is set" : "no default sink is set");
		/* The call's own remote as the default source, or its own track
		 * as the default sink (WirePlumber picks them when nothing else
		 * is there): linking it would send the call back into itself. */
		if (strncmp(name, k->own_prefix, strlen(k->own_prefix)) == 0)
			return set_state(ws, false, "default", "the default is this call's own node");
	}
	target = cb_graph_find_node(k->graph, name);
	if (target == SPA_ID_INVALID)
		return set_state(ws, false, name, "not there");
	node = cb_graph_find_node(k->graph, w->node);
	if (node == SPA_ID_INVALID)
		/* Ours: a remote's node waits for the peer's first packet. */
		return set_state(ws, false, name, NULL);
	from = w->capture ? target : node;
	to = w->capture ? node : target;
	n_outs = cb_graph_ports(k->graph, from, true, outs, CB_LINK_PLAN_MAX_PORTS);
	n_ins = cb_graph_ports(k->graph, to, false, ins, CB_LINK_PLAN_MAX_PORTS);
	n_pairs = cb_link_plan(outs, n_outs, ins, n_ins, (const char (*)[CB_CHANNEL_NAME_MAX + 1])w->pick,
			       w->n_pick, pairs, MAX_PAIRS, &done);
	for (uint32_t i = 0; i < n_pairs; i++) {
		struct own_link *l = find_own(k, pairs[i].output, pairs[i].input);

		if (l)
			l->marked = true;
		if (cb_graph_has_link(k->graph, pairs[i].output, pairs[i].input))
			continue;
		/* Asked for and not in the registry yet, or to be asked for. */
		done = false;
		if (l == NULL && !retrying)
			make_link(k, from, to, &pairs[i]);
	}
	set_state(ws, done, name, NULL);
}

void cb_link_keeper_tick(struct cb_link_keeper *k, uint64_t now_ns)
{
	struct own_link *l, *t;
	bool retrying = k->retry_at_ns != 0 && now_ns < k->retry_at_ns;

	if (!cb_graph_synced(k->graph) || (!k->dirty && (k->retry_at_ns == 0 || retrying)))
		return;
	k->dirty = false;
	if (!retrying)
		k->retry_at_ns = 0;
	spa_list_for_each_safe(l, t, &k->links, link) {
		if (l->gone)
			pw_proxy_destroy(l->proxy);	/* unlinks it from the list */
		else
			l->marked = false;
	}
	for (uint32_t i = 0; i < k->n_wants; i++)
		keep_want(k, &k->wants[i], retrying);
	/* Ours and no longer wanted (a reload named another target, the
	 * default moved): destroying the proxy removes the link. */
	spa_list_for_each_safe(l, t, &k->links, link)
		if (!l->marked)
			pw_proxy_destroy(l->proxy);
}

int cb_link_keeper_set_wants(struct cb_link_keeper *k, const struct cb_link_want *wants,
			     uint32_t n_wants)
{
	struct want_state *next = NULL;

	if (n_wants > 0 && (next = calloc(n_wants, sizeof(*next))) == NULL)
		return -errno;
	for (uint32_t i = 0; i < n_wants; i++) {
		next[i].want = wants[i];
		snprintf(next[i].state, sizeof(next[i].state), "waiting:%s", wants[i].target);
		/* A want that stays keeps its state: no second "linked" line
		 * for a reload that changed something else. */
		for (uint32_t j = 0; j < k->n_wants; j++) {
			if (memcmp(&k->wants[j].want, &wants[i], sizeof(wants[i])) == 0) {
				next[i] = k->wants[j];
				break;
			}
		}
	}
	free(k->wants);
	k->wants = next;
	k->n_wants = n_wants;
	k->dirty = true;
	return 0;
}

bool cb_link_keeper_state(const struct cb_link_keeper *k, const char *node, char *out, size_t len)
{
	for (uint32_t i = 0; i < k->n_wants; i++) {
		if (strcmp(k->wants[i].want.node, node) == 0) {
			snprintf(out, len, "%s", k->wants[i].state);
			return true;
		}
	}
	return false;
}

int cb_link_keeper_new(struct cb_link_keeper **out, struct pw_core *core, const char *own_prefix)
{
	struct cb_link_keeper *k = calloc(1, sizeof(*k));
	int res;

	const struct pw_properties *context_props;
	struct pw_context *context;

	if (k == NULL)
		return -errno;
	/* Inside the daemon the bridge's core is the in-process ("internal")
	 * connection, and binding a metadata object through one crashes
	 * PipeWire 0.3.65 (module-metadata's first sync ends with
	 * pw_impl_client_set_busy(false), which signals the resume event of
	 * the socket server, which the in-process server does not have:
	 * a SIGSEGV in module-protocol-native, seen the moment WirePlumber's
	 * "default" metadata appeared).  So there the keeper talks to the
	 * daemon as any client does, through its socket, as PipeWire's own
	 * modules do (module-loopback); its links go with that connection. */
	context = pw_core_get_context(core);
	context_props = pw_context_get_properties(context);
	if (pw_properties_get_bool(context_props, PW_KEY_CORE_DAEMON, false)) {
		const char *name = pw_properties_get(context_props, PW_KEY_CORE_NAME);

		k->own_core = pw_context_connect(context, pw_properties_new(
				PW_KEY_REMOTE_NAME, name,
				PW_KEY_APP_NAME, "callbridge links", NULL), 0);
		if (k->own_core == NULL) {
			res = -errno;
			free(k);
			return res;
		}
		core = k->own_core;
	}
	k->core = core;
	spa_list_init(&k->links);
	snprintf(k->own_prefix, sizeof(k->own_prefix), "%s", own_prefix);
	if ((res = cb_graph_new(&k->graph, core, &graph_events, k)) < 0) {
		if (k->own_core)
			pw_core_disconnect(k->own_core);
		free(k);
		return res;
	}
	*out = k;
	return 0;
}

void cb_link_keeper_destroy(struct cb_link_keeper *k)
{
	struct own_link *l, *t;

	if (k == NULL)
		return;
	spa_list_for_each_safe(l, t, &k->links, link)
		pw_proxy_destroy(l->proxy);
	cb_graph_destroy(k->graph);
	if (k->own_core)
		pw_core_disconnect(k->own_core);
	free(k->wants);
	free(k);
}
