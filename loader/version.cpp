#include "version.hpp"

#ifndef CGPROV_VERSION
#error \
    "CGPROV_VERSION is not defined: build with the Makefile, which reads it from debian/changelog"
#endif

namespace cgprov {

const char *release_version() { return CGPROV_VERSION; }

}  // namespace cgprov
