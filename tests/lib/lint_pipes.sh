#!/usr/bin/env bash
# The test scripts run under `set -o pipefail`.  A reader that stops early
# (grep -q, grep -m, head) kills its writer with SIGPIPE, the pipeline then
# fails, and a check reads a present node or line as absent: this made
# peer-restart fail in CI.  Such checks match on captured text instead
# (cb_has_node, grep ... <<<"$(cmd)"); this keeps new ones from creeping in.
# It fails when it finds one, naming file:line.
set -euo pipefail

root="${CALLBRIDGE_SOURCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
files=("$root"/tests/integration/*.sh "$root"/tests/lib/*.sh "$root"/tests/soak/run
       "$root"/tests/run "$root"/tests/fuzz/run "$root"/.ci/run)
# A pipe, then grep with -q/-m (alone or among other short options) or head.
pattern='\|[[:space:]]*(grep[[:space:]]+(-[[:alnum:]]*[qm]|--quiet|--max-count)|head([[:space:]]|$))'
found=0
for f in "${files[@]}"; do
  [[ -f "$f" && "$f" != "${BASH_SOURCE[0]}" && "$(basename "$f")" != lint_pipes.sh ]] || continue
  while IFS= read -r hit; do
    echo "${f#"$root"/}:$hit" >&2
    found=$((found + 1))
  done < <(grep -nE "$pattern" "$f" | grep -vE '^[0-9]+:[[:space:]]*#' || true)
done
if (( found > 0 )); then
  echo "FAIL: $found pipe(s) into an early-exiting reader; match on captured text instead" >&2
  exit 1
fi
echo "ok: no pipe into grep -q/-m or head in ${#files[@]} test scripts"
