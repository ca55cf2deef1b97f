/* Two ICE transports in one process on 127.0.0.1, as libnice's own tests
 * do: both bind port 0, and what each needs of the other is handed over at
 * run time, the way signalling would: credentials first, then each
 * gathered candidate as its own "candidate:" attribute (trickle).
 *
 * Checked: sends before connecting are dropped and counted, never sent;
 * media datagrams arrive intact both ways through the queue and its
 * eventfd; a DTLS record reaches the handler set for it on the GLib
 * thread and never the media queue, and other classes are dropped and
 * counted; the selected pair is reported; a signalled ICE restart with
 * new credentials on both sides connects again.  Start must not wait for
 * a STUN server that does not answer: the host candidate is there at
 * once, the end of gathering comes later. */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <glib.h>

#include "transport/ice-transport.h"
#include "util/clock.h"
#include "test.h"

static struct cb_ice_transport *make(const char *name, enum cb_ice_role role, const char *ufrag,
				     const char *pwd, const char *stun)
{
	struct cb_ice_params p = { .role = role };
	struct cb_ice_transport *t = NULL;
	char err[256];

	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.ufrag, sizeof(p.ufrag), "%s", ufrag);
	snprintf(p.pwd, sizeof(p.pwd), "%s", pwd);
	CHECK(cb_address_parse("127.0.0.1:0", 0, &p.local, err, sizeof(err)));
	if (stun)
		CHECK(cb_address_parse(stun, 1, &p.stun_server, err, sizeof(err)));
	CHECK_INT_EQ(cb_ice_transport_new(&t, &p, err, sizeof(err)), 0);
	return t;
}

/* What signalling would carry from `from` to `to`: its candidates, one
 * attribute at a time. */
