/* The reload answer, from the call's side (cb_control_reload_json) to the
 * command's (cb_reload_answer_parse): what is sent is what is read, errors
 * one a line; and what another client may write instead is refused or read
 * safely. */
#include "test.h"

#include "control/control.h"
#include "tools/reload-answer.h"

static char buf[4 * CB_MAX_ERRORS * CB_ERROR_MAX];

int main(void)
{
	struct cb_config_report report;
	struct cb_reload_answer a;

	memset(&report, 0, sizeof(report));
	CHECK(cb_control_reload_json(buf, sizeof(buf), "42-1.5", 0, &report,
				     "1 added, 0 removed, 0 changed in place, 0 recreated"));
	CHECK(cb_reload_answer_parse(buf, &a));
	CHECK_STR_EQ(a.token, "42-1.5");
	CHECK(a.ok);
	CHECK_STR_EQ(a.summary, "1 added, 0 removed, 0 changed in place, 0 recreated");
	CHECK_STR_EQ(a.errors, "");
	cb_reload_answer_clear(&a);

	/* Rejected: every error, in order, one a line; quotes, backslashes and
	 * control characters in a message survive the trip. */
	snprintf(report.errors[report.n_errors++], CB_ERROR_MAX, "c.ini:3: ptime: '7' is bad");
	snprintf(report.errors[report.n_errors++], CB_ERROR_MAX, "c.ini:9: \"q\" \\ \t x");
	snprintf(report.warnings[report.n_warnings++], CB_ERROR_MAX, "c.ini:2: w");
	CHECK(cb_control_reload_json(buf, sizeof(buf), "t", -EINVAL, &report, ""));
	CHECK(cb_reload_answer_parse(buf, &a));
	CHECK(!a.ok);
	CHECK_STR_EQ(a.errors, "c.ini:3: ptime: '7' is bad\nc.ini:9: \"q\" \\ \t x");
	CHECK_STR_EQ(a.warnings, "c.ini:2: w");
	cb_reload_answer_clear(&a);

	/* A failure without messages still says it failed. */
	memset(&report, 0, sizeof(report));
	CHECK(cb_control_reload_json(buf, sizeof(buf), "t", -ENOMEM, &report, NULL));
	CHECK(cb_reload_answer_parse(buf, &a));
	CHECK(!a.ok);
	CHECK_STR_CONTAINS(a.errors, "reload failed: ");
	cb_reload_answer_clear(&a);

	/* Too small a buffer: the outcome, without the messages. */
	for (uint32_t i = 0; i < CB_MAX_ERRORS; i++)
		memset(report.errors[report.n_errors++], 'x', CB_ERROR_MAX - 1);
	CHECK(!cb_control_reload_json(buf, 400, "t", -EINVAL, &report, ""));
	CHECK(cb_reload_answer_parse(buf, &a));
	CHECK(!a.ok);
	CHECK_STR_EQ(a.errors, "(too long; see the log)");
	cb_reload_answer_clear(&a);

	/* What another client might write. */
	CHECK(!cb_reload_answer_parse("", &a));
	CHECK(!cb_reload_answer_parse("[]", &a));
	CHECK(!cb_reload_answer_parse("{\"ok\": true}", &a));
	CHECK(!cb_reload_answer_parse("{\"token\": 5, \"ok\": true}", &a));
	CHECK(cb_reload_answer_parse("{\"token\": \"t\", \"ok\": \"true\"}", &a));
	CHECK(!a.ok);
	CHECK_STR_EQ(a.summary, "");
	cb_reload_answer_clear(&a);
	/* Cut short: whatever it makes of it, nothing leaks or overruns. */
	(void)cb_reload_answer_parse("{\"token\": \"t\", \"ok\": tru", &a);
	cb_reload_answer_clear(&a);
	return test_finish("test-reload-answer");
}
