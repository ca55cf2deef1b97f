/* callbridge: the [ice] section of transport = ice (and of webrtc, where
 * only its STUN and TURN servers and policy apply).  Storing its keys and
 * the checks that need the whole file: credentials, TURN, the role. */
#include "config/config-loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "net/address.h"
#include "sdp/sdp-ice.h"

#define SECRET_FILE_MAX 4096

static int row_line(const struct cb_loader *l, const char *key)
{
	int row = cb_loader_find_key("ice", key);

	return cb_loader_seen(&l->ice, row) ? l->ice.key_lines[row] : 0;
}

bool cb_loader_read_secret_file(struct cb_loader *l, const char *keyname, const char *path,
				char *out, size_t out_len, int line)
{
	char full[PATH_MAX], buf[SECRET_FILE_MAX + 1];
	const char *s = buf;
	struct stat st;
	size_t n = 0, len;
	ssize_t r;
	bool ok = false;
	int fd;

	if (!*path) {
		cb_loader_error(l, line, "%s: empty path", keyname);
		return false;
	}
	if ((path[0] == '/' ? snprintf(full, sizeof(full), "%s", path) :
	     snprintf(full, sizeof(full), "%s/%s", l->dir, path)) >= (int)sizeof(full)) {
		cb_loader_error(l, line, "%s: path is too long", keyname);
		return false;
	}
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		cb_loader_error(l, line, "%s: cannot read %s: %s", keyname, full, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		cb_loader_error(l, line, "%s: cannot read %s: not a regular file", keyname, full);
		goto out;
	}
	if (st.st_mode & (S_IRGRP | S_IROTH))
		cb_loader_warning(l, line, "%s: %s is readable by other users; chmod 600 it",
				  keyname, full);
	while (n < sizeof(buf) && (r = read(fd, buf + n, sizeof(buf) - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cb_loader_error(l, line, "%s: cannot read %s: %s", keyname, full,
					strerror(errno));
			goto out;
		}
		n += (size_t)r;
	}
	len = n;
	while (len > 0 && g_ascii_isspace(*s)) {
		s++;
		len--;
	}
	while (len > 0 && g_ascii_isspace(s[len - 1]))
		len--;
	if (len == 0 || len >= out_len || memchr(s, '\0', len)) {
		cb_loader_error(l, line, "%s: %s must hold one line of 1..%zu characters",
				keyname, full, out_len - 1);
		goto out;
	}
	memcpy(out, s, len);
	out[len] = '\0';
	ok = true;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return ok;
}

static void store_credential(struct cb_loader *l, const char *key, const char *text,
			     char *out, size_t min, int line)
{
	size_t len = strlen(text);

	/* Never quote the value: pwd is a secret. */
	if (len < min || len > CB_ICE_CRED_MAX)
		cb_loader_error(l, line, "%s: must be %zu..%d characters long, not %zu",
				key, min, CB_ICE_CRED_MAX, len);
	else if (!cb_ice_chars_valid(text))
		cb_loader_error(l, line, "%s: only letters, digits, '+' and '/' are allowed", key);
	else
		snprintf(out, CB_ICE_CRED_MAX + 1, "%s", text);
}

void cb_loader_store_ice(struct cb_loader *l, const char *key, const char *text,
			 struct cb_value *v, int line)
{
	struct cb_ice_config *ice = &l->cfg->ice;
	char err[CB_ERROR_MAX];

	if (strcmp(key, "role") == 0) {
		ice->role = strcasecmp(text, "controlled") == 0 ? CB_ICE_ROLE_CONTROLLED :
			    CB_ICE_ROLE_CONTROLLING;
	} else if (strcmp(key, "ufrag") == 0) {
		store_credential(l, key, text, ice->ufrag, CB_ICE_UFRAG_MIN, line);
	} else if (strcmp(key, "pwd") == 0) {
		store_credential(l, key, text, ice->pwd, CB_ICE_PWD_MIN, line);
	} else if (strcmp(key, "remote-ufrag") == 0) {
		store_credential(l, key, text, ice->remote_ufrag, CB_ICE_UFRAG_MIN, line);
	} else if (strcmp(key, "remote-pwd") == 0) {
		store_credential(l, key, text, ice->remote_pwd, CB_ICE_PWD_MIN, line);
	} else if (strcmp(key, "remote-candidates") == 0) {
		if (!cb_address_parse_list(text, ice->remote_candidates, CB_ICE_MAX_CANDIDATES,
					     &ice->n_remote_candidates, err, sizeof(err)))
			cb_loader_error(l, line, "%s: %s", key, err);
	} else if (strcmp(key, "stun-server") == 0) {
		ice->stun_server = v->addr;
	} else if (strcmp(key, "turn-server") == 0) {
		ice->turn_server = v->addr;
	} else if (strcmp(key, "turn-transport") == 0) {
		ice->turn_transport = strcasecmp(text, "tls") == 0 ? CB_TURN_TLS :
				      strcasecmp(text, "tcp") == 0 ? CB_TURN_TCP : CB_TURN_UDP;
	} else if (strcmp(key, "turn-username") == 0) {
		if (strlen(text) > CB_ICE_CRED_MAX)
			cb_loader_error(l, line, "%s: longer than %d characters", key, CB_ICE_CRED_MAX);
		else
			snprintf(ice->turn_username, sizeof(ice->turn_username), "%s", text);
	} else if (strcmp(key, "turn-password") == 0) {
		if (row_line(l, "turn-password-file"))
			cb_loader_error(l, line, "%s: turn-password-file is already set (line %d); "
					"set only one of them", key, row_line(l, "turn-password-file"));
		else if (strlen(text) > CB_ICE_CRED_MAX)
			cb_loader_error(l, line, "%s: longer than %d characters", key, CB_ICE_CRED_MAX);
		else
			snprintf(ice->turn_password, sizeof(ice->turn_password), "%s", text);
	} else if (strcmp(key, "turn-password-file") == 0) {
		if (row_line(l, "turn-password"))
			cb_loader_error(l, line, "%s: turn-password is already set (line %d); "
					"set only one of them", key, row_line(l, "turn-password"));
		else
			cb_loader_read_secret_file(l, key, text, ice->turn_password,
						   sizeof(ice->turn_password), line);
	} else if (strcmp(key, "policy") == 0) {
		ice->policy = strcasecmp(text, "relay") == 0 ? CB_ICE_POLICY_RELAY :
			      CB_ICE_POLICY_ALL;
	} else {
		cb_loader_error(l, line, "internal error: [ice] key '%s' is not stored", key);
	}
}

static int key_line_call_remote(const struct cb_loader *l)
{
	int row = cb_loader_find_key("call", "remote");

	return row >= 0 ? l->call.key_lines[row] : 0;
}

static void require(struct cb_loader *l, const char *key, const char *why)
{
	if (!row_line(l, key))
		cb_loader_error(l, l->ice.line, "[ice] has no %s: %s", key, why);
}

/* TURN and policy: the same rules with ice and webrtc. */
static void check_turn(struct cb_loader *l)
{
	const struct cb_ice_config *ice = &l->cfg->ice;

	if (ice->turn_server.set) {
		if (!row_line(l, "turn-username"))
			cb_loader_error(l, row_line(l, "turn-server"),
					"turn-server: set turn-username as well");
		if (!row_line(l, "turn-password") && !row_line(l, "turn-password-file"))
			cb_loader_error(l, row_line(l, "turn-server"),
					"turn-server: set turn-password or turn-password-file as well");
	} else {
		const char *keys[] = { "turn-username", "turn-password", "turn-password-file",
				       "turn-transport" };
		for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
			if (row_line(l, keys[i]))
				cb_loader_error(l, row_line(l, keys[i]), "%s is set but there is "
						"no turn-server", keys[i]);
	}
	/* With webrtc the server's answer may name a TURN server (RFC 9725
	 * section 4.6): relay-only then waits for it. */
	if (ice->policy == CB_ICE_POLICY_RELAY && !ice->turn_server.set &&
	    l->cfg->call.transport != CB_TRANSPORT_WEBRTC)
		cb_loader_error(l, row_line(l, "policy"), "policy = relay needs a turn-server");
}

/* With webrtc [ice] is optional: its STUN and TURN servers and policy
 * apply to every session, whose credentials and role are made per
 * session (and the answer of the WHIP/WHEP server brings the other
 * side's). */
static void check_ice_webrtc(struct cb_loader *l)
{
	static const char *const made[] = { "ufrag", "pwd", "remote-ufrag", "remote-pwd",
					     "remote-candidates" };

	if (!l->have_ice)
		return;
	for (size_t i = 0; i < G_N_ELEMENTS(made); i++)
		if (row_line(l, made[i]))
			cb_loader_error(l, row_line(l, made[i]), "%s: ICE credentials are made per "
					"session with transport = webrtc; remove it", made[i]);
	if (row_line(l, "role"))
		cb_loader_error(l, row_line(l, "role"), "role: ICE credentials are made per "
				"session with transport = webrtc, and the role with them; "
				"remove it");
	check_turn(l);
}

void cb_loader_check_ice(struct cb_loader *l)
{
	struct cb_config *cfg = l->cfg;
	struct cb_ice_config *ice = &cfg->ice;
	int transport_line = 0, row = cb_loader_find_key("call", "transport");

	if (cb_loader_seen(&l->call, row))
		transport_line = l->call.key_lines[row];

	if (cfg->call.transport == CB_TRANSPORT_WEBRTC) {
		check_ice_webrtc(l);
		return;
	}
	if (cfg->call.transport != CB_TRANSPORT_ICE) {
		if (l->have_ice)
			cb_loader_warning(l, l->ice.line, "[ice] is ignored: transport is not ice");
		return;
	}
	if (!l->have_ice) {
		cb_loader_error(l, transport_line, "transport = ice needs an [ice] section "
				"(role, ufrag, pwd, remote-ufrag, remote-pwd)");
		return;
	}
	require(l, "ufrag", "set this side's ICE username fragment (at least 4 characters)");
	require(l, "pwd", "set this side's ICE password (at least 22 characters)");
	require(l, "remote-ufrag", "set the other side's ufrag");
	require(l, "remote-pwd", "set the other side's pwd");
	if (ice->role == CB_ICE_ROLE_CONTROLLING && ice->n_remote_candidates == 0)
		cb_loader_error(l, row_line(l, "remote-candidates") ? row_line(l, "remote-candidates") :
				l->ice.line, "remote-candidates: the controlling side must know at "
				"least one address of the other side (only role = controlled may "
				"leave it empty)");
	check_turn(l);
	if (cfg->call.remote.set)
		cb_loader_error(l, key_line_call_remote(l), "remote: with transport = ice the "
				"other side's addresses go in remote-candidates of [ice]");
	row = cb_loader_find_key("stream", "remote");
	for (uint32_t i = 0; i < cfg->n_streams; i++)
		if (cfg->streams[i].remote.set && row >= 0)
			cb_loader_error(l, l->streams[i].key_lines[row], "[stream %s]: remote cannot be "
					"used with transport = ice (all streams share the ICE "
					"transport)", cfg->streams[i].name);
}
