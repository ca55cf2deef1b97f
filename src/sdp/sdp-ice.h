/* The ICE grammar SDP carries (RFC 8839 section 5): ice-char, which the
 * config loader, the SDP parser and the ICE transport all check. */
#ifndef CALLBRIDGE_SDP_ICE_H
#define CALLBRIDGE_SDP_ICE_H

#include <stdbool.h>

/* True when text is one or more ice-chars (ALPHA / DIGIT / "+" / "/"). */
bool cb_ice_chars_valid(const char *text);

#endif
