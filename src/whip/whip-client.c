#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsoup/soup.h>

#include "transport/glib-thread.h"
#include "util/log.h"
#include "util/secret.h"
#include "whip/whip-client.h"

#define MAX_REDIRECTS 5
#define MAX_RETRY_AFTER_S 30
#define DEFAULT_RETRY_AFTER_S 1
/* A server that holds a POST longer than this is not answering (OBS waits
 * 8 s; ICE gathering is already done by then). */
#define TIMEOUT_S 10

enum method { POST, PATCH, DELETE };

struct request {
	struct cb_whip_client *c;
	GCancellable *cancel;		/* a ref: tells a late callback the client is gone */
	enum method method;
	const char *content_type;
	GBytes *body;			/* NULL for DELETE */
	SoupMessage *msg;
};

struct cb_whip_client {
	SoupSession *session;
	GCancellable *cancel;
	GUri *url;			/* where POST goes; moves with 307/308 */
	char display[CB_WHIP_URL_MAX];
	char *token;			/* secret */
	char resource[CB_WHIP_URL_MAX];
	char etag[256];
	enum cb_whip_state state;
	bool trickle;
	unsigned int last_status;
	uint32_t requests;
	uint32_t redirects;
	GQueue pending;			/* struct request *, one in flight at a time */
	bool busy;
	GSource *retry;
	struct cb_whip_events events;
	void *data;
};

const char *cb_whip_state_name(enum cb_whip_state s)
{
	switch (s) {
	case CB_WHIP_IDLE: return "idle";
	case CB_WHIP_POSTING: return "posting";
	case CB_WHIP_ACTIVE: return "active";
	case CB_WHIP_DELETING: return "deleting";
	case CB_WHIP_ENDED: return "ended";
	case CB_WHIP_FAILED: return "failed";
	}
	return "unknown";
}

void cb_whip_display_url(const char *url, char *out, size_t len)
{
	GUri *uri = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
	/* No query, no user info: either may carry a secret. */
	char *shown = uri ? g_uri_to_string_partial(uri, G_URI_HIDE_USERINFO | G_URI_HIDE_PASSWORD |
							 G_URI_HIDE_QUERY | G_URI_HIDE_FRAGMENT) : NULL;

	snprintf(out, len, "%s", shown ? shown : "?");
	g_free(shown);
	if (uri)
		g_uri_unref(uri);
}

static void set_display(struct cb_whip_client *c)
{
	char *text = g_uri_to_string(c->url);

	cb_whip_display_url(text, c->display, sizeof(c->display));
	cb_secret_wipe(text, strlen(text));
	g_free(text);
}

int cb_whip_client_new(struct cb_whip_client **out, const char *url, const char *token,
		       const struct cb_whip_events *events, void *data)
{
	struct cb_whip_client *c;
	GUri *uri = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);

	if (uri == NULL || (strcmp(g_uri_get_scheme(uri), "http") != 0 &&
			    strcmp(g_uri_get_scheme(uri), "https") != 0) ||
	    g_uri_get_host(uri) == NULL || g_uri_get_host(uri)[0] == '\0') {
		if (uri)
			g_uri_unref(uri);
		return -EINVAL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		g_uri_unref(uri);
		return -ENOMEM;
	}
	c->url = uri;
	set_display(c);
	c->token = token && token[0] ? strdup(token) : NULL;
	c->trickle = true;
	c->events = *events;
	c->data = data;
	c->cancel = g_cancellable_new();
	g_queue_init(&c->pending);
	/* On the GLib thread: the session belongs to its context. */
	c->session = soup_session_new_with_options("timeout", TIMEOUT_S, "idle-timeout", 60,
						   "user-agent", "callbridge", NULL);
	*out = c;
	return 0;
}

static void free_request(struct request *r)
{
	if (r->body)
		g_bytes_unref(r->body);
	if (r->msg)
		g_object_unref(r->msg);
	g_object_unref(r->cancel);
	free(r);
}

void cb_whip_client_free(struct cb_whip_client *c)
{
	struct request *r;

	if (c == NULL)
		return;
	g_cancellable_cancel(c->cancel);
	while ((r = g_queue_pop_head(&c->pending)) != NULL)
		free_request(r);
	cb_glib_source_clear(&c->retry);
	g_object_unref(c->session);
	g_object_unref(c->cancel);
	g_uri_unref(c->url);
	if (c->token) {
		cb_secret_wipe(c->token, strlen(c->token));
		free(c->token);
	}
	free(c);
}

