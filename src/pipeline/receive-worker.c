#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "util/log.h"
#include "endpoint/slot.h"
#include "pipeline/receive-worker.h"
#include "audio/opus-decoder.h"
#include "pipeline/send-worker.h"
#include "pipeline/worker-thread.h"
#include "util/byte-order.h"
#include "rtp/rtcp.h"
#include "rtp/rtp.h"
#include "rtp/rtp-red.h"

#define WAKE_NS 2000000ull	/* a remote without a running node tops up this often */
#define IDLE_WAKE_NS 20000000ull	/* timeouts and reports, when no remote needs more */
#define REPORT_INTERVAL_NS 5000000000ull
#define MAX_DATAGRAM 2048
#define DRAIN_BATCH 128
/* read_wait_max_us covers one to two of these. */
#define READ_WAIT_WINDOW_NS 1000000000ull

void cb_receive_worker_init(struct cb_receive_worker *w, const struct cb_call_config *call,
			    struct cb_remote *remotes, uint32_t n_remotes, const char *cname)
{
	memset(w, 0, sizeof(*w));
	w->accept_unknown = call->accept_unknown;
	w->timeout_ns = (uint64_t)call->remote_timeout_ms * 1000000ull;
	w->remotes = remotes;
	w->n_remotes = n_remotes;
	cb_recent_max_init(&w->read_wait, READ_WAIT_WINDOW_NS);
	snprintf(w->cname, sizeof(w->cname), "%s", cname);
	do {
		if (getrandom(&w->receiver_ssrc, sizeof(w->receiver_ssrc), 0) < 0)
			w->receiver_ssrc = 0x5eed0001;
	} while (w->receiver_ssrc == 0);
	cb_worker_thread_init(&w->thread);
}

int cb_receive_worker_add_input(struct cb_receive_worker *w, struct cb_transport *transport,
				struct cb_keying *keying, struct cb_rtp_session *rtp)
{
	struct cb_receive_input *in;

	if (w->n_inputs >= CB_MAX_SESSIONS)
		return -ENOSPC;
	in = &w->inputs[w->n_inputs];
	memset(in, 0, sizeof(*in));
	in->transport = transport;
	in->rtp = rtp;
	cb_srtp_slot_init(&in->srtp_in, keying, CB_KEY_RECEIVE, CB_SRTP_INBOUND);
	cb_srtp_slot_init(&in->srtcp_out, keying, CB_KEY_SEND, CB_SRTP_OUTBOUND);
	return (int)w->n_inputs++;
}

int cb_receive_worker_set_input(struct cb_receive_worker *w, uint32_t index,
				struct cb_transport *transport, struct cb_keying *keying,
				struct cb_rtp_session *rtp)
{
	struct cb_receive_input *in;

	if (index >= CB_MAX_SESSIONS)
		return -ENOSPC;
	in = &w->inputs[index];
	if (index < w->n_inputs) {
		cb_srtp_slot_clear(&in->srtp_in);
		cb_srtp_slot_clear(&in->srtcp_out);
	}
	/* Inputs between the last one and this one are empty until set. */
	for (uint32_t i = w->n_inputs; i < index; i++) {
		memset(&w->inputs[i], 0, sizeof(w->inputs[i]));
		w->inputs[i].dropped = true;
	}
	memset(in, 0, sizeof(*in));
	in->transport = transport;
	in->rtp = rtp;
	cb_srtp_slot_init(&in->srtp_in, keying, CB_KEY_RECEIVE, CB_SRTP_INBOUND);
	cb_srtp_slot_init(&in->srtcp_out, keying, CB_KEY_SEND, CB_SRTP_OUTBOUND);
	if (index >= w->n_inputs)
		w->n_inputs = index + 1;
	return (int)index;
}

