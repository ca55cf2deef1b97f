/* The WHIP tests' HTTP server: libsoup's, in the same process, bound to
 * port 0 on 127.0.0.1, run on the shared GLib thread like the client. */
#ifndef CALLBRIDGE_WHIP_TEST_SERVER_H
#define CALLBRIDGE_WHIP_TEST_SERVER_H

#include <libsoup/soup.h>

#include "transport/glib-thread.h"

static SoupServer *server;
static char base[128];		/* "http://127.0.0.1:PORT" */

static gboolean start_server_in_thread(gpointer handler)
{
	GSList *uris;

	server = soup_server_new("server-header", "test-whip", NULL);
	soup_server_add_handler(server, NULL, (SoupServerCallback)handler, NULL, NULL);
	CHECK(soup_server_listen_local(server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, NULL));
	uris = soup_server_get_uris(server);
	CHECK(uris != NULL);
	if (uris)
		snprintf(base, sizeof(base), "http://127.0.0.1:%d", g_uri_get_port(uris->data));
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	return G_SOURCE_REMOVE;
}

static gboolean stop_server_in_thread(gpointer data)
{
	soup_server_disconnect(server);
	g_object_unref(server);
	return G_SOURCE_REMOVE;
}

static gboolean nothing(gpointer data)
{
	return G_SOURCE_REMOVE;
}

static inline void start_server(SoupServerCallback handler)
{
	cb_glib_thread_call(start_server_in_thread, (gpointer)handler);
}

/* Stops it, then lets the GLib thread run what closing queued (the
 * connections' last references go in idle callbacks) before the thread
 * may be stopped. */
static inline void stop_server(void)
{
	cb_glib_thread_call(stop_server_in_thread, NULL);
	for (int i = 0; i < 20; i++) {
		cb_glib_thread_call(nothing, NULL);
		g_usleep(5000);
	}
}

#endif
