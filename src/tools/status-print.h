/* The three faces of `pw-callbridge status`: JSON for scripts, text, and
 * the --watch screen, printed from the keys of each call's metadata object.
 * Any PipeWire client can write those keys, so nothing in them is trusted:
 * JSON output stays valid whatever the values hold (strict-json.h), and
 * text output never carries a control character to the terminal. */
#ifndef CALLBRIDGE_STATUS_PRINT_H
#define CALLBRIDGE_STATUS_PRINT_H

#include <stddef.h>
#include <stdio.h>

#include <spa/utils/dict.h>

struct cb_status_call {
	const char *name;		/* the metadata name without "callbridge." */
	const struct spa_dict *keys;	/* subject 0: key -> value */
};

void cb_status_print_json(FILE *out, const struct cb_status_call *calls, size_t n_calls);
void cb_status_print_text(FILE *out, const struct cb_status_call *calls, size_t n_calls);
/* One screen; `only` is the CALL argument (NULL: all calls). */
void cb_status_print_watch(FILE *out, const struct cb_status_call *calls, size_t n_calls,
			   const char *only);

#endif
