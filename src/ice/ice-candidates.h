/* The address lists of the [ice] section (remote-candidates) and the text
 * form of gathered candidates that --print-ice and the log show, so that
 * what one side prints can be pasted into the other side's file. */
#ifndef CALLBRIDGE_ICE_CANDIDATES_H
#define CALLBRIDGE_ICE_CANDIDATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* Parses "HOST:PORT, [V6]:PORT, ..." (empty is an empty list), resolving
 * each entry.  On failure writes a message naming the bad entry to err. */
bool cb_ice_parse_candidates(const char *text, struct cb_address *out, uint32_t max,
			     uint32_t *n_out, char *err, size_t err_len);

/* Formats an address as the list wants it back: "1.2.3.4:5" or "[::1]:5". */
void cb_ice_format_address(const struct sockaddr *sa, char *out, size_t len);

/* True when text is 1..max ice-chars (ALPHA / DIGIT / "+" / "/"). */
bool cb_ice_chars_valid(const char *text);

#endif
