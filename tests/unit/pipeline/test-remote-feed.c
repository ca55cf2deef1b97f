/* A remote that comes back (new SSRC after a BYE or timeout) must never
 * re-lay out the ring a node of its previous activation may still be
 * reading on the real-time thread: the main thread removes that node only on
 * its next pass. The hand-over protocol, driven step by step the way the
 * worker (cb_remote_activate) and the main thread (cb_remote_node_new and
 * _destroy, through cb_remote_feed_attach/detach) drive it. */
#include <errno.h>
#include <string.h>

#include "pipeline/remote.h"
#include "test.h"

static void fill(struct cb_remote_feed *feed, uint32_t frames)
{
	float buf[64 * 2] = { 0 };
	while (frames > 0) {
		uint32_t n = frames < 64 ? frames : 64;
		cb_audio_ring_push(&feed->ring, buf, n);
		frames -= n;
	}
}

static void test_reactivation(void)
{
	struct cb_remote_config config = { .channels = 2, .payload_type = 111, .latency_ms = 10 };
	struct cb_remote r;
	struct cb_remote_feed *first, *second, *old;
	uint32_t before;

	snprintf(config.name, sizeof(config.name), "guest");
	CHECK_INT_EQ(cb_remote_init(&r, &config), 0);

	/* first activation, stereo; its node attaches */
	CHECK_INT_EQ(cb_remote_activate(&r, 0x1111, 2, 0), 0);
	first = cb_remote_current_feed(&r);
	CHECK(first == r.feed);
	CHECK_INT_EQ(first->ring.channels, 2);
	CHECK(cb_remote_feed_attach(first));
	fill(first, 300);
	before = cb_audio_ring_avail(&first->ring);

	/* The stream goes and a mono one comes back before the main thread
	 * has removed the old node: the new activation gets the other feed,
	 * and the old node's ring is untouched (layout, read/write indices). */
	cb_remote_deactivate(&r, "test");
	CHECK_INT_EQ(cb_remote_activate(&r, 0x2222, 1, 1000), 0);
	second = cb_remote_current_feed(&r);
	CHECK(second != first);
	CHECK(second == r.feed);
	CHECK_INT_EQ(second->ring.channels, 1);
	CHECK_INT_EQ(first->ring.channels, 2);
	CHECK_INT_EQ(first->ring.frame_bytes, 2 * sizeof(float));
	CHECK_INT_EQ(cb_audio_ring_avail(&first->ring), before);
	CHECK_INT_EQ(cb_audio_ring_avail(&second->ring), 0);

	/* The main thread now makes the new node before the old one is gone
	 * in this test's order: the new feed is free, so it attaches. */
	CHECK(cb_remote_feed_attach(second));
	/* A third activation while both nodes exist has no feed to lay out:
	 * it is refused (the packet is dropped; the next one retries), and
	 * neither node's ring changes. */
	cb_remote_deactivate(&r, "test");
	CHECK_INT_EQ(cb_remote_activate(&r, 0x3333, 2, 2000), -EBUSY);
	CHECK(!r.active);
	CHECK(cb_remote_current_feed(&r) == second);
	CHECK_INT_EQ(second->ring.channels, 1);
	CHECK_INT_EQ(cb_audio_ring_avail(&first->ring), before);

	/* The old node is destroyed: its feed is free again and the retry
	 * takes it. */
	old = first;
	cb_remote_feed_detach(old);
	CHECK_INT_EQ(cb_remote_activate(&r, 0x3333, 2, 3000), 0);
	CHECK(cb_remote_current_feed(&r) == old);
	CHECK_INT_EQ(old->ring.channels, 2);
	CHECK_INT_EQ(cb_audio_ring_avail(&old->ring), 0);
	/* the feed with a node stays as it was */
	CHECK_INT_EQ(second->ring.channels, 1);

	/* A node cannot take a feed that already has one. */
	CHECK(!cb_remote_feed_attach(second));

	cb_remote_clear(&r);
}

int main(void)
{
	test_reactivation();
	return test_finish("test-remote-feed");
}
