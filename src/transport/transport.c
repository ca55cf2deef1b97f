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

int cb_transport_send(struct cb_transport *t, const uint8_t *buf, size_t len,
		      const struct cb_address *dest)
{
	return t->ops->send(t, buf, len, dest);
}

ssize_t cb_transport_recv(struct cb_transport *t, uint8_t *buf, size_t cap,
			  struct cb_address *from)
{
	for (;;) {
		ssize_t n = t->ops->recv_raw(t, buf, cap, from);
		if (n < 0 || t->ops->accepts_on_read)
			return n;
		if (cb_transport_accept(t, buf, (size_t)n, from))
			return n;
	}
}

int cb_transport_fd(struct cb_transport *t)
{
	return t->ops->fd(t);
}

void cb_transport_describe(struct cb_transport *t, struct cb_transport_info *info)
{
	memset(info, 0, sizeof(*info));
	info->kind = t->ops->kind;
	t->ops->describe(t, info);
	info->rx_datagrams = LOAD(t->counters.rx_datagrams);
	info->rx_media = LOAD(t->counters.rx_class[CB_PACKET_MEDIA]);
	info->rx_dropped = LOAD(t->counters.rx_dropped);
	info->tx_packets = LOAD(t->counters.tx_packets);
	info->tx_errors = LOAD(t->counters.tx_errors);
	info->tx_not_ready = LOAD(t->counters.tx_not_ready);
}

void cb_transport_destroy(struct cb_transport *t)
{
	if (t)
		t->ops->destroy(t);
}
