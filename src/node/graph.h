/* What the link keeper needs to know of the PipeWire graph, mirrored from
 * the registry of one connection: every node's name, every port's node,
 * direction and channel, every link's two ports, and the default source
 * and sink the session manager publishes in its "default" metadata
 * (default.audio.source, default.audio.sink: {"name": NODE}).
 *
 * Main thread only: the registry and metadata events arrive on the loop of
 * the connection's context, the PipeWire main loop (the daemon's own in the
 * module), never on the data loop.  Allocates freely; nothing here is on
 * the real-time path. */
#ifndef CALLBRIDGE_GRAPH_H
#define CALLBRIDGE_GRAPH_H

#include <stdbool.h>
#include <stdint.h>

#include <pipewire/pipewire.h>

#include "node/link-plan.h"

struct cb_graph;

struct cb_graph_events {
	/* A node, port or link came or went, or a default changed. */
	void (*changed)(void *data);
};

int cb_graph_new(struct cb_graph **out, struct pw_core *core, const struct cb_graph_events *events,
		 void *data);
void cb_graph_destroy(struct cb_graph *g);

/* Whether the registry has listed everything that existed when the
 * graph was made; until then nothing it lacks is known to be missing. */
bool cb_graph_synced(const struct cb_graph *g);
/* The global id of the first node (lowest id) with this node.name, or
 * SPA_ID_INVALID. */
uint32_t cb_graph_find_node(const struct cb_graph *g, const char *name);
/* The ports of a node in one direction, at most max; returns the count. */
uint32_t cb_graph_ports(const struct cb_graph *g, uint32_t node, bool output,
			struct cb_plan_port *ports, uint32_t max);
/* Whether a link joins these two ports (whoever made it). */
bool cb_graph_has_link(const struct cb_graph *g, uint32_t output_port, uint32_t input_port);
/* The default source's or sink's node.name, "" while there is none. */
const char *cb_graph_default(const struct cb_graph *g, bool source);

#endif
