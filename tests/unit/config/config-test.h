/* What the config tests share: one config and report, loading a text as
 * "t.ini", and finding a message in the report. */
#ifndef CALLBRIDGE_CONFIG_TEST_H
#define CALLBRIDGE_CONFIG_TEST_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"

static struct cb_config cfg;
static struct cb_config_report rep;

static inline int load(const char *text)
{
	return cb_config_load_string("t.ini", text, strlen(text), &cfg, &rep);
}

static inline void dump_report(void)
{
	for (uint32_t i = 0; i < rep.n_errors; i++)
		fprintf(stderr, "    error: %s\n", rep.errors[i]);
	for (uint32_t i = 0; i < rep.n_warnings; i++)
		fprintf(stderr, "    warning: %s\n", rep.warnings[i]);
}

/* The first message containing `needle`, else the first message, for
 * CHECK_STR_CONTAINS to print something useful. */
static inline const char *find_in(char (*msgs)[CB_ERROR_MAX], uint32_t n, const char *needle)
{
	for (uint32_t i = 0; i < n; i++)
		if (strstr(msgs[i], needle))
			return msgs[i];
	return n ? msgs[0] : "(no messages)";
}

static inline const char *find_error(const char *needle)
{
	return find_in(rep.errors, rep.n_errors, needle);
}

static inline const char *find_warning(const char *needle)
{
	return find_in(rep.warnings, rep.n_warnings, needle);
}

static inline bool report_contains(const char *needle)
{
	for (uint32_t i = 0; i < rep.n_errors; i++)
		if (strstr(rep.errors[i], needle))
			return true;
	for (uint32_t i = 0; i < rep.n_warnings; i++)
		if (strstr(rep.warnings[i], needle))
			return true;
	return false;
}

static inline int port_of(const struct cb_address *a)
{
	if (a->addr.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->addr)->sin_port);
	if (a->addr.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->addr)->sin6_port);
	return -1;
}

#endif
