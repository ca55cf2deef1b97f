/* RFC 2198 redundancy in SDP, the way WebRTC negotiates it for Opus:
 *   a=rtpmap:63 red/48000/2
 *   a=fmtp:63 111/111
 * the fmtp naming the payload type of each block (RFC 2198 section 5),
 * all of them Opus here.  The red format goes first on the m= line: it is
 * what is sent. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sdp/sdp-model.h"

/* Every "/"-separated entry of an a=fmtp for red is opus_pt. */
static bool blocks_all(const char *fmtp, int opus_pt)
{
	const char *p = fmtp;

	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p || v != opus_pt)
			return false;
		while (*end == ' ')
			end++;
		if (*end == '\0')
			return true;
		if (*end != '/')
			return false;
		p = end + 1;
	}
	return false;
}

int cb_sdp_red_pt(const struct cb_sdp_section *m, int opus_pt)
{
	for (uint32_t i = 0; i < m->n_formats && i < CB_SDP_MAX_FORMATS; i++) {
		const struct cb_sdp_format *f = &m->formats[i];
		if (f->pt < 0 || f->pt == opus_pt || !f->has_rtpmap ||
		    strcasecmp(f->encoding, "red") != 0 || f->clock_rate != 48000 ||
		    (f->channels != 2 && f->channels != 0))
			continue;
		/* Without an fmtp a red could wrap anything: not ours. */
		if (f->has_fmtp && blocks_all(f->fmtp, opus_pt))
			return f->pt;
	}
	return -ENOENT;
}

void cb_sdp_add_red(struct cb_sdp_section *m, uint8_t red_pt, uint8_t opus_pt)
{
	struct cb_sdp_format *f = &m->formats[0];

	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "%u", red_pt);
	f->pt = red_pt;
	f->has_rtpmap = true;
	snprintf(f->encoding, sizeof(f->encoding), "red");
	f->clock_rate = 48000;
	f->channels = 2;
	f->has_fmtp = true;
	snprintf(f->fmtp, sizeof(f->fmtp), "%u/%u", opus_pt, opus_pt);
	if (m->n_formats < 2)
		m->n_formats = 2;
}