void cb_whip_client_detach(struct cb_whip_client *c)
{
	memset(&c->events, 0, sizeof(c->events));
	c->data = NULL;
}

static void send_next(struct cb_whip_client *c);
static int queue_bytes(struct cb_whip_client *c, enum method method, const char *content_type,
		       GBytes *body);

static void fail(struct cb_whip_client *c, unsigned int status, const char *reason)
{
	c->state = CB_WHIP_FAILED;
	pw_log_warn("%s: %s (HTTP %u)", c->display, reason, status);
	if (c->events.failed)
		c->events.failed(c->data, status, reason);
}

static gboolean on_retry(gpointer data)
{
	struct cb_whip_client *c = data;

	g_source_unref(c->retry);
	c->retry = NULL;
	c->busy = false;
	send_next(c);
	return G_SOURCE_REMOVE;
}

/* RFC 9110 section 10.2.3: delay-seconds or an HTTP-date. */
static unsigned int retry_after(SoupMessageHeaders *h)
{
	const char *v = soup_message_headers_get_one(h, "Retry-After");
	GDateTime *when, *now;
	long s = -1;
	char *end;

	if (v == NULL)
		return DEFAULT_RETRY_AFTER_S;
	s = strtol(v, &end, 10);
	if (end == v || *end != '\0') {
		s = DEFAULT_RETRY_AFTER_S;
		if ((when = soup_date_time_new_from_http_string(v)) != NULL) {
			now = g_date_time_new_now_utc();
			s = (long)(g_date_time_difference(when, now) / G_TIME_SPAN_SECOND);
			g_date_time_unref(now);
			g_date_time_unref(when);
		}
	}
	return s < 1 ? 1 : s > MAX_RETRY_AFTER_S ? MAX_RETRY_AFTER_S : (unsigned int)s;
}

/* A Location or redirect target, relative or absolute, against the URL
 * that answered. */
static GUri *resolve(SoupMessage *msg, const char *location)
{
	return location ? g_uri_parse_relative(soup_message_get_uri(msg), location,
					       G_URI_FLAGS_ENCODED, NULL) : NULL;
}

static void answered_post(struct cb_whip_client *c, struct request *r, GBytes *body)
{
	SoupMessageHeaders *h = soup_message_get_response_headers(r->msg);
	const char *etag = soup_message_headers_get_one(h, "ETag");
	const char *links = soup_message_headers_get_list(h, "Link");
	GUri *location = resolve(r->msg, soup_message_headers_get_one(h, "Location"));
	struct cb_ice_servers servers = { 0 };
	const char *type = soup_message_headers_get_content_type(h, NULL);
	char err[256];
	gsize len = 0;
	const char *sdp = body ? g_bytes_get_data(body, &len) : NULL;

	if (location == NULL) {
		fail(c, 201, "the 201 answer has no usable Location");
		return;
	}
	if (type == NULL || g_ascii_strcasecmp(type, "application/sdp") != 0 || len == 0) {
		g_uri_unref(location);
		fail(c, 201, "the 201 answer carries no application/sdp body");
		return;
	}
	if (links && cb_link_header_parse(links, &servers, err, sizeof(err)) < 0) {
		g_uri_unref(location);
		fail(c, 201, err);
		return;
	}
	{
		char *text = g_uri_to_string(location);
		snprintf(c->resource, sizeof(c->resource), "%s", text);
		g_free(text);
		g_uri_unref(location);
	}
	snprintf(c->etag, sizeof(c->etag), "%s", etag ? etag : "");
	c->state = CB_WHIP_ACTIVE;
	if (c->events.answered)
		c->events.answered(c->data, sdp, len, &servers);
	cb_secret_wipe(&servers, sizeof(servers));
}

