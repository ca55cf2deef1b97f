#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/status.h"

#define MAX_ENTRIES (CB_MAX_TRACKS + CB_MAX_STREAMS + CB_MAX_REMOTES + 4)
#define VALUE_MAX 640
#define BITRATE_WINDOW_NS 1000000000ull
#define JSON_TYPE "Spa:String:JSON"
#define LOAD(x) ((uint64_t)atomic_load_explicit(&(x), memory_order_relaxed))

struct entry {
	char key[16 + CB_NAME_MAX];
	char value[VALUE_MAX];
	bool used;
	bool seen;		/* in this round; unseen entries are removed */
	/* streams: the bitrate over the last window */
	uint64_t window_octets;
	uint64_t window_start_ns;
	uint64_t bitrate;
};

struct cb_status {
	struct entry entries[MAX_ENTRIES];
	uint64_t last_ns;
	bool published;
};

int cb_status_new(struct cb_status **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void cb_status_free(struct cb_status *st)
{
	free(st);
}

static struct entry *find_entry(struct cb_status *st, const char *key)
{
	struct entry *free_slot = NULL;

	for (uint32_t i = 0; i < MAX_ENTRIES; i++) {
		struct entry *e = &st->entries[i];
		if (e->used && strcmp(e->key, key) == 0)
			return e;
		if (!e->used && free_slot == NULL)
			free_slot = e;
	}
	if (free_slot) {
		memset(free_slot, 0, sizeof(*free_slot));
		free_slot->used = true;
		snprintf(free_slot->key, sizeof(free_slot->key), "%s", key);
	}
	return free_slot;
}

static void put(struct cb_call_metadata *md, struct entry *e, const char *value)
{
	e->seen = true;
	if (strcmp(e->value, value) == 0)
		return;
	snprintf(e->value, sizeof(e->value), "%s", value);
	cb_call_metadata_set(md, e->key, JSON_TYPE, e->value);
}

static void put_track(struct cb_status *st, struct cb_call_metadata *md, struct cb_track_node *t)
{
	char key[sizeof(st->entries[0].key)], value[VALUE_MAX];
	struct cb_track_state *s = &t->shared;
	struct entry *e;

	snprintf(key, sizeof(key), "track.%s", t->config.name);
	if ((e = find_entry(st, key)) == NULL)
		return;
	snprintf(value, sizeof(value),
		 "{ \"level\": %u, \"speaking\": %s, \"paused\": %s, \"ignore_audio_level\": %s,"
		 " \"flushed_frames\": %" PRIu64 " }",
		 atomic_load(&s->level), atomic_load(&s->speaking) ? "true" : "false",
		 atomic_load(&s->paused) ? "true" : "false",
		 t->config.ignore_audio_level ? "true" : "false", LOAD(s->flushed_frames));
	put(md, e, value);
}

static void put_stream(struct cb_status *st, struct cb_call_metadata *md,
		       struct cb_send_stream *s, uint64_t now_ns)
{
	char key[sizeof(st->entries[0].key)], value[VALUE_MAX], rtt[32];
	uint64_t octets = LOAD(s->stats.octets);
	int64_t rtt_us = atomic_load(&s->feedback->rtt_us);
	struct entry *e;

	snprintf(key, sizeof(key), "stream.%s", s->config.name);
	if ((e = find_entry(st, key)) == NULL)
		return;
	/* The payload bitrate over whole windows, so the value holds still
	 * between windows instead of changing on every publish. */
	if (e->window_start_ns == 0) {
		e->window_start_ns = now_ns;
		e->window_octets = octets;
	} else if (now_ns - e->window_start_ns >= BITRATE_WINDOW_NS) {
		e->bitrate = (octets - e->window_octets) * 8ull * 1000000000ull /
			     (now_ns - e->window_start_ns);
		e->window_start_ns = now_ns;
		e->window_octets = octets;
	}
	if (rtt_us >= 0)
		snprintf(rtt, sizeof(rtt), "%.1f", rtt_us / 1000.0);
	else
		snprintf(rtt, sizeof(rtt), "null");
	snprintf(value, sizeof(value),
		 "{ \"ssrc\": %" PRIu32 ", \"packets\": %" PRIu64 ", \"bytes\": %" PRIu64
		 ", \"bitrate\": %" PRIu64 ", \"rtt_ms\": %s, \"peer_fraction_lost\": %.4f"
		 ", \"peer_cumulative_lost\": %" PRId64 ", \"peer_reports\": %" PRIu64 " }",
		 s->ssrc, LOAD(s->stats.packets), octets, e->bitrate, rtt,
		 LOAD(s->feedback->fraction_lost) / 256.0,
		 (int64_t)atomic_load(&s->feedback->cumulative_lost), LOAD(s->feedback->reports));
	put(md, e, value);
}

static void put_remote(struct cb_status *st, struct cb_call_metadata *md, struct cb_remote *r)
{
	char key[sizeof(st->entries[0].key)], value[VALUE_MAX];
	struct cb_remote_stats *s = &r->stats;
	struct entry *e;

	/* Free slots for unknown SSRCs show up once something arrived. */
	if (r->name[0] == '\0' || (!r->configured && LOAD(s->packets) == 0 && LOAD(s->auth_failures) == 0))
		return;
	snprintf(key, sizeof(key), "remote.%s", r->name);
	if ((e = find_entry(st, key)) == NULL)
		return;
	snprintf(value, sizeof(value),
		 "{ \"active\": %s, \"ssrc\": %" PRIu64 ", \"level\": %" PRIu64 ", \"voice\": %s"
		 ", \"packets\": %" PRIu64 ", \"jitter_ms\": %.2f, \"depth_ms\": %" PRIu64
		 ", \"lost\": %" PRIu64 ", \"concealed\": %" PRIu64 ", \"fec_recovered\": %" PRIu64
		 ", \"auth_failures\": %" PRIu64 " }",
		 atomic_load(&r->wanted) ? "true" : "false", LOAD(s->ssrc), LOAD(s->audio_level),
		 atomic_load(&s->voice) ? "true" : "false", LOAD(s->packets),
		 LOAD(s->jitter_us) / 1000.0, LOAD(s->depth_ms), LOAD(s->lost), LOAD(s->concealed),
		 LOAD(s->fec_recovered), LOAD(s->auth_failures));
	put(md, e, value);
}

static void put_call(struct cb_status *st, struct cb_call_metadata *md,
		     const struct cb_status_view *v)
{
	char value[VALUE_MAX], pair[128];
	struct entry *e;

	if (v->selected_pair)
		snprintf(pair, sizeof(pair), "\"%s\"", v->selected_pair);
	else
		snprintf(pair, sizeof(pair), "null");
	if ((e = find_entry(st, "transport")) != NULL) {
		snprintf(value, sizeof(value),
			 "{ \"state\": \"%s\", \"local\": \"%s\", \"srtp\": \"%s\", \"selected_pair\": %s }",
			 v->transport, v->local_address, v->srtp, pair);
		put(md, e, value);
	}
	if (v->receive && (e = find_entry(st, "receive")) != NULL) {
		const struct cb_receive_stats *r = &v->receive->stats;
		snprintf(value, sizeof(value),
			 "{ \"datagrams\": %" PRIu64 ", \"rtp\": %" PRIu64 ", \"rtcp\": %" PRIu64
			 ", \"auth_failures\": %" PRIu64 ", \"malformed\": %" PRIu64
			 ", \"unknown_payload_type\": %" PRIu64 ", \"unknown_ssrc\": %" PRIu64 " }",
			 LOAD(r->datagrams), LOAD(r->rtp), LOAD(r->rtcp), LOAD(r->auth_failures),
			 LOAD(r->malformed), LOAD(r->unknown_payload_type), LOAD(r->unknown_ssrc));
		put(md, e, value);
	}
}

void cb_status_publish(struct cb_status *st, struct cb_call_metadata *md,
		       const struct cb_status_view *v, uint64_t now_ns)
{
	if (st->published && now_ns - st->last_ns < CB_STATUS_PERIOD_NS)
		return;
	st->published = true;
	st->last_ns = now_ns;

	for (uint32_t i = 0; i < MAX_ENTRIES; i++)
		st->entries[i].seen = false;
	put_call(st, md, v);
	for (uint32_t i = 0; i < v->n_tracks; i++)
		put_track(st, md, v->tracks[i]);
	for (uint32_t i = 0; i < v->n_streams; i++)
		put_stream(st, md, v->streams[i], now_ns);
	for (uint32_t i = 0; i < v->n_remotes; i++)
		put_remote(st, md, &v->remotes[i]);
	/* Whatever went away (a reload removed it, a remote was renamed)
	 * leaves the metadata too. */
	for (uint32_t i = 0; i < MAX_ENTRIES; i++) {
		struct entry *e = &st->entries[i];
		if (e->used && !e->seen) {
			cb_call_metadata_set(md, e->key, NULL, NULL);
			e->used = false;
		}
	}
}
