/* Which port of one node feeds which port of another: the pairs the link
 * keeper (link-keeper.h) links, decided from the ports alone.
 *
 * Pure: no PipeWire calls, no allocation; the unit test feeds it ports as
 * the registry describes them.  The rules, as callbridge.ini(5) states
 * them for capture and playback:
 *  - the feeding node's outputs are its ports that are not monitors, or its
 *    monitors when it has nothing else (a sink named as a capture target
 *    is captured through its monitor);
 *  - with a pick list (capture-channels), the input port i takes the
 *    output whose channel is pick[0] when the list has one name, pick[i]
 *    when it has one per input; an input whose pick is not there gets
 *    nothing (the plan is then incomplete);
 *  - without one, each input takes the output of the same channel
 *    position, or else the output of the same index modulo the outputs:
 *    mono into stereo feeds both channels, stereo into mono the first.
 * Ports are ordered by their port.id, the order the node made them in. */
#ifndef CALLBRIDGE_LINK_PLAN_H
#define CALLBRIDGE_LINK_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

#define CB_LINK_PLAN_MAX_PORTS 64	/* per node and direction; more are ignored */

struct cb_plan_port {
	uint32_t id;			/* the port's global id */
	uint32_t index;			/* port.id within its node */
	bool monitor;			/* port.monitor */
	char channel[CB_CHANNEL_NAME_MAX + 1];	/* audio.channel, "" when none */
};

struct cb_port_pair {
	uint32_t output;		/* global ids */
	uint32_t input;
};

/* Fills pairs (room for max) with the links that feed every port of ins
 * from outs and returns how many there are; *complete says whether every
 * input got one (false too when there are no inputs or no outputs).  The
 * arrays are sorted in place by index. */
uint32_t cb_link_plan(struct cb_plan_port *outs, uint32_t n_outs, struct cb_plan_port *ins,
		      uint32_t n_ins, const char (*pick)[CB_CHANNEL_NAME_MAX + 1], uint32_t n_pick,
		      struct cb_port_pair *pairs, uint32_t max, bool *complete);

#endif
