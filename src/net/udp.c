#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "net/udp.h"

int cb_udp_open(struct cb_udp_socket *s, const struct cb_address *local)
{
	const struct sockaddr *sa = (const struct sockaddr *)&local->addr;
	int fd, res, tos = 0xb8;	/* DSCP EF: audio is latency sensitive */

	s->fd = -1;
	fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sa->sa_family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos));

	if (bind(fd, sa, local->len) < 0) {
		res = -errno;
		close(fd);
		return res;
	}
	s->bound = *local;
	s->bound.len = sizeof(s->bound.addr);
	if (getsockname(fd, (struct sockaddr *)&s->bound.addr, &s->bound.len) < 0) {
		res = -errno;
		close(fd);
		return res;
	}
	cb_address_format(&s->bound, s->bound.text, sizeof(s->bound.text));
	s->fd = fd;
	return 0;
}

void cb_udp_close(struct cb_udp_socket *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int cb_udp_send(struct cb_udp_socket *s, const uint8_t *buf, size_t len,
		const struct cb_address *dest)
{
	ssize_t n = sendto(s->fd, buf, len, MSG_NOSIGNAL,
			   (const struct sockaddr *)&dest->addr, dest->len);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return 0;
}

ssize_t cb_udp_recv(struct cb_udp_socket *s, uint8_t *buf, size_t cap,
		    struct cb_address *from)
{
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_name = from ? &from->addr : NULL,
		.msg_namelen = from ? sizeof(from->addr) : 0,
	};
	ssize_t n = recvmsg(s->fd, &msg, MSG_DONTWAIT);

	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	if (from) {
		from->len = msg.msg_namelen;
		from->set = true;
	}
	return n;
}
