/* The thread that plays files into tracks, `cb-file`: a track's `file`
 * (its bed, voice 0) and each `play` control (voices 1..3).  It opens and
 * decodes files (audio/file-decoder.h) and keeps each playing voice's ring
 * about 0.6 s ahead of the track's real-time callback, which mixes the
 * rings into the live input (node/file-voice.h).  It runs at normal
 * priority: disk and decoding time never reach the audio path, only the
 * ring's fill level, which a 10 ms top-up keeps far from empty.
 *
 * The main thread hands it requests under a short mutex (neither side is
 * real-time) and reads back, under the same mutex, why a file failed. */
#ifndef CALLBRIDGE_FILE_WORKER_H
#define CALLBRIDGE_FILE_WORKER_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "node/track-node.h"

#define CB_FILE_QUEUE 16

struct cb_file_request {
	struct cb_track_node *track;
	bool bed;		/* the track's file (voice 0), else a `play` */
	bool loop;
	unsigned int epoch;	/* the track's play_epoch when it was asked for */
	char path[PATH_MAX];
};

struct cb_file_worker {
	pthread_t thread;
	bool started;			/* main thread only */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* under lock */
	bool running;
	uint32_t n_queued;
	struct cb_file_request queue[CB_FILE_QUEUE];
	/* Set while the thread is stopped (start, reload, stop); the thread
	 * reads them freely. */
	uint32_t n_tracks;
	struct cb_track_node *tracks[CB_MAX_TRACKS];
	/* thread only */
	float *scratch;
	atomic_uint_fast64_t decode_errors;
};

int cb_file_worker_init(struct cb_file_worker *w);
/* Stops the thread if it runs, and closes every file it had open. */
void cb_file_worker_clear(struct cb_file_worker *w);
int cb_file_worker_start(struct cb_file_worker *w);
/* Joins the thread; the voices play on from what their rings hold. */
void cb_file_worker_pause(struct cb_file_worker *w);

/* Main thread, the thread not running: the tracks it serves from now on.
 * A track that leaves has its files closed and its requests dropped, so
 * it may be destroyed once its node no longer runs. */
void cb_file_worker_set_tracks(struct cb_file_worker *w, struct cb_track_node **tracks,
			       uint32_t n_tracks);

/* Main thread: plays `path` into the track, as its bed (replacing the one
 * that plays) or as a `play` over it.  Returns 0 once queued; opening and
 * decoding happen on the thread, which records a failure for status
 * (cb_file_worker_error) and the log.  -EAGAIN when the queue is full. */
int cb_file_worker_play(struct cb_file_worker *w, struct cb_track_node *track, const char *path,
			bool bed, bool loop);
/* Main thread: the track's `play`s (plays) or its bed (bed) stop at once,
 * and queued ones are dropped: an interrupt, a file removed by reload. */
void cb_file_worker_stop_plays(struct cb_file_worker *w, struct cb_track_node *track, bool plays,
			       bool bed);
/* Main thread: why the track's last file failed ("" none), and how many
 * have failed. */
uint64_t cb_file_worker_error(struct cb_file_worker *w, struct cb_track_node *track,
			      char *out, size_t out_len);
/* Records a failure for the track (main thread or the file thread). */
void cb_file_worker_set_error(struct cb_file_worker *w, struct cb_track_node *track,
			      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* One pass of the thread's loop, for tests that drive it themselves. */
void cb_file_worker_iterate(struct cb_file_worker *w);

#endif
