// herd hqueue — printing job steps.
#include "commands/hqueue/hqueue_steps.h"

#include <map>

#include "commands/lib/table.h"
#include "common/config/config.h"

namespace herd::hqueue {
namespace {

const std::map<char, std::string>& StepTitles() {
  static const std::map<char, std::string> titles = {
      {'i', "STEPID"}, {'j', "NAME"},     {'P', "PARTITION"}, {'u', "USER"},
      {'M', "TIME"},   {'N', "NODELIST"}, {'A', "TASKS"},     {'T', "STATE"}};
  return titles;
}

std::string StepField(char code, const proto::StepInfo& s, int64_t now) {
  switch (code) {
    case 'i':
      return std::to_string(s.job_id) + "." + std::to_string(s.step_id);
    case 'j':
      return s.name;
    case 'P':
      return s.partition;
    case 'u':
      return s.user;
    case 'M': {
      int64_t end = s.end_time > 0 ? s.end_time : now;
      return FormatDuration(end > s.start_time ? end - s.start_time : 0);
    }
    case 'N':
      return s.nodelist;
    case 'A':
      return std::to_string(s.num_tasks);
    case 'T':
      return proto::JobStateName(s.state);
  }
  return "";
}

}  // namespace

Result<std::string> RenderSteps(const std::vector<proto::StepInfo>& steps, int64_t now,
                                const std::string& format, bool header) {
  auto fmt = cli::TableFormat::Parse(format, StepTitles());
  if (!fmt.ok()) return InvalidArgument("Invalid step format: " + fmt.error().message());
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : steps) {
    std::vector<std::string> cells;
    for (char c : fmt->codes()) cells.push_back(StepField(c, s, now));
    rows.push_back(std::move(cells));
  }
  return fmt->Render(rows, header);
}

}  // namespace herd::hqueue
