/* The answer a call publishes under reload.result (control/control.h), as
 * `pw-callbridge reload` reads it.  Any PipeWire client can write that key,
 * so it is parsed as untrusted input (tests/fuzz/fuzz-reload-answer.c). */
#ifndef CALLBRIDGE_RELOAD_ANSWER_H
#define CALLBRIDGE_RELOAD_ANSWER_H

#include <stdbool.h>

struct cb_reload_answer {
	char *token;		/* NULL when absent or not a string */
	bool ok;		/* "ok": true; false when absent */
	char *summary;		/* each "" when absent */
	char *errors;
	char *warnings;
};

/* False (and *a cleared) unless json is an object with a string token;
 * otherwise the caller frees with cb_reload_answer_clear. */
bool cb_reload_answer_parse(const char *json, struct cb_reload_answer *a);
void cb_reload_answer_clear(struct cb_reload_answer *a);

#endif
