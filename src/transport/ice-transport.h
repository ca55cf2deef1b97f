/* An ICE transport (RFC 8445): a libnice agent with one stream and one
 * component that carries every RTP stream and RTCP of its session
 * (BUNDLE, rtcp-mux).  The agent runs on the process's GLib thread
 * (glib-thread.h); datagrams are classified there (transport.h) and media
 * reaches the receive worker through a queue and an eventfd, while the
 * send worker hands packets to nice_agent_send, which takes the agent's
 * own lock.
 *
 * The peer's credentials and candidates arrive at run time, one at a time
 * (trickle, RFC 8838): from the config file at start for transport = ice,
 * from SDP and PATCH bodies for WebRTC.
 *
 * Recovery: when the component fails, or no packet arrives for a few
 * seconds after it was connected, a transport made with
 * restart_without_signalling replaces the stream by a fresh one with the
 * same credentials (an ICE restart the peer's own watchdog mirrors), with
 * a growing pause between attempts.  With signalling, the owner calls
 * cb_ice_transport_restart() with new credentials instead.  Everything
 * above the transport (nodes, SSRCs, sequence numbers) is untouched. */
#ifndef CALLBRIDGE_ICE_TRANSPORT_H
#define CALLBRIDGE_ICE_TRANSPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "transport/ice-params.h"
#include "transport/transport.h"

struct cb_ice_transport;

struct cb_ice_counters {
	atomic_uint restarts;
	atomic_uint turn_failures;
	atomic_uint_fast64_t remote_candidates_rejected;
};

/* Copies params (and wipes its own copy on destroy). */
int cb_ice_transport_new(struct cb_ice_transport **out, const struct cb_ice_params *params,
			 char *err, size_t err_len);
/* Gathers on the GLib thread.  With gather_wait_ms 0 it returns as soon as
 * the host candidates are known, which is at once: STUN and TURN answers
 * come later (see cb_ice_transport_gatherings), so a call never waits on a
 * slow server.  Otherwise it waits up to gather_wait_ms for gathering to
 * finish, for a one-shot caller such as --print-ice. */
int cb_ice_transport_start(struct cb_ice_transport *t, uint32_t gather_wait_ms);
void cb_ice_transport_destroy(struct cb_ice_transport *t);

/* The transport interface of this agent; destroying it destroys t. */
struct cb_transport *cb_ice_transport_base(struct cb_ice_transport *t);
/* t when base is an ICE transport, else NULL. */
struct cb_ice_transport *cb_ice_transport_from(struct cb_transport *base);

/* ---- The peer, at run time, from any thread ---- */
/* Its ufrag and pwd (the pwd is wiped once handed to libnice). */
int cb_ice_transport_set_remote_credentials(struct cb_ice_transport *t, const char *ufrag,
					    const char *pwd);
/* One host candidate at an address (transport = ice's remote-candidates);
 * earlier ones are preferred. */
int cb_ice_transport_add_remote_address(struct cb_ice_transport *t, const struct cb_address *a);
/* One "candidate:..." attribute value (RFC 8839 section 5.1), with or
 * without the "a=" prefix, as an SDP or a trickle PATCH carries it.
 * -EINVAL when libnice cannot parse it (counted). */
int cb_ice_transport_add_remote_candidate(struct cb_ice_transport *t, const char *attribute);
/* The peer said it has no more (a=end-of-candidates). */
void cb_ice_transport_remote_gathering_done(struct cb_ice_transport *t);
/* An ICE restart with new local credentials (RFC 8445 section 9): the
 * peer's credentials and candidates are forgotten until it sends new ones. */
int cb_ice_transport_restart(struct cb_ice_transport *t, const char *ufrag, const char *pwd);

/* STUN and TURN servers learnt at run time (a WHIP server's Link header,
 * RFC 9725 section 4.6), for what the config left unset: NULL or an unset
 * address for none.  They take part from the next gathering on, which is
 * the next restart: libnice gathers once per stream.  Returns how many
 * were new (0: the config already had its own). */
int cb_ice_transport_add_servers(struct cb_ice_transport *t, const struct cb_address *stun,
				 const struct cb_address *turn, enum cb_turn_transport turn_transport,
				 const char *turn_username, const char *turn_password);

bool cb_ice_transport_connected(const struct cb_ice_transport *t);
const struct cb_ice_counters *cb_ice_transport_counters(const struct cb_ice_transport *t);

/* The gathered local candidates: "ADDR:PORT" joined by ", " into out, the
 * same form remote-candidates takes; returns how many. */
uint32_t cb_ice_transport_candidate_list(struct cb_ice_transport *t, char *out, size_t len);
/* How many gatherings have finished (one per ICE restart); when it moves,
 * the candidates may have changed. */
uint32_t cb_ice_transport_gatherings(struct cb_ice_transport *t);
/* SDP attribute lines ("a=candidate:...\r\n" each) into out; returns how many. */
uint32_t cb_ice_transport_candidate_sdp(struct cb_ice_transport *t, char *out, size_t len,
					struct cb_address *default_addr);

#endif
