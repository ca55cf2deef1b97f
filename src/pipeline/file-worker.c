#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/file-decoder.h"
#include "pipeline/file-worker.h"
#include "util/log.h"

/* How often the rings are topped up, and in what pieces. */
#define TOP_UP_NS 10000000ull
#define CHUNK_FRAMES 2048

int cb_file_worker_init(struct cb_file_worker *w)
{
	pthread_condattr_t attr;

	memset(w, 0, sizeof(*w));
	w->scratch = calloc((size_t)CHUNK_FRAMES * 2, sizeof(float));
	if (w->scratch == NULL)
		return -ENOMEM;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &attr);
	pthread_condattr_destroy(&attr);
	atomic_init(&w->decode_errors, 0);
	return 0;
}

static void close_voice(struct cb_file_voice *v)
{
	cb_file_decoder_free(v->decoder);
	v->decoder = NULL;
	atomic_store_explicit(&v->state, CB_VOICE_FREE, memory_order_release);
}

/* Thread stopped: nothing else may hold a voice's decoder. */
static void close_track(struct cb_track_node *t)
{
	for (uint32_t v = 0; v < CB_TRACK_VOICES; v++) {
		/* A voice the callback still plays keeps its ring: cancel it,
		 * and it ends at the next cycle. */
		if (atomic_load(&t->voices[v].state) == CB_VOICE_PLAYING) {
			atomic_store(&t->voices[v].cancel, true);
			cb_file_decoder_free(t->voices[v].decoder);
			t->voices[v].decoder = NULL;
			continue;
		}
		close_voice(&t->voices[v]);
	}
}

void cb_file_worker_clear(struct cb_file_worker *w)
{
	if (w->scratch == NULL)
		return;
	cb_file_worker_pause(w);
	for (uint32_t i = 0; i < w->n_tracks; i++)
		close_track(w->tracks[i]);
	w->n_tracks = 0;
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w->scratch);
	w->scratch = NULL;
}

void cb_file_worker_set_error(struct cb_file_worker *w, struct cb_track_node *track,
			      const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&w->lock);
	va_start(ap, fmt);
	vsnprintf(track->file_error, sizeof(track->file_error), fmt, ap);
	va_end(ap);
	track->file_errors++;
	pthread_mutex_unlock(&w->lock);
	pw_log_warn("track %s: %s", track->config.name, track->file_error);
}

uint64_t cb_file_worker_error(struct cb_file_worker *w, struct cb_track_node *track,
			      char *out, size_t out_len)
{
	uint64_t n;

	pthread_mutex_lock(&w->lock);
	snprintf(out, out_len, "%s", track->file_error);
	n = track->file_errors;
	pthread_mutex_unlock(&w->lock);
	return n;
}

/* Decodes ahead until the ring is nearly full; the end of a file played
 * once is marked for the callback, which then lets the voice go. */
static void top_up(struct cb_file_worker *w, struct cb_track_node *t, struct cb_file_voice *v)
{
	while (v->decoder && !atomic_load_explicit(&v->ended, memory_order_relaxed) &&
	       cb_audio_ring_space(&v->ring) >= CHUNK_FRAMES) {
		int n = cb_file_decoder_read(v->decoder, w->scratch, CHUNK_FRAMES);

		if (n < 0) {
			atomic_fetch_add(&w->decode_errors, 1);
			cb_file_worker_set_error(w, t, "decoding failed: %s", strerror(-n));
			n = 0;
		}
		/* The file's end: not an underrun if the callback drains the
		 * last of it before `ended` is set. */
		if (n < CHUNK_FRAMES)
			atomic_store_explicit(&v->ending, true, memory_order_relaxed);
		if (n > 0)
			cb_audio_ring_push(&v->ring, w->scratch, (uint32_t)n);
		if (n < CHUNK_FRAMES)
			atomic_store_explicit(&v->ended, true, memory_order_release);
	}
}

