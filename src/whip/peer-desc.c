#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "dtls/certificate.h"
#include "sdp/sdp.h"
#include "session/session-sdp.h"
#include "util/secret.h"
#include "whip/peer-desc.h"

int cb_whip_read_peer(const char *text, size_t len, const char *what,
		      struct cb_session_desc *out, char *err, size_t err_len)
{
	struct cb_sdp *sdp = calloc(1, sizeof(*sdp));
	char why[256];
	int n, res = -EINVAL;

	if (sdp == NULL) {
		snprintf(err, err_len, "out of memory reading the %s", what);
		return -ENOMEM;
	}
	if (cb_sdp_parse(text, len, sdp, why, sizeof(why)) < 0)
		snprintf(err, err_len, "the %s is not valid SDP: %s", what, why);
	else if ((n = cb_session_desc_from_sdp(sdp, out, why, sizeof(why))) < 0)
		snprintf(err, err_len, "%s", why);
	else if (n != 1)
		snprintf(err, err_len, "the %s has %s audio section", what,
			 n == 0 ? "no" : "more than one");
	else if (!out->ice.present || out->dtls.fingerprint_len != CB_SHA256_LEN)
		snprintf(err, err_len, "the %s lacks ICE credentials or a sha-256 fingerprint",
			 what);
	else
		res = 0;
	/* The parsed text may hold the peer's ICE password. */
	cb_secret_wipe(sdp, sizeof(*sdp));
	free(sdp);
	return res;
}
