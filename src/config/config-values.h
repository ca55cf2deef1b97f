/* callbridge: parsing one INI value according to its row in cb_config_keys.
 * Internal to src/config. */
#ifndef CALLBRIDGE_CONFIG_VALUES_H
#define CALLBRIDGE_CONFIG_VALUES_H

#include "config/config.h"

/* One parsed value; which members mean something depends on the key type. */
struct cb_value {
	bool b;				/* BOOL */
	int64_t i;			/* INT, SSRC, ENUM (index into values), PTIME (samples at 48 kHz) */
	double f;			/* FLOAT */
	const char *s;			/* NAME, STRING, PATH, ENUM: the text as given */
	struct cb_address addr;		/* ADDRESS */
	struct cb_key key;		/* BASE64_KEY */
	uint32_t n_names;		/* LIST */
	char names[CB_MAX_TRACK_STREAMS][CB_NAME_MAX + 1];
};

/* Parses `text` as the key `info` describes.  On failure writes a message
 * for the user into `err` that does not repeat the key name (the caller
 * prefixes it) and never quotes key material. */
bool cb_value_parse(const struct cb_key_info *info, const char *text,
		    struct cb_value *v, char *err, size_t err_len);

/* [a-z0-9_-]{1,32} */
bool cb_name_valid(const char *s);

/* Strict base64: decodes into `key` or explains why not in `err`. */
bool cb_base64_key_parse(const char *text, size_t len, struct cb_key *key,
			 char *err, size_t err_len);

/* A URL as messages may show it: without query, fragment or user info,
 * which may hold a key. */
void cb_url_display(const char *url, char *out, size_t out_len);

/* Wipes a value that may hold key material. */
void cb_value_wipe(struct cb_value *v);

#endif
