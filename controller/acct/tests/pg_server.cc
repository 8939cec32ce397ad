// herd tests — PgServer.
#include "controller/acct/tests/pg_server.h"

#include <unistd.h>

#include <cstdio>

namespace herd::ctld::acct::testing {

PgServer& PgServer::Get() {
  static PgServer server;
  return server;
}

PgServer::PgServer() {
  char tmpl[] = "/tmp/herd-acct-pg.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return;
  root_ = tmpl;
  std::string chmod = "chmod 755 " + root_;
  if (std::system(chmod.c_str()) != 0) return;
  dir_ = root_ + "/pg";
  // A port of its own: the socket file's name carries it, the directory is private anyway.
  port_ = 40000 + static_cast<uint32_t>(getpid() % 20000);
  std::string cmd = std::string(HERD_SOURCE_DIR) + "/contribs/herd-pg start " + dir_ + " " +
                    std::to_string(port_) + " >/dev/null";
  ok_ = std::system(cmd.c_str()) == 0;
}

PgServer::~PgServer() {
  if (root_.empty()) return;
  if (ok_) {
    std::string stop = std::string(HERD_SOURCE_DIR) + "/contribs/herd-pg stop " + dir_;
    (void)std::system(stop.c_str());
  }
  std::string rm = "rm -rf " + root_;
  (void)std::system(rm.c_str());
}

std::string PgServer::NewDatabase(const std::string& name) {
  std::string base = "host=" + dir_ + " port=" + std::to_string(port_) + " user=postgres";
  auto admin = OpenPostgres(base + " dbname=postgres");
  if (!admin.ok()) return "";
  (void)(*admin)->Exec("DROP DATABASE IF EXISTS " + name);
  if (!(*admin)->Exec("CREATE DATABASE " + name).ok()) return "";
  return base + " dbname=" + name;
}

}  // namespace herd::ctld::acct::testing
