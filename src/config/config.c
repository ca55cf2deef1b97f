/* callbridge: the INI loader's entry points.
 *
 * Loading is two passes over one struct cb_loader: config-parse.c reads
 * the text (through libinih) and stores each value as it comes, then
 * config-check.c checks what needs the whole file.  Only a file without
 * errors is handed back.  Messages are collected rather than
 * returned at the first problem, so a user fixes a file in one go.
 */
#include "config/config-loader.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A call file is a few kilobytes; anything this big is not one. */
#define CB_CONFIG_MAX_SIZE (1024 * 1024)

/* Where the [call] and [ice] keys stand, for a reload that must name
 * the line of a fixed key it refuses. */
static void keep_lines(struct cb_loader *l)
{
	for (size_t row = 0; row < cb_config_n_keys && row < CB_LOADER_MAX_KEYS; row++) {
		const char *section = cb_config_keys[row].section;

		if (strcmp(section, "call") == 0)
			l->cfg->key_lines[row] = cb_loader_seen(&l->call, (int)row) ? l->call.key_lines[row] :
						 l->call.line;
		else if (strcmp(section, "ice") == 0)
			l->cfg->key_lines[row] = cb_loader_seen(&l->ice, (int)row) ? l->ice.key_lines[row] :
						 l->ice.line;
	}
}

static int load_text(struct cb_loader *l, const char *text, size_t len)
{
	cb_loader_parse(l, text, len);
	cb_loader_check(l);
	keep_lines(l);

	if (l->n_errors_total > CB_MAX_ERRORS)
		snprintf(l->report->errors[CB_MAX_ERRORS - 1], CB_ERROR_MAX,
			 "%s: too many errors; only the first %d are shown",
			 l->name, CB_MAX_ERRORS - 1);
	if (l->n_errors_total > 0) {
		cb_config_clear(l->cfg);
		return -EINVAL;
	}
	return 0;
}

/* Keys written into the call file make the file itself a key file: say so
 * when others can read it, as for srtp-key-file. */
static void warn_open_inline_keys(struct cb_loader *l, const char *path)
{
	static const char *const keys[] = { "srtp-key", "remote-srtp-key" };
	struct stat st;

	if (stat(path, &st) < 0 || !(st.st_mode & (S_IRGRP | S_IROTH)))
		return;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int row = cb_loader_find_key("call", keys[i]);
		if (cb_loader_seen(&l->call, row))
			cb_loader_warning(l, l->call.key_lines[row],
					  "%s: %s is readable by other users; chmod 600 it",
					  keys[i], path);
	}
}

static struct cb_loader *loader_new(const char *name, struct cb_config *cfg,
				    struct cb_config_report *report)
{
	struct cb_loader *l;

	memset(report, 0, sizeof(*report));
	cb_config_clear(cfg);
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->name = name;
	l->cfg = cfg;
	l->report = report;
	if (!getcwd(l->dir, sizeof(l->dir)))
		snprintf(l->dir, sizeof(l->dir), ".");
	return l;
}

int cb_config_load_string(const char *name, const char *text, size_t len,
			  struct cb_config *cfg, struct cb_config_report *report)
{
	struct cb_loader *l = loader_new(name, cfg, report);
	int r;

	if (!l) {
		snprintf(report->errors[report->n_errors++], CB_ERROR_MAX,
			 "%s: out of memory", name);
		return -ENOMEM;
	}
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	r = load_text(l, text, len);
	free(l);
	return r;
}

/* Relative key and SDP paths are relative to the file's directory, which
 * must then be absolute: the daemon may chdir later. */
static void set_dir(struct cb_loader *l, const char *path)
{
	char *copy = strdup(path), *d;
	char cwd[PATH_MAX];

	if (!copy)
		return;
	d = dirname(copy);
	if (d[0] == '/')
		snprintf(l->dir, sizeof(l->dir), "%s", d);
	else if (strcmp(d, ".") != 0 && getcwd(cwd, sizeof(cwd)) &&
		 snprintf(l->dir, sizeof(l->dir), "%s/%s", cwd, d) >= (int)sizeof(l->dir))
		snprintf(l->dir, sizeof(l->dir), "%s", d);
	free(copy);
}

/* The text may hold keys: every copy of it is wiped before it is freed,
 * on the error paths too (a read that fails half way). */
static void free_text(char *text, size_t len)
{
	if (text == NULL)
		return;
	explicit_bzero(text, len);
	free(text);
}

static int read_file(const char *path, char **text, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	ssize_t r;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if (st.st_size > CB_CONFIG_MAX_SIZE) {
		errno = EFBIG;
		goto fail;
	}
	/* st_size is only a hint (pipes, /proc): read to the end. */
	buf = malloc(CB_CONFIG_MAX_SIZE + 1);
	if (!buf) {
		errno = ENOMEM;
		goto fail;
	}
	while ((r = read(fd, buf + n, CB_CONFIG_MAX_SIZE + 1 - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		n += (size_t)r;
		if (n > CB_CONFIG_MAX_SIZE) {
			errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	*text = buf;
	*len = n;
	return 0;
fail:
	err = errno;
	free_text(buf, n);
	close(fd);
	return -err;
}

int cb_config_load(const char *path, struct cb_config *cfg, struct cb_config_report *report)
{
	struct cb_loader *l;
	char *text = NULL;
	size_t len = 0;
	int r;

	l = loader_new(path, cfg, report);
	if (!l) {
		snprintf(report->errors[report->n_errors++], CB_ERROR_MAX,
			 "%s: out of memory", path);
		return -ENOMEM;
	}
	r = read_file(path, &text, &len);
	if (r == 0 && strlen(path) >= sizeof(cfg->path))
		r = -ENAMETOOLONG;
	if (r < 0) {
		cb_loader_error(l, 0, "cannot read: %s", strerror(-r));
		free_text(text, len);
		free(l);
		return r;
	}
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	set_dir(l, path);
	r = load_text(l, text, len);
	warn_open_inline_keys(l, path);
	free_text(text, len);
	free(l);
	return r;
}

void cb_config_clear(struct cb_config *cfg)
{
	explicit_bzero(cfg, sizeof(*cfg));
}

void cb_config_move(struct cb_config *dst, struct cb_config *src)
{
	if (dst == src)
		return;
	cb_config_clear(dst);
	memcpy(dst, src, sizeof(*dst));
	cb_config_clear(src);
}

void cb_config_stream_dest(const struct cb_config *config, uint32_t index,
			   struct cb_address *dest)
{
	const struct cb_stream_config *sc = &config->streams[index];
	uint32_t shared = 0;

	if (sc->remote.set) {
		*dest = sc->remote;
		return;
	}
	*dest = config->call.remote;
	if (config->call.bundle)
		return;
	for (uint32_t i = 0; i < index; i++)
		if (!config->streams[i].remote.set)
			shared++;
	cb_address_add_port(dest, 2 * shared);
}

int cb_config_find_stream(const struct cb_config *cfg, const char *name)
{
	for (uint32_t i = 0; i < cfg->n_streams; i++)
		if (strcmp(cfg->streams[i].name, name) == 0)
			return (int)i;
	return -1;
}

int cb_config_find_track(const struct cb_config *cfg, const char *name)
{
	for (uint32_t i = 0; i < cfg->n_tracks; i++)
		if (strcmp(cfg->tracks[i].name, name) == 0)
			return (int)i;
	return -1;
}