void cb_receive_worker_drop_input(struct cb_receive_worker *w, uint32_t index)
{
	struct cb_receive_input *in;

	if (index >= w->n_inputs)
		return;
	in = &w->inputs[index];
	for (uint32_t i = 0; i < w->n_remotes; i++)
		if (w->remotes[i].active && w->remotes[i].input == index)
			cb_remote_deactivate(&w->remotes[i], "its session ended");
	for (uint32_t i = 0; i < CB_PEER_NAMES; i++)
		if (w->names[i].used && w->names[i].input == index)
			w->names[i].used = false;
	cb_srtp_slot_clear(&in->srtp_in);
	cb_srtp_slot_clear(&in->srtcp_out);
	memset(in, 0, sizeof(*in));
	in->dropped = true;
	while (w->n_inputs > 0 && w->inputs[w->n_inputs - 1].dropped)
		w->n_inputs--;
}

int cb_receive_worker_add_fixed_input(struct cb_receive_worker *w, struct cb_transport *transport,
				      struct cb_srtp_session *srtp_in,
				      struct cb_srtp_session *srtcp_out)
{
	int index = cb_receive_worker_add_input(w, transport, NULL, NULL);

	if (index >= 0) {
		w->inputs[index].fixed_in = srtp_in;
		w->inputs[index].fixed_out = srtcp_out;
	}
	return index;
}

void cb_receive_worker_clear(struct cb_receive_worker *w)
{
	for (uint32_t i = 0; i < w->n_inputs; i++) {
		cb_srtp_slot_clear(&w->inputs[i].srtp_in);
		cb_srtp_slot_clear(&w->inputs[i].srtcp_out);
	}
}

/* The session for the next packet, rebuilt first if the keys moved: this
 * is the worker's safe point for a re-key.  NULL while there are none. */
static struct cb_srtp_session *session_in(struct cb_receive_input *in)
{
	return in->fixed_in ? in->fixed_in : cb_srtp_slot_get(&in->srtp_in);
}

static struct cb_srtp_session *session_out(struct cb_receive_input *in)
{
	return in->fixed_out ? in->fixed_out : cb_srtp_slot_get(&in->srtcp_out);
}

/* Remotes are told apart by SSRC within their session (input): two WHEP
 * resources may well pick the same one. */
static struct cb_remote *find_active(struct cb_receive_worker *w, uint32_t input, uint32_t ssrc)
{
	for (uint32_t i = 0; i < w->n_remotes; i++) {
		struct cb_remote *r = &w->remotes[i];
		if (r->active && r->ssrc == ssrc && r->input == input)
			return r;
	}
	return NULL;
}

static bool on_input(const struct cb_remote *r, uint32_t input)
{
	return r->bound_input < 0 || (uint32_t)r->bound_input == input;
}

const char *cb_receive_worker_peer_name(struct cb_receive_worker *w, uint32_t input,
					uint32_t ssrc)
{
	for (uint32_t i = 0; i < CB_PEER_NAMES; i++)
		if (w->names[i].used && w->names[i].input == input && w->names[i].ssrc == ssrc)
			return w->names[i].name;
	return NULL;
}

/* A configured [remote] waiting for the peer's stream called name. */
static struct cb_remote *remote_for_name(struct cb_receive_worker *w, uint32_t input,
					 const char *name)
{
	for (uint32_t i = 0; i < w->n_remotes; i++) {
		struct cb_remote *r = &w->remotes[i];
		if (r->configured && on_input(r, input) && r->config.peer_stream[0] &&
		    strcmp(r->config.peer_stream, name) == 0)
			return r;
	}
	return NULL;
}

/* Which remote takes a new SSRC: one configured for exactly it, else one
 * whose peer-stream is the name the SSRC gave itself, else the remote
 * that is this input's own session (WHEP), else the first configured
 * remote without an ssrc or peer-stream key that is free, else (with
 * accept-unknown) a spare slot.  A peer-stream remote takes nothing
 * that has not named itself. */
static struct cb_remote *claim(struct cb_receive_worker *w, uint32_t input, uint32_t ssrc)
{
	const char *name = cb_receive_worker_peer_name(w, input, ssrc);
	struct cb_remote *named;

