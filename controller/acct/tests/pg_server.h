// herd tests — one private PostgreSQL server for a whole test program (contribs/herd-pg:
// its own data directory and unix socket under a temporary directory, no TCP), and a fresh
// database per test.
#pragma once

#include <cstdlib>
#include <string>

#include "controller/acct/sql_conn.h"

namespace herd::ctld::acct::testing {

class PgServer {
 public:
  // Starts the server on first use; stopped at exit.
  static PgServer& Get();
  bool ok() const { return ok_; }
  const std::string& socket_dir() const { return dir_; }
  uint32_t port() const { return port_; }
  // Creates an empty database and returns its libpq connection string.
  std::string NewDatabase(const std::string& name);

 private:
  PgServer();
  ~PgServer();
  bool ok_ = false;
  std::string root_;
  std::string dir_;
  uint32_t port_ = 0;
};

}  // namespace herd::ctld::acct::testing
