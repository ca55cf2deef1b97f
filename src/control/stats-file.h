/* The stats-file key: the call's snapshot as one JSON document (the schema
 * is in pw-callbridge(1), STATS FILE), replaced atomically so a script
 * never reads half of one.  Main thread only. */
#ifndef CALLBRIDGE_STATS_FILE_H
#define CALLBRIDGE_STATS_FILE_H

#include "control/snapshot.h"

/* Writes path.tmp and renames it over path.  0 or a negative errno. */
int cb_stats_write_file(const char *path, const struct cb_snapshot *snap);

#endif
