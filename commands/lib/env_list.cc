// herd commands — "K=V" environment lists.
#include "commands/lib/env_list.h"

#include <unistd.h>

#include <cerrno>

extern char** environ;

namespace herd::cli {
namespace {

bool Defines(const std::string& entry, const std::string& name) {
  return entry.size() > name.size() && entry[name.size()] == '=' &&
         entry.compare(0, name.size(), name) == 0;
}

}  // namespace

std::optional<std::string> LookupEnv(const std::vector<std::string>& env, const std::string& name) {
  std::optional<std::string> value;
  for (const std::string& e : env) {
    if (Defines(e, name)) value = e.substr(name.size() + 1);
  }
  return value;
}

void SetEnv(std::vector<std::string>* env, const std::string& name, const std::string& value) {
  bool done = false;
  std::vector<std::string> out;
  out.reserve(env->size() + 1);
  for (std::string& e : *env) {
    if (!Defines(e, name)) {
      out.push_back(std::move(e));
    } else if (!done) {
      out.push_back(name + "=" + value);
      done = true;
    }
  }
  if (!done) out.push_back(name + "=" + value);
  *env = std::move(out);
}

std::vector<std::string> ProcessEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

Result<std::string> CurrentDir() {
  std::vector<char> buf(4096);
  while (getcwd(buf.data(), buf.size()) == nullptr) {
    if (errno != ERANGE || buf.size() > (1u << 20)) {
      return FailedPrecondition("cannot determine the current directory");
    }
    buf.resize(buf.size() * 2);
  }
  return std::string(buf.data());
}

}  // namespace herd::cli
