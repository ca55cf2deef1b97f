#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "endpoint/slot.h"

struct slot {
	struct cb_transport base;
	int epfd;
	pthread_mutex_t lock;		/* guards inner */
	struct cb_transport *inner;	/* the publisher's, or NULL */
	int inner_fd;
	atomic_int payload_type;	/* the publisher's, -1: none */
};

static const struct cb_transport_ops slot_ops;

static int slot_send(struct cb_transport *base, const uint8_t *buf, size_t len,
		     const struct cb_address *dest)
{
	struct slot *s = (struct slot *)base;
	int res = 0;

	pthread_mutex_lock(&s->lock);
	if (s->inner)
		res = cb_transport_send(s->inner, buf, len, dest);
	else
		atomic_fetch_add_explicit(&base->counters.tx_not_ready, 1, memory_order_relaxed);
	pthread_mutex_unlock(&s->lock);
	return res;
}

static ssize_t slot_recv(struct cb_transport *base, uint8_t *buf, size_t cap,
			 struct cb_address *from, uint64_t *arrival_ns)
{
	struct slot *s = (struct slot *)base;
	ssize_t n = -EAGAIN;

	pthread_mutex_lock(&s->lock);
	if (s->inner)
		n = cb_transport_recv_stamped(s->inner, buf, cap, from, arrival_ns);
	pthread_mutex_unlock(&s->lock);
	if (n >= 0) {
		atomic_fetch_add_explicit(&base->counters.rx_datagrams, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&base->counters.rx_class[CB_PACKET_MEDIA], 1,
					  memory_order_relaxed);
	}
	return n;
}

static int slot_fd(struct cb_transport *base)
{
	return ((struct slot *)base)->epfd;
}

static void slot_describe(struct cb_transport *base, struct cb_transport_info *info)
{
	struct slot *s = (struct slot *)base;

	pthread_mutex_lock(&s->lock);
	info->state = s->inner ? CB_TRANSPORT_CONNECTED : CB_TRANSPORT_NEW;
	snprintf(info->state_name, sizeof(info->state_name), "%s",
		 s->inner ? "publisher" : "waiting");
	pthread_mutex_unlock(&s->lock);
}

static void slot_destroy(struct cb_transport *base)
{
	struct slot *s = (struct slot *)base;

	if (s->epfd >= 0)
		close(s->epfd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static const struct cb_transport_ops slot_ops = {
	.kind = "whip-endpoint",
	.accepts_on_read = true,	/* the publisher's transport did */
	.send = slot_send,
	.recv_raw = slot_recv,
	.fd = slot_fd,
	.always_connected = true,
	.describe = slot_describe,
	.destroy = slot_destroy,
};

int cb_slot_new(struct cb_transport **out)
{
	struct slot *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	cb_transport_init(&s->base, &slot_ops);
	pthread_mutex_init(&s->lock, NULL);
	s->inner_fd = -1;
	atomic_init(&s->payload_type, -1);
	if ((s->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		int res = -errno;
		slot_destroy(&s->base);
		return res;
	}
	*out = &s->base;
	return 0;
}

bool cb_is_slot(struct cb_transport *t)
{
	return t && t->ops == &slot_ops;
}

int cb_slot_payload_type(struct cb_transport *t)
{
	return atomic_load(&((struct slot *)t)->payload_type);
}

int cb_slot_attach(struct cb_transport *t, struct cb_transport *inner, uint8_t payload_type)
{
	struct slot *s = (struct slot *)t;
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = cb_transport_fd(inner), res = 0;

	pthread_mutex_lock(&s->lock);
	if (s->inner) {
		res = -EBUSY;
	} else if (fd >= 0 && epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		res = -errno;
	} else {
		s->inner = inner;
		s->inner_fd = fd;
		atomic_store(&s->payload_type, payload_type);
	}
	pthread_mutex_unlock(&s->lock);
	return res;
}

void cb_slot_detach(struct cb_transport *t, struct cb_transport *inner)
{
	struct slot *s = (struct slot *)t;

	pthread_mutex_lock(&s->lock);
	if (s->inner == inner) {
		if (s->inner_fd >= 0)
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->inner_fd, NULL);
		s->inner = NULL;
		s->inner_fd = -1;
		atomic_store(&s->payload_type, -1);
	}
	pthread_mutex_unlock(&s->lock);
}
