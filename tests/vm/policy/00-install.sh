#!/usr/bin/env bash
# install applies the admin's policy file and shows it in status.
. "$(dirname "$0")/../lib.sh"

POLICY=$(dirname "$0")/policy.toml
check "install with the test policy succeeds" "$CGPROV" install --policy "$POLICY"
out=$("$CGPROV" status)
printf '    %s\n' "$out"
check "status shows the policy enforced" grep -q "^policy: enforced" <<<"$out"
check "status shows the grant of the stats iterator" grep -qx "grant: stats: obj_get, link_create, obj_pin (orders: self, descendants-pre, descendants-post)" <<<"$out"
check "status shows the quotas" grep -qx "quota per user: 4 links, 3 pins" <<<"$out"
check "status --json carries the policy" bash -c "'$CGPROV' --json status | grep -q '\"policy\": {\"enforced\": true, \"links_per_user\": 4, \"pins_per_user\": 3, \"grants\": \\[{\"program\": \"stats\"'"
check "user/ is sticky and writable, not listable, by all" bash -c '[ "$(stat -c %a:%u /run/cgprov/user)" = 1733:0 ]'
check "no process runs the cgprov binary" no_cgprov_process
finish
