/* One hand-made snapshot, its two renderings: the values status publishes
 * (through status.c, as they would go into the metadata) and the stats
 * file's document.  Both must be strict JSON (json-check.h, not SPA's
 * lenient parser), and every field of a status value must carry exactly
 * the same text as the same field of the document's object for the same
 * track, stream, remote or receive path: octets in both, rtt_ms null in
 * both while unknown and the same number once known. */
#include <errno.h>
#include <unistd.h>

#include <spa/utils/json.h>

#include "control/snapshot-json.h"
#include "control/stats-file.h"
#include "control/status.h"
#include "json-check.h"
#include "test.h"

static struct cb_snapshot snap;

static void make_snapshot(void)
{
	struct cb_transport_info *t = &snap.transport;

	/* Names are [a-z0-9_-] in a real call; these make the writer escape. */
	snprintf(snap.call_name, sizeof(snap.call_name), "call \"one\" \\ \x01\xff");
	snprintf(snap.srtp, sizeof(snap.srtp), "AES_CM_128_HMAC_SHA1_80");
	t->kind = "ice";
	t->state = CB_TRANSPORT_CONNECTED;
	snprintf(t->state_name, sizeof(t->state_name), "ready");
	snprintf(t->local, sizeof(t->local), "127.0.0.1:5004");
	t->has_pair = true;
	snprintf(t->pair_local, sizeof(t->pair_local), "127.0.0.1:5004");
	snprintf(t->pair_remote, sizeof(t->pair_remote), "[::1]:\"6000\"");
	t->pair_local_type = "host";
	t->pair_remote_type = NULL;	/* shown as "unknown", never a crash */
	t->pair_type = "host";
	t->restarts = 2;
	t->rx_datagrams = 1000;

	snap.n_tracks = 2;
	snap.tracks[0] = (struct cb_snapshot_track) {
		.name = "voice", .level = 20, .speaking = true, .flushed_frames = 480,
		.frames_in = 123456789012ull, .overrun_frames = 7,
	};
	snap.tracks[1] = (struct cb_snapshot_track) {
		.name = "music", .level = 127, .paused = true, .ignore_audio_level = true,
	};

	snap.n_streams = 2;
	snap.streams[0] = (struct cb_snapshot_stream) {
		.name = "main", .ssrc = 0xdeadbeef, .packets = 5000, .octets = 18446744073709551615ull,
		.bitrate = 64000, .frames = 5001, .dtx_frames = 3, .underrun_frames = 4,
		.dropped_frames = 5, .has_rtt = true, .rtt_us = 12345,
		.peer_fraction_lost = 0.25, .peer_cumulative_lost = -3, .peer_reports = 9,
	};
	snap.streams[1] = (struct cb_snapshot_stream) {
		.name = "backup", .ssrc = 1, .packets = 10, .octets = 1200,
	};

	snap.n_remotes = 3;
	snap.remotes[0] = (struct cb_snapshot_remote) {
		.name = "peer", .configured = true, .active = true, .ssrc = 0x0badcafe,
		.level = 18, .voice = true, .packets = 250, .bytes = 30000, .first_seq = 65530,
		.highest_seq = 65780, .lost = 2, .late = 1, .duplicates = 1, .concealed = 3,
		.fec_recovered = 1, .underrun_frames = 960, .trimmed_frames = 240,
		.jitter_us = 1234, .depth_ms = 40,
		.target_ms = 40, .drift_ppm = -2996, .ring_us = 2667,
	};
	/* an unknown SSRC that only failed authentication: shown */
	snap.remotes[1] = (struct cb_snapshot_remote) {
		.name = "0badf00d", .ssrc = 0x0badf00d, .level = 127, .auth_failures = 12,
	};
	/* a free slot: in neither */
	snap.remotes[2] = (struct cb_snapshot_remote) { .name = "", .level = 127 };

	snap.send = (struct cb_snapshot_send) { .rtp_sent = 5010, .rtcp_sent = 4, .no_key = 1 };
	snap.receiving = true;
	snap.receive = (struct cb_snapshot_receive) {
		.datagrams = 300, .rtp = 250, .rtcp = 20, .auth_failures = 12, .malformed = 18,
		.read_wait_max_us = 2100,
	};
}

