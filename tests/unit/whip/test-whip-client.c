/* The WHIP/WHEP HTTP client (whip/whip-client.h) against a real libsoup
 * server in the same process, bound to port 0, both on the shared GLib
 * thread.  The server plays the parts RFC 9725 and real servers play:
 * a relative Location, an ETag, a Link with STUN and TURN, a 307 to
 * elsewhere, a 503 with Retry-After, a 401, a server without trickle (405),
 * a garbage Link header; the test checks what the client sent (method,
 * Bearer token, content type, If-Match, body) and what it reported. */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include <libsoup/soup.h>

#include "transport/glib-thread.h"
#include "whip/whip-client.h"
#include "test.h"
#include "test-server.h"

#define TOKEN "s3cret-token"
#define ANSWER "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


/* What the server saw, by the GLib thread; read after waits. */
static struct {
	atomic_uint posts, patches, deletes, denied, busy;
	char last_auth[128], last_type[64], last_if_match[64], last_patch_path[64];
	char last_body[256];
} seen;

static void reply(SoupServerMessage *msg, unsigned int status, const char *type, const char *body)
{
	soup_server_message_set_status(msg, status, NULL);
	if (body)
		soup_server_message_set_response(msg, type, SOUP_MEMORY_COPY, body, strlen(body));
}

static void handler(SoupServer *s, SoupServerMessage *msg, const char *path, GHashTable *query,
		    gpointer data)
{
	const char *method = soup_server_message_get_method(msg);
	SoupMessageHeaders *req = soup_server_message_get_request_headers(msg);
	SoupMessageHeaders *res = soup_server_message_get_response_headers(msg);
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	const char *auth = soup_message_headers_get_one(req, "Authorization");
	const char *type = soup_message_headers_get_content_type(req, NULL);
	const char *if_match = soup_message_headers_get_one(req, "If-Match");

	snprintf(seen.last_auth, sizeof(seen.last_auth), "%s", auth ? auth : "");
	snprintf(seen.last_type, sizeof(seen.last_type), "%s", type ? type : "");
	snprintf(seen.last_if_match, sizeof(seen.last_if_match), "%s", if_match ? if_match : "");
	snprintf(seen.last_body, sizeof(seen.last_body), "%.*s",
		 body && body->length < 255 ? (int)body->length : 0, body ? body->data : "");
	if (strcmp(method, "PATCH") == 0) {
		atomic_fetch_add(&seen.patches, 1);
		snprintf(seen.last_patch_path, sizeof(seen.last_patch_path), "%s", path);
		reply(msg, strncmp(path, "/nt/", 4) == 0 ? 405 : 204, NULL, NULL);
		return;
	}
	if (strcmp(method, "DELETE") == 0) {
		atomic_fetch_add(&seen.deletes, 1);
		reply(msg, 200, NULL, NULL);
		return;
	}
	atomic_fetch_add(&seen.posts, 1);
	if (strcmp(path, "/whip/denied") == 0 || !auth || strcmp(auth, "Bearer " TOKEN) != 0) {
		atomic_fetch_add(&seen.denied, 1);
		reply(msg, 401, NULL, NULL);
		return;
	}
	if (strcmp(path, "/whip/moved") == 0) {
		soup_message_headers_replace(res, "Location", "/whip/ok?from=moved");
		reply(msg, 307, NULL, NULL);
		return;
	}
	if (strcmp(path, "/whip/busy") == 0 && atomic_fetch_add(&seen.busy, 1) == 0) {
		soup_message_headers_replace(res, "Retry-After", "1");
		reply(msg, 503, NULL, NULL);
		return;
	}
	/* RFC 9725 section 4.2: 201, the resource, its ETag, ICE servers. */
	soup_message_headers_replace(res, "location",
				     strcmp(path, "/whip/notrickle") == 0 ? "/nt/1" : "resource/1");
	soup_message_headers_replace(res, "ETag", "\"e1\"");
	if (strcmp(path, "/whip/badlink") == 0)
		soup_message_headers_append(res, "Link", "<stun:x; rel=ice-server");
	else {
		soup_message_headers_append(res, "Link", "<stun:stun.example.net>; rel=\"ice-server\"");
		soup_message_headers_append(res, "Link", "<turn:turn.example.net?transport=udp>; "
					    "rel=\"ice-server\"; username=\"u\"; credential=\"p\"");
	}
	reply(msg, 201, "application/sdp", ANSWER);
}

