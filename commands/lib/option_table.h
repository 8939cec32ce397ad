// herd commands — one command's option table: each option written once (long name, letter,
// whether it takes a value, the code its handler sees), from which the getopt_long table
// and the short-option string are both made, so the two can never disagree. A command that
// speaks for a Slurm command (sbatch, salloc, srun) adds that command's catalogue of
// options herd does not act on (commands/lib/slurm_options.h): those come after the
// command's own and never shadow them.
#pragma once

#include <getopt.h>

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "commands/lib/cli.h"
#include "commands/lib/slurm_options.h"
#include "common/base/status.h"

namespace herd::cli {

struct OptionDef {
  const char* long_name;  // without "--"; nullptr for a letter only
  char letter;            // 0 for a long name only
  int has_arg;            // no_argument, required_argument, optional_argument
  int code = 0;           // what the handler sees; 0: the letter
};

class OptionTable {
 public:
  OptionTable(std::initializer_list<OptionDef> defs) { Add(defs); }

  OptionTable& Add(std::initializer_list<OptionDef> defs);
  // The catalogue of Slurm command `command`'s options that herd does not implement; a
  // long name or letter the table already has is skipped. The handler sees such an option
  // as its catalogue code (FindForeignOption), under its long name or its letter alike.
  OptionTable& AddForeign(SlurmCommand command);

  // RunGetopt over this table; see cli.h.
  Status Parse(const std::string& cmd, const std::vector<std::string>& args,
               bool stop_at_positional, const OptionHandler& handler,
               std::vector<std::string>* positional) const;

  const std::string& shortopts() const { return short_; }
  // Terminated by an all-zero entry, as getopt_long wants it.
  std::vector<struct option> longopts() const;

 private:
  bool HasLong(const char* name) const;
  void AddLetter(char letter, int has_arg);

  std::vector<struct option> long_;
  std::string short_;
  std::map<int, int> letter_codes_;  // a letter whose handler code is another (foreign)
};

}  // namespace herd::cli