	for (uint32_t i = 0; i < w->n_remotes; i++) {
		struct cb_remote *r = &w->remotes[i];
		if (r->configured && on_input(r, input) && r->config.has_ssrc && r->config.ssrc == ssrc)
			return r;
	}
	if (name && (named = remote_for_name(w, input, name)) != NULL && !named->active)
		return named;
	for (uint32_t i = 0; i < w->n_remotes; i++) {
		struct cb_remote *r = &w->remotes[i];
		if (!r->configured || r->bound_input < 0 || (uint32_t)r->bound_input != input)
			continue;
		/* The input is this remote's alone: a new SSRC there is a new
		 * sender taking over (a browser that published again at
		 * callbridge's WHIP endpoint before the old one timed out). */
		if (r->active)
			cb_remote_deactivate(r, "a new SSRC on its session");
		return r;
	}
	for (uint32_t i = 0; i < w->n_remotes; i++) {
		struct cb_remote *r = &w->remotes[i];
		if (r->configured && r->bound_input < 0 && !r->config.has_ssrc &&
		    !r->config.peer_stream[0] && !r->active)
			return r;
	}
	if (!w->accept_unknown)
		return NULL;
	for (uint32_t i = 0; i < w->n_remotes; i++) {
		struct cb_remote *r = &w->remotes[i];
		if (!r->configured && !r->active && !atomic_load(&r->wanted))
			return r;
	}
	return NULL;
}

/* The payload type a remote's packets carry: the configured one, unless
 * the session's description settled another: a browser publishing at
 * callbridge's own WHIP endpoint chose its own (endpoint/slot.h), a WHEP
 * server's answer or counter-offer named one (rtp/rtp-session.h). */
static uint32_t expected_pt(struct cb_receive_worker *w, uint32_t input, struct cb_remote *r)
{
	struct cb_transport *t = input < w->n_inputs ? w->inputs[input].transport : NULL;
	const struct cb_rtp_session *rtp = input < w->n_inputs ? w->inputs[input].rtp : NULL;
	int pt;

	if (t && cb_is_slot(t) && (pt = cb_slot_payload_type(t)) >= 0)
		return (uint32_t)pt;
	return cb_rtp_session_payload_type(rtp, (uint8_t)r->config.payload_type);
}

static uint8_t red_pt(struct cb_receive_worker *w, uint32_t input)
{
	return cb_rtp_session_red_pt(input < w->n_inputs ? w->inputs[input].rtp : NULL);
}

/* A packet's Opus: its payload, or a RED payload's blocks (RFC 2198),
 * the primary last.  Returns how many blocks (1 for plain Opus), or
 * -EINVAL for a RED payload that does not parse or nests RED. */
static int split_payload(const struct cb_rtp_packet *pkt, uint8_t red, struct cb_red_block *blocks)
{
	if (pkt->header.payload_type == red)
		return cb_red_parse(pkt->payload, pkt->payload_len, red, blocks, CB_RED_MAX_BLOCKS);
	blocks[0] = (struct cb_red_block) { .payload_type = pkt->header.payload_type,
					    .data = pkt->payload, .len = pkt->payload_len };
	return 1;
}

/* The redundant blocks of a RED packet, into the holes they fill: block
 * k frames back (its offset over its duration) was packet seq - k, as
 * every sender that carries consecutive frames makes it; the jitter
 * buffer checks that against the timestamps it knows. */
static void put_redundant(struct cb_remote *r, const struct cb_rtp_packet *pkt, uint32_t opus_pt,
			  const struct cb_red_block *blocks, int n)
{
	for (int i = 0; i + 1 < n; i++) {
		const struct cb_red_block *b = &blocks[i];
		int samples;

		if (b->payload_type != opus_pt || b->offset == 0 ||
		    (samples = cb_opus_packet_samples(b->data, b->len)) <= 0 ||
		    b->offset % (uint32_t)samples != 0 || b->offset / (uint32_t)samples > 0x7fff)
			continue;
		cb_remote_receive_redundant(r, (uint16_t)(pkt->header.sequence -
							  b->offset / (uint32_t)samples),
					    pkt->header.timestamp - b->offset, b->data, b->len);
	}
}

