/* callbridge: state shared by the parts of the INI loader (config-parse.c
 * reads lines and keys, config-check.c stores values and checks the whole
 * file, config.c holds the entry points).  Internal to src/config. */
#ifndef CALLBRIDGE_CONFIG_LOADER_H
#define CALLBRIDGE_CONFIG_LOADER_H

#include "config/config.h"
#include "config/config-values.h"

/* Per-section bookkeeping is a bitmask over rows of cb_config_keys. */
#define CB_LOADER_MAX_KEYS 128

enum cb_section_kind {
	CB_SECTION_NONE,	/* before the first header */
	CB_SECTION_CALL,
	CB_SECTION_STREAM,
	CB_SECTION_TRACK,
	CB_SECTION_REMOTE,
	CB_SECTION_ICE,
	CB_SECTION_ENDPOINT,
	CB_SECTION_IGNORED,	/* a bad header, already reported: skip its keys */
};

struct cb_section_state {
	int line;			/* of the header */
	uint64_t seen[CB_LOADER_MAX_KEYS / 64];	/* rows of cb_config_keys given in the file */
	int key_lines[CB_LOADER_MAX_KEYS];
};

/* Whether the file gave row `row` of cb_config_keys in this section. */
static inline bool cb_loader_seen(const struct cb_section_state *st, int row)
{
	return row >= 0 && row < CB_LOADER_MAX_KEYS && ((st->seen[row / 64] >> (row % 64)) & 1);
}

struct cb_track_state {
	struct cb_section_state s;
	uint32_t n_names;		/* of the stream key, resolved after the whole file */
	char names[CB_MAX_TRACK_STREAMS][CB_NAME_MAX + 1];
};

struct cb_loader {
	const char *name;		/* the file, as messages call it */
	char dir[PATH_MAX];		/* relative paths are taken from here */
	struct cb_config *cfg;
	struct cb_config_report *report;
	uint32_t n_errors_total;	/* including those past CB_MAX_ERRORS */

	/* the reader */
	const char *text;
	size_t len, pos;
	int lineno;

	/* the section the reader is in */
	enum cb_section_kind kind;
	uint32_t index;
	struct cb_section_state *cur;
	char title[256];	/* "[track music]", for messages */
	bool too_many_reported[CB_SECTION_IGNORED];

	bool have_call;
	struct cb_section_state call;
	struct cb_section_state streams[CB_MAX_STREAMS];
	struct cb_track_state tracks[CB_MAX_TRACKS];
	struct cb_section_state remotes[CB_MAX_REMOTES];
	bool have_ice;
	struct cb_section_state ice;
	bool have_endpoint;
	struct cb_section_state endpoint;
};

void cb_loader_error(struct cb_loader *l, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cb_loader_warning(struct cb_loader *l, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Index of the row for `key` in `section` ("call", ...), or -1. */
int cb_loader_find_key(const char *section, const char *key);
const char *cb_section_kind_name(enum cb_section_kind kind);

/* Reads `text`: sections, keys and values, each checked on its own. */
void cb_loader_parse(struct cb_loader *l, const char *text, size_t len);

/* Stores a parsed value of row `row` into the section `kind`/`index`.
 * `line` is 0 for defaults. */
void cb_loader_store(struct cb_loader *l, enum cb_section_kind kind, uint32_t index,
		     size_t row, const char *text, struct cb_value *v, int line);

/* Applies every default of the section kind to entry `index`. */
void cb_loader_apply_defaults(struct cb_loader *l, enum cb_section_kind kind, uint32_t index);

/* config-ice.c: the [ice] section. */
void cb_loader_store_ice(struct cb_loader *l, const char *key, const char *text,
			 struct cb_value *v, int line);
void cb_loader_check_ice(struct cb_loader *l);

/* `path` taken from the config file's directory unless absolute, into
 * out; false when it does not fit. */
bool cb_loader_resolve_path(struct cb_loader *l, const char *path, char *out, size_t out_len);

/* Reads a secret from a file (relative to the config file) into out, without
 * surrounding white space; warns when others may read it. false on error
 * (already reported). */
bool cb_loader_read_secret_file(struct cb_loader *l, const char *keyname, const char *path,
				char *out, size_t out_len, int line);

/* config-webrtc.c: the keys of transport = webrtc. */
/* A bearer token from a file, as cb_loader_read_secret_file reads it, that
 * must be visible ASCII without spaces (it goes into an HTTP header). */
void cb_loader_read_token_file(struct cb_loader *l, const char *keyname, const char *path,
			       char *out, size_t out_len, int line);
/* Resolves the path into out and checks the PEM certificate and key there. */
void cb_loader_store_certificate(struct cb_loader *l, const char *keyname, const char *path,
				 char *out, size_t out_len, int line);
/* What transport = webrtc forbids and requires, and the profiles to offer;
 * whip, whep and the webrtc keys with another transport. */
void cb_loader_check_webrtc(struct cb_loader *l);
/* config-endpoint.c: [endpoint] keys, and the whip-endpoint and
 * whep-endpoint paths against it. */
void cb_loader_store_endpoint(struct cb_loader *l, const char *key, const char *text,
			      struct cb_value *v, int line);
void cb_loader_check_endpoint(struct cb_loader *l);

/* Whole-file checks once every line has been read; makes implicit streams. */
void cb_loader_check(struct cb_loader *l);

#endif
