#include <stdlib.h>
#include <string.h>

#include <spa/utils/json.h>

#include "tools/reload-answer.h"

/* A JSON string value as text, in a buffer of its own. */
static char *string_value(const char *value, int n)
{
	char *out;

	if (!spa_json_is_string(value, n) || (out = malloc((size_t)n + 1)) == NULL)
		return NULL;
	if (spa_json_parse_stringn(value, n, out, n + 1) <= 0) {
		free(out);
		return NULL;
	}
	return out;
}

static void take(char **slot, const char *value, int n)
{
	char *s = string_value(value, n);

	if (s == NULL)
		return;
	free(*slot);
	*slot = s;
}

bool cb_reload_answer_parse(const char *json, struct cb_reload_answer *a)
{
	struct spa_json it, obj;
	const char *value;
	char key[32];
	int n;

	memset(a, 0, sizeof(*a));
	spa_json_init(&it, json, strlen(json));
	if (spa_json_enter_object(&it, &obj) <= 0)
		return false;
	while (spa_json_get_string(&obj, key, sizeof(key)) > 0) {
		if ((n = spa_json_next(&obj, &value)) <= 0)
			break;
		if (strcmp(key, "token") == 0)
			take(&a->token, value, n);
		else if (strcmp(key, "summary") == 0)
			take(&a->summary, value, n);
		else if (strcmp(key, "errors") == 0)
			take(&a->errors, value, n);
		else if (strcmp(key, "warnings") == 0)
			take(&a->warnings, value, n);
		else if (strcmp(key, "ok") == 0)
			a->ok = spa_json_is_true(value, n);
	}
	if (a->token == NULL) {
		cb_reload_answer_clear(a);
		return false;
	}
	if ((a->summary == NULL && (a->summary = strdup("")) == NULL) ||
	    (a->errors == NULL && (a->errors = strdup("")) == NULL) ||
	    (a->warnings == NULL && (a->warnings = strdup("")) == NULL)) {
		cb_reload_answer_clear(a);
		return false;
	}
	return true;
}

void cb_reload_answer_clear(struct cb_reload_answer *a)
{
	free(a->token);
	free(a->summary);
	free(a->errors);
	free(a->warnings);
	memset(a, 0, sizeof(*a));
}
