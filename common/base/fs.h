// herd — file helpers with Status errors: atomic replace, whole-file read, mkdir -p.
#pragma once

#include <string>

#include "common/base/status.h"

namespace herd {

Result<std::string> ReadFile(const std::string& path);
// Writes path.new, fsyncs it, renames it over path, fsyncs the directory (if durable).
Status WriteFileAtomic(const std::string& path, const std::string& data, bool durable = true);
Status MakeDirs(const std::string& path, unsigned mode = 0755);
Status FsyncDir(const std::string& dir);
std::string DirName(const std::string& path);
bool PathExists(const std::string& path);
// Removes a directory tree; missing is not an error.
Status RemoveTree(const std::string& path);

}  // namespace herd
