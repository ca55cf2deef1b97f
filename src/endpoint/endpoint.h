/* callbridge as a WHIP and WHEP server: the [endpoint] section.  One
 * libsoup-3.0 SoupServer on the process's GLib thread (doc/threads.md)
 * serves
 *   POST   <whip-path>          a browser publishes (one at a time: 409)
 *   POST   <whep-path>          a browser plays (up to max-viewers: 503)
 *   PATCH  <path>/<id>          trickle ICE, or an ICE restart
 *   DELETE <path>/<id>          the session ends
 *   OPTIONS any of them          CORS preflight (no token needed)
 *   GET    /                    the guest page (page = true)
 * Every other request needs "Authorization: Bearer <token>" (401 without;
 * compared in constant time).  Bodies over 16 KiB get 413 before they are
 * read; more than 10 requests a second from one address, or 40 from all,
 * get 429, so a flood costs the GLib thread little and the media threads
 * nothing.  A guest whose packets stop for consent-timeout (the page was
 * closed without DELETE, the network went) is ended as if it had sent
 * DELETE.
 *
 * Made and freed on the main thread; kick and info from the main thread. */
#ifndef CALLBRIDGE_ENDPOINT_H
#define CALLBRIDGE_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/keying.h"
#include "dtls/certificate.h"
#include "endpoint/peer.h"
#include "net/address.h"
#include "session/session-desc.h"
#include "transport/ice-params.h"
#include "transport/transport.h"

#define CB_ENDPOINT_ROUTES 64
#define CB_ENDPOINT_PATH 65
#define CB_ENDPOINT_TOKEN_MAX 4096

struct cb_endpoint_route {
	char path[CB_ENDPOINT_PATH];	/* "/whip/guest" */
	char name[33];			/* the [remote] or [stream] */
	bool whep;
	/* WHIP: a slot (slot.h) and the keying its publisher's DTLS fills;
	 * WHEP: a fan-out (fanout.h), keying unused.  Borrowed. */
	struct cb_transport *transport;
	struct cb_keying *keying;
	struct cb_session_media media;	/* our m-line: channels, ptime, SSRC */
};

struct cb_endpoint_params {
	char call[64];
	char cname[128];
	struct cb_address listen;
	bool tls;
	char tls_certificate_file[4096];
	char tls_key_file[4096];
	char token[CB_ENDPOINT_TOKEN_MAX + 1];	/* secret */
	char allow_origin[256];
	bool page;
	uint32_t consent_timeout_ms;
	uint32_t max_viewers;
	struct cb_ice_params ice;		/* servers for the peers, and the Link */
	const struct cb_dtls_certificate *certificate;	/* DTLS, borrowed */
	uint32_t suites;
	uint32_t n_routes;
	struct cb_endpoint_route routes[CB_ENDPOINT_ROUTES];
};

/* What status shows: per route its peers (a publisher or the viewers). */
#define CB_ENDPOINT_INFO_PEERS 64
struct cb_endpoint_route_info {
	char path[CB_ENDPOINT_PATH];
	char name[33];
	bool whep;
	uint32_t n_peers;
	struct cb_peer_info peers[CB_ENDPOINT_INFO_PEERS];
	uint64_t sessions_total;
};

struct cb_endpoint_counters {
	uint64_t requests, unauthorized, conflicts, too_large, rate_limited, refused_offers,
		 bad_patches, reaped, kicked;
};

struct cb_endpoint;

int cb_endpoint_new(struct cb_endpoint **out, const struct cb_endpoint_params *config,
		    char *err, size_t err_len);
/* Ends every session (no DELETE to send: the browsers see ICE go) and the
 * server. */
void cb_endpoint_free(struct cb_endpoint *e);
/* "https://ADDR:PORT" as bound (port 0 resolved). */
const char *cb_endpoint_base(const struct cb_endpoint *e);
/* Ends the session(s) of the route whose path's last segment, or remote or
 * stream name, is `name` (guest.<name>.control = kick); -ENOENT. */
int cb_endpoint_kick(struct cb_endpoint *e, const char *name);
/* Copies what the GLib thread last published (twice a second). */
uint32_t cb_endpoint_info(struct cb_endpoint *e, struct cb_endpoint_route_info *out,
			  uint32_t max, struct cb_endpoint_counters *counters);

/* Constant-time check of an Authorization header value against token;
 * "Bearer" is matched case-insensitively (RFC 6750 section 2.1). */
bool cb_endpoint_bearer_ok(const char *header, const char *token);

#endif
