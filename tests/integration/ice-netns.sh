#!/usr/bin/env bash
# Two bridges in two network namespaces with no route between them; coturn
# in a third namespace that both reach.  alice (policy = relay) knows bob's
# address, which only the relay can reach; the call connects through it and
# carries audio both ways.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$CB_SOURCE_ROOT/tests/lib/ice.sh"
source "$CB_SOURCE_ROOT/tests/lib/ice-netns.sh"

work="$(mktemp -d /tmp/cb-ice-netns.XXXXXX)"
cb_turn_pid=""
cb_trap_exit cb_netns_cleanup

cb_netns_call_up
cb_ice_wait_connected bob 10 || cb_fail "bob not connected"

cb_ice_tones 5
sleep 1.2
/usr/bin/python3 - "$work/alice.json" "$work/bob.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
pa, pb = a["ice"]["selected_pair"], b["ice"]["selected_pair"]
print("alice: %s (%s) <-> %s (%s): %s pair" % (pa["local"], pa["local_type"], pa["remote"], pa["remote_type"], pa["type"]))
print("bob:   %s (%s) <-> %s (%s): %s pair" % (pb["local"], pb["local_type"], pb["remote"], pb["remote_type"], pb["type"]))
assert pa["type"] == "relay" and pa["local"].startswith("10.77.2.1:"), pa
assert pb["remote"].startswith("10.77.2.1:"), pb   # bob hears the relay, never 10.77.1.2
for d in (a, b):
    r = [x for x in d["remotes"] if x["name"] == "peer"][0]
    assert r["packets"] > 200, "%s: %d packets" % (d["call"], r["packets"])
    print("%s: %d packets in, %d lost" % (d["call"], r["packets"], r["lost"]))
PY
echo "PASS: ICE across namespaces through the relay only"
