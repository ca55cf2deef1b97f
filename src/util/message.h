/* A reason for the user, written into the caller's buffer: the parsers'
 * one way of saying why they refused something. */
#ifndef CALLBRIDGE_UTIL_MESSAGE_H
#define CALLBRIDGE_UTIL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

/* Formats into err (if err_len > 0) and returns false, so a parser can
 * `return cb_fail(err, len, "...", ...);`. */
bool cb_fail(char *err, size_t err_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
