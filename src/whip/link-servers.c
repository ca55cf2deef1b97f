/* The servers of a WHIP/WHEP answer's Link header, put to use: names are
 * looked up without blocking the GLib thread (it carries every session's
 * media), and what [ice] left unset goes to the ICE transport. */
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "util/log.h"
#include "util/secret.h"
#include "whip/link-servers.h"

struct link_lookup {
	struct cb_ice_transport *ice;
	cb_link_server_added added;
	void *data;
	GCancellable *cancel;
	bool turn;
	uint16_t port;
	enum cb_turn_transport transport;
	char username[CB_LINK_TEXT_MAX];
	char credential[CB_LINK_TEXT_MAX];	/* secret */
};

static void free_lookup(struct link_lookup *k)
{
	cb_secret_wipe(k->credential, sizeof(k->credential));
	g_object_unref(k->cancel);
	free(k);
}

static void use_server(struct link_lookup *k, const struct sockaddr *sa, socklen_t len)
{
	struct cb_address a = { .set = true, .len = len };

	memcpy(&a.addr, sa, len);
	if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)&a.addr)->sin6_port = htons(k->port);
	else
		((struct sockaddr_in *)&a.addr)->sin_port = htons(k->port);
	cb_address_format(&a, a.text, sizeof(a.text));
	if (cb_ice_transport_add_servers(k->ice, k->turn ? NULL : &a, k->turn ? &a : NULL,
					 k->transport, k->username, k->credential) > 0)
		k->added(k->data, k->turn, a.text);
}

static void on_resolved(GObject *source, GAsyncResult *result, gpointer data)
{
	struct link_lookup *k = data;
	GError *error = NULL;
	GList *addrs = g_resolver_lookup_by_name_finish(G_RESOLVER(source), result, &error);

	if (!g_cancellable_is_cancelled(k->cancel)) {
		if (addrs) {
			GInetSocketAddress *isa = G_INET_SOCKET_ADDRESS(
				g_inet_socket_address_new(addrs->data, k->port));
			struct sockaddr_storage ss;

			if (g_socket_address_to_native(G_SOCKET_ADDRESS(isa), &ss, sizeof(ss), NULL))
				use_server(k, (struct sockaddr *)&ss,
					   (socklen_t)g_socket_address_get_native_size(
						   G_SOCKET_ADDRESS(isa)));
			g_object_unref(isa);
		} else {
			pw_log_warn("cannot resolve a server of a WHIP/WHEP Link header: %s",
				    error ? error->message : "?");
		}
	}
	g_resolver_free_addresses(addrs);
	g_clear_error(&error);
	free_lookup(k);
}

void cb_link_servers_take(const struct cb_ice_servers *servers, struct cb_ice_transport *ice,
			  const struct cb_ice_params *own, GCancellable *cancel,
			  cb_link_server_added added, void *data)
{
	const struct cb_ice_server *stun = NULL, *turn = NULL;

	for (uint32_t i = 0; i < servers->n; i++) {
		const struct cb_ice_server *v = &servers->servers[i];
		int rank = v->kind == CB_ICE_SERVER_TURNS ? 2 : v->tcp ? 1 : 0;
		int best = turn == NULL ? 3 : turn->kind == CB_ICE_SERVER_TURNS ? 2 : turn->tcp ? 1 : 0;

		if (v->kind == CB_ICE_SERVER_STUN && stun == NULL)
			stun = v;
		else if (v->kind != CB_ICE_SERVER_STUN && rank < best)
			turn = v;
	}
	for (int pass = 0; pass < 2; pass++) {
		const struct cb_ice_server *v = pass ? turn : stun;
		struct link_lookup *k;

		if (v == NULL || (pass == 0 && own->stun_server.set) ||
		    (pass == 1 && own->turn_server.set))
			continue;
		if ((k = calloc(1, sizeof(*k))) == NULL)
			return;
		k->ice = ice;
		k->added = added;
		k->data = data;
		k->cancel = g_object_ref(cancel);
		k->turn = pass == 1;
		k->port = v->port;
		k->transport = v->kind == CB_ICE_SERVER_TURNS ? CB_TURN_TLS :
			       v->tcp ? CB_TURN_TCP : CB_TURN_UDP;
		snprintf(k->username, sizeof(k->username), "%s", v->username);
		snprintf(k->credential, sizeof(k->credential), "%s", v->credential);
		g_resolver_lookup_by_name_async(g_resolver_get_default(), v->host, k->cancel,
						on_resolved, k);
	}
}

