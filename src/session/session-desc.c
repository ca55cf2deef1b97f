#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "session/session-desc.h"
#include "util/secret.h"

void cb_session_desc_init(struct cb_session_desc *d)
{
	memset(d, 0, sizeof(*d));
}

void cb_session_desc_clear(struct cb_session_desc *d)
{
	cb_secret_wipe(d, sizeof(*d));
}

const struct cb_session_media *cb_session_desc_find_mid(const struct cb_session_desc *d,
							const char *mid)
{
	for (uint32_t i = 0; i < d->n_media; i++)
		if (strcmp(d->media[i].mid, mid) == 0)
			return &d->media[i];
	return NULL;
}

int cb_session_desc_add_media(struct cb_session_desc *d, const struct cb_session_media *m)
{
	if (d->n_media >= CB_SESSION_MAX_MEDIA)
		return -ENOSPC;
	d->media[d->n_media++] = *m;
	return 0;
}

int cb_session_desc_add_candidate(struct cb_session_desc *d, const char *attribute)
{
	struct cb_session_ice *ice = &d->ice;
	size_t len;

	if (strncmp(attribute, "a=", 2) == 0)
		attribute += 2;
	len = strcspn(attribute, "\r\n");
	if (strncmp(attribute, "candidate:", 10) != 0 || len >= CB_SESSION_CANDIDATE_MAX)
		return -EINVAL;
	if (ice->n_candidates >= CB_SESSION_MAX_CANDIDATES)
		return -ENOSPC;
	memcpy(ice->candidates[ice->n_candidates], attribute, len);
	ice->candidates[ice->n_candidates][len] = '\0';
	ice->n_candidates++;
	return 0;
}

uint32_t cb_session_desc_add_candidate_lines(struct cb_session_desc *d, const char *lines)
{
	uint32_t added = 0;

	for (const char *p = lines; *p;) {
		size_t len = strcspn(p, "\r\n");
		char line[CB_SESSION_CANDIDATE_MAX + 8];

		if (len > 0 && len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			if (cb_session_desc_add_candidate(d, line) == 0)
				added++;
		}
		p += len;
		p += strspn(p, "\r\n");
	}
	return added;
}