static void handle_rtp(struct cb_receive_worker *w, struct cb_receive_input *in,
		       uint32_t input, uint8_t *buf, size_t len, const struct cb_address *from,
		       uint64_t now_ns)
{
	struct cb_srtp_session *srtp = session_in(in);
	struct cb_red_block blocks[CB_RED_MAX_BLOCKS];
	const struct cb_red_block *primary;
	struct cb_rtp_packet pkt;
	struct cb_remote *r;
	size_t clear_len = len;
	uint32_t ssrc, opus_pt;
	int channels, n_blocks;

	if (srtp == NULL) {
		cb_srtp_slot_drop(&in->srtp_in);
		atomic_fetch_add_explicit(&w->stats.no_key, 1, memory_order_relaxed);
		return;
	}
	/* The SSRC is in the clear even under SRTP; read it to attribute an
	 * authentication failure, never to act on it. */
	ssrc = cb_get_be32(buf + 8);
	if (cb_srtp_unprotect_rtp(srtp, buf, &clear_len) < 0) {
		atomic_fetch_add_explicit(&w->stats.auth_failures, 1, memory_order_relaxed);
		if ((r = find_active(w, input, ssrc)) != NULL)
			atomic_fetch_add_explicit(&r->stats.auth_failures, 1, memory_order_relaxed);
		return;
	}
	if (cb_rtp_parse(buf, clear_len, &pkt) < 0 || pkt.payload_len == 0) {
		atomic_fetch_add_explicit(&w->stats.malformed, 1, memory_order_relaxed);
		return;
	}
	if ((n_blocks = split_payload(&pkt, red_pt(w, input), blocks)) < 1) {
		atomic_fetch_add_explicit(&w->stats.malformed, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&w->stats.malformed_red, 1, memory_order_relaxed);
		return;
	}
	primary = &blocks[n_blocks - 1];
	if (cb_opus_packet_samples(primary->data, primary->len) <= 0) {
		atomic_fetch_add_explicit(&w->stats.malformed, 1, memory_order_relaxed);
		return;
	}
	if ((r = find_active(w, input, pkt.header.ssrc)) == NULL) {
		r = claim(w, input, pkt.header.ssrc);
		if (r == NULL) {
			atomic_fetch_add_explicit(&w->stats.unknown_ssrc, 1, memory_order_relaxed);
			return;
		}
		if (primary->payload_type != expected_pt(w, input, r)) {
			atomic_fetch_add_explicit(&w->stats.unknown_payload_type, 1,
						  memory_order_relaxed);
			return;
		}
		channels = r->configured ? (int)r->config.channels :
			   cb_opus_packet_channels(primary->data, primary->len);
		if (cb_remote_activate(r, pkt.header.ssrc, channels == 1 ? 1 : 2, now_ns) < 0)
			return;
		r->input = input;
	}
	opus_pt = expected_pt(w, input, r);
	if (primary->payload_type != opus_pt) {
		atomic_fetch_add_explicit(&w->stats.unknown_payload_type, 1, memory_order_relaxed);
		return;
	}
	atomic_fetch_add_explicit(&w->stats.rtp, 1, memory_order_relaxed);
	r->from = *from;
	r->input = input;
	cb_remote_note_audio_level(r, &pkt);
	cb_remote_receive(r, pkt.header.sequence, pkt.header.timestamp, primary->data,
			  primary->len, now_ns);
	put_redundant(r, &pkt, opus_pt, blocks, n_blocks);
}

struct rtcp_context {
	struct cb_receive_worker *worker;
	struct cb_receive_input *input;
	uint32_t index;
	uint64_t now_ns;
	uint64_t now_ntp;
};

