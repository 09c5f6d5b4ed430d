#!/usr/bin/env bash
# Uninstall while a user holds the stats iterator's fd and keeps linking
# (tests/integration/policy_uninstall_test.cpp); then install again and the
# user links as before.
. "$(dirname "$0")/../lib.sh"

export CGPROV
run_catch2 "[policy-uninstall]"
check "install again after the raced uninstall" "$CGPROV" install --policy "$(dirname "$0")/policy.toml"
mine=$(delegated_cgroup)
check "the user links after the reinstall" as_user "$CGPROV" link --cgroup "$mine" --name after-race
rm -f "/run/cgprov/user/$CGPROV_TEST_UID-after-race"
remove_cgroup_tree "$mine"
finish
