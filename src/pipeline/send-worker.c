#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "pipeline/send-worker.h"
#include "util/clock.h"
#include "pipeline/worker-thread.h"

#define REPORT_INTERVAL_NS 5000000000ull
/* A new stream says who it is (SR + SDES with its name) right before its
 * first packet, so a peer matching streams by name (peer-stream) binds it
 * from the first packet on, and again this much later in case that one
 * was lost; then with the regular reports.  RFC 3550 6.2's initial delay
 * is for large sessions; this is one peer. */
#define INTRO_REPEAT_NS 1000000000ull
#define INTROS 2
/* After a cycle's start, the time the graph takes to reach the track nodes;
 * and how soon to look again when their cycle is due but not published. */
#define CYCLE_GUARD_NS 200000ull
#define RECHECK_NS 200000ull

static uint64_t report_interval(void)
{
	/* RFC 3550 6.3.1: randomise (0.5..1.5 x) so that many senders started
	 * together do not report in lockstep. */
	uint16_t r = 0;
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = 32768;
	return REPORT_INTERVAL_NS / 2 + REPORT_INTERVAL_NS * r / 65536;
}

void cb_send_worker_init(struct cb_send_worker *w, struct cb_send_stream **streams,
			 uint32_t n_streams, const char *cname, uint32_t frame)
{
	uint64_t frame_ns = (uint64_t)frame * 1000000000ull / 48000;

	memset(w, 0, sizeof(*w));
	w->streams = streams;
	w->n_streams = n_streams;
	snprintf(w->cname, sizeof(w->cname), "%s", cname);
	/* Wake four times a frame, within 1..5 ms: finer costs CPU for
	 * nothing, coarser adds latency at small ptimes. */
	w->period_ns = frame_ns / 4;
	if (w->period_ns < 1000000)
		w->period_ns = 1000000;
	if (w->period_ns > 5000000)
		w->period_ns = 5000000;
	cb_worker_thread_init(&w->thread);
}

int cb_send_worker_add_output(struct cb_send_worker *w, struct cb_transport *transport,
			      struct cb_keying *keying)
{
	struct cb_send_output *o;

	if (w->n_outputs >= CB_MAX_SESSIONS)
		return -ENOSPC;
	o = &w->outputs[w->n_outputs];
	o->transport = transport;
	cb_srtp_slot_init(&o->srtp, keying, CB_KEY_SEND, CB_SRTP_OUTBOUND);
	return (int)w->n_outputs++;
}

int cb_send_worker_set_output(struct cb_send_worker *w, uint32_t index,
			      struct cb_transport *transport, struct cb_keying *keying)
{
	struct cb_send_output *o;

	if (index >= CB_MAX_SESSIONS)
		return -ENOSPC;
	o = &w->outputs[index];
	cb_srtp_slot_clear(&o->srtp);
	memset(o, 0, sizeof(*o));
	o->transport = transport;
	cb_srtp_slot_init(&o->srtp, keying, CB_KEY_SEND, CB_SRTP_OUTBOUND);
	/* Slots between the last one and this stay empty (transport NULL). */
	for (uint32_t i = w->n_outputs; i < index; i++)
		memset(&w->outputs[i], 0, sizeof(w->outputs[i]));
	if (index >= w->n_outputs)
		w->n_outputs = index + 1;
	return (int)index;
}

void cb_send_worker_drop_output(struct cb_send_worker *w, uint32_t index)
{
	if (index >= w->n_outputs)
		return;
	cb_srtp_slot_clear(&w->outputs[index].srtp);
	memset(&w->outputs[index], 0, sizeof(w->outputs[index]));
	while (w->n_outputs > 0 && w->outputs[w->n_outputs - 1].transport == NULL)
		w->n_outputs--;
}

void cb_send_worker_clear(struct cb_send_worker *w)
{
	for (uint32_t i = 0; i < w->n_outputs; i++)
		cb_srtp_slot_clear(&w->outputs[i].srtp);
}

static void send_packet(struct cb_send_worker *w, struct cb_send_stream *s, uint8_t *buf,
			size_t len, size_t cap, bool rtcp)
{
	struct cb_send_output *o;
	struct cb_srtp_session *srtp;
	int res;

	if (s->output >= w->n_outputs || w->outputs[s->output].transport == NULL)
		return;
	o = &w->outputs[s->output];
	/* The safe point for a re-key: between two packets, on this thread. */
	if ((srtp = cb_srtp_slot_get(&o->srtp)) == NULL) {
		cb_srtp_slot_drop(&o->srtp);
		atomic_fetch_add(&w->stats.no_key, 1);
		return;
	}
	res = rtcp ? cb_srtp_protect_rtcp(srtp, buf, &len, cap) :
		     cb_srtp_protect_rtp(srtp, buf, &len, cap);
	if (res < 0) {
		atomic_fetch_add(&w->stats.protect_errors, 1);
		return;
	}
	if (cb_transport_send(o->transport, buf, len, &s->dest) < 0) {
		atomic_fetch_add(&w->stats.send_errors, 1);
		return;
	}
	atomic_fetch_add(rtcp ? &w->stats.rtcp_sent : &w->stats.rtp_sent, 1);
}

