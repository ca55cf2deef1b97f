/* One datagram transport under a session: what the media workers send
 * through and receive from, without knowing whether it is a plain UDP
 * socket (udp-transport.c), an ICE agent (ice-transport.c), or later a
 * DTLS layer wrapped around either.
 *
 * Receiving: every datagram an implementation reads goes through
 * cb_transport_accept(), which classifies it by its first byte (demux.h).
 * RTP and RTCP are what cb_transport_recv() hands the receive worker;
 * any other class goes to the handler set for it (a DTLS layer takes
 * CB_PACKET_DTLS), or is dropped and counted.  So the media workers only
 * ever see RTP and RTCP, and a stray STUN or DTLS record never reaches the
 * SRTP code.
 *
 * Threads (see doc/threads.md): send from the send worker (and the receive
 * worker, for its reports); recv and fd from the receive worker; the
 * handlers run on the thread that reads the wire: the receive worker for
 * udp, the GLib thread for ice; describe from any thread. */
#ifndef CALLBRIDGE_TRANSPORT_H
#define CALLBRIDGE_TRANSPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/address.h"
#include "transport/demux.h"

enum cb_transport_state {
	CB_TRANSPORT_NEW,
	CB_TRANSPORT_CONNECTING,
	CB_TRANSPORT_CONNECTED,
	CB_TRANSPORT_FAILED,
	CB_TRANSPORT_CLOSED,
};

struct cb_transport_counters {
	atomic_uint_fast64_t rx_datagrams;		/* everything read, by class below */
	atomic_uint_fast64_t rx_class[CB_PACKET_N_CLASSES];
	atomic_uint_fast64_t rx_dropped;		/* not media and nobody to take it */
	atomic_uint_fast64_t tx_packets;
	atomic_uint_fast64_t tx_errors;
	atomic_uint_fast64_t tx_not_ready;		/* dropped: no path yet (ICE) */
};

/* What status and the stats file show of a transport: one plain copy. */
struct cb_transport_info {
	const char *kind;		/* "udp", "ice" */
	enum cb_transport_state state;
	char state_name[32];		/* ICE: libnice's state name */
	char local[CB_ADDR_STR_MAX];
	bool has_pair;			/* ICE: a pair is selected */
	char pair_local[CB_ADDR_STR_MAX], pair_remote[CB_ADDR_STR_MAX];
	const char *pair_local_type, *pair_remote_type, *pair_type;
	/* DTLS, when a DTLS layer wraps the transport */
	bool has_dtls;
	const char *dtls_role;		/* "client", "server" */
	const char *dtls_state;		/* "new", "connecting", "connected", "failed", "closed" */
	const char *srtp_profile;	/* once connected, else NULL */
	/* ICE only */
	uint32_t restarts;
	uint32_t turn_failures;
	uint64_t rx_queue_dropped;
	/* Copied from the counters. */
	uint64_t rx_datagrams, rx_media, rx_dropped, tx_packets, tx_errors, tx_not_ready;
};

typedef void (*cb_transport_handler)(void *data, const uint8_t *buf, size_t len,
				      const struct cb_address *from);
typedef void (*cb_transport_state_listener)(void *data, enum cb_transport_state state);

struct cb_transport;

struct cb_transport_ops {
	const char *kind;
	/* The implementation runs cb_transport_accept() itself, on the thread
	 * that reads the wire, and recv_raw only returns media (ice). */
	bool accepts_on_read;
	/* 0 or a negative errno; never blocks.  dest is only read by
	 * transports without a path of their own (udp). */
	int (*send)(struct cb_transport *t, const uint8_t *buf, size_t len,
		    const struct cb_address *dest);
	/* The next datagram read from the wire, -EAGAIN when none, -EMSGSIZE
	 * for one larger than cap (discarded).  *arrival_ns (never NULL, 0 on
	 * entry): when it came off the wire on CLOCK_MONOTONIC, if known. */
	ssize_t (*recv_raw)(struct cb_transport *t, uint8_t *buf, size_t cap,
			    struct cb_address *from, uint64_t *arrival_ns);
	int (*fd)(struct cb_transport *t);	/* readable while datagrams wait */
	/* The path is up from the start (udp): no state changes follow. */
	bool always_connected;
	void (*describe)(struct cb_transport *t, struct cb_transport_info *info);
	void (*destroy)(struct cb_transport *t);
};

/* Implementations embed this first. */
struct cb_transport {
	const struct cb_transport_ops *ops;
	struct cb_transport_counters counters;
	/* Set before datagrams flow (or from the thread that reads them). */
	struct {
		cb_transport_handler fn;
		void *data;
	} handlers[CB_PACKET_N_CLASSES];
	/* Told when the path comes up or goes, on the thread that owns the
	 * transport's state (the GLib thread for ice). */
	struct {
		cb_transport_state_listener fn;
		void *data;
	} listener;
};

void cb_transport_init(struct cb_transport *t, const struct cb_transport_ops *ops);

/* Takes one datagram off the wire: true when it is RTP or RTCP for the
 * receive worker; otherwise it went to its class's handler or was dropped,
 * and was counted either way. */
bool cb_transport_accept(struct cb_transport *t, const uint8_t *buf, size_t len,
			 const struct cb_address *from);

/* A handler for a class other than media; NULL removes it. */
void cb_transport_set_handler(struct cb_transport *t, enum cb_packet_class c,
			      cb_transport_handler fn, void *data);

/* Listens to the path's state; a transport whose path is always up (udp)
 * calls it once, at once, with CB_TRANSPORT_CONNECTED. */
void cb_transport_set_state_listener(struct cb_transport *t, cb_transport_state_listener fn,
				     void *data);
/* For implementations: tells the listener. */
void cb_transport_notify_state(struct cb_transport *t, enum cb_transport_state state);

int cb_transport_send(struct cb_transport *t, const uint8_t *buf, size_t len,
		      const struct cb_address *dest);
/* The next RTP or RTCP datagram, -EAGAIN when none is waiting. */
ssize_t cb_transport_recv(struct cb_transport *t, uint8_t *buf, size_t cap,
			  struct cb_address *from);
/* The same, and when it came off the wire (CLOCK_MONOTONIC, as
 * cb_now_ns()), or 0 when the transport cannot tell: a UDP socket's
 * kernel stamp, the moment libnice's thread took it for ICE.  The
 * receive worker times packets by it, so that its own late wake-up is
 * not read as the network's jitter. */
ssize_t cb_transport_recv_stamped(struct cb_transport *t, uint8_t *buf, size_t cap,
				  struct cb_address *from, uint64_t *arrival_ns);
int cb_transport_fd(struct cb_transport *t);
void cb_transport_describe(struct cb_transport *t, struct cb_transport_info *info);
void cb_transport_destroy(struct cb_transport *t);

/* The two implementations. */
struct cb_ice_params;
/* Binds local (port 0: the kernel picks). */
int cb_udp_transport_new(struct cb_transport **out, const struct cb_address *local);
/* The bound address, with the port the kernel picked. */
const struct cb_address *cb_udp_transport_local(struct cb_transport *t);

#endif
