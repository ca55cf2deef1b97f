#include <pthread.h>
#include <time.h>

#include "transport/glib-thread.h"

/* Guards the reference count and start/stop only; the context itself is
 * GLib's and thread-safe. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int refs;
static GMainContext *context;
static GMainLoop *loop;
static GThread *thread;

static gpointer thread_main(gpointer data)
{
	GMainLoop *l = data;
	GMainContext *ctx = g_main_loop_get_context(l);

	g_main_context_push_thread_default(ctx);
	g_main_loop_run(l);
	g_main_context_pop_thread_default(ctx);
	return NULL;
}

GMainContext *cb_glib_thread_ref(void)
{
	GMainContext *ctx;

	pthread_mutex_lock(&lock);
	if (refs == 0) {
		context = g_main_context_new();
		loop = g_main_loop_new(context, FALSE);
		__atomic_store_n(&thread, g_thread_new("cb-glib", thread_main, loop),
				 __ATOMIC_RELEASE);
	}
	refs++;
	ctx = context;
	pthread_mutex_unlock(&lock);
	return ctx;
}

static gboolean quit(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_REMOVE;
}

void cb_glib_thread_unref(void)
{
	GThread *join = NULL;
	GMainLoop *old_loop = NULL;
	GMainContext *old_context = NULL;

	pthread_mutex_lock(&lock);
	if (refs > 0 && --refs == 0) {
		g_main_context_invoke(context, quit, loop);
		join = thread;
		old_loop = loop;
		old_context = context;
		__atomic_store_n(&thread, NULL, __ATOMIC_RELEASE);
		loop = NULL;
		context = NULL;
	}
	pthread_mutex_unlock(&lock);
	if (join) {
		g_thread_join(join);
		g_main_loop_unref(old_loop);
		g_main_context_unref(old_context);
	}
}

bool cb_glib_thread_is_current(void)
{
	GThread *t = __atomic_load_n(&thread, __ATOMIC_ACQUIRE);

	return t != NULL && t == g_thread_self();
}

struct sync_call {
	GSourceFunc fn;
	gpointer data;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
};

static gboolean run_sync(gpointer data)
{
	struct sync_call *c = data;

	c->fn(c->data);
	pthread_mutex_lock(&c->lock);
	c->done = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return G_SOURCE_REMOVE;
}

void cb_glib_thread_call(GSourceFunc fn, gpointer data)
{
	struct sync_call c = { .fn = fn, .data = data };

	if (cb_glib_thread_is_current()) {
		fn(data);
		return;
	}
	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.cond, NULL);
	g_main_context_invoke(context, run_sync, &c);
	pthread_mutex_lock(&c.lock);
	while (!c.done)
		pthread_cond_wait(&c.cond, &c.lock);
	pthread_mutex_unlock(&c.lock);
	pthread_mutex_destroy(&c.lock);
	pthread_cond_destroy(&c.cond);
}

void cb_glib_thread_post(GSourceFunc fn, gpointer data, GDestroyNotify free_fn)
{
	GSource *source = g_idle_source_new();

	g_source_set_priority(source, G_PRIORITY_DEFAULT);
	g_source_set_callback(source, fn, data, free_fn);
	g_source_attach(source, context);
	g_source_unref(source);
}

void cb_glib_source_clear(GSource **source)
{
	if (*source == NULL)
		return;
	g_source_destroy(*source);
	g_source_unref(*source);
	*source = NULL;
}
