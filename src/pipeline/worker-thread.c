#include <errno.h>
#include <sched.h>
#include <string.h>

#include "util/log.h"
#include "pipeline/worker-thread.h"

/* PipeWire's data loops default to 88: stay under them, so the graph
 * itself always goes first. */
#define WORKER_RT_PRIORITY 80

int cb_worker_acquire_rt(pthread_t thread, const char *name)
{
	struct sched_param param = { .sched_priority = WORKER_RT_PRIORITY };
	int min = sched_get_priority_min(SCHED_FIFO), max = sched_get_priority_max(SCHED_FIFO);
	int res;

	if (param.sched_priority > max)
		param.sched_priority = max;
	if (param.sched_priority < min)
		param.sched_priority = min;
	/* SCHED_RESET_ON_FORK: nothing this thread might spawn inherits it. */
	res = pthread_setschedparam(thread, SCHED_FIFO | SCHED_RESET_ON_FORK, &param);
	if (res != 0) {
		pw_log_info("%s: no real-time priority (%s): wake-ups may be late under load",
			    name, strerror(res));
		return -res;
	}
	pw_log_debug("%s: real-time priority %d", name, param.sched_priority);
	return 0;
}

void cb_worker_thread_init(struct cb_worker_thread *t)
{
	atomic_init(&t->running, false);
	t->started = false;
}

int cb_worker_thread_start(struct cb_worker_thread *t, const char *name,
			   void *(*fn)(void *data), void *data)
{
	int res;

	atomic_store(&t->running, true);
	if ((res = pthread_create(&t->thread, NULL, fn, data)) != 0) {
		atomic_store(&t->running, false);
		return -res;
	}
	pthread_setname_np(t->thread, name);
	cb_worker_acquire_rt(t->thread, name);
	t->started = true;
	return 0;
}

bool cb_worker_thread_stop(struct cb_worker_thread *t)
{
	if (!t->started)
		return false;
	atomic_store(&t->running, false);
	pthread_join(t->thread, NULL);
	t->started = false;
	return true;
}