static void on_sender_report(void *data, uint32_t ssrc, const struct cb_rtcp_sender_info *info)
{
	struct rtcp_context *c = data;
	struct cb_remote *r = find_active(c->worker, c->index, ssrc);
	if (r)
		cb_rtp_source_sender_report(&r->source, info->ntp_time, c->now_ns);
}

static void on_report_block(void *data, uint32_t reporter, const struct cb_rtcp_report_block *b)
{
	struct rtcp_context *c = data;

	if (c->input->rtp)
		cb_rtp_session_report_block(c->input->rtp, b, c->now_ntp);
}

static void on_bye(void *data, uint32_t ssrc)
{
	struct rtcp_context *c = data;
	struct cb_remote *r = find_active(c->worker, c->index, ssrc);
	if (r)
		cb_remote_deactivate(r, "RTCP BYE");
}

/* Remembers what the SSRC calls itself, the oldest entry making room. */
static void note_name(struct cb_receive_worker *w, uint32_t input, uint32_t ssrc,
		      const char *name, uint64_t now_ns)
{
	struct cb_peer_name *slot = NULL;

	for (uint32_t i = 0; i < CB_PEER_NAMES; i++) {
		struct cb_peer_name *n = &w->names[i];
		if (n->used && n->input == input && n->ssrc == ssrc) {
			slot = n;
			break;
		}
		if (slot == NULL || !n->used || (slot->used && n->seen_ns < slot->seen_ns))
			slot = n;
	}
	slot->used = true;
	slot->input = input;
	slot->ssrc = ssrc;
	slot->seen_ns = now_ns;
	snprintf(slot->name, sizeof(slot->name), "%s", name);
}

/* RFC 8843's MID item: a callbridge peer's stream name.  A [remote] with
 * that peer-stream gets the SSRC with its next packet: whatever played
 * the SSRC until now lets go of it, and so does the remote if it still
 * plays an older SSRC of the same name (the peer restarted, its BYE lost
 * or never sent). */
static void on_sdes_item(void *data, uint32_t ssrc, uint8_t type, const uint8_t *text,
			 uint8_t len)
{
	struct rtcp_context *c = data;
	struct cb_receive_worker *w = c->worker;
	char name[CB_NAME_MAX + 1];
	struct cb_remote *named, *current;

	if (type != CB_SDES_MID || len == 0 || len > CB_NAME_MAX || memchr(text, 0, len))
		return;
	memcpy(name, text, len);
	name[len] = '\0';
	note_name(w, c->index, ssrc, name, c->now_ns);
	if ((named = remote_for_name(w, c->index, name)) == NULL)
		return;
	if (named->active && named->ssrc == ssrc)
		return;
	if (named->active)
		cb_remote_deactivate(named, "its peer stream moved to a new SSRC");
	if ((current = find_active(w, c->index, ssrc)) != NULL)
		cb_remote_deactivate(current, "the SSRC named itself: another remote plays it");
}

static const struct cb_rtcp_events rtcp_events = {
	.sender_report = on_sender_report,
	.report_block = on_report_block,
	.bye = on_bye,
	.sdes_item = on_sdes_item,
};

static void handle_rtcp(struct cb_receive_worker *w, struct cb_receive_input *in, uint32_t input,
			uint8_t *buf, size_t len, uint64_t now_ns)
{
	struct rtcp_context c = { .worker = w, .input = in, .index = input, .now_ns = now_ns,
				  .now_ntp = cb_ntp_now() };
	struct cb_srtp_session *srtp = session_in(in);

	if (srtp == NULL) {
		cb_srtp_slot_drop(&in->srtp_in);
		atomic_fetch_add_explicit(&w->stats.no_key, 1, memory_order_relaxed);
		return;
	}
	if (cb_srtp_unprotect_rtcp(srtp, buf, &len) < 0) {
		atomic_fetch_add_explicit(&w->stats.auth_failures, 1, memory_order_relaxed);
		return;
	}
	atomic_fetch_add_explicit(&w->stats.rtcp, 1, memory_order_relaxed);
	if (cb_rtcp_parse(buf, len, &rtcp_events, &c) < 0)
		atomic_fetch_add_explicit(&w->stats.malformed, 1, memory_order_relaxed);
}

