#pragma once
// File steps the bridges' state files share: the errors they are refused with, and the
// fsync of a directory, so that a file just created or renamed into it survives a crash.

#include <string>

#include <caf/error.hpp>

namespace bridge {

/// ec::invalid_config "<path>: <what>" (a state file that cannot be used).
caf::error state_error(const std::string& path, const std::string& what);

/// fsync of the directory holding `path`.
void sync_parent_dir(const std::string& path);

} // namespace bridge
