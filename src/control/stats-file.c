#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transport/transport.h"
#include "control/stats-file.h"

#define LOAD(x) ((uint64_t)atomic_load_explicit(&(x), memory_order_relaxed))

static void write_streams(FILE *f, const struct cb_stats_view *v)
{
	fprintf(f, "  \"streams\": [");
	for (uint32_t i = 0; i < v->n_streams; i++) {
		struct cb_send_stream *s = v->streams[i];
		struct cb_send_stream_stats *st = &s->stats;
		fprintf(f, "%s\n    { \"name\": \"%s\", \"ssrc\": %" PRIu32 ", \"packets\": %" PRIu64
			", \"octets\": %" PRIu64 ", \"frames\": %" PRIu64 ", \"dtx_frames\": %" PRIu64
			", \"underrun_frames\": %" PRIu64 ", \"dropped_frames\": %" PRIu64
			", \"peer_fraction_lost\": %.4f, \"peer_cumulative_lost\": %" PRId64
			", \"rtt_ms\": %.1f, \"peer_reports\": %" PRIu64 " }",
			i ? "," : "", s->config.name, s->ssrc, LOAD(st->packets), LOAD(st->octets),
			LOAD(st->frames), LOAD(st->dtx_frames), LOAD(st->underrun_frames),
			LOAD(st->dropped_frames),
			LOAD(s->feedback->fraction_lost) / 256.0,
			(int64_t)atomic_load(&s->feedback->cumulative_lost),
			atomic_load(&s->feedback->rtt_us) >= 0 ?
				(double)atomic_load(&s->feedback->rtt_us) / 1000.0 : -1.0,
			LOAD(s->feedback->reports));
	}
	fprintf(f, "%s],\n", v->n_streams ? "\n  " : "");
}

static void write_remotes(FILE *f, const struct cb_stats_view *v)
{
	bool first = true;

	fprintf(f, "  \"remotes\": [");
	for (uint32_t i = 0; i < v->n_remotes; i++) {
		struct cb_remote *r = &v->remotes[i];
		struct cb_remote_stats *st = &r->stats;
		if (!r->configured && LOAD(st->packets) == 0)
			continue;
		fprintf(f, "%s\n    { \"name\": \"%s\", \"active\": %s, \"ssrc\": %" PRIu64
			", \"packets\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"first_seq\": %" PRIu64 ", \"highest_seq\": %" PRIu64
			", \"lost\": %" PRIu64
			", \"late\": %" PRIu64 ", \"duplicates\": %" PRIu64 ", \"concealed\": %" PRIu64
			", \"fec_recovered\": %" PRIu64 ", \"auth_failures\": %" PRIu64
			", \"underrun_frames\": %" PRIu64 ", \"jitter_ms\": %.2f, \"depth_ms\": %" PRIu64
			", \"target_ms\": %" PRIu64 " }",
			first ? "" : ",", r->name, atomic_load(&r->wanted) ? "true" : "false",
			LOAD(st->ssrc), LOAD(st->packets), LOAD(st->bytes), LOAD(st->first_seq), LOAD(st->highest_seq),
			LOAD(st->lost),
			LOAD(st->late), LOAD(st->duplicates), LOAD(st->concealed),
			LOAD(st->fec_recovered), LOAD(st->auth_failures), LOAD(st->underruns),
			LOAD(st->jitter_us) / 1000.0, LOAD(st->depth_ms), LOAD(st->target_ms));
		first = false;
	}
	fprintf(f, "%s],\n", first ? "" : "\n  ");
}

static void write_ice(FILE *f, struct cb_transport *t)
{
	struct cb_transport_info i;

	cb_transport_describe(t, &i);
	fprintf(f, "  \"ice\": { \"state\": \"%s\", \"connected\": %s, ", i.state_name,
		i.state == CB_TRANSPORT_CONNECTED ? "true" : "false");
	if (i.has_pair)
		fprintf(f, "\"selected_pair\": { \"local\": \"%s\", \"local_type\": \"%s\", "
			"\"remote\": \"%s\", \"remote_type\": \"%s\", \"type\": \"%s\" }, ",
			i.pair_local, i.pair_local_type, i.pair_remote, i.pair_remote_type,
			i.pair_type);
	else
		fprintf(f, "\"selected_pair\": null, ");
	fprintf(f, "\"restarts\": %u, \"turn_failures\": %u, \"rx_packets\": %" PRIu64
		", \"tx_packets\": %" PRIu64 ", \"tx_not_connected\": %" PRIu64
		", \"tx_errors\": %" PRIu64 ", \"rx_queue_dropped\": %" PRIu64 " },\n",
		i.restarts, i.turn_failures, i.rx_datagrams, i.tx_packets, i.tx_not_ready,
		i.tx_errors, i.rx_queue_dropped);
}

void cb_stats_write_json(FILE *f, const struct cb_stats_view *v)
{
	fprintf(f, "{\n  \"call\": \"%s\",\n", v->call_name);
	write_streams(f, v);
	write_remotes(f, v);
	fprintf(f, "  \"send\": { \"rtp_sent\": %" PRIu64 ", \"rtcp_sent\": %" PRIu64
		", \"send_errors\": %" PRIu64 " },\n",
		LOAD(v->send->stats.rtp_sent), LOAD(v->send->stats.rtcp_sent),
		LOAD(v->send->stats.send_errors));
	if (v->transport && strcmp(v->transport->ops->kind, "ice") == 0)
		write_ice(f, v->transport);
	if (v->receive) {
		const struct cb_receive_stats *r = &v->receive->stats;
		/* What the transport's demux dropped (not RTP or RTCP, nobody to
		 * take it) counts as a malformed datagram, as before the demux. */
		uint64_t not_media = v->transport ?
			LOAD(v->transport->counters.rx_dropped) : 0;
		fprintf(f, "  \"receive\": { \"datagrams\": %" PRIu64 ", \"rtp\": %" PRIu64
			", \"rtcp\": %" PRIu64 ", \"auth_failures\": %" PRIu64 ", \"malformed\": %" PRIu64
			", \"unknown_payload_type\": %" PRIu64 ", \"unknown_ssrc\": %" PRIu64
			", \"oversized\": %" PRIu64 " }\n",
			LOAD(r->datagrams) + not_media, LOAD(r->rtp), LOAD(r->rtcp),
			LOAD(r->auth_failures), LOAD(r->malformed) + not_media,
			LOAD(r->unknown_payload_type), LOAD(r->unknown_ssrc), LOAD(r->oversized));
	} else {
		fprintf(f, "  \"receive\": null\n");
	}
	fprintf(f, "}\n");
}

int cb_stats_write_file(const char *path, const struct cb_stats_view *v)
{
	char tmp[4200];
	FILE *f;
	int res = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return -errno;
	cb_stats_write_json(f, v);
	if (fclose(f) != 0)
		res = -errno;
	if (res == 0 && rename(tmp, path) < 0)
		res = -errno;
	if (res < 0)
		unlink(tmp);
	return res;
}
