/* Datagrams from the libnice thread to the receive worker: a bounded ring
 * of fixed slots under a mutex, with an eventfd the worker polls.  Neither
 * side is a real-time thread, so a short critical section is fine; a full
 * queue drops the newest datagram and counts it rather than block libnice. */
#ifndef CALLBRIDGE_ICE_QUEUE_H
#define CALLBRIDGE_ICE_QUEUE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CB_ICE_QUEUE_SLOTS 256
#define CB_ICE_QUEUE_MTU 2048

struct cb_ice_queue {
	pthread_mutex_t lock;
	int event_fd;
	uint32_t head, tail;	/* head: next to read; tail: next to write */
	uint16_t lens[CB_ICE_QUEUE_SLOTS];
	uint64_t stamps[CB_ICE_QUEUE_SLOTS];	/* CLOCK_MONOTONIC at push */
	uint8_t (*slots)[CB_ICE_QUEUE_MTU];
	atomic_uint_fast64_t dropped;
	atomic_uint_fast64_t oversized;
};

int cb_ice_queue_init(struct cb_ice_queue *q);
void cb_ice_queue_clear(struct cb_ice_queue *q);
/* Copies the datagram in and wakes the reader; never blocks on the reader. */
void cb_ice_queue_push(struct cb_ice_queue *q, const uint8_t *buf, size_t len);
/* The oldest datagram, or -EAGAIN when empty (the eventfd is then reset);
 * *pushed_ns (may be NULL): when it was pushed, CLOCK_MONOTONIC.  libnice
 * hands a datagram over as soon as its thread reads the socket, so that
 * is its arrival as near as the receive worker can know it. */
ssize_t cb_ice_queue_pop(struct cb_ice_queue *q, uint8_t *buf, size_t cap, uint64_t *pushed_ns);

#endif
