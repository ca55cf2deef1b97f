/* The call's UDP socket: a datagram is stamped with when the kernel
 * queued it, on the monotonic clock, however late it is read. */
#include <errno.h>
#include <time.h>

#include "net/udp.h"
#include "util/clock.h"
#include "test.h"

#define MS 1000000ull

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ms * 1000000l };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int main(void)
{
	struct cb_udp_socket a, b;
	struct cb_address any, from;
	char err[128];
	uint8_t buf[64] = "stamp me", small[4];
	uint64_t before, after, arrival = 1, read_at;

	CHECK(cb_address_parse("127.0.0.1:0", 0, &any, err, sizeof(err)));
	CHECK_INT_EQ(cb_udp_open(&a, &any), 0);
	CHECK_INT_EQ(cb_udp_open(&b, &any), 0);

	/* The kernel turns receive stamping on a moment after the first
	 * socket asks (net_enable_timestamp() defers it); until then a
	 * datagram is stamped when read.  Wait for it, bounded. */
	for (int i = 0; i < 100; i++) {
		CHECK_INT_EQ(cb_udp_send(&a, buf, 8, &b.bound), 0);
		sleep_ms(3);
		CHECK_INT_EQ(cb_udp_recv(&b, buf, sizeof(buf), NULL, &arrival), 8);
		if (arrival && cb_now_ns() - arrival >= 2 * MS)
			break;
	}
	CHECK(arrival && cb_now_ns() - arrival >= 2 * MS);

	/* Read 30 ms after it came: the stamp is the sending moment, not the
	 * reading one.  Bounds are causality (the stamp lies between the
	 * clock readings around sendto), give or take 1 ms for reading the
	 * realtime and monotonic clocks one after the other. */
	before = cb_now_ns();
	CHECK_INT_EQ(cb_udp_send(&a, buf, 8, &b.bound), 0);
	after = cb_now_ns();
	sleep_ms(30);
	CHECK_INT_EQ(cb_udp_recv(&b, buf, sizeof(buf), &from, &arrival), 8);
	read_at = cb_now_ns();
	CHECK(from.set);
	CHECK(arrival + MS >= before);
	CHECK(arrival <= after + MS);
	CHECK(read_at - arrival >= 29 * MS);

	/* NULL stamp and NULL address are fine; a truncated datagram is
	 * refused and gone. */
	CHECK_INT_EQ(cb_udp_send(&a, buf, 8, &b.bound), 0);
	sleep_ms(5);
	CHECK_INT_EQ(cb_udp_recv(&b, buf, sizeof(buf), NULL, NULL), 8);
	CHECK_INT_EQ(cb_udp_send(&a, buf, 8, &b.bound), 0);
	sleep_ms(5);
	CHECK_INT_EQ(cb_udp_recv(&b, small, sizeof(small), NULL, &arrival), -EMSGSIZE);
	CHECK_INT_EQ(cb_udp_recv(&b, buf, sizeof(buf), NULL, &arrival), -EAGAIN);

	cb_udp_close(&a);
	cb_udp_close(&b);
	return test_finish("test-udp");
}