/* A voice for the request, or NULL (then retried, or failed). */
static struct cb_file_voice *voice_for(struct cb_track_node *t, bool bed, bool *retry)
{
	uint32_t first = bed ? CB_VOICE_BED : 1, last = bed ? 1 : CB_TRACK_VOICES;

	*retry = false;
	for (uint32_t i = first; i < last; i++) {
		struct cb_file_voice *v = &t->voices[i];
		int st = atomic_load_explicit(&v->state, memory_order_acquire);

		if (st == CB_VOICE_DONE || (bed && st == CB_VOICE_LOADING))
			close_voice(v);
		else if (bed && st == CB_VOICE_PLAYING) {
			/* The old bed stops at the callback's next cycle; the
			 * new one starts after it. */
			atomic_store(&v->cancel, true);
			*retry = true;
			return NULL;
		}
		if (atomic_load(&v->state) == CB_VOICE_FREE)
			return v;
	}
	return NULL;
}

/* Returns false when the request must wait for its voice. */
static bool start(struct cb_file_worker *w, const struct cb_file_request *r)
{
	struct cb_track_node *t = r->track;
	struct cb_file_decoder *d;
	struct cb_file_voice *v;
	char err[200];
	bool retry;
	int res;

	/* Stopped (interrupted) since it was asked for. */
	if (!r->bed && r->epoch != atomic_load(&t->play_epoch))
		return true;
	if ((v = voice_for(t, r->bed, &retry)) == NULL) {
		if (!retry)
			cb_file_worker_set_error(w, t, "play %s: %d files play already", r->path,
						 CB_TRACK_VOICES - 1);
		return !retry;
	}
	if ((res = cb_file_decoder_open(&d, r->path, t->config.channels, r->loop,
					err, sizeof(err))) < 0) {
		cb_file_worker_set_error(w, t, "%s %s: %s", r->bed ? "file" : "play", r->path, err);
		return true;
	}
	/* Ours alone while FREE/LOADING: the callback does not look. */
	v->decoder = d;
	cb_audio_ring_reset(&v->ring);
	atomic_store(&v->ending, false);
	atomic_store(&v->ended, false);
	atomic_store(&v->cancel, false);
	atomic_store(&v->played_frames, 0);
	atomic_store(&v->underrun_frames, 0);
	atomic_store_explicit(&v->state, CB_VOICE_LOADING, memory_order_release);
	top_up(w, t, v);
	atomic_store_explicit(&v->state, CB_VOICE_PLAYING, memory_order_release);
	/* Stopped while it opened: it ends at the callback's next cycle. */
	if (!r->bed && r->epoch != atomic_load(&t->play_epoch))
		atomic_store(&v->cancel, true);
	pw_log_info("track %s: %s %s%s", t->config.name, r->bed ? "file" : "play", r->path,
		    r->loop ? " (loop)" : "");
	return true;
}

static void serve(struct cb_file_worker *w, struct cb_track_node *t)
{
	for (uint32_t i = 0; i < CB_TRACK_VOICES; i++) {
		struct cb_file_voice *v = &t->voices[i];

		switch (atomic_load_explicit(&v->state, memory_order_acquire)) {
		case CB_VOICE_DONE:
			close_voice(v);
			break;
		case CB_VOICE_PLAYING:
			top_up(w, t, v);
			break;
		default:
			break;
		}
	}
}

