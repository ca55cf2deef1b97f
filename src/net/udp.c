#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
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

	/* Best effort: without it, and for a moment after the first socket
	 * asks (the kernel enables stamping from a work queue), datagrams
	 * are stamped when read, as if no stamp were asked for. */
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &(int) { 1 }, sizeof(int));

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

/* The kernel's receive stamp (SO_TIMESTAMPNS, socket(7)) is on the
 * realtime clock; what waited in the socket is now less the stamp on that
 * clock, taken off the monotonic now.  A stamp in the future or more than
 * a second old (the realtime clock stepped) says nothing: 0. */
#define MAX_STAMP_AGE_NS 1000000000ll

static uint64_t monotonic_arrival(struct msghdr *msg)
{
	struct timespec real, mono, stamp;
	struct cmsghdr *c;
	int64_t age;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(stamp)))
			break;
	}
	if (c == NULL)
		return 0;
	memcpy(&stamp, CMSG_DATA(c), sizeof(stamp));
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	age = (int64_t)(real.tv_sec - stamp.tv_sec) * 1000000000ll + (real.tv_nsec - stamp.tv_nsec);
	if (age < 0 || age > MAX_STAMP_AGE_NS)
		return 0;
	return (uint64_t)mono.tv_sec * 1000000000ull + (uint64_t)mono.tv_nsec - (uint64_t)age;
}

ssize_t cb_udp_recv(struct cb_udp_socket *s, uint8_t *buf, size_t cap,
		    struct cb_address *from, uint64_t *arrival_ns)
{
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct timespec))];
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_name = from ? &from->addr : NULL,
		.msg_namelen = from ? sizeof(from->addr) : 0,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
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
	if (arrival_ns)
		*arrival_ns = monotonic_arrival(&msg);
	return n;
}