/* ---- one client, driven from this thread ---- */

struct run {
	struct cb_whip_client *c;
	const char *path;
	const char *token;
	atomic_int answered, failed, ended;
	unsigned int failed_status;
	char reason[200];
	struct cb_ice_servers servers;
	char answer[256];
};

static void on_answered(void *data, const char *sdp, size_t len, const struct cb_ice_servers *s)
{
	struct run *r = data;

	snprintf(r->answer, sizeof(r->answer), "%.*s", (int)len, sdp);
	r->servers = *s;
	atomic_store(&r->answered, 1);
}

static void on_failed(void *data, unsigned int status, const char *reason)
{
	struct run *r = data;

	r->failed_status = status;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	atomic_fetch_add(&r->failed, 1);
}

static void on_ended(void *data)
{
	atomic_store(&((struct run *)data)->ended, 1);
}

static const struct cb_whip_events events = {
	.answered = on_answered, .failed = on_failed, .ended = on_ended,
};

static gboolean do_new_and_post(gpointer data)
{
	struct run *r = data;
	char url[256];

	snprintf(url, sizeof(url), "%s%s", base, r->path);
	CHECK_INT_EQ(cb_whip_client_new(&r->c, url, r->token, &events, r), 0);
	CHECK_INT_EQ(cb_whip_client_post(r->c, "v=0\r\noffer\r\n"), 0);
	return G_SOURCE_REMOVE;
}

static gboolean do_patch(gpointer data)
{
	struct run *r = data;

	cb_whip_client_patch(r->c, "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n");
	return G_SOURCE_REMOVE;
}

static gboolean do_delete(gpointer data)
{
	cb_whip_client_delete(((struct run *)data)->c);
	return G_SOURCE_REMOVE;
}

static gboolean do_free(gpointer data)
{
	cb_whip_client_free(((struct run *)data)->c);
	return G_SOURCE_REMOVE;
}

static bool wait_for(atomic_int *flag, int ms)
{
	for (int i = 0; i < ms / 10 && atomic_load(flag) == 0; i++)
		g_usleep(10000);
	return atomic_load(flag) != 0;
}

static void test_publish(void)
{
	struct run r = { .path = "/whip/ok?key=hidden", .token = TOKEN };
	char want[256];

	cb_glib_thread_call(do_new_and_post, &r);
	CHECK(wait_for(&r.answered, 5000));
	CHECK_STR_EQ(r.answer, ANSWER);
	CHECK_STR_EQ(seen.last_auth, "Bearer " TOKEN);
	CHECK_STR_EQ(seen.last_type, "application/sdp");
	CHECK_STR_EQ(seen.last_body, "v=0\r\noffer\r\n");
	/* Location "resource/1" resolved against /whip/ok; the query is kept
	 * out of what is shown. */
	snprintf(want, sizeof(want), "%s/whip/resource/1", base);
	CHECK_STR_EQ(cb_whip_client_resource(r.c), want);
	CHECK(strstr(cb_whip_client_display_url(r.c), "hidden") == NULL);
	CHECK_INT_EQ(cb_whip_client_state(r.c), CB_WHIP_ACTIVE);
	/* Two Link headers, joined: STUN and TURN with credentials. */
	CHECK_INT_EQ(r.servers.n, 2);
	CHECK_STR_EQ(r.servers.servers[1].host, "turn.example.net");
	CHECK_STR_EQ(r.servers.servers[1].credential, "p");

	cb_glib_thread_call(do_patch, &r);
	for (int i = 0; i < 300 && atomic_load(&seen.patches) == 0; i++)
		g_usleep(10000);
	CHECK_INT_EQ(atomic_load(&seen.patches), 1);
	CHECK_STR_EQ(seen.last_type, "application/trickle-ice-sdpfrag");
	CHECK_STR_EQ(seen.last_if_match, "\"e1\"");
	CHECK_STR_EQ(seen.last_patch_path, "/whip/resource/1");
	CHECK_STR_EQ(seen.last_auth, "Bearer " TOKEN);

	cb_glib_thread_call(do_delete, &r);
	CHECK(wait_for(&r.ended, 5000));
	CHECK_INT_EQ(atomic_load(&seen.deletes), 1);
	CHECK_INT_EQ(cb_whip_client_state(r.c), CB_WHIP_ENDED);
	CHECK_INT_EQ(atomic_load(&r.failed), 0);
	cb_glib_thread_call(do_free, &r);
}

