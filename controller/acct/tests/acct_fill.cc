// herd bench tool — fills an accounting database (SQLite file or PostgreSQL) with N
// finished jobs of U users spread over the last D days, through AcctStore::Put (the
// controller's own write path, batches of 2,000), and prints the ingest rate. Used by
// testsuite/bench/bench_acct_query.sh for the query figures on a large database.
//   acct_fill sqlite FILE CLUSTER N USERS DAYS
//   acct_fill pgsql  CONNINFO-DBNAME ... (AccountingStorage* as herd.conf would set them)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "controller/acct/acct_store.h"

int main(int argc, char** argv) {
  using namespace herd::ctld::acct;
  if (argc != 7 && argc != 9) {
    std::fprintf(stderr,
                 "usage: acct_fill sqlite|pgsql LOC CLUSTER N USERS DAYS [PGHOST PGPORT]\n");
    return 2;
  }
  StorageConfig c;
  c.type = std::string("accounting_storage/") + argv[1];
  c.loc = argv[2];
  c.cluster = argv[3];
  if (argc == 9) {
    c.host = argv[7];
    c.port = static_cast<uint32_t>(std::atoi(argv[8]));
    c.user = "postgres";
  }
  const uint64_t n = std::strtoull(argv[4], nullptr, 10);
  const uint32_t users = static_cast<uint32_t>(std::atoi(argv[5]));
  const int64_t days = std::atoll(argv[6]);
  auto store = OpenStore(c, /*read_only=*/false);
  if (!store.ok()) {
    std::fprintf(stderr, "acct_fill: %s\n", store.error().message().c_str());
    return 1;
  }
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  const int64_t span = days * 86400;
  const auto t0 = std::chrono::steady_clock::now();
  Batch b;
  for (uint64_t id = 1; id <= n; ++id) {
    JobRow j;
    j.job_id = id;
    j.uid = 10000 + static_cast<uint32_t>(id % users);
    j.user = "user" + std::to_string(j.uid);
    j.gid = j.uid;
    j.name = "job" + std::to_string(id % 97);
    j.account = "acct" + std::to_string(id % 13);
    j.partition = "batch";
    j.submit_time = j.eligible_time = now - span + static_cast<int64_t>(id * span / n);
    j.start_time = j.submit_time + 5;
    j.end_time = j.start_time + 60 + static_cast<int64_t>(id % 3600);
    j.state = id % 10 == 0 ? 5 : 4;  // every tenth FAILED
    j.exit_status = id % 10 == 0 ? 1 << 8 : 0;
    j.nodes = "n" + std::to_string(id % 500);
    j.nnodes = 1;
    j.alloc_cpus = j.req_cpus = 4;
    j.req_nodes = 1;
    j.time_limit_s = 7200;
    j.work_dir = "/home/" + j.user;
    j.submit_line = "sbatch job.sh";
    b.jobs.push_back(std::move(j));
    if (b.jobs.size() == 2000 || id == n) {
      auto s = (*store)->Put(b);
      if (!s.ok()) {
        std::fprintf(stderr, "acct_fill: %s\n", s.message().c_str());
        return 1;
      }
      b.jobs.clear();
    }
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("jobs=%llu seconds=%.1f ingest_rows_per_s=%.0f\n",
              static_cast<unsigned long long>(n), secs, static_cast<double>(n) / secs);
  return 0;
}
