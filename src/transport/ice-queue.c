#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "transport/ice-queue.h"
#include "util/clock.h"

int cb_ice_queue_init(struct cb_ice_queue *q)
{
	memset(q, 0, sizeof(*q));
	q->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->event_fd < 0)
		return -errno;
	q->slots = calloc(CB_ICE_QUEUE_SLOTS, sizeof(*q->slots));
	if (q->slots == NULL) {
		close(q->event_fd);
		q->event_fd = -1;
		return -ENOMEM;
	}
	pthread_mutex_init(&q->lock, NULL);
	return 0;
}

void cb_ice_queue_clear(struct cb_ice_queue *q)
{
	if (q->slots == NULL)
		return;
	pthread_mutex_destroy(&q->lock);
	/* SRTP-protected already, but nothing of a call outlives it. */
	explicit_bzero(q->slots, CB_ICE_QUEUE_SLOTS * sizeof(*q->slots));
	free(q->slots);
	q->slots = NULL;
	if (q->event_fd >= 0)
		close(q->event_fd);
	q->event_fd = -1;
}

void cb_ice_queue_push(struct cb_ice_queue *q, const uint8_t *buf, size_t len)
{
	uint64_t one = 1, now = cb_now_ns();
	bool was_empty;

	if (len > CB_ICE_QUEUE_MTU) {
		atomic_fetch_add_explicit(&q->oversized, 1, memory_order_relaxed);
		return;
	}
	pthread_mutex_lock(&q->lock);
	if (q->tail - q->head >= CB_ICE_QUEUE_SLOTS) {
		pthread_mutex_unlock(&q->lock);
		atomic_fetch_add_explicit(&q->dropped, 1, memory_order_relaxed);
		return;
	}
	memcpy(q->slots[q->tail % CB_ICE_QUEUE_SLOTS], buf, len);
	q->lens[q->tail % CB_ICE_QUEUE_SLOTS] = (uint16_t)len;
	q->stamps[q->tail % CB_ICE_QUEUE_SLOTS] = now;
	was_empty = q->tail == q->head;
	q->tail++;
	pthread_mutex_unlock(&q->lock);
	/* One wake-up per batch is enough: the reader drains until empty. */
	if (was_empty && write(q->event_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN only: the counter is already non-zero. */
	}
}

ssize_t cb_ice_queue_pop(struct cb_ice_queue *q, uint8_t *buf, size_t cap, uint64_t *pushed_ns)
{
	uint64_t count;
	size_t len;

	pthread_mutex_lock(&q->lock);
	if (q->head == q->tail) {
		/* Reset under the lock so a push after it always wakes us. */
		if (read(q->event_fd, &count, sizeof(count)) < 0) {
			/* EAGAIN: nothing was signalled */
		}
		pthread_mutex_unlock(&q->lock);
		return -EAGAIN;
	}
	len = q->lens[q->head % CB_ICE_QUEUE_SLOTS];
	if (len > cap) {
		q->head++;
		pthread_mutex_unlock(&q->lock);
		return -EMSGSIZE;
	}
	memcpy(buf, q->slots[q->head % CB_ICE_QUEUE_SLOTS], len);
	if (pushed_ns)
		*pushed_ns = q->stamps[q->head % CB_ICE_QUEUE_SLOTS];
	q->head++;
	pthread_mutex_unlock(&q->lock);
	return (ssize_t)len;
}
