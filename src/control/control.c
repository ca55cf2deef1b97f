#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "control/json-out.h"
#include "control/metadata.h"
#include "control/status.h"
#include "util/log.h"

#define CONTROL_SUFFIX ".control"
#define MAX_LOGGED 64
#define JSON_TYPE "Spa:String:JSON"

struct cb_control {
	struct cb_call_metadata *metadata;
	struct cb_status *status;
	cb_control_track_at track_at;
	void *data;
	const struct cb_control_files *files;
	void *files_data;
	cb_control_guest_kick kick;
	void *kick_data;
	/* Bad controls are logged once each, so a script writing the same
	 * wrong key in a loop cannot flood the log. */
	uint32_t n_logged;
	char logged[MAX_LOGGED][2 * CB_NAME_MAX + 32];
	/* A reload asked for and not taken yet. */
	bool reload_pending;
	char reload_token[CB_RELOAD_TOKEN_MAX + 1];
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

static struct cb_track_state *find_track(struct cb_control *c, const char *name, size_t len,
					 uint32_t *index)
{
	struct cb_track_state *t;
	const char *n;

	for (uint32_t i = 0; (t = c->track_at(c->data, i, &n)) != NULL; i++)
		if (strlen(n) == len && strncmp(n, name, len) == 0) {
			*index = i;
			return t;
		}
	return NULL;
}

/* The value bare (pw-metadata's default) or as a JSON string, into out:
 * false when it is neither, or does not fit. */
static bool unquote(const char *value, char *out, size_t out_len)
{
	size_t o = 0;
	const char *p;

	if (value[0] != '"') {
		if (strlen(value) >= out_len)
			return false;
		memcpy(out, value, strlen(value) + 1);
		return true;
	}
	for (p = value + 1; *p && *p != '"'; p++) {
		char ch = *p;

		if ((unsigned char)ch < 0x20)
			return false;
		if (ch == '\\') {
			switch (*++p) {
			case '"': case '\\': case '/':
				ch = *p;
				break;
			case 't':
				ch = '\t';
				break;
			default:	/* no \u: paths and ids are plain text */
				return false;
			}
		}
		if (o + 1 >= out_len)
			return false;
		out[o++] = ch;
	}
	if (*p != '"' || p[1] != '\0')
		return false;
	out[o] = '\0';
	return true;
}

/* The token as written, bare or a JSON string, cut to its printable ASCII
 * part: it is echoed back into JSON and onto terminals. */
static void set_token(char *out, size_t len, const char *value)
{
	size_t o = 0;

	if (value[0] == '"')
		value++;
	for (; *value && *value != '"' && o + 1 < len; value++)
		if ((unsigned char)*value > 0x20 && (unsigned char)*value < 0x7f)
			out[o++] = *value;
	out[o] = '\0';
}


/* A mark's id: printable, no spaces, so it reads back as it was written. */
static bool id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n >= CB_MARK_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)id[i] <= ' ' || id[i] == 0x7f)
			return false;
	return true;
}

static int set_mark(struct cb_control *c, struct cb_track_state *t, const char *id)
{
	unsigned int tail = atomic_load_explicit(&t->marks_tail, memory_order_relaxed);
	struct cb_track_mark *m;

	if (tail - t->marks_reported >= CB_TRACK_MAX_MARKS)
		return -ENOSPC;
	m = &t->marks[tail % CB_TRACK_MAX_MARKS];
	snprintf(m->id, sizeof(m->id), "%s", id);
	m->n_rings = cb_track_state_rings(t);
	for (uint32_t j = 0; j < m->n_rings; j++)
		m->pos[j] = atomic_load_explicit(&t->rings[j].written_frames, memory_order_acquire);
	m->passed = 0;
	m->ssrc = 0;
	m->rtp_end = 0;
	atomic_store_explicit(&t->marks_tail, tail + 1, memory_order_release);
	return 0;
}

static void set_open(struct cb_track_state *t)
{
	uint32_t n = cb_track_state_rings(t);

	/* Positions first: the worker reads them once the flag is clear. */
	for (uint32_t j = 0; j < n; j++)
		t->open_pos[j] = atomic_load_explicit(&t->rings[j].written_frames,
						      memory_order_acquire);
	atomic_store_explicit(&t->interrupted, false, memory_order_release);
}

