// herd — the voter's durable state on disk.
#include "controller/ha/vote_store.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "common/base/fs.h"
#include "common/base/strings.h"
#include "common/proto/ha_messages.h"

namespace herd::ctld::ha {
namespace {

constexpr char kHeader[] = "herd-vote 1";

// The fields as written, before any check of their values.
Result<VoteState> ParseVoteFile(const std::string& path_) {
  VoteState s;
  if (!PathExists(path_)) return s;
  HERD_ASSIGN_OR_RETURN(std::string text, ReadFile(path_));
  // herd-vote 1 epoch=<n> voted_for=<name> log_epoch=<n> excluded=<name>
  std::vector<std::string> words = Split(Trim(text), ' ');
  if (words.size() != 6 || words[0] + " " + words[1] != kHeader) {
    return DataLoss(path_ + ": not a herd vote file");
  }
  std::set<std::string> seen;
  for (size_t i = 2; i < words.size(); ++i) {
    const std::string& w = words[i];
    const size_t eq = w.find('=');
    if (eq == std::string::npos) return DataLoss(path_ + ": bad field '" + w + "'");
    const std::string key = w.substr(0, eq), value = w.substr(eq + 1);
    // Only what Save writes: each field once, names of visible characters. Anything else
    // (a damaged file) would not read back as it was loaded.
    if (!seen.insert(key).second) return DataLoss(path_ + ": field '" + key + "' twice");
    if (!std::all_of(value.begin(), value.end(),
                     [](unsigned char c) { return std::isgraph(c) != 0; })) {
      return DataLoss(path_ + ": bad " + key);
    }
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

}  // namespace

Result<VoteState> FileVoteStore::Load() {
  HERD_ASSIGN_OR_RETURN(VoteState s, ParseVoteFile(path_));
  if (!proto::SaneEpoch(s.epoch) || !proto::SaneEpoch(s.log_epoch)) {
    return FailedPrecondition(
        path_ + ": epoch " + std::to_string(s.epoch) + " (journal epoch " +
        std::to_string(s.log_epoch) + ") is above the ceiling " + std::to_string(proto::kMaxEpoch) +
        ": a forged or damaged value, never reached by elections (herd once believed answers "
        "from any process on a voter's port). Stop this daemon and run `herdctld "
        "--reset-vote` with the same --conf and --name (or --witness) on every voter that "
        "says so, then start them again");
  }
  return s;
}

Result<std::string> ResetPoisonedVote(const std::string& path) {
  HERD_ASSIGN_OR_RETURN(VoteState s, ParseVoteFile(path));
  if (proto::SaneEpoch(s.epoch) && proto::SaneEpoch(s.log_epoch)) {
    return path + ": epoch " + std::to_string(s.epoch) + " is sane, nothing to reset";
  }
  VoteState next = s;
  next.log_epoch = proto::SaneEpoch(s.log_epoch) ? s.log_epoch : 0;
  if (!proto::SaneEpoch(s.epoch)) {
    // Above every epoch a real election can have reached since the journal's.
    next.epoch = next.log_epoch + kResetMargin;
    next.voted_for.clear();
  }
  HERD_RETURN_IF_ERROR(FileVoteStore(path).Save(next));
  return path + ": epoch " + std::to_string(s.epoch) + " -> " + std::to_string(next.epoch) +
         ", journal epoch " + std::to_string(s.log_epoch) + " -> " + std::to_string(next.log_epoch);
}

Status FileVoteStore::Save(const VoteState& s) {
  std::ostringstream out;
  out << kHeader << " epoch=" << s.epoch << " voted_for=" << s.voted_for
      << " log_epoch=" << s.log_epoch << " excluded=" << s.excluded << "\n";
  return WriteFileAtomic(path_, out.str(), true);
}

}  // namespace herd::ctld::ha
