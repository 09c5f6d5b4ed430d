#!/usr/bin/env bash
# On the stock kernel, install explains what is missing and creates nothing.
. "$(dirname "$0")/../lib.sh"

install_refused '^Error: kernel lacks the cgprov patches' 'lacks the cgprov patches'
finish
