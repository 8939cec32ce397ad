// herd commands — an option table written once, turned into getopt_long's two forms.
#include "commands/lib/option_table.h"

#include <cstring>

namespace herd::cli {

bool OptionTable::HasLong(const char* name) const {
  for (const struct option& o : long_) {
    if (std::strcmp(o.name, name) == 0) return true;
  }
  return false;
}

void OptionTable::AddLetter(char letter, int has_arg) {
  short_ += letter;
  if (has_arg == required_argument) short_ += ':';
  if (has_arg == optional_argument) short_ += "::";
}

OptionTable& OptionTable::Add(std::initializer_list<OptionDef> defs) {
  for (const OptionDef& d : defs) {
    const int code = d.code != 0 ? d.code : d.letter;
    if (d.long_name != nullptr) long_.push_back({d.long_name, d.has_arg, nullptr, code});
    if (d.letter != 0 && short_.find(d.letter) == std::string::npos) {
      AddLetter(d.letter, d.has_arg);
      if (code != d.letter) letter_codes_[d.letter] = code;
    }
  }
  return *this;
}

OptionTable& OptionTable::AddForeign(SlurmCommand command) {
  const std::vector<ForeignOption>& list = ForeignCatalogue();
  for (size_t i = 0; i < list.size(); ++i) {
    const ForeignOption& f = list[i];
    if ((f.commands & command) == 0) continue;
    const int code = kForeignOptionBase + static_cast<int>(i);
    if (!HasLong(f.long_name)) long_.push_back({f.long_name, f.has_arg, nullptr, code});
    if (f.short_name != 0 && short_.find(f.short_name) == std::string::npos) {
      AddLetter(f.short_name, f.has_arg);
      letter_codes_[f.short_name] = code;
    }
  }
  return *this;
}

std::vector<struct option> OptionTable::longopts() const {
  std::vector<struct option> out = long_;
  out.push_back({nullptr, 0, nullptr, 0});
  return out;
}

Status OptionTable::Parse(const std::string& cmd, const std::vector<std::string>& args,
                          bool stop_at_positional, const OptionHandler& handler,
                          std::vector<std::string>* positional) const {
  const std::vector<struct option> opts = longopts();
  return RunGetopt(
      cmd, args, short_, opts.data(), stop_at_positional,
      [this, &handler](int opt, const char* arg) {
        auto it = letter_codes_.find(opt);
        return handler(it == letter_codes_.end() ? opt : it->second, arg);
      },
      positional);
}

}  // namespace herd::cli
