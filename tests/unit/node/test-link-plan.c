/* Which port feeds which: the rules callbridge.ini(5) gives for capture,
 * capture-channels and playback, on ports as the registry shows them. */
#include "test.h"

#include "node/link-plan.h"

/* Ports in shuffled index order, ids 100 + index for outputs and 200 +
 * index for inputs, so a pair reads as (1xx, 2xx). */
static uint32_t make(struct cb_plan_port *p, uint32_t base, const char *const *channels,
		     const bool *monitor)
{
	uint32_t n = 0;

	while (channels[n])
		n++;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t index = (i * 3 + 1) % n;	/* not in order */
		p[i] = (struct cb_plan_port) {
			.id = base + index, .index = index, .monitor = monitor && monitor[index],
		};
		snprintf(p[i].channel, sizeof(p[i].channel), "%s", channels[index]);
	}
	return n;
}

static const char *const MONO[] = { "MONO", NULL };
static const char *const STEREO[] = { "FL", "FR", NULL };
static const char *const AUX4[] = { "AUX0", "AUX1", "AUX2", "AUX3", NULL };
/* A sink's outputs are its monitors. */
static const char *const SINK_MONITORS[] = { "FL", "FR", NULL };
static const bool ALL_MONITORS[] = { true, true };
/* A node with real outputs and monitors as well: only the real ones. */
static const char *const MIXED[] = { "FR", "FL", "FL", "FR", NULL };
static const bool MIXED_MONITORS[] = { true, true, false, false };

struct pick_list {
	uint32_t n;
	char names[CB_MAX_CAPTURE_CHANNELS][CB_CHANNEL_NAME_MAX + 1];
};

static uint32_t plan(const char *const *outs, const bool *monitors, const char *const *ins,
		     const struct pick_list *pick, struct cb_port_pair *pairs, bool *complete)
{
	struct cb_plan_port o[16], i[16];
	uint32_t n_o = make(o, 100, outs, monitors), n_i = make(i, 200, ins, NULL);

	return cb_link_plan(o, n_o, i, n_i, pick ? (const char (*)[CB_CHANNEL_NAME_MAX + 1])pick->names : NULL,
			    pick ? pick->n : 0, pairs, 16, complete);
}

#define CHECK_PAIR(p, out, in) do { CHECK_INT_EQ((p).output, (out)); CHECK_INT_EQ((p).input, (in)); } while (0)

int main(void)
{
	struct cb_port_pair p[16];
	bool complete;
	uint32_t n;

	/* Same positions: FL-FL, FR-FR, in the input's port order. */
	n = plan(STEREO, NULL, STEREO, NULL, p, &complete);
	CHECK_INT_EQ(n, 2);
	CHECK(complete);
	CHECK_PAIR(p[0], 100, 200);
	CHECK_PAIR(p[1], 101, 201);

	/* Mono source into a stereo track: both channels. */
	n = plan(MONO, NULL, STEREO, NULL, p, &complete);
	CHECK_INT_EQ(n, 2);
	CHECK(complete);
	CHECK_PAIR(p[0], 100, 200);
	CHECK_PAIR(p[1], 100, 201);

	/* Stereo into mono: the first channel only, not a sum. */
	n = plan(STEREO, NULL, MONO, NULL, p, &complete);
	CHECK_INT_EQ(n, 1);
	CHECK(complete);
	CHECK_PAIR(p[0], 100, 200);

	/* No common position: by index. */
	n = plan(AUX4, NULL, STEREO, NULL, p, &complete);
	CHECK_INT_EQ(n, 2);
	CHECK_PAIR(p[0], 100, 200);
	CHECK_PAIR(p[1], 101, 201);

	/* A sink named as the source: its monitors. */
	n = plan(SINK_MONITORS, ALL_MONITORS, STEREO, NULL, p, &complete);
	CHECK_INT_EQ(n, 2);
	CHECK(complete);
	CHECK_PAIR(p[0], 100, 200);
	CHECK_PAIR(p[1], 101, 201);

	/* Outputs and monitors: never a monitor. FL is port 2, FR port 3. */
	n = plan(MIXED, MIXED_MONITORS, STEREO, NULL, p, &complete);
	CHECK_INT_EQ(n, 2);
	CHECK_PAIR(p[0], 102, 200);
	CHECK_PAIR(p[1], 103, 201);
	n = plan(MIXED, MIXED_MONITORS, MONO, NULL, p, &complete);
	CHECK_INT_EQ(n, 1);
	CHECK_PAIR(p[0], 102, 200);

	/* capture-channels: one name for every channel... */
	struct pick_list fr = { 1, { "FR" } };
	n = plan(STEREO, NULL, STEREO, &fr, p, &complete);
	CHECK_INT_EQ(n, 2);
	CHECK(complete);
	CHECK_PAIR(p[0], 101, 200);
	CHECK_PAIR(p[1], 101, 201);
	n = plan(STEREO, NULL, MONO, &fr, p, &complete);
	CHECK_INT_EQ(n, 1);
	CHECK_PAIR(p[0], 101, 200);

	/* ... or one per channel, crossed here. */
	struct pick_list swap = { 2, { "FR", "FL" } };
	n = plan(STEREO, NULL, STEREO, &swap, p, &complete);
	CHECK_INT_EQ(n, 2);
	CHECK(complete);
	CHECK_PAIR(p[0], 101, 200);
	CHECK_PAIR(p[1], 100, 201);

	/* A picked channel the source does not have: that input waits. */
	struct pick_list aux = { 2, { "AUX2", "AUX9" } };
	n = plan(AUX4, NULL, STEREO, &aux, p, &complete);
	CHECK_INT_EQ(n, 1);
	CHECK(!complete);
	CHECK_PAIR(p[0], 102, 200);

	/* Nothing on one side: nothing to link, and not complete. */
	n = plan(STEREO, NULL, (const char *const[]){ NULL }, NULL, p, &complete);
	CHECK_INT_EQ(n, 0);
	CHECK(!complete);
	n = plan((const char *const[]){ NULL }, NULL, STEREO, NULL, p, &complete);
	CHECK_INT_EQ(n, 0);
	CHECK(!complete);

	/* Room for fewer pairs than inputs: what fits, not complete. */
	{
		struct cb_plan_port o[2], i[2];
		uint32_t n_o = make(o, 100, STEREO, NULL), n_i = make(i, 200, STEREO, NULL);
		n = cb_link_plan(o, n_o, i, n_i, NULL, 0, p, 1, &complete);
		CHECK_INT_EQ(n, 1);
		CHECK(!complete);
	}

	return test_finish("test-link-plan");
}
