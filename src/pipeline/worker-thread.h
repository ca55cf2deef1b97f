/* The media workers' threads: started named and with real-time priority
 * where allowed, stopped by clearing `running` and joining.
 *
 * Real-time because they sit on the audio path (encode right after the
 * graph's cycle, top up right before it): a normal-priority thread that a
 * busy machine wakes a few ms late costs that much latency, or an underrun.
 * Like PipeWire's own data loops they ask for SCHED_FIFO, a little below
 * the data loop's priority (the process needs RLIMIT_RTPRIO or
 * CAP_SYS_NICE; PipeWire's limits.d file for the pipewire group grants
 * it). Without permission they run as before. */
#ifndef CALLBRIDGE_WORKER_THREAD_H
#define CALLBRIDGE_WORKER_THREAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct cb_worker_thread {
	pthread_t thread;
	atomic_bool running;	/* the worker loops while set */
	bool started;		/* owner's thread only */
};

void cb_worker_thread_init(struct cb_worker_thread *t);

/* Runs fn(data) on a new thread called name. Returns 0 or a negative errno. */
int cb_worker_thread_start(struct cb_worker_thread *t, const char *name,
			   void *(*fn)(void *data), void *data);

/* Ends the loop and waits for the thread. Returns false when it was not
 * running (never started, or stopped already). */
bool cb_worker_thread_stop(struct cb_worker_thread *t);

static inline bool cb_worker_thread_running(struct cb_worker_thread *t)
{
	return atomic_load(&t->running);
}

/* Returns 0 or a negative errno (the thread then keeps its priority). */
int cb_worker_acquire_rt(pthread_t thread, const char *name);

#endif