void cb_receive_worker_handle(struct cb_receive_worker *w, uint8_t *buf, size_t len,
			      const struct cb_address *from, uint64_t now_ns)
{
	cb_receive_worker_handle_input(w, 0, buf, len, from, now_ns);
}

void cb_receive_worker_handle_input(struct cb_receive_worker *w, uint32_t input, uint8_t *buf,
				    size_t len, const struct cb_address *from, uint64_t now_ns)
{
	struct cb_receive_input *in;

	if (input >= w->n_inputs || w->inputs[input].dropped)
		return;
	in = &w->inputs[input];
	/* The socket already refuses these (MSG_TRUNC); the check here keeps
	 * the entry point's contract the same for every caller. */
	if (len > MAX_DATAGRAM) {
		atomic_fetch_add_explicit(&w->stats.oversized, 1, memory_order_relaxed);
		return;
	}
	atomic_fetch_add_explicit(&w->stats.datagrams, 1, memory_order_relaxed);
	if (len < CB_RTP_HEADER_SIZE || (buf[0] >> 6) != 2) {
		atomic_fetch_add_explicit(&w->stats.malformed, 1, memory_order_relaxed);
		return;
	}
	if (cb_rtp_is_rtcp(buf, len))
		handle_rtcp(w, in, input, buf, len, now_ns);
	else
		handle_rtp(w, in, input, buf, len, from, now_ns);
}

static void send_reports(struct cb_receive_worker *w, uint64_t now_ns)
{
	for (uint32_t i = 0; i < w->n_remotes; i++) {
		struct cb_remote *r = &w->remotes[i];
		uint8_t buf[512 + CB_SRTP_MAX_OVERHEAD];
		struct cb_rtcp_report_block block;
		struct cb_rtcp_writer writer;
		struct cb_receive_input *in;
		struct cb_srtp_session *srtp;
		size_t len;

		if (!r->active || !r->from.set || r->input >= w->n_inputs)
			continue;
		in = &w->inputs[r->input];
		if (in->transport == NULL)
			continue;
		cb_rtp_source_report(&r->source, now_ns, &block);
		cb_rtcp_writer_init(&writer, buf, sizeof(buf) - CB_SRTP_MAX_OVERHEAD);
		cb_rtcp_write_rr(&writer, w->receiver_ssrc, &block, 1);
		cb_rtcp_write_sdes_cname(&writer, w->receiver_ssrc, w->cname);
		len = writer.len;
		if (writer.failed)
			continue;
		if ((srtp = session_out(in)) == NULL) {
			cb_srtp_slot_drop(&in->srtcp_out);
			continue;
		}
		if (cb_srtp_protect_rtcp(srtp, buf, &len, sizeof(buf)) < 0)
			continue;
		cb_transport_send(in->transport, buf, len, &r->from);
	}
}

void cb_receive_worker_tick(struct cb_receive_worker *w, uint64_t now_ns)
{
	w->next_tick_ns = now_ns + IDLE_WAKE_NS;
	for (uint32_t i = 0; i < w->n_remotes; i++) {
		struct cb_remote *r = &w->remotes[i];
		if (!r->active)
			continue;
		if (now_ns - r->last_packet_ns > w->timeout_ns) {
			cb_remote_deactivate(r, "timeout");
			continue;
		}
		uint64_t next = cb_remote_produce(r, now_ns, WAKE_NS);
		if (next < w->next_tick_ns)
			w->next_tick_ns = next;
		cb_remote_publish_stats(r);
	}
	if (now_ns >= w->next_report_ns) {
		if (w->next_report_ns)
			send_reports(w, now_ns);
		w->next_report_ns = now_ns + REPORT_INTERVAL_NS;
	}
}

