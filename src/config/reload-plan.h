/* callbridge: what a reload would do, decided from two configs alone.
 *
 * Streams, tracks and remotes are matched by name.  Whether an entry in
 * both configs is kept, changed in place or made anew, and whether the
 * whole reload is refused, follows only the reload column of the key table
 * (enum cb_reload in config.h): a changed FIXED key refuses it, a changed
 * RECREATE key remakes its entry, changed LIVE keys are applied in place.
 *
 * Pure: no PipeWire, no threads, no allocation, nothing copied out of the
 * configs but row pointers into the key table.  pipeline/bridge-reload.c
 * carries a plan out; the unit test checks every category on its own.
 */
#ifndef CALLBRIDGE_RELOAD_PLAN_H
#define CALLBRIDGE_RELOAD_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

enum cb_plan_action {
	CB_PLAN_KEEP,		/* in both configs, nothing changed */
	CB_PLAN_ADD,		/* only in the new config */
	CB_PLAN_LIVE,		/* in both, only LIVE keys changed: applied in place */
	CB_PLAN_RECREATE,	/* in both, a RECREATE key changed: made anew */
};

/* Rows of cb_config_keys, one bit each: the table has outgrown 64 rows. */
#define CB_KEY_MASK_WORDS 2
struct cb_key_mask {
	uint64_t w[CB_KEY_MASK_WORDS];
};

static inline void cb_key_mask_set(struct cb_key_mask *m, size_t row)
{
	m->w[row / 64] |= UINT64_C(1) << (row % 64);
}

static inline bool cb_key_mask_test(const struct cb_key_mask *m, size_t row)
{
	return row < 64 * CB_KEY_MASK_WORDS && ((m->w[row / 64] >> (row % 64)) & 1);
}

struct cb_plan_entry {
	enum cb_plan_action action;
	int old_index;			/* the entry of that name in the old config; -1 added */
	struct cb_key_mask changed;	/* rows of cb_config_keys whose value differs */
	/* Streams: where it sends to moved, through its own remote or the
	 * call's remote or bundle (cb_config_stream_dest). */
	bool dest_changed;
	/* The row that decided LIVE or RECREATE, the first in table order;
	 * NULL for a stream whose destination moved by [call] keys alone. */
	const struct cb_key_info *key;
};

struct cb_reload_plan {
	/* The first FIXED key that changed, in table order: the reload must
	 * be refused, naming it.  NULL when the reload can go on. */
	const struct cb_key_info *fixed;

	/* Indexed like the new config's arrays. */
	struct cb_plan_entry streams[CB_MAX_STREAMS];
	struct cb_plan_entry tracks[CB_MAX_TRACKS];
	struct cb_plan_entry remotes[CB_MAX_REMOTES];
	/* Indexed like the old config's arrays: gone from the new one. */
	bool stream_removed[CB_MAX_STREAMS];
	bool track_removed[CB_MAX_TRACKS];
	bool remote_removed[CB_MAX_REMOTES];
	/* Rows of LIVE [call] keys that changed (sdp-file, bundle, ...). */
	struct cb_key_mask call_changed;

	/* Entries added, removed, changed in place and made anew. */
	uint32_t added, removed, live, recreated;
};

/* Fills plan with what reloading `next` over `old` does.  Returns 0, or
 * -EINVAL when a FIXED key changed: then plan->fixed names it and the rest
 * of the plan is empty. */
int cb_reload_plan_make(struct cb_reload_plan *plan, const struct cb_config *old,
			const struct cb_config *next);

/* Whether `section`'s `key` is among the rows of `changed`. */
bool cb_reload_key_changed(struct cb_key_mask changed, const char *section, const char *key);

/* config-compare.c: whether the key of table row `row` holds a different
 * value in a and b.  For [stream], [track] and [remote] rows the entries
 * compared are a_index and b_index (ignored for [call] and [ice]).  Values
 * are compared as parsed: an address as written (a host name that now
 * resolves elsewhere is no change), a key file by the key it loads, a
 * track's stream list by the names in it.  Returns 1 or 0, or -ENOENT for
 * a row it does not know (test-reload-plan checks that none is left out). */
int cb_config_key_differs(size_t row, const struct cb_config *a, uint32_t a_index,
			  const struct cb_config *b, uint32_t b_index);

#endif
