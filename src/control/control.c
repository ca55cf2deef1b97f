#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "control/metadata.h"
#include "control/status.h"
#include "util/log.h"

#define CONTROL_SUFFIX ".control"
#define MAX_LOGGED 64

struct cb_control {
	struct cb_call_metadata *metadata;
	struct cb_status *status;
	cb_control_track_at track_at;
	void *data;
	cb_control_guest_kick kick;
	void *kick_data;
	/* Bad controls are logged once each, so a script writing the same
	 * wrong key in a loop cannot flood the log. */
	uint32_t n_logged;
	char logged[MAX_LOGGED][2 * CB_NAME_MAX + 32];
};

static void log_once(struct cb_control *c, const char *what, const char *key, const char *value)
{
	char id[sizeof(c->logged[0])];

	snprintf(id, sizeof(id), "%s=%s", key, value);
	for (uint32_t i = 0; i < c->n_logged; i++)
		if (strcmp(c->logged[i], id) == 0)
			return;
	if (c->n_logged < MAX_LOGGED)
		snprintf(c->logged[c->n_logged++], sizeof(c->logged[0]), "%s", id);
	pw_log_warn("control %s = %s ignored: %s", key, value, what);
}

static struct cb_track_state *find_track(struct cb_control *c, const char *name, size_t len)
{
	struct cb_track_state *t;
	const char *n;

	for (uint32_t i = 0; (t = c->track_at(c->data, i, &n)) != NULL; i++)
		if (strlen(n) == len && strncmp(n, name, len) == 0)
			return t;
	return NULL;
}

/* Accepts the word bare (pw-metadata's default) or as a JSON string. */
static bool word_is(const char *value, const char *word)
{
	size_t n = strlen(word);

	if (value[0] == '"')
		return strncmp(value + 1, word, n) == 0 && value[n + 1] == '"' && value[n + 2] == '\0';
	return strcmp(value, word) == 0;
}

void cb_control_set_guest_kick(struct cb_control *c, cb_control_guest_kick kick, void *data)
{
	c->kick = kick;
	c->kick_data = data;
}

static int apply_guest(struct cb_control *c, const char *key, const char *value, size_t key_len)
{
	char name[CB_NAME_MAX + 1];
	size_t n = key_len - 6 - strlen(CONTROL_SUFFIX);

	if (n == 0 || n > CB_NAME_MAX) {
		log_once(c, "no such guest", key, value);
		return -ENOENT;
	}
	memcpy(name, key + 6, n);
	name[n] = '\0';
	if (!word_is(value, "kick")) {
		log_once(c, "the guest control word is kick", key, value);
		return -EINVAL;
	}
	if (c->kick == NULL || c->kick(c->kick_data, name) < 0) {
		log_once(c, "no such guest", key, value);
		return -ENOENT;
	}
	pw_log_info("control %s = %s", key, value);
	return 0;
}

int cb_control_apply(struct cb_control *c, const char *key, const char *value)
{
	size_t key_len = strlen(key), suffix_len = strlen(CONTROL_SUFFIX);
	struct cb_track_state *t;

	if (strncmp(key, "guest.", 6) == 0 && key_len > 6 + suffix_len &&
	    strcmp(key + key_len - suffix_len, CONTROL_SUFFIX) == 0)
		return apply_guest(c, key, value, key_len);
	if (strncmp(key, "track.", 6) != 0 || key_len < 6 + suffix_len ||
	    strcmp(key + key_len - suffix_len, CONTROL_SUFFIX) != 0)
		return 0;	/* not a control: status, or someone else's key */
	t = find_track(c, key + 6, key_len - 6 - suffix_len);
	if (t == NULL) {
		log_once(c, "no such track", key, value);
		return -ENOENT;
	}
	if (word_is(value, "pause")) {
		atomic_store(&t->paused, true);
	} else if (word_is(value, "resume")) {
		atomic_store(&t->paused, false);
	} else if (word_is(value, "flush")) {
		atomic_fetch_add_explicit(&t->flush_requests, 1, memory_order_release);
	} else {
		log_once(c, "the control words are pause, resume and flush", key, value);
		return -EINVAL;
	}
	pw_log_info("control %s = %s", key, value);
	return 0;
}

static void on_property(void *data, const char *key, const char *type, const char *value)
{
	struct cb_control *c = data;

	if (value == NULL)
		return;
	if (cb_control_apply(c, key, value) == 0 &&
	    (word_is(value, "flush") || word_is(value, "kick")))
		/* flush is an action, not a state: clear it, so writing it
		 * again is a change the server passes on. */
		cb_call_metadata_set(c->metadata, key, NULL, NULL);
}

static const struct cb_call_metadata_events metadata_events = {
	.property = on_property,
};

int cb_control_new(struct cb_control **out, struct pw_core *core, const char *call_name,
		   cb_control_track_at track_at, void *data)
{
	struct cb_control *c;
	int res;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->track_at = track_at;
	c->data = data;
	if ((res = cb_status_new(&c->status)) < 0)
		goto error;
	if (core && (res = cb_call_metadata_new(&c->metadata, core, call_name,
						&metadata_events, c)) < 0)
		goto error;
	*out = c;
	return 0;
error:
	cb_control_destroy(c);
	return res;
}

void cb_control_destroy(struct cb_control *c)
{
	if (c == NULL)
		return;
	cb_call_metadata_destroy(c->metadata);
	cb_status_free(c->status);
	free(c);
}

void cb_control_tick(struct cb_control *c, const struct cb_snapshot *snap, uint64_t now_ns)
{
	if (c->metadata == NULL)
		return;
	cb_status_publish(c->status, c->metadata, snap, now_ns);
}