static void note_wait(struct cb_receive_worker *w, uint64_t now_ns, uint64_t waited_ns)
{
	cb_recent_max_note(&w->read_wait, now_ns, waited_ns);
	atomic_store_explicit(&w->stats.read_wait_max_us, cb_recent_max_get(&w->read_wait) / 1000u,
			      memory_order_relaxed);
}

void cb_receive_worker_drain(struct cb_receive_worker *w, uint32_t input)
{
	uint8_t buf[MAX_DATAGRAM + CB_SRTP_MAX_OVERHEAD];
	struct cb_transport *t = w->inputs[input].transport;
	struct cb_address from;

	/* Bounded, so a flood cannot starve the audio of its top-ups. */
	for (int i = 0; i < DRAIN_BATCH; i++) {
		uint64_t arrival, now;
		ssize_t n = cb_transport_recv_stamped(t, buf, MAX_DATAGRAM, &from, &arrival);
		if (n == -EAGAIN)
			break;
		if (n == -EMSGSIZE) {
			atomic_fetch_add_explicit(&w->stats.oversized, 1, memory_order_relaxed);
			continue;
		}
		if (n < 0)
			break;
		/* Timed by when it came off the wire, not when this thread got
		 * to it: a worker that woke late (a busy core, a higher
		 * priority thread) read its own lateness as the network's
		 * jitter, and the jitter buffer's target rose for 10 s. */
		now = cb_now_ns();
		if (arrival == 0 || arrival > now)
			arrival = now;
		note_wait(w, now, now - arrival);
		cb_receive_worker_handle_input(w, input, buf, (size_t)n, &from, arrival);
	}
}

static void *worker_thread(void *data)
{
	struct cb_receive_worker *w = data;
	struct pollfd pfd[CB_MAX_SESSIONS];
	uint32_t n = 0, index[CB_MAX_SESSIONS];

	for (uint32_t i = 0; i < w->n_inputs; i++) {
		if (w->inputs[i].transport == NULL)
			continue;
		pfd[n] = (struct pollfd) { .fd = cb_transport_fd(w->inputs[i].transport),
					   .events = POLLIN };
		index[n++] = i;
	}
	w->next_tick_ns = cb_now_ns();
	while (cb_worker_thread_running(&w->thread)) {
		/* Until the next top-up a remote's graph cycle asks for. */
		uint64_t now = cb_now_ns(), wait = w->next_tick_ns > now ? w->next_tick_ns - now : 0;
		struct timespec timeout = { .tv_sec = (time_t)(wait / 1000000000ull),
					    .tv_nsec = (long)(wait % 1000000000ull) };
		if (ppoll(pfd, n, &timeout, NULL) > 0)
			for (uint32_t i = 0; i < n; i++)
				if (pfd[i].revents & POLLIN)
					cb_receive_worker_drain(w, index[i]);
		cb_receive_worker_tick(w, cb_now_ns());
	}
	return NULL;
}

int cb_receive_worker_start(struct cb_receive_worker *w)
{
	return cb_worker_thread_start(&w->thread, "cb-receive", worker_thread, w);
}

void cb_receive_worker_pause(struct cb_receive_worker *w)
{
	cb_worker_thread_stop(&w->thread);
}

void cb_receive_worker_update(struct cb_receive_worker *w, const struct cb_call_config *call)
{
	w->accept_unknown = call->accept_unknown;
	w->timeout_ns = (uint64_t)call->remote_timeout_ms * 1000000ull;
}

void cb_receive_worker_stop(struct cb_receive_worker *w)
{
	if (!cb_worker_thread_stop(&w->thread))
		return;
	for (uint32_t i = 0; i < w->n_remotes; i++)
		cb_remote_deactivate(&w->remotes[i], "call ended");
}
