// herd hacctmgr — archive dump and archive load.
#include "commands/hacctmgr/hacctmgr_archive.h"

#include <cstdio>
#include <ctime>

#include "commands/hacct/acct_open.h"
#include "commands/lib/cli.h"
#include "common/base/strings.h"
#include "controller/acct/acct_purge.h"
#include "controller/acct/acct_store.h"

namespace herd::hacctmgr {
namespace {

// "Key=value" -> (key lower case, value); no '=': (word lower case, "").
std::pair<std::string, std::string> KeyValue(const std::string& word) {
  const size_t eq = word.find('=');
  if (eq == std::string::npos) return {ToLower(word), ""};
  return {ToLower(word.substr(0, eq)), word.substr(eq + 1)};
}

}  // namespace

Result<AcctPurgeConfig> ParseDumpArgs(const std::vector<std::string>& args, AcctPurgeConfig base) {
  for (const std::string& a : args) {
    const auto [key, value] = KeyValue(a);
    if (key == "directory") {
      if (value.empty() || value[0] != '/') {
        return InvalidArgument("Directory= must be an absolute path");
      }
      base.archive_dir = value;
    } else if (key == "events" || key == "jobs" || key == "steps" || key == "usage") {
      bool AcctPurgeConfig::*flag = key == "events"  ? &AcctPurgeConfig::archive_events
                                    : key == "jobs"  ? &AcctPurgeConfig::archive_jobs
                                    : key == "steps" ? &AcctPurgeConfig::archive_steps
                                                     : &AcctPurgeConfig::archive_usage;
      base.*flag = true;
    } else if (key == "purgeeventafter" || key == "purgejobafter" || key == "purgestepafter" ||
               key == "purgeusageafter") {
      PurgeAfter AcctPurgeConfig::*field = key == "purgeeventafter"  ? &AcctPurgeConfig::events
                                           : key == "purgejobafter"  ? &AcctPurgeConfig::jobs
                                           : key == "purgestepafter" ? &AcctPurgeConfig::steps
                                                                     : &AcctPurgeConfig::usage;
      auto after = ParsePurgeAfter(value);
      if (!after.ok()) return InvalidArgument(a + ": " + after.error().message());
      base.*field = *after;
    } else {
      return InvalidArgument("Unknown option: " + a);
    }
  }
  if (!base.any()) {
    return InvalidArgument("nothing to purge: no Purge*After in herd.conf or on the command line");
  }
  return base;
}

Result<std::string> ParseLoadArgs(const std::vector<std::string>& args) {
  std::string file;
  for (const std::string& a : args) {
    const auto [key, value] = KeyValue(a);
    if (key == "file" && !value.empty()) {
      file = value;
    } else if (key == "insert") {
      return InvalidArgument("Insert= (SQL statements) is not taken: load a herd archive file");
    } else {
      return InvalidArgument("Unknown option: " + a);
    }
  }
  if (file.empty()) return InvalidArgument("archive load needs File=PATH");
  return file;
}

int ArchiveCommand(const std::string& cmd, const std::vector<std::string>& words) {
  const std::string what = words.size() > 1 ? ToLower(words[1]) : "";
  const std::vector<std::string> args(words.begin() + std::min<size_t>(2, words.size()),
                                      words.end());
  if (what != "dump" && what != "load") {
    return cli::ReportError(cmd, "archive takes dump or load");
  }
  auto opened = hacct::OpenConfiguredStore(/*read_only=*/false);
  if (!opened.ok()) return cli::ReportError(cmd, opened.error().message());
  if (what == "load") {
    auto file = ParseLoadArgs(args);
    if (!file.ok()) return cli::ReportError(cmd, file.error().message());
    auto load = opened->store->LoadArchive(*file);
    if (!load.ok()) return cli::ReportError(cmd, load.error().message());
    std::printf("%s: %llu rows of %s read, %llu stored, %llu there already\n", file->c_str(),
                static_cast<unsigned long long>(load->rows), load->table.c_str(),
                static_cast<unsigned long long>(load->inserted),
                static_cast<unsigned long long>(load->rows - load->inserted));
    return 0;
  }
  auto policy = ParseDumpArgs(args, ctld::acct::PurgePolicyOf(opened->config));
  if (!policy.ok()) return cli::ReportError(cmd, policy.error().message());
  ctld::acct::PurgeReport report;
  Status s = opened->store->Purge(*policy, static_cast<int64_t>(std::time(nullptr)), &report);
  for (const std::string& f : report.files) std::printf("archived to %s\n", f.c_str());
  if (!s.ok()) return cli::ReportError(cmd, s.message());
  std::printf("%s\n", report.Describe().c_str());
  return 0;
}

}  // namespace herd::hacctmgr
