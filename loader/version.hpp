// The release of cgprov, as the Debian package carries it: the Makefile
// takes it from debian/changelog, the one place it is written.
#pragma once

namespace cgprov {

// "0.2.0": what `cgprov --version` prints after "cgprov ".
const char *release_version();

}  // namespace cgprov