/* The text of field key in the object text obj, whole for a container. */
static bool get_field(const char *obj, size_t len, const char *key, const char **val, int *n)
{
	struct spa_json it, sub;
	char k[64];

	spa_json_init(&it, obj, len);
	if (spa_json_enter_object(&it, &sub) <= 0)
		return false;
	while (spa_json_get_string(&sub, k, sizeof(k)) > 0) {
		if ((*n = spa_json_next(&sub, val)) <= 0)
			return false;
		if (spa_json_is_container(*val, *n))
			*n = spa_json_container_len(&sub, *val, *n);
		if (strcmp(k, key) == 0)
			return true;
	}
	return false;
}

/* The element of the document's array whose "name" is name. */
static bool get_named(const char *doc, const char *array, const char *name,
		      const char **obj, int *obj_len)
{
	const char *arr, *v, *nv;
	struct spa_json it, sub;
	int n, nn;
	char text[64];

	if (!get_field(doc, strlen(doc), array, &arr, &n))
		return false;
	spa_json_init(&it, arr, (size_t)n);
	if (spa_json_enter_array(&it, &sub) <= 0)
		return false;
	while ((n = spa_json_next(&sub, &v)) > 0) {
		n = spa_json_container_len(&sub, v, n);
		if (get_field(v, (size_t)n, "name", &nv, &nn) &&
		    spa_json_parse_stringn(nv, nn, text, sizeof(text)) > 0 &&
		    strcmp(text, name) == 0) {
			*obj = v;
			*obj_len = n;
			return true;
		}
	}
	return false;
}

/* Every field of the status value, the same text in the document's object;
 * returns how many fields it compared. */
static int check_same_fields(const char *what, const char *value, const char *obj, int obj_len)
{
	struct spa_json it, sub;
	const char *v, *dv;
	char k[64];
	int n, dn, fields = 0;

	spa_json_init(&it, value, strlen(value));
	if (spa_json_enter_object(&it, &sub) <= 0) {
		CHECK(!"a status value is an object");
		return 0;
	}
	while (spa_json_get_string(&sub, k, sizeof(k)) > 0 && (n = spa_json_next(&sub, &v)) > 0) {
		fields++;
		if (!get_field(obj, (size_t)obj_len, k, &dv, &dn)) {
			fprintf(stderr, "%s: field %s is not in the stats file\n", what, k);
			CHECK(!"every status field is in the stats file");
			continue;
		}
		if (dn != n || strncmp(dv, v, (size_t)n) != 0) {
			fprintf(stderr, "%s.%s: status %.*s, stats file %.*s\n", what, k, n, v, dn, dv);
			CHECK(!"status and the stats file agree");
		}
	}
	return fields;
}

static const char *field_text(const char *obj, size_t len, const char *key, char *out, size_t cap)
{
	const char *v;
	int n;

	if (!get_field(obj, len, key, &v, &n) || (size_t)n >= cap)
		return NULL;
	snprintf(out, cap, "%.*s", n, v);
	return out;
}

static char *render_document(size_t *len)
{
	struct cb_json_out o;
	char *doc = NULL;
	FILE *f = open_memstream(&doc, len);

	cb_json_out_file(&o, f);
	cb_snapshot_json_document(&o, &snap);
	CHECK(!o.failed);
	fclose(f);
	return doc;
}

