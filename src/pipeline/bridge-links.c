/* The call's capture and playback links: what the config asks for, handed
 * to the link keeper (node/link-keeper.h, which says how and why through
 * the link factory), and what status shows of it.  The keeper lives on one
 * PipeWire connection: made with the nodes, dropped when PipeWire goes
 * away, made again on the new connection, and told the wants again after
 * every reload.  Main thread only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/link-keeper.h"
#include "pipeline/bridge-private.h"
#include "util/log.h"

static void track_node_name(const struct cb_bridge *b, const char *track, char *out, size_t len)
{
	snprintf(out, len, "callbridge.%s.%s", b->config.call.name, track);
}

static void remote_node_name(const struct cb_bridge *b, const char *remote, char *out, size_t len)
{
	snprintf(out, len, "callbridge.%s.remote.%s", b->config.call.name, remote);
}

void cb_bridge_update_links(struct cb_bridge *b)
{
	const struct cb_config *c = &b->config;
	struct cb_link_want *wants;
	char prefix[CB_LINK_NODE_MAX];
	uint32_t n = 0;
	int res;

	if (b->core == NULL)
		return;
	wants = calloc(CB_MAX_TRACKS + CB_MAX_REMOTES, sizeof(*wants));
	if (wants == NULL) {
		pw_log_error("call %s: out of memory: links not updated", c->call.name);
		return;
	}
	for (uint32_t i = 0; i < c->n_tracks; i++) {
		const struct cb_track_config *t = &c->tracks[i];
		struct cb_link_want *w = &wants[n];

		if (t->capture[0] == '\0')
			continue;
		track_node_name(b, t->name, w->node, sizeof(w->node));
		snprintf(w->target, sizeof(w->target), "%s", t->capture);
		w->capture = true;
		w->n_pick = t->n_capture_channels;
		memcpy(w->pick, t->capture_channels, sizeof(w->pick));
		n++;
	}
	for (uint32_t i = 0; i < c->n_remotes; i++) {
		const struct cb_remote_config *r = &c->remotes[i];
		struct cb_link_want *w = &wants[n];

		if (r->playback[0] == '\0')
			continue;
		remote_node_name(b, r->name, w->node, sizeof(w->node));
		snprintf(w->target, sizeof(w->target), "%s", r->playback);
		n++;
	}
	if (b->links == NULL && n > 0) {
		snprintf(prefix, sizeof(prefix), "callbridge.%s.", c->call.name);
		if ((res = cb_link_keeper_new(&b->links, b->core, prefix)) < 0) {
			pw_log_error("call %s: cannot watch the graph, capture and playback "
				     "links will not be made: %s", c->call.name, strerror(-res));
			b->links = NULL;
		}
	}
	if (b->links && (res = cb_link_keeper_set_wants(b->links, wants, n)) < 0)
		pw_log_error("call %s: links not updated: %s", c->call.name, strerror(-res));
	free(wants);
}

void cb_bridge_drop_links(struct cb_bridge *b)
{
	cb_link_keeper_destroy(b->links);
	b->links = NULL;
}

static void link_state(const struct cb_bridge *b, const char *node, const char *target,
		       char *out, size_t len)
{
	if (target[0] == '\0')
		out[0] = '\0';
	else if (b->links == NULL || !cb_link_keeper_state(b->links, node, out, len))
		snprintf(out, len, "waiting:%s", target);
}

void cb_bridge_capture_state(const struct cb_bridge *b, const struct cb_track_config *t,
			     char *out, size_t len)
{
	char node[CB_LINK_NODE_MAX];

	track_node_name(b, t->name, node, sizeof(node));
	link_state(b, node, t->capture, out, len);
}

void cb_bridge_playback_state(const struct cb_bridge *b, const struct cb_remote_config *r,
			      char *out, size_t len)
{
	char node[CB_LINK_NODE_MAX];

	remote_node_name(b, r->name, node, sizeof(node));
	link_state(b, node, r->playback, out, len);
}