static void test_redirect_and_busy(void)
{
	struct run moved = { .path = "/whip/moved", .token = TOKEN };
	struct run busy = { .path = "/whip/busy", .token = TOKEN };
	gint64 t0;

	cb_glib_thread_call(do_new_and_post, &moved);
	CHECK(wait_for(&moved.answered, 5000));
	/* The body went again, to the new place. */
	CHECK_STR_EQ(seen.last_body, "v=0\r\noffer\r\n");
	CHECK_STR_CONTAINS(cb_whip_client_resource(moved.c), "/whip/resource/1");
	cb_glib_thread_call(do_free, &moved);

	t0 = g_get_monotonic_time();
	cb_glib_thread_call(do_new_and_post, &busy);
	CHECK(wait_for(&busy.answered, 5000));
	CHECK(g_get_monotonic_time() - t0 >= 900000);	/* Retry-After: 1 */
	CHECK_INT_EQ(atomic_load(&seen.busy), 2);
	CHECK_INT_EQ(cb_whip_client_requests(busy.c), 2);
	cb_glib_thread_call(do_free, &busy);
}

static void test_refusals(void)
{
	struct run denied = { .path = "/whip/ok", .token = "wrong" };
	struct run nt = { .path = "/whip/notrickle", .token = TOKEN };
	struct run bad = { .path = "/whip/badlink", .token = TOKEN };
	unsigned int denied_before = atomic_load(&seen.denied), patches;

	/* 401: reported once, not retried. */
	cb_glib_thread_call(do_new_and_post, &denied);
	CHECK(wait_for(&denied.failed, 5000));
	g_usleep(300000);
	CHECK_INT_EQ(atomic_load(&denied.failed), 1);
	CHECK_INT_EQ(denied.failed_status, 401);
	CHECK_INT_EQ(atomic_load(&seen.denied) - denied_before, 1);
	CHECK_STR_CONTAINS(denied.reason, "token");
	CHECK(strstr(denied.reason, "wrong") == NULL);
	cb_glib_thread_call(do_free, &denied);

	/* 405 on PATCH: trickle off, quietly; later PATCHes are not sent. */
	cb_glib_thread_call(do_new_and_post, &nt);
	CHECK(wait_for(&nt.answered, 5000));
	patches = atomic_load(&seen.patches);
	cb_glib_thread_call(do_patch, &nt);
	for (int i = 0; i < 300 && cb_whip_client_trickle(nt.c); i++)
		g_usleep(10000);
	CHECK(!cb_whip_client_trickle(nt.c));
	cb_glib_thread_call(do_patch, &nt);
	g_usleep(200000);
	CHECK_INT_EQ(atomic_load(&seen.patches) - patches, 1);
	CHECK_INT_EQ(atomic_load(&nt.failed), 0);
	cb_glib_thread_call(do_free, &nt);

	/* A Link header that does not parse fails the session with a reason. */
	cb_glib_thread_call(do_new_and_post, &bad);
	CHECK(wait_for(&bad.failed, 5000));
	CHECK_STR_CONTAINS(bad.reason, "Link header");
	CHECK_INT_EQ(atomic_load(&bad.answered), 0);
	cb_glib_thread_call(do_free, &bad);
}

static gboolean do_bad_urls(gpointer data)
{
	struct cb_whip_client *c = NULL;

	CHECK_INT_EQ(cb_whip_client_new(&c, "ftp://x/whip", NULL, &events, NULL), -EINVAL);
	CHECK_INT_EQ(cb_whip_client_new(&c, "not a url", NULL, &events, NULL), -EINVAL);
	CHECK_INT_EQ(cb_whip_client_new(&c, "http:///nohost", NULL, &events, NULL), -EINVAL);
	return G_SOURCE_REMOVE;
}

int main(void)
{
	CHECK(cb_glib_thread_ref() != NULL);
	start_server(handler);
	cb_glib_thread_call(do_bad_urls, NULL);
	test_publish();
	test_redirect_and_busy();
	test_refusals();
	stop_server();
	cb_glib_thread_unref();
	return test_finish("test-whip-client");
}
