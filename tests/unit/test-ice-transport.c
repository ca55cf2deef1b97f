/* Two ICE transports in one process on 127.0.0.1, as libnice's own tests
 * do: the controlling side knows the controlled side's port, the controlled
 * side knows nothing and learns the peer from the checks.  Datagrams must
 * arrive intact both ways through the queue and its eventfd, the selected
 * pair must be reported, and sends before connecting are dropped and
 * counted, never sent.  Start must not wait for a STUN server that does
 * not answer: the host candidate is there at once, the end of gathering
 * comes later. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <glib.h>

#include "config/config.h"
#include "ice/ice-transport.h"
#include "test.h"

#define CONTROLLED_PORT 47123

static const char controlling_ini[] =
	"[call]\nname = a\ntransport = ice\nlocal = 127.0.0.1:0\n"
	"[ice]\nrole = controlling\nufrag = aaaa\npwd = aaaaaaaaaaaaaaaaaaaaaa\n"
	"remote-ufrag = bbbb\nremote-pwd = bbbbbbbbbbbbbbbbbbbbbb\n"
	"remote-candidates = 127.0.0.1:47123\n";
static const char controlled_ini[] =
	"[call]\nname = b\ntransport = ice\nlocal = 127.0.0.1:47123\n"
	"[ice]\nrole = controlled\nufrag = bbbb\npwd = bbbbbbbbbbbbbbbbbbbbbb\n"
	"remote-ufrag = aaaa\nremote-pwd = aaaaaaaaaaaaaaaaaaaaaa\n";

static struct cb_ice_transport *make(const char *name, const char *ini)
{
	static struct cb_config cfg;
	struct cb_config_report rep;
	struct cb_ice_transport *t = NULL;
	char err[256];
	int r;

	memset(&rep, 0, sizeof(rep));
	r = cb_config_load_string(name, ini, strlen(ini), &cfg, &rep);
	CHECK_INT_EQ(r, 0);
	if (r < 0) {
		fprintf(stderr, "%s\n", rep.errors[0]);
		return NULL;
	}
	CHECK_INT_EQ(cb_ice_transport_new(&t, &cfg, err, sizeof(err)), 0);
	cb_config_clear(&cfg);
	return t;
}

/* Waits up to ms for a datagram and returns its size, or -1. */
static ssize_t wait_recv(struct cb_ice_transport *t, uint8_t *buf, size_t cap, int ms)
{
	struct pollfd pfd = { .fd = cb_ice_transport_fd(t), .events = POLLIN };
	gint64 deadline = g_get_monotonic_time() + ms * 1000;
	ssize_t n;

	while ((n = cb_ice_transport_recv(t, buf, cap)) == -EAGAIN) {
		int left = (int)((deadline - g_get_monotonic_time()) / 1000);
		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return -1;
	}
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

static void test_start_does_not_wait_for_stun(void)
{
	struct sockaddr_in hole = { .sin_family = AF_INET };
	socklen_t hole_len = sizeof(hole);
	struct cb_ice_transport *t;
	char ini[512], list[256];
	gint64 start, started, gathered = 0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	/* Bound and never read: requests vanish, as with a dead server. */
	hole.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&hole, sizeof(hole)) == 0 &&
	      getsockname(fd, (struct sockaddr *)&hole, &hole_len) == 0);
	snprintf(ini, sizeof(ini),
		 "[call]\nname = s\ntransport = ice\nlocal = 127.0.0.1:0\n"
		 "[ice]\nrole = controlled\nufrag = ssss\npwd = ssssssssssssssssssssss\n"
		 "remote-ufrag = aaaa\nremote-pwd = aaaaaaaaaaaaaaaaaaaaaa\n"
		 "stun-server = 127.0.0.1:%u\n", ntohs(hole.sin_port));
	if ((t = make("s.ini", ini)) == NULL)
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
	struct cb_ice_transport *a = make("a.ini", controlling_ini);
	struct cb_ice_transport *b = make("b.ini", controlled_ini);
	uint8_t msg[200], buf[2048];
	char list[1024], *json = NULL;
	size_t json_len = 0;
	FILE *f;
	ssize_t n;

	if (!a || !b)
		return test_finish("test-ice-transport");

	/* Not connected yet: nothing goes out, and it is counted. */
	CHECK_INT_EQ(cb_ice_transport_send(a, (const uint8_t *)"x", 1), 0);
	CHECK_INT_EQ(cb_ice_transport_counters(a)->tx_not_connected, 1);

	CHECK_INT_EQ(cb_ice_transport_start(b, 5000), 0);
	CHECK_INT_EQ(cb_ice_transport_start(a, 5000), 0);
	CHECK_INT_EQ(cb_ice_transport_candidate_list(b, list, sizeof(list)), 1);
	CHECK_STR_CONTAINS(list, "127.0.0.1:47123");

	CHECK(wait_connected(a, b, 10000));

	/* Both ways, in order, byte for byte. */
	for (int i = 0; i < 20; i++) {
		for (size_t k = 0; k < sizeof(msg); k++)
			msg[k] = (uint8_t)(i * 7 + k);
		CHECK_INT_EQ(cb_ice_transport_send(a, msg, sizeof(msg)), 0);
		n = wait_recv(b, buf, sizeof(buf), 2000);
		CHECK_INT_EQ(n, (ssize_t)sizeof(msg));
		CHECK(n == sizeof(msg) && memcmp(buf, msg, sizeof(msg)) == 0);

		msg[0] ^= 0xff;
		CHECK_INT_EQ(cb_ice_transport_send(b, msg, 100), 0);
		n = wait_recv(a, buf, sizeof(buf), 2000);
		CHECK_INT_EQ(n, 100);
		CHECK(n == 100 && memcmp(buf, msg, 100) == 0);
	}
	CHECK(cb_ice_transport_counters(a)->tx_packets >= 20);
	CHECK(cb_ice_transport_counters(b)->rx_packets >= 20);
	CHECK_INT_EQ(cb_ice_transport_recv(a, buf, sizeof(buf)), -EAGAIN);

	/* The selected pair: host on the controlling side; the controlled side
	 * learnt its peer as peer-reflexive or host. */
	f = open_memstream(&json, &json_len);
	cb_ice_transport_write_json(f, a);
	fclose(f);
	CHECK_STR_CONTAINS(json, "\"connected\": true");
	CHECK_STR_CONTAINS(json, "\"local_type\": \"host\"");
	CHECK_STR_CONTAINS(json, "\"remote\": \"127.0.0.1:47123\"");
	CHECK_STR_CONTAINS(json, "\"restarts\": 0");
	free(json);

	cb_ice_transport_destroy(a);
	cb_ice_transport_destroy(b);

	test_start_does_not_wait_for_stun();
	return test_finish("test-ice-transport");
}
