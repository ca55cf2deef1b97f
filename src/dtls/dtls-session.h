/* DTLS-SRTP for one session (RFC 5763, RFC 5764): the handshake that keys
 * SRTP, over whatever carries the session's datagrams.
 *
 * The session knows no socket and no thread: the owner feeds it the DTLS
 * records its transport's demux hands over (cb_dtls_session_input), sends
 * what it asks to send (events->send), and runs its retransmission timer
 * (cb_dtls_session_next_timeout_ms / cb_dtls_session_timeout).  With ICE
 * all of this happens on the GLib thread (doc/threads.md).  On success it
 * checks the peer's certificate against the fingerprint its session
 * description carried, and hands the exported SRTP keys to the session's
 * keying object, from which the media workers pick them up.
 *
 * A record that arrives before the path is up (a ClientHello racing our
 * side's ICE connectivity) is kept and replayed at start, not lost. */
#ifndef CALLBRIDGE_DTLS_SESSION_H
#define CALLBRIDGE_DTLS_SESSION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/keying.h"
#include "crypto/srtp-suite.h"
#include "dtls/certificate.h"

enum cb_dtls_role {
	CB_DTLS_CLIENT,		/* a=setup:active */
	CB_DTLS_SERVER,		/* a=setup:passive */
};

enum cb_dtls_state {
	CB_DTLS_NEW,
	CB_DTLS_CONNECTING,
	CB_DTLS_CONNECTED,	/* keys handed over */
	CB_DTLS_FAILED,
	CB_DTLS_CLOSED,		/* the peer sent close_notify */
};

struct cb_dtls_events {
	/* One record (or flight) to send; 0 or a negative errno. */
	int (*send)(void *data, const uint8_t *buf, size_t len);
	/* Connected, failed (with a reason for the log) or closed. */
	void (*state_changed)(void *data, enum cb_dtls_state state, const char *reason);
};

struct cb_dtls_config {
	const struct cb_dtls_certificate *certificate;
	enum cb_dtls_role role;
	/* The peer's a=fingerprint:sha-256; the handshake fails without a
	 * match (RFC 5763 section 5). */
	uint8_t remote_fingerprint[CB_SHA256_LEN];
	/* Profiles to offer, a bit per enum cb_srtp_suite; 0 offers all
	 * four, GCM first. */
	uint32_t suites;
	struct cb_keying *keying;
	uint32_t give_up_ms;		/* 0: 20 s */
};

struct cb_dtls_counters {
	atomic_uint_fast64_t records_in;
	atomic_uint_fast64_t records_out;
	atomic_uint_fast64_t early_records;	/* kept until the path was up */
	atomic_uint_fast64_t dropped;		/* early queue full, or after failure */
	atomic_uint_fast64_t retransmits;
};

struct cb_dtls_session;

int cb_dtls_session_new(struct cb_dtls_session **out, const struct cb_dtls_config *config,
			const struct cb_dtls_events *events, void *data);
void cb_dtls_session_free(struct cb_dtls_session *s);

/* The path is up: a client sends its ClientHello, a server replays what
 * arrived early. */
void cb_dtls_session_start(struct cb_dtls_session *s, uint64_t now_ms);
/* One DTLS datagram from the peer. */
void cb_dtls_session_input(struct cb_dtls_session *s, const uint8_t *buf, size_t len,
			   uint64_t now_ms);
/* Milliseconds until cb_dtls_session_timeout() is due, -1 when no timer
 * runs. */
int cb_dtls_session_next_timeout_ms(struct cb_dtls_session *s, uint64_t now_ms);
void cb_dtls_session_timeout(struct cb_dtls_session *s, uint64_t now_ms);
/* Sends close_notify (RFC 6347 section 4.2.7 via TLS alerts). */
void cb_dtls_session_close(struct cb_dtls_session *s);

enum cb_dtls_state cb_dtls_session_state(const struct cb_dtls_session *s);
/* The negotiated profile once connected, CB_SRTP_NONE before. */
enum cb_srtp_suite cb_dtls_session_suite(const struct cb_dtls_session *s);
const char *cb_dtls_session_failure(const struct cb_dtls_session *s);
const struct cb_dtls_counters *cb_dtls_session_counters(const struct cb_dtls_session *s);

const char *cb_dtls_role_name(enum cb_dtls_role role);
const char *cb_dtls_state_name(enum cb_dtls_state state);

#endif
