/* The HTTP side of one WHIP or WHEP session (RFC 9725; WHEP the same flow
 * with a recvonly offer): POST the offer, read the answer, trickle with
 * PATCH, end with DELETE.  libsoup-3.0 on the process's GLib thread (doc/
 * threads.md); every call and every event is on that thread.
 *
 * What mature clients do and this one does:
 * - Authorization: Bearer on every request; the token is never logged.
 * - 201 with a Location, relative or absolute, resolved against the URL
 *   that answered; ETag kept for If-Match on PATCH (RFC 9725 4.3).
 * - Link: rel="ice-server" read into STUN/TURN servers (link-header.h).
 * - Redirects: 307 and 308 keep the method and body and are followed (at
 *   most 5); 301/302/303 would turn a POST into a GET and are an error.
 * - 503 waits for Retry-After (seconds, at most 30) and tries again.
 * - 401/403 fail once, with the status, and are not retried: a bad token
 *   is not hammered.
 * - A PATCH answered 405 or 422 turns trickling off, quietly: the server
 *   does not do it, which is allowed.
 * - WHEP's 406 with a counter-offer hands the offer up to be answered. */
#ifndef CALLBRIDGE_WHIP_CLIENT_H
#define CALLBRIDGE_WHIP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "whip/link-header.h"

#define CB_WHIP_URL_MAX 2048
#define CB_WHIP_TOKEN_MAX 4096

enum cb_whip_state {
	CB_WHIP_IDLE,
	CB_WHIP_POSTING,
	CB_WHIP_ACTIVE,		/* 201: the resource exists */
	CB_WHIP_DELETING,
	CB_WHIP_ENDED,
	CB_WHIP_FAILED,
};

struct cb_whip_events {
	/* 201: the answer's SDP, and the servers of its Link header. */
	void (*answered)(void *data, const char *sdp, size_t len,
			 const struct cb_ice_servers *servers);
	/* WHEP 406: the server's counter-offer, to answer with
	 * cb_whip_client_patch_answer(). May be NULL. */
	void (*counter_offer)(void *data, const char *sdp, size_t len);
	/* Final: the HTTP status (0: no response at all) and why. */
	void (*failed)(void *data, unsigned int status, const char *reason);
	/* The DELETE was answered (or gave up): the resource is gone. */
	void (*ended)(void *data);
};

struct cb_whip_client;

/* token may be NULL or "" (no Authorization); it is copied and wiped on
 * free. On the GLib thread. */
int cb_whip_client_new(struct cb_whip_client **out, const char *url, const char *token,
		       const struct cb_whip_events *events, void *data);
/* Cancels what is in flight (no DELETE: call cb_whip_client_delete and
 * wait for `ended` first to end the resource). */
void cb_whip_client_free(struct cb_whip_client *c);

/* Stops telling the owner anything: a client being retired (its DELETE
 * still in flight) while a new one takes over the session. */
void cb_whip_client_detach(struct cb_whip_client *c);

/* POST application/sdp. */
int cb_whip_client_post(struct cb_whip_client *c, const char *offer);
/* PATCH application/trickle-ice-sdpfrag (later candidates, or an ICE
 * restart's credentials); ignored once the server refused trickle. */
int cb_whip_client_patch(struct cb_whip_client *c, const char *sdpfrag);
/* PATCH application/sdp: the answer to a WHEP counter-offer. */
int cb_whip_client_patch_answer(struct cb_whip_client *c, const char *answer);
int cb_whip_client_delete(struct cb_whip_client *c);

enum cb_whip_state cb_whip_client_state(const struct cb_whip_client *c);
const char *cb_whip_state_name(enum cb_whip_state state);
/* The URL without its query (which may carry a key), for logs and status. */
const char *cb_whip_client_display_url(const struct cb_whip_client *c);
/* url as logs and status show it: without user info, query or fragment. */
void cb_whip_display_url(const char *url, char *out, size_t len);
/* The resource's absolute URL once created, else "". */
const char *cb_whip_client_resource(const struct cb_whip_client *c);
unsigned int cb_whip_client_last_status(const struct cb_whip_client *c);
bool cb_whip_client_trickle(const struct cb_whip_client *c);
uint32_t cb_whip_client_requests(const struct cb_whip_client *c);

#endif
