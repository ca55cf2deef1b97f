/* transport = udp: one socket for every stream, RTP and RTCP multiplexed
 * (RFC 5761), each packet to the address its stream names.  The receive
 * worker reads the socket itself, so the demux runs on its thread. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "net/udp.h"
#include "transport/transport.h"

struct udp_transport {
	struct cb_transport base;
	struct cb_udp_socket socket;
};

static int udp_send(struct cb_transport *t, const uint8_t *buf, size_t len,
		    const struct cb_address *dest)
{
	struct udp_transport *u = (struct udp_transport *)t;
	int res = cb_udp_send(&u->socket, buf, len, dest);

	atomic_fetch_add_explicit(res < 0 ? &t->counters.tx_errors : &t->counters.tx_packets, 1,
				  memory_order_relaxed);
	return res;
}

static ssize_t udp_recv(struct cb_transport *t, uint8_t *buf, size_t cap,
			struct cb_address *from, uint64_t *arrival_ns)
{
	return cb_udp_recv(&((struct udp_transport *)t)->socket, buf, cap, from, arrival_ns);
}

static int udp_fd(struct cb_transport *t)
{
	return ((struct udp_transport *)t)->socket.fd;
}

static void udp_describe(struct cb_transport *t, struct cb_transport_info *info)
{
	struct udp_transport *u = (struct udp_transport *)t;

	info->state = CB_TRANSPORT_CONNECTED;
	snprintf(info->state_name, sizeof(info->state_name), "udp");
	snprintf(info->local, sizeof(info->local), "%s", u->socket.bound.text);
}

static void udp_destroy(struct cb_transport *t)
{
	struct udp_transport *u = (struct udp_transport *)t;

	cb_udp_close(&u->socket);
	free(u);
}

static const struct cb_transport_ops udp_ops = {
	.kind = "udp",
	.always_connected = true,
	.send = udp_send,
	.recv_raw = udp_recv,
	.fd = udp_fd,
	.describe = udp_describe,
	.destroy = udp_destroy,
};

int cb_udp_transport_new(struct cb_transport **out, const struct cb_address *local)
{
	struct udp_transport *u = calloc(1, sizeof(*u));
	int res;

	if (u == NULL)
		return -ENOMEM;
	cb_transport_init(&u->base, &udp_ops);
	if ((res = cb_udp_open(&u->socket, local)) < 0) {
		free(u);
		return res;
	}
	*out = &u->base;
	return 0;
}

const struct cb_address *cb_udp_transport_local(struct cb_transport *t)
{
	return &((struct udp_transport *)t)->socket.bound;
}
