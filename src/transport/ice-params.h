/* What an ICE transport is made with: this side's role, credentials and
 * servers.  The peer's credentials and candidates are not here: they come
 * at run time, one at a time (cb_ice_transport_set_remote_credentials,
 * cb_ice_transport_add_remote_*), from a config file today and from a
 * session description (SDP offer, answer, trickle) for WebRTC. */
#ifndef CALLBRIDGE_ICE_PARAMS_H
#define CALLBRIDGE_ICE_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "net/address.h"

/* RFC 8445 limits, ice-chars only (ALPHA / DIGIT / "+" / "/"). */
#define CB_ICE_UFRAG_MIN   4
#define CB_ICE_PWD_MIN     22
#define CB_ICE_CRED_MAX    256
#define CB_ICE_MAX_CANDIDATES 8

enum cb_ice_role {
	CB_ICE_ROLE_CONTROLLING,
	CB_ICE_ROLE_CONTROLLED,
};

enum cb_ice_policy {
	CB_ICE_POLICY_ALL,
	CB_ICE_POLICY_RELAY,
};

enum cb_turn_transport {
	CB_TURN_UDP,
	CB_TURN_TCP,
	CB_TURN_TLS,
};

struct cb_ice_params {
	char name[64];			/* for log lines: the call, or call/session */
	enum cb_ice_role role;
	struct cb_address local;	/* unset or 0.0.0.0: every interface, any port */
	char ufrag[CB_ICE_CRED_MAX + 1];
	char pwd[CB_ICE_CRED_MAX + 1];	/* secret: wiped with the transport */
	struct cb_address stun_server;
	struct cb_address turn_server;
	enum cb_turn_transport turn_transport;
	char turn_username[CB_ICE_CRED_MAX + 1];
	char turn_password[CB_ICE_CRED_MAX + 1];	/* secret */
	enum cb_ice_policy policy;
	/* No signalling to tell new credentials to (transport = ice): a
	 * restart reuses these credentials and the peer's, and keeps the
	 * peer's candidates.  With signalling the owner restarts instead
	 * (cb_ice_transport_restart) with fresh credentials. */
	bool restart_without_signalling;
};

#endif
