/* What a WHIP/WHEP server sends as its side of the session: the SDP of
 * an answer (201) or of a WHEP counter-offer (406), read strictly into a
 * session description, with what a session cannot do without checked
 * here: exactly one audio section (RFC 9725 allows one track per kind),
 * ICE credentials, and a sha-256 fingerprint (RFC 8122) for DTLS. */
#ifndef CALLBRIDGE_WHIP_PEER_DESC_H
#define CALLBRIDGE_WHIP_PEER_DESC_H

#include <stddef.h>

#include "session/session-desc.h"

/* what names it in the reason ("answer", "counter-offer"). 0, or -EINVAL
 * (-ENOMEM) with a reason in err; out is cleared by the caller either way. */
int cb_whip_read_peer(const char *text, size_t len, const char *what,
		      struct cb_session_desc *out, char *err, size_t err_len);

#endif