void cb_send_worker_send_report(struct cb_send_worker *w, struct cb_send_stream *s,
				uint64_t now_ns, const char *bye_reason)
{
	uint8_t buf[1024 + CB_SRTP_MAX_OVERHEAD];
	struct cb_rtcp_writer writer;

	cb_rtcp_writer_init(&writer, buf, sizeof(buf) - CB_SRTP_MAX_OVERHEAD);
	cb_send_stream_write_report(s, &writer, cb_ntp_now(), now_ns, w->cname);
	if (bye_reason)
		cb_rtcp_write_bye(&writer, &s->ssrc, 1, bye_reason);
	if (!writer.failed)
		send_packet(w, s, buf, writer.len, sizeof(buf), true);
}

void cb_send_worker_send_reports(struct cb_send_worker *w, uint64_t now_ns, bool bye)
{
	for (uint32_t i = 0; i < w->n_streams; i++)
		cb_send_worker_send_report(w, w->streams[i], now_ns, bye ? "call ended" : NULL);
}

void cb_send_worker_iterate(struct cb_send_worker *w, uint64_t now_ns)
{
	uint8_t buf[CB_OPUS_MAX_PACKET + 64 + CB_SRTP_MAX_OVERHEAD];

	if (w->voice)
		cb_voice_stage_run(w->voice);
	for (uint32_t i = 0; i < w->n_streams; i++) {
		struct cb_send_stream *s = w->streams[i];
		/* Drain: after a late wake-up several frames may be waiting. */
		while (cb_send_stream_ready(s, now_ns)) {
			int n;

			if (s->intros < INTROS && now_ns >= s->intro_next_ns) {
				cb_send_worker_send_report(w, s, now_ns, NULL);
				s->intros++;
				s->intro_next_ns = now_ns + INTRO_REPEAT_NS;
			}
			n = cb_send_stream_produce(s, now_ns, buf, sizeof(buf) - CB_SRTP_MAX_OVERHEAD);
			if (n < 0)
				atomic_fetch_add(&w->stats.encode_errors, 1);
			else if (n > 0)
				send_packet(w, s, buf, (size_t)n, sizeof(buf), false);
			/* Sent: a mark whose last frame it carried is done. */
			if (cb_send_stream_commit_marks(s) > 0 && w->marks_passed)
				w->marks_passed(w->marks_data);
		}
	}
	if (now_ns >= w->next_report_ns) {
		if (w->next_report_ns != 0)
			cb_send_worker_send_reports(w, now_ns, false);
		w->next_report_ns = now_ns + report_interval();
	}
}

/* When to look for whole frames next: just after the tracks' next graph
 * cycle, which is what completes a frame, so a frame is encoded and sent as
 * soon as it exists; without a running graph, on the fixed period. */
static uint64_t next_wake(struct cb_send_worker *w, uint64_t now, uint64_t last)
{
	uint64_t cycle, period, next;

	if (w->cycle && cb_cycle_clock_next(w->cycle, now, &cycle, &period)) {
		next = cycle + CYCLE_GUARD_NS;
		return next > now ? next : now + RECHECK_NS;
	}
	/* Absolute deadlines: the period does not stretch by the work. */
	next = last + w->period_ns;
	return next < now ? now + w->period_ns : next;
}

static void *worker_thread(void *data)
{
	struct cb_send_worker *w = data;
	struct timespec next;
	uint64_t next_ns = cb_now_ns();

	while (cb_worker_thread_running(&w->thread)) {
		uint64_t now = cb_now_ns();
		cb_send_worker_iterate(w, now);

		next_ns = next_wake(w, cb_now_ns(), next_ns);
		next.tv_sec = (time_t)(next_ns / 1000000000ull);
		next.tv_nsec = (long)(next_ns % 1000000000ull);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	return NULL;
}

int cb_send_worker_start(struct cb_send_worker *w)
{
	return cb_worker_thread_start(&w->thread, "cb-send", worker_thread, w);
}

void cb_send_worker_pause(struct cb_send_worker *w)
{
	cb_worker_thread_stop(&w->thread);
}

void cb_send_worker_set_streams(struct cb_send_worker *w, struct cb_send_stream **streams,
				uint32_t n_streams)
{
	w->streams = streams;
	w->n_streams = n_streams;
}

void cb_send_worker_stop(struct cb_send_worker *w)
{
	if (!cb_worker_thread_stop(&w->thread))
		return;
	cb_send_worker_send_reports(w, cb_now_ns(), true);
}
