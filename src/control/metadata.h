/* The call's PipeWire metadata object, `callbridge.<call>`: made by the
 * bridge through the server's "metadata" factory, so `pw-metadata -n
 * callbridge.<call>` reads and writes it.  It carries the per-track control
 * keys users write and the status the bridge publishes.  Main thread only. */
#ifndef CALLBRIDGE_METADATA_H
#define CALLBRIDGE_METADATA_H

#include <pipewire/pipewire.h>

#define CB_METADATA_PREFIX "callbridge."

struct cb_call_metadata;

struct cb_call_metadata_events {
	/* A key of subject 0 changed; value NULL when it was removed.  Our own
	 * writes come back here too. */
	void (*property)(void *data, const char *key, const char *type, const char *value);
};

int cb_call_metadata_new(struct cb_call_metadata **out, struct pw_core *core,
			 const char *call_name, const struct cb_call_metadata_events *events,
			 void *data);
void cb_call_metadata_destroy(struct cb_call_metadata *m);

/* Sets (value NULL: removes) a key of subject 0. */
void cb_call_metadata_set(struct cb_call_metadata *m, const char *key, const char *type,
			  const char *value);

#endif
