/* One browser at a WHIP or WHEP endpoint: its ICE agent (libnice, full
 * ICE, controlled: the browser offers and controls), a DTLS layer (active,
 * the client, when the offer says actpass) and the keys DTLS makes.
 *
 * Full ICE rather than ICE-lite: libnice is a full agent, and a full agent
 * also works when callbridge itself sits behind a NAT (a home studio) with
 * the [ice] STUN/TURN servers, where a lite agent, which never sends a
 * check, only works on a public address.  The price is nothing a browser
 * notices: both sides send checks and the browser nominates.
 *
 * A publisher (WHIP) keys the endpoint's session keying, which the receive
 * worker follows; a viewer (WHEP) keys its own, which its fan-out slot
 * follows.  Everything here runs on the GLib thread. */
#ifndef CALLBRIDGE_ENDPOINT_PEER_H
#define CALLBRIDGE_ENDPOINT_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/keying.h"
#include "dtls/certificate.h"
#include "endpoint/fanout.h"
#include "endpoint/offer.h"
#include "transport/ice-params.h"
#include "transport/transport.h"

#define CB_PEER_ID_LEN 24

struct cb_peer_config {
	bool whep;
	char label[96];				/* for logs: "/whip/guest" */
	struct cb_ice_params ice;		/* servers, local address */
	const struct cb_dtls_certificate *certificate;	/* borrowed */
	uint32_t suites;
	struct cb_keying *keying;		/* WHIP: the endpoint's; WHEP: NULL (own) */
	char name[64];				/* the call, for the answer */
	char cname[128];
	char client[64];			/* the HTTP client's address */
};

/* What status shows of one guest or viewer. */
struct cb_peer_info {
	char id[CB_PEER_ID_LEN + 1];
	char client[64];
	char state[32];				/* ICE state */
	char dtls[16];
	char profile[32];
	char pair[2 * 64 + 8];
	uint64_t rx_datagrams, tx_packets;
	uint64_t fan_packets, fan_no_key;
	uint32_t restarts;
	uint64_t age_ms;
};

struct cb_peer {
	struct cb_peer_config config;		/* wiped on free */
	char id[CB_PEER_ID_LEN + 1];		/* the resource: <path>/<id> */
	char etag[CB_PEER_ID_LEN + 3];		/* quoted */
	struct cb_ice_transport *ice;
	struct cb_transport *transport;		/* DTLS around the ICE transport */
	struct cb_keying own_keying;		/* WHEP: this viewer's keys */
	struct cb_keying *keying;		/* the one DTLS fills */
	struct cb_session_desc local;		/* ours: credentials, candidates */
	char remote_ufrag[CB_ICE_CRED_MAX + 1];
	bool remote_done;			/* end-of-candidates seen */
	bool dtls_failed;
	uint8_t payload_type;			/* the offer's */
	int audio_level_ext_id;			/* the offer's, 0: none */
	/* Consent (RFC 7675 in spirit): the last time a datagram came. */
	uint64_t created_ms, last_rx_ms, last_rx_count;
	uint64_t rtcp_drained;
	struct cb_fanout_counters fan;		/* WHEP: what its fan-out slot sent */
};

/* Judges the offer (offer.h) and, when accepted, sets up ICE and DTLS and
 * writes the answer into answer (cap bytes).  *status is 0 when accepted,
 * else the HTTP status with the reason in reason. */
int cb_peer_new(struct cb_peer **out, const struct cb_peer_config *config,
		const struct cb_offer_terms *terms, const char *offer, size_t len,
		char *answer, size_t cap, unsigned int *status, char *reason, size_t reason_len);
void cb_peer_free(struct cb_peer *p);

/* A PATCH (RFC 9725 section 4.3): trickled candidates (204, *out_len 0)
 * or an ICE restart (200 with our new credentials and candidates in out,
 * and a new ETag).  Returns the HTTP status; reason on refusal. */
unsigned int cb_peer_patch(struct cb_peer *p, const char *if_match, const char *body, size_t len,
			   char *out, size_t cap, size_t *out_len, char *reason, size_t reason_len);

/* Once a tick: drains what the peer sent besides media (a viewer's RTCP)
 * and tells whether it is still alive: false once nothing came for
 * timeout_ms, or ICE or DTLS failed. */
bool cb_peer_alive(struct cb_peer *p, uint64_t now_ms, uint64_t timeout_ms);
void cb_peer_describe(struct cb_peer *p, uint64_t now_ms, struct cb_peer_info *info);

#endif
