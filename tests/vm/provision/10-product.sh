#!/usr/bin/env bash
# The installed product, from a user's point of view (C++ tests tagged [provision]).
. "$(dirname "$0")/../lib.sh"
run_catch2 "[provision]"
finish