static void test_status_and_file_agree(void)
{
	struct cb_status *st;
	const char *value, *obj = NULL;
	char text[128];
	size_t doc_len;
	char *doc;
	int obj_len;

	CHECK_INT_EQ(cb_status_new(&st), 0);
	cb_status_publish(st, NULL, &snap, 0);
	doc = render_document(&doc_len);
	CHECK(json_check(doc, doc_len));

	static const char *const keys[] = {
		"transport", "receive", "track.voice", "track.music", "stream.main",
		"stream.backup", "remote.peer", "remote.0badf00d",
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		value = cb_status_value(st, keys[i]);
		CHECK(value != NULL);
		if (value == NULL)
			continue;
		if (!json_check(value, strlen(value)))
			fprintf(stderr, "%s is not strict JSON: %s\n", keys[i], value);
		CHECK(json_check(value, strlen(value)));
	}
	CHECK(cb_status_value(st, "remote.") == NULL);	/* the free slot */

	/* Same object, same fields, same text. */
	static const char *const named[][3] = {
		{ "track.voice", "tracks", "voice" }, { "track.music", "tracks", "music" },
		{ "stream.main", "streams", "main" }, { "stream.backup", "streams", "backup" },
		{ "remote.peer", "remotes", "peer" }, { "remote.0badf00d", "remotes", "0badf00d" },
	};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		value = cb_status_value(st, named[i][0]);
		CHECK(get_named(doc, named[i][1], named[i][2], &obj, &obj_len));
		if (value && obj)
			CHECK(check_same_fields(named[i][0], value, obj, obj_len) >= 7);
		obj = NULL;
	}
	CHECK(get_field(doc, doc_len, "receive", &obj, &obj_len));
	CHECK_INT_EQ(check_same_fields("receive", cb_status_value(st, "receive"), obj, obj_len), 11);

	/* The fields the issue was about, by value. */
	value = cb_status_value(st, "stream.main");
	CHECK_STR_EQ(field_text(value, strlen(value), "octets", text, sizeof(text)),
		     "18446744073709551615");
	CHECK_STR_EQ(field_text(value, strlen(value), "rtt_ms", text, sizeof(text)), "12.3");
	CHECK_STR_EQ(field_text(value, strlen(value), "peer_fraction_lost", text, sizeof(text)),
		     "0.2500");
	CHECK_STR_EQ(field_text(value, strlen(value), "peer_cumulative_lost", text, sizeof(text)),
		     "-3");
	CHECK(field_text(value, strlen(value), "bytes", text, sizeof(text)) == NULL);
	CHECK(field_text(value, strlen(value), "name", text, sizeof(text)) == NULL);
	value = cb_status_value(st, "stream.backup");
	CHECK_STR_EQ(field_text(value, strlen(value), "rtt_ms", text, sizeof(text)), "null");
	CHECK(get_named(doc, "streams", "backup", &obj, &obj_len));
	CHECK_STR_EQ(field_text(obj, (size_t)obj_len, "rtt_ms", text, sizeof(text)), "null");
	CHECK_STR_EQ(field_text(obj, (size_t)obj_len, "octets", text, sizeof(text)), "1200");
	value = cb_status_value(st, "remote.peer");
	CHECK_STR_EQ(field_text(value, strlen(value), "jitter_ms", text, sizeof(text)), "1.23");
	CHECK_STR_EQ(field_text(value, strlen(value), "drift_ppm", text, sizeof(text)), "-2996");
	CHECK_STR_EQ(field_text(value, strlen(value), "ring_ms", text, sizeof(text)), "2.67");
	CHECK_STR_EQ(field_text(value, strlen(value), "trimmed_frames", text, sizeof(text)), "240");

	/* The status transport: the pair as one line, escaped. */
	value = cb_status_value(st, "transport");
	CHECK_STR_EQ(field_text(value, strlen(value), "state", text, sizeof(text)), "\"ice ready\"");
	CHECK_STR_EQ(field_text(value, strlen(value), "selected_pair", text, sizeof(text)),
		     "\"127.0.0.1:5004 (host) -> [::1]:\\\"6000\\\" (unknown), host\"");
	/* The stats file's ice object, and the call name escaped. */
	CHECK(get_field(doc, doc_len, "ice", &obj, &obj_len));
	CHECK_STR_EQ(field_text(obj, (size_t)obj_len, "connected", text, sizeof(text)), "true");
	CHECK_STR_EQ(field_text(obj, (size_t)obj_len, "rx_packets", text, sizeof(text)), "1000");
	CHECK_STR_EQ(field_text(doc, doc_len, "call", text, sizeof(text)),
		     "\"call \\\"one\\\" \\\\ \\u0001\\ufffd\"");
	/* The top level the file always had, and its shape. */
	static const char *const top[] = { "call", "tracks", "streams", "remotes", "send", "ice",
					   "receive" };
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		CHECK(get_field(doc, doc_len, top[i], &obj, &obj_len));
	CHECK(get_named(doc, "remotes", "0badf00d", &obj, &obj_len));
	CHECK(!get_named(doc, "remotes", "", &obj, &obj_len));
	free(doc);

	/* Not ICE, not receiving: no "ice", receive null, and status drops
	 * the receive key it had. */
	snap.transport.kind = "udp";
	snap.transport.has_pair = false;
	snap.receiving = false;
	snap.n_streams = 1;
	doc = render_document(&doc_len);
	CHECK(json_check(doc, doc_len));
	CHECK(!get_field(doc, doc_len, "ice", &obj, &obj_len));
	CHECK_STR_EQ(field_text(doc, doc_len, "receive", text, sizeof(text)), "null");
	free(doc);
	cb_status_publish(st, NULL, &snap, CB_STATUS_PERIOD_NS / 2);
	CHECK(cb_status_value(st, "receive") != NULL);	/* too soon: nothing changes */
	cb_status_publish(st, NULL, &snap, CB_STATUS_PERIOD_NS);
	CHECK(cb_status_value(st, "receive") == NULL);
	CHECK(cb_status_value(st, "stream.backup") == NULL);
	value = cb_status_value(st, "transport");
	CHECK_STR_EQ(field_text(value, strlen(value), "state", text, sizeof(text)), "\"udp\"");
	CHECK_STR_EQ(field_text(value, strlen(value), "selected_pair", text, sizeof(text)), "null");
	cb_status_free(st);
}

