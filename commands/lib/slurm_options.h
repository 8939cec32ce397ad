// herd commands — the options of Slurm 22.05's sbatch, salloc and srun that herd does not
// act on (yet), so that a Slurm script or command line using them is never answered
// "unrecognized option".
// Each has a class:
//   kQuiet     accepted without a word (it changes nothing a user can see: -v, --ignore-pbs)
//   kNoEffect  accepted; herd does not act on it, which is said in one warning line, or
//              refused when herd.conf has UnsupportedOptions=error
//   kNotYet    refused with "<opt> is not supported by herd yet": without the feature the
//              job would run differently from what was asked (arrays, dependencies, GPUs,
//              reservations, signals, ...)
// The options herd implements are in each command's own table and take precedence
// (commands/lib/option_table.h adds a catalogue after them).
#pragma once

#include <getopt.h>

#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd::cli {

enum class ForeignSupport { kQuiet, kNoEffect, kNotYet };

// The Slurm commands whose options an entry is (a bit set).
enum SlurmCommand : unsigned { kSbatch = 1, kSalloc = 2, kSrun = 4 };

struct ForeignOption {
  const char* long_name;  // without "--"
  char short_name;        // 0 when it has none
  int has_arg;            // no_argument, required_argument, optional_argument
  ForeignSupport support;
  unsigned commands;  // SlurmCommand bits
};

// getopt codes of foreign options: kForeignOptionBase + their index in the catalogue.
inline constexpr int kForeignOptionBase = 0x1000;

// The whole catalogue: every entry, of every command.
const std::vector<ForeignOption>& ForeignCatalogue();

// The catalogue entry for handler code `opt` (kForeignOptionBase + its index, as
// OptionTable hands it over); nullptr if it is none.
const ForeignOption* FindForeignOption(int opt);

// "--mail-type" (or "-a" style for an option with only a short form).
std::string ForeignOptionName(const ForeignOption& o);

// What a command does with a foreign option it was given: Ok (and the option's name
// appended to `*ignored` for a kNoEffect one) or the kNotYet error.
Status TakeForeignOption(const ForeignOption& o, std::vector<std::string>* ignored);

// A handler's default case: the foreign option with catalogue code `opt` taken as
// TakeForeignOption does; any other code is an internal usage error.
Status TakeForeignCode(int opt, std::vector<std::string>* ignored);

// Once a command has read all its options: those accepted without effect (`ignored`) are
// named in one warning line on stderr ("<cmd>: warning: ..."), or, with
// UnsupportedOptions=error (`refuse`), the error to print instead of going on.
Status WarnIgnoredOptions(const std::string& cmd, const std::vector<std::string>& ignored,
                          bool refuse);

// The warning for options accepted without effect:
// "--mail-type, --comment: accepted, but herd does not act on them yet".
std::string IgnoredOptionsWarning(const std::vector<std::string>& ignored);

}  // namespace herd::cli
