/* A DTLS layer around any datagram transport (transport.h): media passes
 * through to the inner transport untouched (SRTP protects it, with keys
 * this layer puts into the session's keying object), DTLS records go to
 * the handshake.  The inner transport's demux hands records over; its
 * state listener says when the path is up, and the handshake starts then.
 *
 * Everything DTLS happens on the GLib thread (doc/threads.md): records
 * that an inner transport reads on another thread (udp: the receive
 * worker) are posted there; the retransmission timer is a GLib timeout on
 * the same context. */
#ifndef CALLBRIDGE_DTLS_TRANSPORT_H
#define CALLBRIDGE_DTLS_TRANSPORT_H

#include "dtls/dtls-session.h"
#include "transport/transport.h"

/* Called on the GLib thread when the handshake ends either way. */
typedef void (*cb_dtls_transport_done)(void *data, enum cb_dtls_state state, const char *reason);

/* Takes `inner` over (destroying the result destroys it).  Set no state
 * listener or DTLS handler on inner afterwards: this layer holds both. */
int cb_dtls_transport_new(struct cb_transport **out, struct cb_transport *inner,
			  const struct cb_dtls_config *config, cb_dtls_transport_done done,
			  void *data);
/* The same for an offerer (a=setup:actpass), who learns the DTLS role
 * and the peer's fingerprint from the answer: config's role and
 * remote_fingerprint are not read.  Records that come before
 * cb_dtls_transport_set_peer are kept and replayed. */
int cb_dtls_transport_new_offerer(struct cb_transport **out, struct cb_transport *inner,
				  const struct cb_dtls_config *config, cb_dtls_transport_done done,
				  void *data);
/* The answer said who we are and which certificate the peer holds; the
 * handshake starts as soon as the path is up too.  -EALREADY once set. */
int cb_dtls_transport_set_peer(struct cb_transport *t, enum cb_dtls_role role,
			       const uint8_t fingerprint[CB_SHA256_LEN]);

/* Ends the handshake and its keys (the keying object is revoked, so the
 * workers drop rather than send under stale keys) and waits for a new
 * cb_dtls_transport_set_peer: a re-negotiation with a new answer (a new
 * POST after the server went away, RFC 9725 section 4.4.1).  The
 * handshake starts when the inner path is (again) up.  Offerer only. */
int cb_dtls_transport_reset(struct cb_transport *t);

/* The transport this one wraps. */
struct cb_transport *cb_dtls_transport_inner(struct cb_transport *t);

#endif
