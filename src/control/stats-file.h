/* The call's counters as JSON, for the stats-file key and for scripts.
 * Written by the main thread from the workers' atomic counters. */
#ifndef CALLBRIDGE_STATS_FILE_H
#define CALLBRIDGE_STATS_FILE_H

#include <stdint.h>
#include <stdio.h>

#include "pipeline/receive-worker.h"
#include "pipeline/send-worker.h"

struct cb_transport;

struct cb_stats_view {
	const char *call_name;
	uint32_t n_streams;
	struct cb_send_stream **streams;
	const struct cb_send_worker *send;
	uint32_t n_remotes;
	struct cb_remote *remotes;
	const struct cb_receive_worker *receive;	/* NULL when not receiving */
	struct cb_transport *transport;			/* its "ice" object under ICE */
};

void cb_stats_write_json(FILE *f, const struct cb_stats_view *v);
/* Atomically replaces path (temp file + rename). */
int cb_stats_write_file(const char *path, const struct cb_stats_view *v);

#endif
