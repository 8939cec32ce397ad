// herd — helpers for controller unit tests: a config, a fake authenticator whose
// credentials name the uid, and request/reply plumbing through the core.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "common/auth/auth.h"
#include "common/base/strings.h"
#include "common/config/config.h"
#include "common/proto/codec.h"

namespace herd::ctld::testing {

// "0a1b..." -> the bytes: records written by earlier versions, kept in tests as hex.
inline std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// Credential text "uid:<n>" means that uid; a body check is skipped (tests of the real
// binding are in common/tests with a real munged).
class FakeAuth : public Authenticator {
 public:
  Result<std::string> Sign(const std::string&) override { return "uid:" + std::to_string(uid); }
  Result<Identity> Verify(const std::string& cred, const std::string&) override {
    if (!StartsWith(cred, "uid:")) return PermissionDenied("bad credential");
    auto v = ParseUint(cred.substr(4));
    if (!v.ok()) return PermissionDenied("bad credential");
    return Identity{static_cast<uint32_t>(*v), static_cast<uint32_t>(*v)};
  }
  uint32_t uid = 0;  // what Sign() claims
};

inline ClusterConfig TestConfig(int nodes = 4, int cpus = 4, int mem = 2000) {
  std::string text =
      "ClusterName=test\nControllerHost=ctl1(127.0.0.1:7000)\nStateDir=/tmp/x\n"
      "HeartbeatInterval=1\nNodeTimeout=5\nMinJobAge=300\nKillWait=2\n";
  text += "NodeName=n[1-" + std::to_string(nodes) +
          "] NodeAddr=127.0.0.1 Port=" + std::to_string(7100) + "-" +
          std::to_string(7100 + nodes - 1) + " CPUs=" + std::to_string(cpus) +
          " RealMemory=" + std::to_string(mem) + "\n";
  text += "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n";
  text += "PartitionName=short Nodes=n1 MaxTime=10 State=UP\n";
  auto cfg = ParseConfig(text, "test.conf");
  EXPECT_TRUE(cfg.ok()) << cfg.error().message();
  return *cfg;
}

template <class T>
std::string RequestBytes(const T& msg, uint32_t uid, uint64_t request_id = 1) {
  proto::Frame f = proto::MakeFrame(msg, request_id);
  f.auth = "uid:" + std::to_string(uid);
  return proto::EncodeFrame(f);
}

inline proto::JobSpec SimpleSpec(const std::string& cmd = "true") {
  proto::JobSpec s;
  s.name = "t";
  s.script = "#!/bin/sh\n" + cmd + "\n";
  s.work_dir = "/tmp";
  return s;
}

}  // namespace herd::ctld::testing
