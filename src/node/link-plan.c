#include <stdlib.h>
#include <string.h>

#include "node/link-plan.h"

static int by_index(const void *a, const void *b)
{
	const struct cb_plan_port *pa = a, *pb = b;

	if (pa->index != pb->index)
		return pa->index < pb->index ? -1 : 1;
	return pa->id < pb->id ? -1 : pa->id > pb->id;
}

static const struct cb_plan_port *find_channel(const struct cb_plan_port *outs, uint32_t n,
					       const char *channel)
{
	if (channel[0] == '\0')
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		if (strcmp(outs[i].channel, channel) == 0)
			return &outs[i];
	return NULL;
}

uint32_t cb_link_plan(struct cb_plan_port *outs, uint32_t n_outs, struct cb_plan_port *ins,
		      uint32_t n_ins, const char (*pick)[CB_CHANNEL_NAME_MAX + 1], uint32_t n_pick,
		      struct cb_port_pair *pairs, uint32_t max, bool *complete)
{
	uint32_t n_main = 0, n_used, n_pairs = 0;
	bool main_first;

	*complete = false;
	n_outs = n_outs < CB_LINK_PLAN_MAX_PORTS ? n_outs : CB_LINK_PLAN_MAX_PORTS;
	n_ins = n_ins < CB_LINK_PLAN_MAX_PORTS ? n_ins : CB_LINK_PLAN_MAX_PORTS;
	if (n_outs == 0 || n_ins == 0)
		return 0;
	/* Outputs that are not monitors first, then the monitors: only the
	 * first group is used, the monitors only when they are all there is. */
	for (uint32_t i = 0; i < n_outs; i++)
		if (!outs[i].monitor)
			n_main++;
	main_first = n_main > 0;
	qsort(outs, n_outs, sizeof(*outs), by_index);
	qsort(ins, n_ins, sizeof(*ins), by_index);
	if (main_first) {
		/* Stable partition, keeping the index order within each group. */
		struct cb_plan_port tmp[CB_LINK_PLAN_MAX_PORTS];
		uint32_t k = 0;

		for (uint32_t i = 0; i < n_outs; i++)
			if (!outs[i].monitor)
				tmp[k++] = outs[i];
		for (uint32_t i = 0; i < n_outs; i++)
			if (outs[i].monitor)
				tmp[k++] = outs[i];
		memcpy(outs, tmp, n_outs * sizeof(*outs));
	}
	n_used = main_first ? n_main : n_outs;

	*complete = true;
	for (uint32_t i = 0; i < n_ins; i++) {
		const struct cb_plan_port *from;

		if (n_pick > 0) {
			from = i < n_pick || n_pick == 1 ?
			       find_channel(outs, n_used, pick[n_pick == 1 ? 0 : i]) : NULL;
		} else {
			from = find_channel(outs, n_used, ins[i].channel);
			if (from == NULL)
				from = &outs[i % n_used];
		}
		if (from == NULL || n_pairs >= max) {
			*complete = false;
			continue;
		}
		pairs[n_pairs].output = from->id;
		pairs[n_pairs].input = ins[i].id;
		n_pairs++;
	}
	return n_pairs;
}
