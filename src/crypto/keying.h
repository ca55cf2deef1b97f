/* SRTP keys that arrive while the call runs.  A keying object belongs to
 * one session (one transport): whoever learns keys (the config loader at
 * start, a DTLS handshake later, again after a restart) sets them here
 * from its own thread, and each media worker picks them up at a safe
 * point of its own loop, between two packets, and rebuilds its own libsrtp
 * session there (libsrtp contexts are not thread-safe, so each worker owns
 * the ones it uses: a cb_srtp_slot).
 *
 * Until keys exist a slot has no session, and the worker drops the packet
 * and counts it (no_key): nothing is ever sent in clear unless the suite
 * is "none", which only a config file can ask for.
 *
 * The lock is held only to copy a key: by the setter, and by a worker
 * after it saw the generation move (once per re-key, never per packet).
 * No real-time thread touches either. */
#ifndef CALLBRIDGE_KEYING_H
#define CALLBRIDGE_KEYING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "crypto/srtp-session.h"
#include "crypto/srtp-suite.h"

enum cb_key_use {
	CB_KEY_SEND,		/* what this side protects with: RTP, SR, RR */
	CB_KEY_RECEIVE,		/* what the peer protects with */
};

struct cb_keying {
	pthread_mutex_t lock;
	atomic_uint generation;		/* moves on every set or revoke; 0: never keyed */
	/* Under lock; wiped when replaced and on clear. */
	enum cb_srtp_suite suite;
	struct cb_key keys[2];		/* by enum cb_key_use; .set false: none yet */
};

void cb_keying_init(struct cb_keying *k);
/* Wipes the keys. */
void cb_keying_clear(struct cb_keying *k);

/* New keys for both uses, from any thread; receive may be NULL (nothing to
 * receive with).  For suite none both keys are NULL and the slots pass
 * packets through.  -EINVAL when a key does not fit the suite. */
int cb_keying_set(struct cb_keying *k, enum cb_srtp_suite suite, const struct cb_key *send,
		  const struct cb_key *receive);
/* Back to "no keys": a session that failed or restarts sends nothing. */
void cb_keying_revoke(struct cb_keying *k);
/* Whether both keys are there now (any thread; takes the lock). */
bool cb_keying_ready(struct cb_keying *k);

/* One worker's libsrtp session for one use and direction; only that
 * worker touches it after init. */
struct cb_srtp_slot {
	struct cb_keying *keying;
	enum cb_key_use use;
	enum cb_srtp_direction direction;
	unsigned int generation;	/* of the keys the session was built from */
	struct cb_srtp_session *session;	/* NULL: no keys */
	atomic_uint_fast64_t no_key;	/* packets dropped for want of keys */
	atomic_uint rekeys;		/* sessions built */
};

void cb_srtp_slot_init(struct cb_srtp_slot *slot, struct cb_keying *keying, enum cb_key_use use,
		       enum cb_srtp_direction direction);
void cb_srtp_slot_clear(struct cb_srtp_slot *slot);
/* The session to use for the next packet, rebuilt first when the keys
 * moved; NULL (and the caller drops the packet and calls
 * cb_srtp_slot_drop) while there are none. */
struct cb_srtp_session *cb_srtp_slot_get(struct cb_srtp_slot *slot);
void cb_srtp_slot_drop(struct cb_srtp_slot *slot);

#endif