/* A buffer too small fails instead of handing out cut-short JSON. */
static void test_small_buffer(void)
{
	struct cb_json_out o;
	char buf[32];

	cb_json_out_buffer(&o, buf, sizeof(buf));
	cb_snapshot_json_stream(&o, &snap.streams[0], true);
	CHECK(o.failed);
	cb_json_out_buffer(&o, buf, sizeof(buf));
	cb_snapshot_json_send(&o, &(struct cb_snapshot) { 0 });
	CHECK(o.failed);
	cb_json_out_buffer(&o, buf, sizeof(buf));
	cb_json_open_object(&o, NULL);
	cb_json_fixed(&o, "x", NAN, 1);
	cb_json_close_object(&o);
	CHECK(!o.failed);
	CHECK_STR_EQ(buf, "{ \"x\": null }");
}

/* The file holds exactly the document, and no temporary is left. */
static void test_file(void)
{
	char dir[] = "/tmp/cb-snapshot-json.XXXXXX", path[64], tmp[80], got[16384];
	size_t doc_len, n;
	char *doc = render_document(&doc_len);
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/stats.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CHECK_INT_EQ(cb_stats_write_file(path, &snap), 0);
	f = fopen(path, "r");
	CHECK(f != NULL);
	n = f ? fread(got, 1, sizeof(got) - 1, f) : 0;
	got[n] = '\0';
	if (f)
		fclose(f);
	CHECK_INT_EQ(n, doc_len);
	CHECK_STR_EQ(got, doc);
	CHECK(access(tmp, F_OK) != 0);
	/* A directory that is not there: an error, nothing written. */
	snprintf(path, sizeof(path), "%s/none/stats.json", dir);
	CHECK_INT_EQ(cb_stats_write_file(path, &snap), -ENOENT);
	snprintf(path, sizeof(path), "%s/stats.json", dir);
	unlink(path);
	rmdir(dir);
	free(doc);
}

int main(void)
{
	make_snapshot();
	test_file();
	test_status_and_file_agree();
	test_small_buffer();
	return test_finish("test-snapshot-json");
}
