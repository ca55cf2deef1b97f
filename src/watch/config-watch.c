#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>

#include "watch/config-watch.h"
#include "util/log.h"

#define SETTLE_MS 200

struct cb_config_watch {
	struct pw_loop *loop;
	int fd;
	struct spa_source *io;
	struct spa_source *timer;
	char name[NAME_MAX + 1];
	void (*changed)(void *data);
	void *data;
};

static void on_settled(void *data, uint64_t expirations)
{
	struct cb_config_watch *w = data;
	w->changed(w->data);
}

static void on_inotify(void *data, int fd, uint32_t mask)
{
	struct cb_config_watch *w = data;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool ours = false;
	ssize_t len;

	while ((len = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			if (ev->len > 0 && strcmp(ev->name, w->name) == 0)
				ours = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (ours) {
		struct timespec value = { 0, SETTLE_MS * 1000000L };
		pw_loop_update_timer(w->loop, w->timer, &value, NULL, false);
	}
}

int cb_config_watch_new(struct cb_config_watch **out, struct pw_loop *loop, const char *path,
			void (*changed)(void *data), void *data)
{
	struct cb_config_watch *w;
	char copy[PATH_MAX], dir[PATH_MAX];
	int res;

	if (strlen(path) >= sizeof(copy))
		return -ENAMETOOLONG;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	w->loop = loop;
	w->changed = changed;
	w->data = data;
	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(w->name, sizeof(w->name), "%s", basename(copy));
	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(dir, sizeof(dir), "%s", dirname(copy));

	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		res = -errno;
		goto error;
	}
	/* The directory, not the file: a rename into place replaces the inode. */
	if (inotify_add_watch(w->fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		res = -errno;
		goto error;
	}
	w->timer = pw_loop_add_timer(loop, on_settled, w);
	w->io = pw_loop_add_io(loop, w->fd, SPA_IO_IN, false, on_inotify, w);
	if (w->timer == NULL || w->io == NULL) {
		res = -errno;
		goto error;
	}
	*out = w;
	return 0;

error:
	cb_config_watch_destroy(w);
	return res;
}

void cb_config_watch_destroy(struct cb_config_watch *w)
{
	if (w == NULL)
		return;
	if (w->io)
		pw_loop_destroy_source(w->loop, w->io);
	if (w->timer)
		pw_loop_destroy_source(w->loop, w->timer);
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}
