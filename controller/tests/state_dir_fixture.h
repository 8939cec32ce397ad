// herd — a fixture for tests of a controller's state directory: a fresh temporary
// directory per test, removed after it, and the store opened on it.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <memory>
#include <string>

#include "common/base/fs.h"
#include "controller/store/file_state_store.h"

namespace herd::ctld::testing {

class StateDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/herd-statedir-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)RemoveTree(dir_); }
  std::unique_ptr<FileStateStore> Open() {
    auto s = FileStateStore::Open(dir_);
    EXPECT_TRUE(s.ok()) << s.error().message();
    return std::move(*s);
  }
  std::string dir_;
};

}  // namespace herd::ctld::testing