void cb_file_worker_iterate(struct cb_file_worker *w)
{
	struct cb_file_request *todo;
	uint32_t n, kept = 0;

	/* Requests are taken out under the lock and opened outside it: an
	 * open may take a while, and the main thread must not wait. */
	todo = malloc(sizeof(w->queue));
	if (todo == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	n = w->n_queued;
	memcpy(todo, w->queue, n * sizeof(*todo));
	w->n_queued = 0;
	pthread_mutex_unlock(&w->lock);

	for (uint32_t i = 0; i < n; i++)
		if (!start(w, &todo[i]))
			todo[kept++] = todo[i];
	if (kept) {
		/* Waiting for their voice: back in front of what came since. */
		pthread_mutex_lock(&w->lock);
		if (w->n_queued + kept > CB_FILE_QUEUE)
			kept = CB_FILE_QUEUE - w->n_queued;
		memmove(w->queue + kept, w->queue, w->n_queued * sizeof(*todo));
		memcpy(w->queue, todo, kept * sizeof(*todo));
		w->n_queued += kept;
		pthread_mutex_unlock(&w->lock);
	}
	free(todo);
	for (uint32_t i = 0; i < w->n_tracks; i++)
		serve(w, w->tracks[i]);
}

static void *worker_thread(void *data)
{
	struct cb_file_worker *w = data;
	struct timespec next;

	pthread_mutex_lock(&w->lock);
	while (w->running) {
		pthread_mutex_unlock(&w->lock);
		cb_file_worker_iterate(w);
		clock_gettime(CLOCK_MONOTONIC, &next);
		next.tv_nsec += (long)TOP_UP_NS;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&w->lock);
		/* A request or a stop wakes it at once. */
		while (w->running && w->n_queued == 0 &&
		       pthread_cond_timedwait(&w->wake, &w->lock, &next) == 0)
			;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int cb_file_worker_start(struct cb_file_worker *w)
{
	int res;

	if (w->started)
		return 0;
	pthread_mutex_lock(&w->lock);
	w->running = true;
	pthread_mutex_unlock(&w->lock);
	if ((res = pthread_create(&w->thread, NULL, worker_thread, w)) != 0) {
		w->running = false;
		return -res;
	}
	pthread_setname_np(w->thread, "cb-file");
	w->started = true;
	return 0;
}

void cb_file_worker_pause(struct cb_file_worker *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->lock);
	w->running = false;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	w->started = false;
}

static bool has_track(struct cb_track_node **tracks, uint32_t n, struct cb_track_node *t)
{
	for (uint32_t i = 0; i < n; i++)
		if (tracks[i] == t)
			return true;
	return false;
}

void cb_file_worker_set_tracks(struct cb_file_worker *w, struct cb_track_node **tracks,
			       uint32_t n_tracks)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < w->n_tracks; i++)
		if (!has_track(tracks, n_tracks, w->tracks[i]))
			close_track(w->tracks[i]);
	pthread_mutex_lock(&w->lock);
	for (uint32_t i = 0; i < w->n_queued; i++)
		if (has_track(tracks, n_tracks, w->queue[i].track))
			w->queue[kept++] = w->queue[i];
	w->n_queued = kept;
	pthread_mutex_unlock(&w->lock);
	memcpy(w->tracks, tracks, n_tracks * sizeof(*tracks));
	w->n_tracks = n_tracks;
}

int cb_file_worker_play(struct cb_file_worker *w, struct cb_track_node *track, const char *path,
			bool bed, bool loop)
{
	struct cb_file_request *r;

	pthread_mutex_lock(&w->lock);
	if (w->n_queued >= CB_FILE_QUEUE) {
		pthread_mutex_unlock(&w->lock);
		return -EAGAIN;
	}
	r = &w->queue[w->n_queued++];
	r->track = track;
	r->bed = bed;
	r->loop = loop;
	r->epoch = atomic_load(&track->play_epoch);
	snprintf(r->path, sizeof(r->path), "%s", path);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

void cb_file_worker_stop_plays(struct cb_file_worker *w, struct cb_track_node *track, bool plays,
			       bool bed)
{
	uint32_t kept = 0;

	if (plays)
		atomic_fetch_add(&track->play_epoch, 1);
	pthread_mutex_lock(&w->lock);
	for (uint32_t i = 0; i < w->n_queued; i++) {
		const struct cb_file_request *r = &w->queue[i];
		if (r->track != track || (r->bed ? !bed : !plays))
			w->queue[kept++] = *r;
	}
	w->n_queued = kept;
	pthread_mutex_unlock(&w->lock);
	/* Each stops at the callback's next cycle; the thread frees it. */
	for (uint32_t i = 0; i < CB_TRACK_VOICES; i++)
		if (i == CB_VOICE_BED ? bed : plays)
			atomic_store(&track->voices[i].cancel, true);
}
