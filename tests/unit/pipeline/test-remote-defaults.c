/* An incoming stream that no [remote] claims plays with exactly the
 * [remote] defaults of the key table: the slot made for it at start
 * (cb_remote_init with no config) and a slot a reload frees
 * (cb_remote_unconfigure) alike.  Compared with what the loader makes of a
 * [remote] section that sets nothing, so no number is written twice. */
#include <string.h>

#include "config/config.h"
#include "pipeline/remote.h"
#include "test.h"

static struct cb_config cfg;
static struct cb_config_report rep;

static void check_defaults(const struct cb_remote_config *got, const struct cb_remote_config *want)
{
	CHECK_INT_EQ(got->channels, want->channels);
	CHECK_INT_EQ(got->payload_type, want->payload_type);
	CHECK_INT_EQ(got->latency_ms, want->latency_ms);
	CHECK_INT_EQ(got->has_ssrc, want->has_ssrc);
	CHECK_INT_EQ(got->ssrc, want->ssrc);
	CHECK_STR_EQ(got->name, "");
}

int main(void)
{
	static const char text[] = "[call]\nname = d\n[remote plain]\n";
	struct cb_remote_config table, named = { .channels = 2, .payload_type = 100,
						 .latency_ms = 80, .has_ssrc = true,
						 .ssrc = 0x1234 };
	struct cb_remote r;

	CHECK_INT_EQ(cb_config_load_string("t.ini", text, strlen(text), &cfg, &rep), 0);
	CHECK_INT_EQ(cfg.n_remotes, 1);
	snprintf(cfg.remotes[0].name, sizeof(cfg.remotes[0].name), "%s", "");

	cb_config_default_remote(&table);
	check_defaults(&table, &cfg.remotes[0]);

	/* A slot made at start for unclaimed SSRCs. */
	CHECK_INT_EQ(cb_remote_init(&r, NULL), 0);
	CHECK(!r.configured);
	check_defaults(&r.config, &table);
	cb_remote_clear(&r);

	/* A configured slot a reload frees: nothing of its [remote] is left. */
	snprintf(named.name, sizeof(named.name), "peer");
	CHECK_INT_EQ(cb_remote_init(&r, &named), 0);
	CHECK(r.configured);
	CHECK_INT_EQ(r.config.latency_ms, 80);
	cb_remote_unconfigure(&r);
	CHECK(!r.configured);
	check_defaults(&r.config, &table);
	cb_remote_clear(&r);

	cb_config_clear(&cfg);
	return test_finish("test-remote-defaults");
}
