#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/snapshot-json.h"
#include "control/status.h"
#include "util/log.h"

#define MAX_ENTRIES (CB_MAX_TRACKS + CB_MAX_STREAMS + CB_MAX_REMOTES + CB_SNAPSHOT_MAX_SESSIONS + \
		     CB_SNAPSHOT_GUESTS + 5)
#define KEY_MAX (16 + CB_NAME_MAX + CB_PEER_ID_LEN)
/* The longest object, a remote with every counter at 20 digits, is about
 * 600 bytes. */
#define VALUE_MAX 3072	/* a session carries its URL, up to 2048 */
#define JSON_TYPE "Spa:String:JSON"

struct entry {
	char key[KEY_MAX];
	char value[VALUE_MAX];
	bool used;
	bool seen;		/* in this round; unseen entries are removed */
};

struct cb_status {
	struct entry entries[MAX_ENTRIES];
	uint64_t last_ns;
	bool published;
	bool warned;		/* a value did not fit, once */
};

int cb_status_new(struct cb_status **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void cb_status_free(struct cb_status *st)
{
	free(st);
}

static struct entry *find_entry(struct cb_status *st, const char *key)
{
	struct entry *free_slot = NULL;

	for (uint32_t i = 0; i < MAX_ENTRIES; i++) {
		struct entry *e = &st->entries[i];
		if (e->used && strcmp(e->key, key) == 0)
			return e;
		if (!e->used && free_slot == NULL)
			free_slot = e;
	}
	if (free_slot) {
		memset(free_slot, 0, sizeof(*free_slot));
		free_slot->used = true;
		snprintf(free_slot->key, sizeof(free_slot->key), "%s", key);
	}
	return free_slot;
}

const char *cb_status_value(const struct cb_status *st, const char *key)
{
	for (uint32_t i = 0; i < MAX_ENTRIES; i++)
		if (st->entries[i].used && strcmp(st->entries[i].key, key) == 0)
			return st->entries[i].value[0] ? st->entries[i].value : NULL;
	return NULL;
}

/* Publishes what o rendered under key, when it changed. */
static void put(struct cb_status *st, struct cb_call_metadata *md, const char *key,
		const struct cb_json_out *o)
{
	struct entry *e;

	if ((e = find_entry(st, key)) == NULL)
		return;
	e->seen = true;
	if (o->failed) {
		/* Cut short it is not JSON: the last whole value stays. */
		if (!st->warned)
			pw_log_warn("status %s: value longer than %d bytes", key, VALUE_MAX);
		st->warned = true;
		return;
	}
	if (strcmp(e->value, o->buf) == 0)
		return;
	snprintf(e->value, sizeof(e->value), "%s", o->buf);
	if (md)
		cb_call_metadata_set(md, e->key, JSON_TYPE, e->value);
}

void cb_status_publish(struct cb_status *st, struct cb_call_metadata *md,
		       const struct cb_snapshot *snap, uint64_t now_ns)
{
	char key[KEY_MAX], value[VALUE_MAX];
	struct cb_json_out o;

	if (st->published && now_ns - st->last_ns < CB_STATUS_PERIOD_NS)
		return;
	st->published = true;
	st->last_ns = now_ns;

	for (uint32_t i = 0; i < MAX_ENTRIES; i++)
		st->entries[i].seen = false;

	cb_json_out_buffer(&o, value, sizeof(value));
	cb_snapshot_json_transport(&o, snap);
	put(st, md, "transport", &o);
	if (snap->receiving) {
		cb_json_out_buffer(&o, value, sizeof(value));
		cb_snapshot_json_receive(&o, snap);
		put(st, md, "receive", &o);
	}
	for (uint32_t i = 0; i < snap->n_tracks; i++) {
		snprintf(key, sizeof(key), "track.%s", snap->tracks[i].name);
		cb_json_out_buffer(&o, value, sizeof(value));
		cb_snapshot_json_track(&o, &snap->tracks[i], false);
		put(st, md, key, &o);
	}
	for (uint32_t i = 0; i < snap->n_streams; i++) {
		snprintf(key, sizeof(key), "stream.%s", snap->streams[i].name);
		cb_json_out_buffer(&o, value, sizeof(value));
		cb_snapshot_json_stream(&o, &snap->streams[i], false);
		put(st, md, key, &o);
	}
	for (uint32_t i = 0; i < snap->n_sessions; i++) {
		snprintf(key, sizeof(key), "session.%s", snap->sessions[i].name);
		cb_json_out_buffer(&o, value, sizeof(value));
		cb_snapshot_json_session(&o, &snap->sessions[i], false);
		put(st, md, key, &o);
	}
	if (snap->endpoint.present) {
		cb_json_out_buffer(&o, value, sizeof(value));
		cb_snapshot_json_endpoint(&o, snap);
		put(st, md, "endpoint", &o);
	}
	/* guest.<route>.<id>: each browser, publisher or viewer. */
	for (uint32_t i = 0; i < snap->endpoint.n_guests; i++) {
		const struct cb_snapshot_guest *g = &snap->endpoint.guests[i];
		snprintf(key, sizeof(key), "guest.%s.%s", g->route, g->peer.id);
		cb_json_out_buffer(&o, value, sizeof(value));
		cb_snapshot_json_guest(&o, g, false);
		put(st, md, key, &o);
	}
	for (uint32_t i = 0; i < snap->n_remotes; i++) {
		if (!cb_snapshot_remote_shown(&snap->remotes[i]))
			continue;
		snprintf(key, sizeof(key), "remote.%s", snap->remotes[i].name);
		cb_json_out_buffer(&o, value, sizeof(value));
		cb_snapshot_json_remote(&o, &snap->remotes[i], false);
		put(st, md, key, &o);
	}
	/* Whatever went away (a reload removed it, a remote was renamed)
	 * leaves the metadata too. */
	for (uint32_t i = 0; i < MAX_ENTRIES; i++) {
		struct entry *e = &st->entries[i];
		if (e->used && !e->seen) {
			if (md && e->value[0])
				cb_call_metadata_set(md, e->key, NULL, NULL);
			e->used = false;
		}
	}
}
