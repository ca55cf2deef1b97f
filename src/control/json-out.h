/* Writing JSON a field at a time, into a fixed buffer (a status value) or
 * straight into a file (the stats file), so both go through the same code
 * and neither allocates.  Commas between fields are the writer's business;
 * strings are escaped, so whatever a name or an address holds, the output is
 * strict JSON (RFC 8259).  Numbers that are not finite are written as null.
 * Single-threaded: one writer per use. */
#ifndef CALLBRIDGE_JSON_OUT_H
#define CALLBRIDGE_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CB_JSON_OUT_DEPTH 8

struct cb_json_out {
	FILE *file;		/* when set, written through; else buf */
	char *buf;
	size_t cap, len;
	/* buf was too small (its text is cut short and must not be used), or
	 * the file refused a write. */
	bool failed;
	uint32_t depth;
	bool first[CB_JSON_OUT_DEPTH];	/* no field written yet at that depth */
};

/* Into buf[0..cap): always NUL-terminated once cap > 0. */
void cb_json_out_buffer(struct cb_json_out *o, char *buf, size_t cap);
void cb_json_out_file(struct cb_json_out *o, FILE *f);

/* Text as it stands, at most 511 bytes: the layout between values (new
 * lines, indentation). */
void cb_json_raw(struct cb_json_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Inside an object the writer opened, each value is one field: key (a
 * fixed word of ours, not escaped) and the separator before it are written
 * too, laid out on one line: { "a": 1, "b": true }.  Outside any (depth 0)
 * a value is written bare, key NULL, and the caller lays out what is
 * around it with cb_json_raw. */
void cb_json_open_object(struct cb_json_out *o, const char *key);
void cb_json_close_object(struct cb_json_out *o);

void cb_json_uint(struct cb_json_out *o, const char *key, uint64_t v);
void cb_json_int(struct cb_json_out *o, const char *key, int64_t v);
void cb_json_bool(struct cb_json_out *o, const char *key, bool v);
/* v with `decimals` digits after the point. */
void cb_json_fixed(struct cb_json_out *o, const char *key, double v, int decimals);
/* s escaped; NULL writes null. */
void cb_json_string(struct cb_json_out *o, const char *key, const char *s);
void cb_json_null(struct cb_json_out *o, const char *key);

#endif
