// herd fuzz — what the harnesses share: input splitting, a scratch directory, a quiet log and
// the check that stops the fuzzer on a broken invariant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/base/fs.h"
#include "common/base/log.h"

namespace herd::fuzz {

// A broken invariant (not a refused input) is a finding: report it and abort, so libFuzzer
// saves the input as a crash.
#define HERD_FUZZ_CHECK(cond)                                                       \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

inline std::string AsString(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// The words of a command line, one per line of the input (the seeds stay readable; a word
// holding a newline is the one thing the fuzzer cannot build).
inline std::vector<std::string> SplitArgs(const std::string& text) {
  std::vector<std::string> args;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    if (nl > start || nl < text.size()) args.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return args;
}

// Log lines of refused input would flood the fuzzer's output.
inline void QuietLog() {
  SetLogFile("/dev/null");
  SetLogLevel(Severity::kError);
}

// An empty directory for one execution, under /dev/shm when there is one (no disk I/O),
// removed with everything in it at the end of the scope.
class ScratchDir {
 public:
  ScratchDir() {
    const char* base = PathExists("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string tmpl = std::string(base) + "/herd-fuzz.XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) {
      std::perror("herd fuzz: mkdtemp");
      std::abort();
    }
    path_ = buf.data();
  }
  ~ScratchDir() { (void)RemoveTree(path_); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace herd::fuzz