static void on_post_status(struct cb_whip_client *c, struct request *r, GBytes *body)
{
	SoupMessageHeaders *h = soup_message_get_response_headers(r->msg);
	unsigned int status = soup_message_get_status(r->msg);
	gsize len = 0;
	const char *text = body ? g_bytes_get_data(body, &len) : NULL;
	GUri *target;
	char why[128];

	switch (status) {
	case 201:
		answered_post(c, r, body);
		return;
	case 307:
	case 308:
		target = resolve(r->msg, soup_message_headers_get_one(h, "Location"));
		if (target == NULL || ++c->redirects > MAX_REDIRECTS) {
			if (target)
				g_uri_unref(target);
			fail(c, status, "too many redirects, or one without a Location");
			return;
		}
		g_uri_unref(c->url);
		c->url = target;
		set_display(c);
		pw_log_info("WHIP: redirected to %s", c->display);
		queue_bytes(c, POST, "application/sdp", r->body);
		return;
	case 503:
		c->state = CB_WHIP_IDLE;
		pw_log_info("%s: busy (503); trying again in %u s", c->display, retry_after(h));
		c->busy = true;	/* held until the timer */
		queue_bytes(c, POST, "application/sdp", r->body);
		/* Not g_timeout_source_new_seconds: it rounds to a whole-second
		 * tick and may fire early, and Retry-After is a minimum. */
		c->retry = g_timeout_source_new(retry_after(h) * 1000u);
		g_source_set_callback(c->retry, on_retry, c, NULL);
		g_source_attach(c->retry, g_main_context_get_thread_default());
		return;
	case 401:
	case 403:
		fail(c, status, "the server refused the bearer token; not retrying");
		return;
	case 406:
		/* WHEP's counter-offer: the resource exists (its Location is
		 * where the answer goes, by PATCH application/sdp). */
		if (c->events.counter_offer && text && len) {
			GUri *location = resolve(r->msg, soup_message_headers_get_one(h, "Location"));
			const char *etag = soup_message_headers_get_one(h, "ETag");
			char *where;

			if (location == NULL) {
				fail(c, status, "a 406 counter-offer without a usable Location");
				return;
			}
			where = g_uri_to_string(location);
			snprintf(c->resource, sizeof(c->resource), "%s", where);
			g_free(where);
			g_uri_unref(location);
			snprintf(c->etag, sizeof(c->etag), "%s", etag ? etag : "");
			c->state = CB_WHIP_ACTIVE;
			c->events.counter_offer(c->data, text, len);
			return;
		}
		break;
	default:
		break;
	}
	snprintf(why, sizeof(why), "the server answered the offer with %u %s", status,
		 soup_message_get_reason_phrase(r->msg) ? soup_message_get_reason_phrase(r->msg) : "");
	fail(c, status, why);
}

static void on_sent(GObject *source, GAsyncResult *result, gpointer data)
{
	struct request *r = data;
	struct cb_whip_client *c = r->c;
	GError *error = NULL;
	GBytes *body = soup_session_send_and_read_finish(SOUP_SESSION(source), result, &error);
	unsigned int status;

	if (g_cancellable_is_cancelled(r->cancel)) {
		/* The client is gone; nothing of it may be touched. */
		if (body)
			g_bytes_unref(body);
		g_clear_error(&error);
		free_request(r);
		return;
	}
	c->busy = false;
	status = error ? 0 : soup_message_get_status(r->msg);
	c->last_status = status;
	if (error) {
		if (r->method == POST)
			fail(c, 0, error->message);
		else if (r->method == DELETE) {
			c->state = CB_WHIP_ENDED;
			if (c->events.ended)
				c->events.ended(c->data);
		}
		g_clear_error(&error);
	} else if (r->method == POST) {
		on_post_status(c, r, body);
	} else if (r->method == PATCH) {
		if (status == 405 || status == 422 || status == 501) {
			/* RFC 9725 4.3: a server need not take trickle. */
			if (c->trickle)
				pw_log_info("%s: no trickle ICE (%u); candidates go no further",
					    c->display, status);
			c->trickle = false;
		} else if (!SOUP_STATUS_IS_SUCCESSFUL(status)) {
			pw_log_warn("%s: PATCH answered %u", c->display, status);
		}
	} else {
		c->state = CB_WHIP_ENDED;
		if (c->events.ended)
			c->events.ended(c->data);
	}
	if (body)
		g_bytes_unref(body);
	free_request(r);
	send_next(c);
}