void cb_control_set_guest_kick(struct cb_control *c, cb_control_guest_kick kick, void *data)
{
	c->kick = kick;
	c->kick_data = data;
}

static int apply_guest(struct cb_control *c, const char *key, const char *value, size_t key_len)
{
	char name[CB_NAME_MAX + 1], word[16];
	size_t n = key_len - 6 - strlen(CONTROL_SUFFIX);

	if (n == 0 || n > CB_NAME_MAX) {
		log_once(c, "no such guest", key, value);
		return -ENOENT;
	}
	memcpy(name, key + 6, n);
	name[n] = '\0';
	if (!unquote(value, word, sizeof(word)) || strcmp(word, "kick") != 0) {
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


static int apply(struct cb_control *c, const char *key, const char *value, bool *action)
{
	size_t key_len = strlen(key), suffix_len = strlen(CONTROL_SUFFIX);
	char text[PATH_MAX + 16], *arg;
	struct cb_track_state *t;
	uint32_t index = 0;
	int res = 0;

	*action = false;
	if (strcmp(key, CB_RELOAD_KEY) == 0) {
		set_token(c->reload_token, sizeof(c->reload_token), value);
		c->reload_pending = true;
		return 0;
	}

	if (strncmp(key, "guest.", 6) == 0 && key_len > 6 + suffix_len &&
	    strcmp(key + key_len - suffix_len, CONTROL_SUFFIX) == 0) {
		*action = true;		/* kick is an action: cleared after */
		return apply_guest(c, key, value, key_len);
	}
	if (strncmp(key, "track.", 6) != 0 || key_len < 6 + suffix_len ||
	    strcmp(key + key_len - suffix_len, CONTROL_SUFFIX) != 0)
		return 0;	/* not a control: status, or someone else's key */
	t = find_track(c, key + 6, key_len - 6 - suffix_len, &index);
	if (t == NULL) {
		log_once(c, "no such track", key, value);
		return -ENOENT;
	}
	if (!unquote(value, text, sizeof(text))) {
		log_once(c, "not a word, nor a JSON string holding one", key, value);
		return -EINVAL;
	}
	/* WORD, or WORD ARGUMENT with one space between. */
	if ((arg = strchr(text, ' ')) != NULL)
		*arg++ = '\0';

	if (strcmp(text, "play") == 0 || strcmp(text, "mark") == 0) {
		*action = true;
		if (arg == NULL || *arg == '\0') {
			log_once(c, "play and mark need an argument: play /PATH, mark ID", key, value);
			return -EINVAL;
		}
	} else if (arg != NULL) {
		log_once(c, "only play and mark take an argument", key, value);
		return -EINVAL;
	}

	if (strcmp(text, "pause") == 0) {
		atomic_store(&t->paused, true);
	} else if (strcmp(text, "resume") == 0) {
		atomic_store(&t->paused, false);
	} else if (strcmp(text, "flush") == 0) {
		*action = true;
		atomic_fetch_add_explicit(&t->flush_requests, 1, memory_order_release);
	} else if (strcmp(text, "interrupt") == 0) {
		/* Barge-in: what is queued goes, and what comes is ignored
		 * until open; files playing into the track stop. */
		atomic_fetch_add_explicit(&t->interrupt_requests, 1, memory_order_release);
		atomic_store_explicit(&t->interrupted, true, memory_order_release);
		if (c->files && c->files->interrupt)
			c->files->interrupt(c->files_data, index);
	} else if (strcmp(text, "open") == 0) {
		set_open(t);
	} else if (strcmp(text, "mark") == 0) {
		if (!id_valid(arg)) {
			log_once(c, "a mark's id is 1..63 printable characters without spaces",
				 key, value);
			return -EINVAL;
		}
		if ((res = set_mark(c, t, arg)) < 0) {
			pw_log_warn("control %s = %s ignored: %d marks wait already", key, value,
				    CB_TRACK_MAX_MARKS);
			return res;
		}
	} else if (strcmp(text, "play") == 0) {
		if (arg[0] != '/') {
			log_once(c, "play needs an absolute path", key, value);
			return -EINVAL;
		}
		if (c->files == NULL || c->files->play == NULL)
			return -ENOTSUP;
		if ((res = c->files->play(c->files_data, index, arg)) < 0) {
			pw_log_warn("control %s = %s failed: %s", key, value, strerror(-res));
			return res;
		}
	} else {
		log_once(c, "the control words are pause, resume, flush, interrupt, open, "
			 "mark ID and play PATH", key, value);
		return -EINVAL;
	}
	pw_log_info("control %s = %s", key, value);
	return 0;
}

int cb_control_apply(struct cb_control *c, const char *key, const char *value)
{
	bool action;

	return apply(c, key, value, &action);
}

static void on_property(void *data, const char *key, const char *type, const char *value)
{
	struct cb_control *c = data;
	bool action;

	if (value == NULL)
		return;
	apply(c, key, value, &action);
	/* flush, play and mark are actions, not states: clear them, so
	 * writing the same again is a change the server passes on. */
	if (action)
		cb_call_metadata_set(c->metadata, key, NULL, NULL);
}

bool cb_control_take_reload(struct cb_control *c, char *token, size_t len)
{
	if (!c->reload_pending)
		return false;
	c->reload_pending = false;
	snprintf(token, len, "%s", c->reload_token);
	return true;
}

/* Messages one per line, as the log shows them. */
static void join(char *out, size_t len, const char (*msgs)[CB_ERROR_MAX], uint32_t n)
{
	size_t o = 0;

	out[0] = '\0';
	for (uint32_t i = 0; i < n && o < len; i++) {
		int w = snprintf(out + o, len - o, "%s%s", i ? "\n" : "", msgs[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

bool cb_control_reload_json(char *buf, size_t cap, const char *token, int res,
			    const struct cb_config_report *report, const char *summary)
{
	/* 16 KiB each: static, as everything here runs on the main thread. */
	static char errors[CB_MAX_ERRORS * CB_ERROR_MAX], warnings[CB_MAX_ERRORS * CB_ERROR_MAX];
	struct cb_json_out o;

	join(errors, sizeof(errors), report->errors, report->n_errors);
	join(warnings, sizeof(warnings), report->warnings, report->n_warnings);
	if (res < 0 && errors[0] == '\0')
		snprintf(errors, sizeof(errors), "reload failed: %s", strerror(-res));
	for (int pass = 0; pass < 2; pass++) {
		cb_json_out_buffer(&o, buf, cap);
		cb_json_open_object(&o, NULL);
		cb_json_string(&o, "token", token);
		cb_json_bool(&o, "ok", res >= 0);
		cb_json_string(&o, "summary", summary ? summary : "");
		/* Too long for buf: the outcome without its messages. */
		cb_json_string(&o, "errors", pass == 0 ? errors : "(too long; see the log)");
		cb_json_string(&o, "warnings", pass == 0 ? warnings : "");
		cb_json_close_object(&o);
		if (!o.failed)
			return pass == 0;
	}
	return false;
}

void cb_control_reload_done(struct cb_control *c, const char *token, int res,
			    const struct cb_config_report *report, const char *summary)
{
	size_t cap = 4 * CB_MAX_ERRORS * CB_ERROR_MAX;
	char *buf = malloc(cap);

	if (buf == NULL)
		return;
	cb_control_reload_json(buf, cap, token, res, report, summary);
	if (c->metadata) {
		cb_call_metadata_set(c->metadata, CB_RELOAD_RESULT_KEY, JSON_TYPE, buf);
		/* Done with: a later request with the same token is a change. */
		cb_call_metadata_set(c->metadata, CB_RELOAD_KEY, NULL, NULL);
	}
	free(buf);
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

void cb_control_set_files(struct cb_control *c, const struct cb_control_files *files, void *data)
{
	c->files = files;
	c->files_data = data;
}

void cb_control_played(struct cb_control *c, const char *track, const char *id)
{
	char key[CB_NAME_MAX + 32];

	if (c->metadata == NULL)
		return;
	snprintf(key, sizeof(key), "track.%s.played", track);
	cb_call_metadata_set(c->metadata, key, "Spa:String", id);
}
