// herd — logging sink.
#include "common/base/log.h"

#include <sys/time.h>

#include <cstdio>
#include <ctime>
#include <mutex>

namespace herd {
namespace {

std::mutex g_mu;
std::string g_component = "herd";
FILE* g_file = nullptr;
Severity g_min = Severity::kInfo;

const char* SevName(Severity s) {
  switch (s) {
    case Severity::kDebug:
      return "debug";
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "?";
}

}  // namespace

void SetLogComponent(const std::string& component) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_component = component;
}

bool SetLogFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) return false;
  std::setvbuf(f, nullptr, _IOLBF, 0);
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_file != nullptr) std::fclose(g_file);
  g_file = f;
  return true;
}

void SetLogLevel(Severity min) { g_min = min; }

bool LogEnabled(Severity s) { return static_cast<int>(s) >= static_cast<int>(g_min); }

void LogLine(Severity s, const std::string& text) {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  struct tm tm;
  localtime_r(&tv.tv_sec, &tm);
  char ts[40];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
  std::lock_guard<std::mutex> lock(g_mu);
  FILE* out = g_file != nullptr ? g_file : stderr;
  std::fprintf(out, "%s.%03ld %s %s: %s\n", ts, static_cast<long>(tv.tv_usec / 1000), SevName(s),
               g_component.c_str(), text.c_str());
}

}  // namespace herd
