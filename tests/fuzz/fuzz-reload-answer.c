/* reload.result, which `pw-callbridge reload` reads from a metadata object
 * any PipeWire client may write.  The input is used twice:
 *  - as the value itself: cb_reload_answer_parse must not crash, leak or
 *    read past it, and what it returns is whole strings;
 *  - split at its first NUL into a token and an error message, rendered by
 *    the call's side (cb_control_reload_json) and parsed back: the token,
 *    the message and the outcome must come back as sent, but for bytes
 *    beyond ASCII, which the JSON writer sends as U+FFFD. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "tools/reload-answer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char buf[4 * CB_MAX_ERRORS * CB_ERROR_MAX];
static struct cb_config_report report;

/* s as the JSON writer lets it through, into a new buffer. */
static char *as_sent(const char *s)
{
	char *out = malloc(3 * strlen(s) + 1), *o = out;

	if (out == NULL)
		abort();
	for (; *s; s++) {
		if ((unsigned char)*s < 0x80) {
			*o++ = *s;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
		}
	}
	*o = '\0';
	return out;
}

static bool same(const char *got, const char *sent)
{
	char *want = as_sent(sent);
	bool equal = strcmp(got, want) == 0;

	free(want);
	return equal;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_reload_answer a;
	char *text = calloc(1, size + 2);
	const char *token, *message;
	bool failed;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	if (cb_reload_answer_parse(text, &a)) {
		if (a.token == NULL || a.summary == NULL || a.errors == NULL || a.warnings == NULL)
			abort();
		(void)(strlen(a.token) + strlen(a.summary) + strlen(a.errors) + strlen(a.warnings));
		cb_reload_answer_clear(&a);
	}

	token = text;
	message = text + strlen(text) + 1;	/* "" without a NUL */
	memset(&report, 0, sizeof(report));
	failed = size % 2 == 1;
	if (failed && message[0]) {
		snprintf(report.errors[0], CB_ERROR_MAX, "%s", message);
		report.n_errors = 1;
	}
	if (!cb_control_reload_json(buf, sizeof(buf), token, failed ? -EINVAL : 0, &report, message))
		abort();	/* one message always fits */
	if (!cb_reload_answer_parse(buf, &a) || !same(a.token, token) || a.ok == failed ||
	    !same(a.summary, message) ||
	    (failed && message[0] && !same(a.errors, report.errors[0])))
		abort();
	cb_reload_answer_clear(&a);
	free(text);
	return 0;
}
