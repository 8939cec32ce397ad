// herd commands — environments as "K=V" lists (what JobSpec and StepSpec carry): lookup,
// replace-in-place assignment, and the process's own environment and directory.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd::cli {

// The value of the last definition of `name`; nullopt when undefined.
std::optional<std::string> LookupEnv(const std::vector<std::string>& env, const std::string& name);

// Sets `name` (replacing every earlier definition in place, or appending).
void SetEnv(std::vector<std::string>* env, const std::string& name, const std::string& value);

// This process's environment.
std::vector<std::string> ProcessEnvironment();

// The current directory (absolute).
Result<std::string> CurrentDir();

}  // namespace herd::cli
