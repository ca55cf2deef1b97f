/* Real-time scheduling for the media workers. They sit on the audio path
 * (encode right after the graph's cycle, top up right before it), so a
 * normal-priority thread that a busy machine wakes a few ms late costs that
 * much latency, or an underrun. Like PipeWire's own data loops they ask for
 * SCHED_FIFO, a little below the data loop's priority (the process needs
 * RLIMIT_RTPRIO or CAP_SYS_NICE; PipeWire's limits.d file for the pipewire
 * group grants it). Without permission they run as before. */
#ifndef CALLBRIDGE_WORKER_RT_H
#define CALLBRIDGE_WORKER_RT_H

#include <pthread.h>

/* Returns 0 or a negative errno (the thread then keeps its priority). */
int cb_worker_acquire_rt(pthread_t thread, const char *name);

#endif
