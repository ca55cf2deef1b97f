/* The one JSON form of a call's snapshot.  Status publishes each object on
 * its own (status.h: keys transport, receive, track.<name>, stream.<name>,
 * remote.<name>); the stats file is the whole document.  A field has the
 * same name, type and value in both; a value not known yet is null in both.
 * The stats file's schema is documented in pw-callbridge(1), STATS FILE.
 * Main thread only. */
#ifndef CALLBRIDGE_SNAPSHOT_JSON_H
#define CALLBRIDGE_SNAPSHOT_JSON_H

#include <stdbool.h>

#include "control/json-out.h"
#include "control/snapshot.h"

/* One object each.  `named`: with a "name" field first, as in the stats
 * file's arrays; status leaves it out, its key has the name. */
void cb_snapshot_json_track(struct cb_json_out *o, const struct cb_snapshot_track *t, bool named);
void cb_snapshot_json_stream(struct cb_json_out *o, const struct cb_snapshot_stream *s,
			     bool named);
void cb_snapshot_json_remote(struct cb_json_out *o, const struct cb_snapshot_remote *r,
			     bool named);
/* Status's "transport": state ("udp", "ice STATE"), local, srtp and the
 * selected pair as one line of text. */
void cb_snapshot_json_transport(struct cb_json_out *o, const struct cb_snapshot *s);
/* The stats file's "ice": the transport's ICE state, pair and counters. */
void cb_snapshot_json_ice(struct cb_json_out *o, const struct cb_snapshot *s);
/* A WHIP/WHEP session: status key session.<name>, and "sessions" in the
 * stats file. */
void cb_snapshot_json_session(struct cb_json_out *o, const struct cb_snapshot_session *s,
			      bool named);
void cb_snapshot_json_send(struct cb_json_out *o, const struct cb_snapshot *s);
/* [endpoint]: where it listens, the encoder count and its counters. */
void cb_snapshot_json_endpoint(struct cb_json_out *o, const struct cb_snapshot *s);
/* One browser: a guest publishing or a viewer playing. */
void cb_snapshot_json_guest(struct cb_json_out *o, const struct cb_snapshot_guest *g, bool named);
/* null when the call does not receive. */
void cb_snapshot_json_receive(struct cb_json_out *o, const struct cb_snapshot *s);

/* The stats file: { "call", "tracks", "streams", "remotes", "send",
 * "ice" (only under ICE), "receive" }, one array element per line. */
void cb_snapshot_json_document(struct cb_json_out *o, const struct cb_snapshot *s);

#endif
