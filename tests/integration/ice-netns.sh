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
cb_ice_check_call '
assert pa["type"] == "relay" and pa["local"].startswith("10.77.2.1:"), pa
assert pb["remote"].startswith("10.77.2.1:"), pb   # bob hears the relay, never 10.77.1.2
'
echo "PASS: ICE across namespaces through the relay only"
