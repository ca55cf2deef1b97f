#include <errno.h>
#include <string.h>

#include "transport/transport.h"

#define LOAD(x) ((uint64_t)atomic_load_explicit(&(x), memory_order_relaxed))
#define BUMP(x) atomic_fetch_add_explicit(&(x), 1, memory_order_relaxed)

void cb_transport_init(struct cb_transport *t, const struct cb_transport_ops *ops)
{
	memset(t, 0, sizeof(*t));
	t->ops = ops;
}

bool cb_transport_accept(struct cb_transport *t, const uint8_t *buf, size_t len,
			 const struct cb_address *from)
{
	enum cb_packet_class c = cb_demux_classify(buf, len);

	BUMP(t->counters.rx_datagrams);
	BUMP(t->counters.rx_class[c]);
	if (c == CB_PACKET_MEDIA)
		return true;
	if (t->handlers[c].fn)
		t->handlers[c].fn(t->handlers[c].data, buf, len, from);
	else
		BUMP(t->counters.rx_dropped);
	return false;
}

void cb_transport_set_handler(struct cb_transport *t, enum cb_packet_class c,
			      cb_transport_handler fn, void *data)
{
	if (c == CB_PACKET_MEDIA || c >= CB_PACKET_N_CLASSES)
		return;
	t->handlers[c].data = data;
	t->handlers[c].fn = fn;
}

void cb_transport_set_state_listener(struct cb_transport *t, cb_transport_state_listener fn,
				     void *data)
{
	t->listener.data = data;
	t->listener.fn = fn;
	if (fn && t->ops->always_connected)
		fn(data, CB_TRANSPORT_CONNECTED);
}

void cb_transport_notify_state(struct cb_transport *t, enum cb_transport_state state)
{
	if (t->listener.fn)
		t->listener.fn(t->listener.data, state);
}

int cb_transport_send(struct cb_transport *t, const uint8_t *buf, size_t len,
		      const struct cb_address *dest)
{
	return t->ops->send(t, buf, len, dest);
}

ssize_t cb_transport_recv_stamped(struct cb_transport *t, uint8_t *buf, size_t cap,
				  struct cb_address *from, uint64_t *arrival_ns)
{
	for (;;) {
		uint64_t arrival = 0;
		ssize_t n = t->ops->recv_raw(t, buf, cap, from, &arrival);
		if (arrival_ns)
			*arrival_ns = arrival;
		if (n < 0 || t->ops->accepts_on_read)
			return n;
		if (cb_transport_accept(t, buf, (size_t)n, from))
			return n;
	}
}

ssize_t cb_transport_recv(struct cb_transport *t, uint8_t *buf, size_t cap,
			  struct cb_address *from)
{
	return cb_transport_recv_stamped(t, buf, cap, from, NULL);
}

int cb_transport_fd(struct cb_transport *t)
{
	return t->ops->fd(t);
}

void cb_transport_describe(struct cb_transport *t, struct cb_transport_info *info)
{
	memset(info, 0, sizeof(*info));
	info->kind = t->ops->kind;
	info->rx_datagrams = LOAD(t->counters.rx_datagrams);
	info->rx_media = LOAD(t->counters.rx_class[CB_PACKET_MEDIA]);
	info->rx_dropped = LOAD(t->counters.rx_dropped);
	info->tx_packets = LOAD(t->counters.tx_packets);
	info->tx_errors = LOAD(t->counters.tx_errors);
	info->tx_not_ready = LOAD(t->counters.tx_not_ready);
	/* Last: a layer around another transport reports the inner one's. */
	t->ops->describe(t, info);
}

void cb_transport_destroy(struct cb_transport *t)
{
	if (t)
		t->ops->destroy(t);
}
