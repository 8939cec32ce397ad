// herd — logging: one line per event, "<time> <severity> <component>: message".
//
// Thread-safe. The sink is stderr until SetLogFile() points it at a file. Daemons log
// every refused message, state change and error; commands print errors themselves.
#pragma once

#include <sstream>
#include <string>

namespace herd {

enum class Severity { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

void SetLogComponent(const std::string& component);  // "herdctld", "herdd(n1)", ...
bool SetLogFile(const std::string& path);            // false if it cannot be opened
void SetLogLevel(Severity min);
bool LogEnabled(Severity s);
void LogLine(Severity s, const std::string& text);

class LogMessage {
 public:
  explicit LogMessage(Severity s) : s_(s) {}
  ~LogMessage() { LogLine(s_, os_.str()); }
  template <typename T>
  LogMessage& operator<<(const T& v) {
    os_ << v;
    return *this;
  }

 private:
  Severity s_;
  std::ostringstream os_;
};

}  // namespace herd

// Usable as a statement anywhere, also as the body of an unbraced if.
#define HERD_LOG(sev)                                                                      \
  for (bool _herd_log_once = ::herd::LogEnabled(::herd::Severity::k##sev); _herd_log_once; \
       _herd_log_once = false)                                                             \
  ::herd::LogMessage(::herd::Severity::k##sev)
