/* The INI config loader (reader, key table, value parsers, cross-checks) on
 * arbitrary bytes as a config file. Whatever it says, it must say it
 * without crashing, and a failed load must leave the config wiped. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cb_config cfg;
	static struct cb_config_report report;
	int res;

	res = cb_config_load_string("fuzz.ini", (const char *)data, size, &cfg, &report);
	if (res < 0 && report.n_errors == 0)
		abort();	/* a refusal always says why */
	for (uint32_t i = 0; i < report.n_errors && i < CB_MAX_ERRORS; i++)
		if (memchr(report.errors[i], '\0', CB_ERROR_MAX) == NULL)
			abort();
	cb_config_clear(&cfg);
	return 0;
}
