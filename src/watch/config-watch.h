/* Notices when a config file has been rewritten, for the module, which gets
 * no SIGHUP.  It watches the file's directory with inotify on a PipeWire
 * loop and reports a write that was closed (IN_CLOSE_WRITE) or a file
 * renamed into place (IN_MOVED_TO, as editors and `mv` do), debounced by
 * 200 ms so that a save in several steps is read once, complete. */
#ifndef CALLBRIDGE_CONFIG_WATCH_H
#define CALLBRIDGE_CONFIG_WATCH_H

#include <pipewire/pipewire.h>

struct cb_config_watch;

/* changed() runs on loop's thread. */
int cb_config_watch_new(struct cb_config_watch **out, struct pw_loop *loop, const char *path,
			void (*changed)(void *data), void *data);
void cb_config_watch_destroy(struct cb_config_watch *w);

#endif
