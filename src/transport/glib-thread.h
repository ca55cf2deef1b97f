/* The one GLib thread of a process: its GMainContext runs every libnice
 * agent, and (in the WebRTC issues) DTLS and libsoup, so that ICE, DTLS
 * and HTTP for every session of every call share one thread and one
 * context and never need locks between them.  Reference-counted: the
 * first user starts it, the last one joins it. */
#ifndef CALLBRIDGE_GLIB_THREAD_H
#define CALLBRIDGE_GLIB_THREAD_H

#include <stdbool.h>

#include <glib.h>

/* The shared context, its thread started if needed; NULL if it cannot. */
GMainContext *cb_glib_thread_ref(void);
void cb_glib_thread_unref(void);

/* Runs fn(data) on the GLib thread and returns when it has run; directly
 * when already on that thread.  Needs a reference held. */
void cb_glib_thread_call(GSourceFunc fn, gpointer data);
/* Queues fn(data) there and returns at once; free_fn(data) runs after it. */
void cb_glib_thread_post(GSourceFunc fn, gpointer data, GDestroyNotify free_fn);

bool cb_glib_thread_is_current(void);

/* Destroys and drops a source made with g_*_source_new, if any, and
 * clears the pointer (on the thread whose context it is attached to). */
void cb_glib_source_clear(GSource **source);

#endif