static uint32_t trickle(struct cb_ice_transport *from, struct cb_ice_transport *to)
{
	char sdp[4096], *line, *save = NULL;
	uint32_t n = 0;

	cb_ice_transport_candidate_sdp(from, sdp, sizeof(sdp), NULL);
	for (line = strtok_r(sdp, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		CHECK_INT_EQ(cb_ice_transport_add_remote_candidate(to, line), 0);
		n++;
	}
	cb_ice_transport_remote_gathering_done(to);
	return n;
}

/* Waits up to ms for a datagram and returns its size, or -1. */
static ssize_t wait_recv(struct cb_transport *t, uint8_t *buf, size_t cap, int ms)
{
	struct pollfd pfd = { .fd = cb_transport_fd(t), .events = POLLIN };
	gint64 deadline = g_get_monotonic_time() + ms * 1000;
	uint64_t arrival;
	ssize_t n;

	while ((n = cb_transport_recv_stamped(t, buf, cap, NULL, &arrival)) == -EAGAIN) {
		int left = (int)((deadline - g_get_monotonic_time()) / 1000);
		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return -1;
	}
	/* Stamped when libnice's thread handed it over: before now, on the
	 * same clock. */
	if (n >= 0)
		CHECK(arrival != 0 && arrival <= cb_now_ns());
	return n;
}

static bool wait_connected(struct cb_ice_transport *a, struct cb_ice_transport *b, int ms)
{
	for (int i = 0; i < ms / 20; i++) {
		if (cb_ice_transport_connected(a) && cb_ice_transport_connected(b))
			return true;
		g_usleep(20000);
	}
	return false;
}

static void exchange(struct cb_transport *a, struct cb_transport *b, int rounds)
{
	uint8_t msg[200], buf[2048];
	ssize_t n;

	for (int i = 0; i < rounds; i++) {
		for (size_t k = 0; k < sizeof(msg); k++)
			msg[k] = (uint8_t)(i * 7 + k);
		msg[0] = 0x80;	/* RTP, so the demux hands it on */
		CHECK_INT_EQ(cb_transport_send(a, msg, sizeof(msg), NULL), 0);
		n = wait_recv(b, buf, sizeof(buf), 2000);
		CHECK_INT_EQ(n, (ssize_t)sizeof(msg));
		CHECK(n == sizeof(msg) && memcmp(buf, msg, sizeof(msg)) == 0);

		msg[1] ^= 0xff;
		CHECK_INT_EQ(cb_transport_send(b, msg, 100, NULL), 0);
		n = wait_recv(a, buf, sizeof(buf), 2000);
		CHECK_INT_EQ(n, 100);
		CHECK(n == 100 && memcmp(buf, msg, 100) == 0);
	}
}

static atomic_uint dtls_records;
static atomic_bool dtls_on_glib_thread = true;

static void on_dtls(void *data, const uint8_t *buf, size_t len, const struct cb_address *from)
{
	GThread *main_thread = data;

	if (g_thread_self() == main_thread)
		atomic_store(&dtls_on_glib_thread, false);
	if (len == 13 && buf[0] == 22)
		atomic_fetch_add(&dtls_records, 1);
}

static void test_pair(void)
{
	struct cb_ice_transport *a = make("a", CB_ICE_ROLE_CONTROLLING, "aaaa",
					  "aaaaaaaaaaaaaaaaaaaaaa", NULL);
	struct cb_ice_transport *b = make("b", CB_ICE_ROLE_CONTROLLED, "bbbb",
					  "bbbbbbbbbbbbbbbbbbbbbb", NULL);
	struct cb_transport *ta, *tb;
	struct cb_transport_info info;
	uint8_t record[13] = { 22, 0xfe, 0xfd }, stun[20] = { 0x00, 0x01 }, buf[2048];
	char list[1024];

	if (!a || !b)
		return;
	ta = cb_ice_transport_base(a);
	tb = cb_ice_transport_base(b);
	CHECK(cb_ice_transport_from(ta) == a);
	cb_transport_set_handler(tb, CB_PACKET_DTLS, on_dtls, g_thread_self());

	/* Not connected yet: nothing goes out, and it is counted. */
	CHECK_INT_EQ(cb_transport_send(ta, (const uint8_t *)"\x80", 1, NULL), 0);
	CHECK_INT_EQ(atomic_load(&ta->counters.tx_not_ready), 1);

	/* Credentials before the streams exist, candidates after gathering. */
	CHECK_INT_EQ(cb_ice_transport_set_remote_credentials(a, "bbbb", "bbbbbbbbbbbbbbbbbbbbbb"), 0);
	CHECK_INT_EQ(cb_ice_transport_set_remote_credentials(b, "aaaa", "aaaaaaaaaaaaaaaaaaaaaa"), 0);
	CHECK_INT_EQ(cb_ice_transport_start(b, 5000), 0);
	CHECK_INT_EQ(cb_ice_transport_start(a, 5000), 0);
	CHECK_INT_EQ(cb_ice_transport_candidate_list(b, list, sizeof(list)), 1);
	CHECK_STR_CONTAINS(list, "127.0.0.1:");
	CHECK_INT_EQ(trickle(b, a), 1);
	CHECK_INT_EQ(trickle(a, b), 1);
	/* Garbage from signalling is refused and counted, nothing else. */
	CHECK_INT_EQ(cb_ice_transport_add_remote_candidate(a, "candidate:x"), -EINVAL);
	CHECK_INT_EQ(cb_ice_transport_add_remote_candidate(a, "a=mid:0"), -EINVAL);
	CHECK_INT_EQ(cb_ice_transport_counters(a)->remote_candidates_rejected, 2);

	CHECK(wait_connected(a, b, 10000));
	exchange(ta, tb, 20);
	CHECK(atomic_load(&ta->counters.tx_packets) >= 20);
	CHECK(atomic_load(&tb->counters.rx_class[CB_PACKET_MEDIA]) >= 20);

	/* A DTLS record goes to its handler, a stray STUN-looking datagram is
	 * dropped (libnice would have taken a real one), and neither reaches
	 * the media queue. */
	CHECK_INT_EQ(cb_transport_send(ta, record, sizeof(record), NULL), 0);
	CHECK_INT_EQ(cb_transport_send(ta, stun, sizeof(stun), NULL), 0);
	for (int i = 0; i < 100 && atomic_load(&dtls_records) == 0; i++)
		g_usleep(10000);
	CHECK_INT_EQ(atomic_load(&dtls_records), 1);
	CHECK(atomic_load(&dtls_on_glib_thread));
	exchange(ta, tb, 1);	/* the next datagram out is media again */
	CHECK_INT_EQ(cb_transport_recv(tb, buf, sizeof(buf), NULL), -EAGAIN);

	cb_transport_describe(ta, &info);
	CHECK_STR_EQ(info.kind, "ice");
	CHECK_INT_EQ(info.state, CB_TRANSPORT_CONNECTED);
	CHECK(info.has_pair);
	CHECK_STR_EQ(info.pair_local_type, "host");
	CHECK_STR_EQ(info.pair_remote, list);
	CHECK_INT_EQ(info.restarts, 0);

	/* A signalled restart: new credentials on both sides, traded again
	 * with the new candidates, and the pair comes back. */
	CHECK_INT_EQ(cb_ice_transport_restart(a, "cccc", "cccccccccccccccccccccc"), 0);
	CHECK_INT_EQ(cb_ice_transport_restart(b, "dddd", "dddddddddddddddddddddd"), 0);
	CHECK_INT_EQ(cb_ice_transport_restart(b, "dd", "short"), -EINVAL);
	CHECK_INT_EQ(cb_ice_transport_set_remote_credentials(a, "dddd", "dddddddddddddddddddddd"), 0);
	CHECK_INT_EQ(cb_ice_transport_set_remote_credentials(b, "cccc", "cccccccccccccccccccccc"), 0);
	for (int i = 0; i < 300 && (cb_ice_transport_gatherings(a) < 2 ||
				    cb_ice_transport_gatherings(b) < 2); i++)
		g_usleep(10000);
	CHECK(cb_ice_transport_gatherings(a) >= 2 && cb_ice_transport_gatherings(b) >= 2);
	trickle(b, a);
	trickle(a, b);
	CHECK(wait_connected(a, b, 10000));
	exchange(ta, tb, 5);
	CHECK_INT_EQ(cb_ice_transport_counters(a)->restarts, 1);

	cb_transport_destroy(ta);
	cb_transport_destroy(tb);
}

static void test_start_does_not_wait_for_stun(void)
{
	struct sockaddr_in hole = { .sin_family = AF_INET };
	socklen_t hole_len = sizeof(hole);
	struct cb_ice_transport *t;
	char stun[64], list[256];
	gint64 start, started, gathered = 0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	/* Bound and never read: requests vanish, as with a dead server. */
	hole.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&hole, sizeof(hole)) == 0 &&
	      getsockname(fd, (struct sockaddr *)&hole, &hole_len) == 0);
	snprintf(stun, sizeof(stun), "127.0.0.1:%u", ntohs(hole.sin_port));
	if ((t = make("s", CB_ICE_ROLE_CONTROLLED, "ssss", "ssssssssssssssssssssss", stun)) == NULL)
		return;
	start = g_get_monotonic_time();
	CHECK_INT_EQ(cb_ice_transport_start(t, 0), 0);
	started = g_get_monotonic_time();
	/* libnice sends the request 4 times over about 3 s before it gives up. */
	CHECK_INT_EQ(cb_ice_transport_gatherings(t), 0);
	CHECK_INT_EQ(cb_ice_transport_candidate_list(t, list, sizeof(list)), 1);
	CHECK_STR_CONTAINS(list, "127.0.0.1:");
	for (int i = 0; i < 1500 && !gathered; i++) {
		if (cb_ice_transport_gatherings(t) > 0)
			gathered = g_get_monotonic_time();
		g_usleep(10000);
	}
	CHECK(gathered != 0);
	CHECK_INT_EQ(cb_ice_transport_candidate_list(t, list, sizeof(list)), 1);
	printf("start returned after %.0f ms; gathering ended after %.0f ms\n",
	       (started - start) / 1000.0, gathered ? (gathered - start) / 1000.0 : -1.0);
	cb_ice_transport_destroy(t);
	close(fd);
}

int main(void)
{
	test_pair();
	test_start_does_not_wait_for_stun();
	return test_finish("test-ice-transport");
}