static void send_next(struct cb_whip_client *c)
{
	struct request *r;
	SoupMessageHeaders *h;
	GUri *target;

	if (c->busy || (r = g_queue_peek_head(&c->pending)) == NULL)
		return;
	/* PATCH and DELETE wait for the resource to exist. */
	if (r->method != POST && c->resource[0] == '\0') {
		if (c->state == CB_WHIP_FAILED || c->state == CB_WHIP_IDLE) {
			g_queue_pop_head(&c->pending);
			if (r->method == DELETE) {
				c->state = CB_WHIP_ENDED;
				if (c->events.ended)
					c->events.ended(c->data);
			}
			free_request(r);
			send_next(c);
		}
		return;
	}
	g_queue_pop_head(&c->pending);
	if (r->method == PATCH && !c->trickle && strcmp(r->content_type, "application/sdp") != 0) {
		free_request(r);
		send_next(c);
		return;
	}
	target = r->method == POST ? g_uri_ref(c->url) :
		 g_uri_parse(c->resource, G_URI_FLAGS_ENCODED, NULL);
	r->msg = soup_message_new_from_uri(r->method == POST ? "POST" :
					   r->method == PATCH ? "PATCH" : "DELETE", target);
	g_uri_unref(target);
	soup_message_add_flags(r->msg, SOUP_MESSAGE_NO_REDIRECT);
	h = soup_message_get_request_headers(r->msg);
	if (c->token) {
		char *auth = g_strconcat("Bearer ", c->token, NULL);
		soup_message_headers_replace(h, "Authorization", auth);
		cb_secret_wipe(auth, strlen(auth));
		g_free(auth);
	}
	if (r->method == PATCH && c->etag[0])
		soup_message_headers_replace(h, "If-Match", c->etag);
	if (r->body)
		soup_message_set_request_body_from_bytes(r->msg, r->content_type, r->body);
	if (r->method == POST)
		c->state = CB_WHIP_POSTING;
	else if (r->method == DELETE)
		c->state = CB_WHIP_DELETING;
	c->busy = true;
	c->requests++;
	soup_session_send_and_read_async(c->session, r->msg, G_PRIORITY_DEFAULT, r->cancel,
					 on_sent, r);
}

static int queue_bytes(struct cb_whip_client *c, enum method method, const char *content_type,
		       GBytes *body)
{
	struct request *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return -ENOMEM;
	r->c = c;
	r->cancel = g_object_ref(c->cancel);
	r->method = method;
	r->content_type = content_type;
	r->body = body ? g_bytes_ref(body) : NULL;
	if (method == POST)
		g_queue_push_head(&c->pending, r);	/* before any PATCH waiting for it */
	else
		g_queue_push_tail(&c->pending, r);
	send_next(c);
	return 0;
}

static int queue(struct cb_whip_client *c, enum method method, const char *content_type,
		 const char *body)
{
	GBytes *bytes = body ? g_bytes_new(body, strlen(body)) : NULL;
	int res = queue_bytes(c, method, content_type, bytes);

	if (bytes)
		g_bytes_unref(bytes);
	return res;
}

int cb_whip_client_post(struct cb_whip_client *c, const char *offer)
{
	return queue(c, POST, "application/sdp", offer);
}

int cb_whip_client_patch(struct cb_whip_client *c, const char *sdpfrag)
{
	if (!c->trickle)
		return 0;
	return queue(c, PATCH, "application/trickle-ice-sdpfrag", sdpfrag);
}

int cb_whip_client_patch_answer(struct cb_whip_client *c, const char *answer)
{
	return queue(c, PATCH, "application/sdp", answer);
}

int cb_whip_client_delete(struct cb_whip_client *c)
{
	return queue(c, DELETE, NULL, NULL);
}

enum cb_whip_state cb_whip_client_state(const struct cb_whip_client *c)
{
	return c->state;
}

const char *cb_whip_client_display_url(const struct cb_whip_client *c)
{
	return c->display;
}

const char *cb_whip_client_resource(const struct cb_whip_client *c)
{
	return c->resource;
}

unsigned int cb_whip_client_last_status(const struct cb_whip_client *c)
{
	return c->last_status;
}

bool cb_whip_client_trickle(const struct cb_whip_client *c)
{
	return c->trickle;
}

uint32_t cb_whip_client_requests(const struct cb_whip_client *c)
{
	return c->requests;
}
