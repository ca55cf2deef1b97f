#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/srtp-session.h"
#include "endpoint/fanout.h"

struct slot {
	struct cb_fanout_viewer v;
	struct cb_srtp_slot srtp;	/* the send worker's, under the lock */
};

struct fanout {
	struct cb_transport base;
	int audio_level_ext_id;		/* the stream's, as the packets carry it */
	pthread_mutex_t lock;		/* guards n and slots */
	uint32_t n;
	struct slot slots[CB_FANOUT_MAX];
};

static const struct cb_transport_ops fanout_ops;

/* RFC 8285 section 4.2: one-byte elements after 0xBEDE; rewrite the id of
 * the audio-level element (RFC 6464) from the stream's to the viewer's. */
static void rewrite_extension(uint8_t *buf, size_t len, int from, int to)
{
	size_t csrc = (size_t)(buf[0] & 0x0f) * 4, pos = 12 + csrc, end;

	if (!(buf[0] & 0x10) || from == to || pos + 4 > len)
		return;
	if (buf[pos] != 0xbe || buf[pos + 1] != 0xde)
		return;
	end = pos + 4 + (size_t)((buf[pos + 2] << 8) | buf[pos + 3]) * 4;
	if (end > len)
		return;
	for (pos += 4; pos < end;) {
		int id = buf[pos] >> 4;
		size_t elen = (size_t)(buf[pos] & 0x0f) + 1;

		if (id == 0) {			/* padding */
			pos++;
			continue;
		}
		if (id == 15)
			return;
		if (id == from) {
			buf[pos] = (uint8_t)((to << 4) | (buf[pos] & 0x0f));
			return;
		}
		pos += 1 + elen;
	}
}

static int fanout_send(struct cb_transport *base, const uint8_t *buf, size_t len,
		       const struct cb_address *dest)
{
	struct fanout *f = (struct fanout *)base;
	uint8_t copy[1500 + CB_SRTP_MAX_OVERHEAD];
	/* RFC 5761 section 4: RTCP packet types 192..223 in the second octet. */
	bool rtcp = len >= 2 && buf[1] >= 192 && buf[1] <= 223;

	if (len < 12 || len > 1500)
		return -EMSGSIZE;
	pthread_mutex_lock(&f->lock);
	for (uint32_t i = 0; i < f->n; i++) {
		struct slot *s = &f->slots[i];
		struct cb_srtp_session *srtp = cb_srtp_slot_get(&s->srtp);
		size_t n = len;
		int res;

		if (srtp == NULL) {
			cb_srtp_slot_drop(&s->srtp);
			atomic_fetch_add(&s->v.counters->no_key, 1);
			continue;
		}
		memcpy(copy, buf, len);
		if (!rtcp) {
			copy[1] = (uint8_t)((copy[1] & 0x80) | (s->v.payload_type & 0x7f));
			if (s->v.audio_level_ext_id > 0 && f->audio_level_ext_id > 0)
				rewrite_extension(copy, n, f->audio_level_ext_id,
						  s->v.audio_level_ext_id);
			res = cb_srtp_protect_rtp(srtp, copy, &n, sizeof(copy));
		} else {
			res = cb_srtp_protect_rtcp(srtp, copy, &n, sizeof(copy));
		}
		if (res < 0 || cb_transport_send(s->v.transport, copy, n, dest) < 0) {
			atomic_fetch_add(&s->v.counters->errors, 1);
			continue;
		}
		atomic_fetch_add(&s->v.counters->packets, 1);
	}
	pthread_mutex_unlock(&f->lock);
	atomic_fetch_add_explicit(&base->counters.tx_packets, 1, memory_order_relaxed);
	return 0;
}

static ssize_t fanout_recv(struct cb_transport *t, uint8_t *buf, size_t cap,
			   struct cb_address *from, uint64_t *arrival_ns)
{
	return -EAGAIN;
}

static int fanout_fd(struct cb_transport *t)
{
	return -1;	/* poll(2) skips it */
}

static void fanout_describe(struct cb_transport *base, struct cb_transport_info *info)
{
	struct fanout *f = (struct fanout *)base;

	pthread_mutex_lock(&f->lock);
	info->state = f->n ? CB_TRANSPORT_CONNECTED : CB_TRANSPORT_NEW;
	snprintf(info->state_name, sizeof(info->state_name), "%u viewer%s", f->n,
		 f->n == 1 ? "" : "s");
	pthread_mutex_unlock(&f->lock);
}

static void fanout_destroy(struct cb_transport *base)
{
	struct fanout *f = (struct fanout *)base;

	for (uint32_t i = 0; i < f->n; i++)
		cb_srtp_slot_clear(&f->slots[i].srtp);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static const struct cb_transport_ops fanout_ops = {
	.kind = "whep-viewers",
	.accepts_on_read = true,
	.send = fanout_send,
	.recv_raw = fanout_recv,
	.fd = fanout_fd,
	.always_connected = true,
	.describe = fanout_describe,
	.destroy = fanout_destroy,
};

int cb_fanout_new(struct cb_transport **out, int audio_level_ext_id)
{
	struct fanout *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -ENOMEM;
	cb_transport_init(&f->base, &fanout_ops);
	f->audio_level_ext_id = audio_level_ext_id;
	pthread_mutex_init(&f->lock, NULL);
	*out = &f->base;
	return 0;
}

bool cb_is_fanout(struct cb_transport *t)
{
	return t && t->ops == &fanout_ops;
}

int cb_fanout_add(struct cb_transport *t, const struct cb_fanout_viewer *viewer)
{
	struct fanout *f = (struct fanout *)t;
	int res = -ENOSPC;

	pthread_mutex_lock(&f->lock);
	if (f->n < CB_FANOUT_MAX) {
		struct slot *s = &f->slots[f->n++];
		s->v = *viewer;
		cb_srtp_slot_init(&s->srtp, viewer->keying, CB_KEY_SEND, CB_SRTP_OUTBOUND);
		res = 0;
	}
	pthread_mutex_unlock(&f->lock);
	return res;
}

void cb_fanout_remove(struct cb_transport *t, struct cb_transport *transport)
{
	struct fanout *f = (struct fanout *)t;

	pthread_mutex_lock(&f->lock);
	for (uint32_t i = 0; i < f->n; i++) {
		if (f->slots[i].v.transport != transport)
			continue;
		cb_srtp_slot_clear(&f->slots[i].srtp);
		f->slots[i] = f->slots[--f->n];
		memset(&f->slots[f->n], 0, sizeof(f->slots[f->n]));
		break;
	}
	pthread_mutex_unlock(&f->lock);
}

uint32_t cb_fanout_count(struct cb_transport *t)
{
	struct fanout *f = (struct fanout *)t;
	uint32_t n;

	pthread_mutex_lock(&f->lock);
	n = f->n;
	pthread_mutex_unlock(&f->lock);
	return n;
}
