/* callbridge: the reload plan, from the key table's reload column.
 *
 * The [call] and [ice] keys are compared first: one FIXED key changed and
 * nothing else matters, the reload is refused.  Then each [stream],
 * [track] and [remote] of the new config is matched by name to the old
 * one and every row of its section compared; the strongest change decides
 * (RECREATE over LIVE over nothing).  What the old config has and the new
 * one lacks is removed.
 */
#include "config/reload-plan.h"

#include <errno.h>
#include <string.h>

enum entry_kind { ENTRY_STREAM, ENTRY_TRACK, ENTRY_REMOTE };

static const char *const kind_section[] = {
	[ENTRY_STREAM] = "stream",
	[ENTRY_TRACK] = "track",
	[ENTRY_REMOTE] = "remote",
};

static uint32_t entry_count(const struct cb_config *c, enum entry_kind kind)
{
	switch (kind) {
	case ENTRY_STREAM:
		return c->n_streams;
	case ENTRY_TRACK:
		return c->n_tracks;
	default:
		return c->n_remotes;
	}
}

static const char *entry_name(const struct cb_config *c, enum entry_kind kind, uint32_t i)
{
	switch (kind) {
	case ENTRY_STREAM:
		return c->streams[i].name;
	case ENTRY_TRACK:
		return c->tracks[i].name;
	default:
		return c->remotes[i].name;
	}
}

static int find_entry(const struct cb_config *c, enum entry_kind kind, const char *name)
{
	for (uint32_t i = 0; i < entry_count(c, kind); i++)
		if (strcmp(entry_name(c, kind, i), name) == 0)
			return (int)i;
	return -1;
}

bool cb_reload_key_changed(struct cb_key_mask changed, const char *section, const char *key)
{
	for (size_t row = 0; row < cb_config_n_keys; row++)
		if (cb_key_mask_test(&changed, row) &&
		    strcmp(cb_config_keys[row].section, section) == 0 &&
		    strcmp(cb_config_keys[row].key, key) == 0)
			return true;
	return false;
}

/* A key the comparison does not know counts as changed: refusing or
 * remaking too much is visible, ignoring a change is not. */
static bool differs(size_t row, const struct cb_config *old, uint32_t old_index,
		    const struct cb_config *next, uint32_t next_index)
{
	return cb_config_key_differs(row, old, old_index, next, next_index) != 0;
}

/* The first FIXED [call] or [ice] key that changed, or NULL. */
static const struct cb_key_info *fixed_change(const struct cb_config *old,
					      const struct cb_config *next)
{
	for (size_t row = 0; row < cb_config_n_keys; row++) {
		const struct cb_key_info *k = &cb_config_keys[row];

		if (k->reload != CB_RELOAD_FIXED ||
		    (strcmp(k->section, "call") != 0 && strcmp(k->section, "ice") != 0 &&
		     strcmp(k->section, "endpoint") != 0))
			continue;
		if (differs(row, old, 0, next, 0))
			return k;
	}
	return NULL;
}

/* Compares every row of the entry's section; returns a FIXED row that
 * changed (none today, but the table may grow one), else NULL. */
static const struct cb_key_info *compare_entry(struct cb_plan_entry *e, enum entry_kind kind,
					       const struct cb_config *old,
					       const struct cb_config *next, uint32_t index)
{
	const struct cb_key_info *live = NULL, *recreate = NULL, *fixed = NULL;

	for (size_t row = 0; row < cb_config_n_keys; row++) {
		const struct cb_key_info *k = &cb_config_keys[row];

		if (strcmp(k->section, kind_section[kind]) != 0 ||
		    !differs(row, old, (uint32_t)e->old_index, next, index))
			continue;
		cb_key_mask_set(&e->changed, row);
		if (k->reload == CB_RELOAD_FIXED && fixed == NULL)
			fixed = k;
		else if (k->reload == CB_RELOAD_RECREATE && recreate == NULL)
			recreate = k;
		else if (k->reload == CB_RELOAD_LIVE && live == NULL)
			live = k;
	}
	if (recreate) {
		e->action = CB_PLAN_RECREATE;
		e->key = recreate;
	} else if (live || e->dest_changed) {
		e->action = CB_PLAN_LIVE;
		e->key = live;
	} else {
		e->action = CB_PLAN_KEEP;
	}
	return fixed;
}

static bool stream_dest_moved(const struct cb_config *old, uint32_t j,
			      const struct cb_config *next, uint32_t i)
{
	struct cb_address a, b;

	cb_config_stream_dest(old, j, &a);
	cb_config_stream_dest(next, i, &b);
	return a.set != b.set || strcmp(a.text, b.text) != 0;
}

static const struct cb_key_info *plan_entries(struct cb_reload_plan *p, enum entry_kind kind,
					      const struct cb_config *old,
					      const struct cb_config *next)
{
	struct cb_plan_entry *entries = kind == ENTRY_STREAM ? p->streams :
					kind == ENTRY_TRACK ? p->tracks : p->remotes;
	bool *removed = kind == ENTRY_STREAM ? p->stream_removed :
			kind == ENTRY_TRACK ? p->track_removed : p->remote_removed;
	const struct cb_key_info *fixed = NULL;

	for (uint32_t i = 0; i < entry_count(next, kind); i++) {
		struct cb_plan_entry *e = &entries[i];
		const struct cb_key_info *f;

		e->old_index = find_entry(old, kind, entry_name(next, kind, i));
		if (e->old_index < 0) {
			e->action = CB_PLAN_ADD;
			p->added++;
			continue;
		}
		if (kind == ENTRY_STREAM)
			e->dest_changed = stream_dest_moved(old, (uint32_t)e->old_index, next, i);
		if ((f = compare_entry(e, kind, old, next, i)) != NULL && fixed == NULL)
			fixed = f;
		if (e->action == CB_PLAN_LIVE)
			p->live++;
		else if (e->action == CB_PLAN_RECREATE)
			p->recreated++;
	}
	for (uint32_t j = 0; j < entry_count(old, kind); j++)
		if (find_entry(next, kind, entry_name(old, kind, j)) < 0) {
			removed[j] = true;
			p->removed++;
		}
	return fixed;
}

int cb_reload_plan_make(struct cb_reload_plan *p, const struct cb_config *old,
			const struct cb_config *next)
{
	const struct cb_key_info *fixed;

	memset(p, 0, sizeof(*p));
	if ((fixed = fixed_change(old, next)) != NULL)
		goto refuse;
	for (size_t row = 0; row < cb_config_n_keys; row++)
		if (strcmp(cb_config_keys[row].section, "call") == 0 &&
		    cb_config_keys[row].reload != CB_RELOAD_FIXED && differs(row, old, 0, next, 0))
			cb_key_mask_set(&p->call_changed, row);
	if ((fixed = plan_entries(p, ENTRY_STREAM, old, next)) != NULL ||
	    (fixed = plan_entries(p, ENTRY_TRACK, old, next)) != NULL ||
	    (fixed = plan_entries(p, ENTRY_REMOTE, old, next)) != NULL)
		goto refuse;
	return 0;

refuse:
	memset(p, 0, sizeof(*p));
	p->fixed = fixed;
	return -EINVAL;
}
