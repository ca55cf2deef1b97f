/* The call's one ICE transport (transport = ice): a libnice agent in RFC
 * 8445 mode with one stream and one component that carries every RTP
 * stream and RTCP (BUNDLE, rtcp-mux).  libnice runs on its own thread with
 * its own GMainContext; datagrams reach the receive worker through a queue
 * and an eventfd, and the send worker hands packets to nice_agent_send,
 * which takes the agent's own lock.
 *
 * Recovery: when the component fails, or no packet arrives for a few
 * seconds after it was connected, the stream is replaced by a fresh one
 * with the same credentials from the file (an ICE restart without
 * signalling), with a growing pause between attempts.  Everything above
 * the transport (nodes, SSRCs, sequence numbers) is untouched by it. */
#ifndef CALLBRIDGE_ICE_TRANSPORT_H
#define CALLBRIDGE_ICE_TRANSPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "config/config.h"

struct cb_ice_transport;

struct cb_ice_counters {
	atomic_uint_fast64_t rx_packets;
	atomic_uint_fast64_t tx_packets;
	atomic_uint_fast64_t tx_not_connected;	/* dropped: no selected pair yet */
	atomic_uint_fast64_t tx_errors;
	atomic_uint restarts;
	atomic_uint turn_failures;
};

/* Copies what it needs from cfg (call and ice). */
int cb_ice_transport_new(struct cb_ice_transport **out, const struct cb_config *cfg,
			 char *err, size_t err_len);
/* Starts the libnice thread and gathers.  With gather_wait_ms 0 it returns
 * as soon as the host candidates are known, which is at once: STUN and TURN
 * answers come later (see cb_ice_transport_gatherings), so a call never
 * waits on a slow server.  Otherwise it waits up to gather_wait_ms for
 * gathering to finish, for a one-shot caller such as --print-ice. */
int cb_ice_transport_start(struct cb_ice_transport *t, uint32_t gather_wait_ms);
void cb_ice_transport_destroy(struct cb_ice_transport *t);

/* Thread-safe, never blocks for long; 0 or a negative errno. */
int cb_ice_transport_send(struct cb_ice_transport *t, const uint8_t *buf, size_t len);
/* The next received datagram, -EAGAIN when none. Single reader. */
ssize_t cb_ice_transport_recv(struct cb_ice_transport *t, uint8_t *buf, size_t cap);
/* Readable when datagrams wait. */
int cb_ice_transport_fd(const struct cb_ice_transport *t);

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

/* For status: "ice <state>" into state, and when a pair is selected
 * (returns true) "local (type) -> remote (type), pair type" into pair. */
bool cb_ice_transport_describe(struct cb_ice_transport *t, char *state, size_t state_len,
			       char *pair, size_t pair_len);

/* "state", "selected_pair" and counters as a JSON object (no trailing
 * newline), for the stats file. */
void cb_ice_transport_write_json(FILE *f, struct cb_ice_transport *t);

#endif
