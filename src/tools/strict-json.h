/* Strict JSON (RFC 8259, valid UTF-8) out of untrusted text.
 *
 * `pw-callbridge status --json` prints values read from a metadata object
 * that any PipeWire client may write.  Passing them through would let one
 * malformed value break every script that parses the output, so each value
 * is re-encoded from what SPA's relaxed JSON parser makes of it: objects,
 * arrays, strict numbers, true/false/null stay what they are; anything
 * else becomes a string. */
#ifndef CALLBRIDGE_STRICT_JSON_H
#define CALLBRIDGE_STRICT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Nesting deeper than this is printed as null. */
#define CB_JSON_MAX_DEPTH 16

/* A JSON string of len bytes of s; bytes that are not valid UTF-8 become
 * U+FFFD, control characters are escaped. */
void cb_json_put_string(FILE *out, const char *s, size_t len);

/* One JSON value for text: re-encoded when text is a single relaxed-JSON
 * value, otherwise the whole text as a string. */
void cb_json_put_value(FILE *out, const char *text);

/* RFC 8259's number grammar (no NaN, no hex, no leading '+' or zeros). */
bool cb_json_is_number(const char *s, size_t len);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes there
 * are not one (overlong, surrogate, above U+10FFFF, cut short). */
size_t cb_utf8_sequence_len(const unsigned char *s, size_t avail);

#endif
