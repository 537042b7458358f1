// Reading and writing DemoMetadata as root attributes (shared by the irlab
// layout and the D4RL / Minari exports, which carry the same attributes so a
// round trip keeps the task and provenance).
#pragma once

#include <hdf5.h>

#include <filesystem>

#include "absl/status/statusor.h"
#include "data/demo_format.h"

namespace irlab {

// Writes every metadata attribute on `loc`; `irlab_layout` adds the format
// name and format_version (only irlab files carry them).
absl::Status WriteMetadataAttributes(hid_t loc, const DemoMetadata& metadata, bool irlab_layout,
                                     const std::filesystem::path& file);

// Reads them back. For an irlab file the format attributes, task and sizes
// are required; otherwise only the task and sizes are. Missing optional
// attributes keep their defaults.
absl::StatusOr<DemoMetadata> ReadMetadataAttributes(hid_t loc, const std::filesystem::path& file,
                                                    bool irlab_layout);

// True if `loc` carries a task attribute (a file written or exported by irlab).
bool HasTaskAttributes(hid_t loc);

// Checks the metadata's own consistency (sizes positive, ranges sized act_dim).
absl::Status CheckMetadata(const DemoMetadata& metadata, const std::filesystem::path& file);

}  // namespace irlab
