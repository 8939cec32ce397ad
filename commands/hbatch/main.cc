// herd hbatch — submit a batch script (sbatch's interface). Parsing and the JobSpec live in
// hbatch_options.cc and hbatch_script.cc; this file reads the script, sends, prints.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "commands/hbatch/hbatch_script.h"
#include "commands/lib/cli.h"
#include "commands/lib/client.h"
#include "commands/lib/dialect.h"
#include "commands/lib/slurm_options.h"
#include "common/base/fs.h"
#include "common/base/random.h"
#include "common/proto/messages.h"

extern char** environ;

namespace {

// The name this process speaks under (herd's, or Slurm's through a link).
const char* Cmd() { return herd::cli::Name().c_str(); }

std::vector<std::string> Environment() {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

herd::Result<std::string> CurrentDir() {
  std::vector<char> buf(4096);
  while (getcwd(buf.data(), buf.size()) == nullptr) {
    if (errno != ERANGE || buf.size() > (1u << 20)) {
      return herd::FailedPrecondition("cannot determine the current directory");
    }
    buf.resize(buf.size() * 2);
  }
  return std::string(buf.data());
}

}  // namespace

int main(int argc, char** argv) {
  herd::cli::InitName(argv[0], "hbatch", "sbatch");
  using namespace herd;
  auto cl = hbatch::ParseHbatchCommandLine(cli::Args(argc, argv));
  if (!cl.ok()) return cli::ReportStatus(Cmd(), cl.error());
  if (cl->options.help) {
    std::fputs(hbatch::HbatchUsage().c_str(), stdout);
    return 0;
  }
  if (cl->options.version) {
    std::printf("%s\n", cli::kVersionString);
    return 0;
  }

  std::string script;
  if (cl->options.wrap) {
    script = hbatch::WrapScript(*cl->options.wrap);
  } else if (cl->script_path) {
    auto text = ReadFile(*cl->script_path);
    if (!text.ok()) return cli::ReportError(Cmd(), "Unable to open file " + *cl->script_path);
    script = std::move(*text);
  } else {
    script.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }

  auto cwd = CurrentDir();
  if (!cwd.ok()) return cli::ReportError(Cmd(), cwd.error().message());
  auto sub = hbatch::BuildSubmission(*cl, script, Environment(), *cwd);
  if (!sub.ok()) return cli::ReportStatus(Cmd(), sub.error());

  auto client = cli::Client::Create();
  if (!client.ok()) return cli::ReportError(Cmd(), client.error().message());
  if (Status st = cli::WarnIgnoredOptions(Cmd(), sub->ignored_options,
                                          (*client)->config().unsupported_options_error);
      !st.ok()) {
    return cli::ReportError(Cmd(), st.message());
  }
  const Status nice = cli::CheckNiceAllowed(sub->spec.nice, (*client)->config());
  if (!nice.ok()) return cli::ReportError(Cmd(), "Batch job submission failed: " + nice.message());
  const proto::JobSpec& spec = sub->spec;
  if (Status size = cli::CheckJobSize((*client)->config(), spec.script, spec.env, spec.argv);
      !size.ok()) {
    return cli::ReportError(Cmd(), "Batch job submission failed: " + size.message());
  }
  proto::SubmitJobRequest req;
  req.spec = std::move(sub->spec);
  req.spec.umask = cli::CurrentUmask();  // the job's files are created as this shell would
  req.spec.submit_line = cli::SubmitLine(argc, argv);
  req.token = RandomNonZeroU64();  // the same in every resend of this submission
  auto reply = (*client)->Call<proto::SubmitJobReply>(req);
  if (!reply.ok()) {
    return cli::ReportError(
        Cmd(), "Batch job submission failed: " + cli::DescribeCallError(reply.error()).message());
  }
  if (sub->quiet) return 0;
  if (sub->parsable) {
    std::printf("%llu\n", static_cast<unsigned long long>(reply->job_id));
  } else {
    std::printf("Submitted batch job %llu\n", static_cast<unsigned long long>(reply->job_id));
  }
  return 0;
}
