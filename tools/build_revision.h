// The commit the irlab binary was built from (generated at build time by
// tools/build_revision.cmake; an empty commit when the build was not in a git
// checkout). main() registers it with SetBuildRevision, so that every run.json
// records it.
#pragma once

#include "core/run_info.h"

namespace irlab {

BuildRevision BuildRevisionOfThisBinary();

}  // namespace irlab
