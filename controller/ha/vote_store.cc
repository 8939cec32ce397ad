// herd — the voter's durable state on disk.
#include "controller/ha/vote_store.h"

#include <sstream>

#include "common/base/fs.h"
#include "common/base/strings.h"

namespace herd::ctld::ha {
namespace {

constexpr char kHeader[] = "herd-vote 1";

}  // namespace

Result<VoteState> FileVoteStore::Load() {
  VoteState s;
  if (!PathExists(path_)) return s;
  HERD_ASSIGN_OR_RETURN(std::string text, ReadFile(path_));
  // herd-vote 1 epoch=<n> voted_for=<name> log_epoch=<n> excluded=<name>
  std::vector<std::string> words = Split(Trim(text), ' ');
  if (words.size() != 6 || words[0] + " " + words[1] != kHeader) {
    return DataLoss(path_ + ": not a herd vote file");
  }
  for (size_t i = 2; i < words.size(); ++i) {
    const std::string& w = words[i];
    const size_t eq = w.find('=');
    if (eq == std::string::npos) return DataLoss(path_ + ": bad field '" + w + "'");
    const std::string key = w.substr(0, eq), value = w.substr(eq + 1);
    if (key == "epoch" || key == "log_epoch") {
      auto n = ParseUint(value);
      if (!n.ok()) return DataLoss(path_ + ": bad " + key);
      (key == "epoch" ? s.epoch : s.log_epoch) = *n;
    } else if (key == "voted_for") {
      s.voted_for = value;
    } else if (key == "excluded") {
      s.excluded = value;
    } else {
      return DataLoss(path_ + ": unknown field '" + key + "'");
    }
  }
  return s;
}

Status FileVoteStore::Save(const VoteState& s) {
  std::ostringstream out;
  out << kHeader << " epoch=" << s.epoch << " voted_for=" << s.voted_for
      << " log_epoch=" << s.log_epoch << " excluded=" << s.excluded << "\n";
  return WriteFileAtomic(path_, out.str(), true);
}

}  // namespace herd::ctld::ha
