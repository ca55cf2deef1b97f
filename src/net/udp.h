/* The call's one UDP socket: RTP and RTCP share it (rtcp-mux, RFC 5761). */
#ifndef CALLBRIDGE_UDP_H
#define CALLBRIDGE_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/address.h"

struct cb_udp_socket {
	int fd;
	struct cb_address bound;	/* with the port the kernel picked */
};

/* Binds non-blocking; -EADDRINUSE and friends are returned as they come. */
int cb_udp_open(struct cb_udp_socket *s, const struct cb_address *local);
void cb_udp_close(struct cb_udp_socket *s);

/* Returns 0, -EAGAIN when the socket buffer is full, or another -errno. */
int cb_udp_send(struct cb_udp_socket *s, const uint8_t *buf, size_t len,
		const struct cb_address *dest);

/* Returns the datagram's size (0 is a valid empty datagram), -EAGAIN when
 * nothing is waiting, or another -errno. A datagram larger than cap is
 * reported with -EMSGSIZE and discarded.  arrival_ns (may be NULL): when
 * the kernel queued it, on CLOCK_MONOTONIC, or 0 when unknown. */
ssize_t cb_udp_recv(struct cb_udp_socket *s, uint8_t *buf, size_t cap,
		    struct cb_address *from, uint64_t *arrival_ns);

#endif
