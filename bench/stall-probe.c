/* How long this machine keeps a real-time thread from running: one thread
 * per CPU, pinned, SCHED_FIFO at the lowest priority (below callbridge's
 * workers and PipeWire's data loops, so it measures what the machine does,
 * not what they do), waking every millisecond on an absolute deadline;
 * prints each CPU's worst wake-up and the stalls over --threshold.
 *
 * Why: on a shared virtual machine a vCPU is sometimes not run for several
 * milliseconds (measured here, idle: 7.9 ms, three stalls in 100 ms).  No
 * thread priority helps against that, and a call whose jitter buffer
 * holds 5 ms conceals through it.  bench/run-latency.sh runs this through
 * each impulse train, so that a late burst in a train can be told apart
 * from one of ours.
 *
 *   stall-probe --seconds 10 [--threshold-ms 2]
 *
 * SIGINT or SIGTERM end it early, with the figures so far.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PERIOD_NS 1000000ull
#define MAX_CPUS 64
#define MAX_STALLS 64

struct probe {
	pthread_t thread;
	int cpu;
	bool fifo;
	uint64_t start, end, threshold;
	uint64_t worst, wakeups, n_stalls;
	uint64_t stall_at[MAX_STALLS], stall_ns[MAX_STALLS];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *run(void *data)
{
	struct probe *p = data;
	struct sched_param param = { .sched_priority = sched_get_priority_min(SCHED_FIFO) };
	cpu_set_t set;
	uint64_t t = p->start;

	CPU_ZERO(&set);
	CPU_SET(p->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	p->fifo = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0;
	while (t < p->end && !stop) {
		struct timespec ts;
		uint64_t late;

		t += PERIOD_NS;
		ts.tv_sec = (time_t)(t / 1000000000ull);
		ts.tv_nsec = (long)(t % 1000000000ull);
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			continue;
		late = now_ns() - t;
		p->wakeups++;
		if (late > p->worst)
			p->worst = late;
		if (late > p->threshold) {
			if (p->n_stalls < MAX_STALLS) {
				p->stall_at[p->n_stalls] = t - p->start;
				p->stall_ns[p->n_stalls] = late;
			}
			p->n_stalls++;
			/* Start the schedule over: the missed wake-ups are one stall. */
			t = now_ns();
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static struct probe probes[MAX_CPUS];
	double seconds = 10, threshold_ms = 2;
	long n_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t start;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--threshold-ms") == 0 && i + 1 < argc)
			threshold_ms = atof(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--seconds S] [--threshold-ms MS]\n", argv[0]);
			return 2;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (n_cpus < 1)
		n_cpus = 1;
	if (n_cpus > MAX_CPUS)
		n_cpus = MAX_CPUS;
	start = now_ns();
	for (long c = 0; c < n_cpus; c++) {
		probes[c] = (struct probe) { .cpu = (int)c, .start = start,
					     .end = start + (uint64_t)(seconds * 1e9),
					     .threshold = (uint64_t)(threshold_ms * 1e6) };
		if (pthread_create(&probes[c].thread, NULL, run, &probes[c]) != 0) {
			fprintf(stderr, "stall-probe: cannot start a thread: %s\n", strerror(errno));
			return 1;
		}
	}
	for (long c = 0; c < n_cpus; c++)
		pthread_join(probes[c].thread, NULL);
	for (long c = 0; c < n_cpus; c++) {
		struct probe *p = &probes[c];
		printf("cpu%d: worst wake-up %.2f ms, %llu over %.1f ms%s", p->cpu, p->worst / 1e6,
		       (unsigned long long)p->n_stalls, threshold_ms, p->n_stalls ? " (at" : "");
		for (uint64_t i = 0; i < p->n_stalls && i < MAX_STALLS; i++)
			printf(" %.1fs:%.1fms", p->stall_at[i] / 1e9, p->stall_ns[i] / 1e6);
		printf("%s%s\n", p->n_stalls ? ")" : "", p->fifo ? "" : "; not SCHED_FIFO (refused)");
	}
	return 0;
}
