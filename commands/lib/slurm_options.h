// herd commands — the options of Slurm 22.05's sbatch that herd does not act on (yet), so
// that a Slurm script or command line using them is never answered "unrecognized option".
// Each has a class:
//   kQuiet     accepted without a word (it changes nothing a user can see: -v, --ignore-pbs)
//   kNoEffect  accepted; herd does not act on it, which is said in one warning line, or
//              refused when herd.conf has UnsupportedOptions=error
//   kNotYet    refused with "<opt> is not supported by herd yet": without the feature the
//              job would run differently from what was asked (arrays, dependencies, GPUs,
//              reservations, signals, ...)
// The options herd implements are in each command's own table and take precedence.
#pragma once

#include <getopt.h>

#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd::cli {

enum class ForeignSupport { kQuiet, kNoEffect, kNotYet };

struct ForeignOption {
  const char* long_name;  // without "--"
  char short_name;        // 0 when it has none
  int has_arg;            // no_argument, required_argument, optional_argument
  ForeignSupport support;
};

// getopt codes of foreign options: kForeignOptionBase + their index in the catalogue.
inline constexpr int kForeignOptionBase = 0x1000;

// sbatch's options that herd does not implement (the whole catalogue).
const std::vector<ForeignOption>& SbatchForeignOptions();

// Appends the catalogue's long options whose names are not already in `opts` to `opts`,
// and to `shortopts` the letters (with ':' / '::') not already in it.
void AddForeignOptions(std::vector<struct option>* opts, std::string* shortopts);

// The catalogue entry for getopt's code `opt` (a foreign long option, or a short letter
// that only a foreign option has); nullptr if it is none.
const ForeignOption* FindForeignOption(int opt);

// "--mail-type" (or "-a" style for an option with only a short form).
std::string ForeignOptionName(const ForeignOption& o);

// What a command does with a foreign option it was given: Ok (and the option's name
// appended to `*ignored` for a kNoEffect one) or the kNotYet error.
Status TakeForeignOption(const ForeignOption& o, std::vector<std::string>* ignored);

// The warning for options accepted without effect:
// "--mail-type, --comment: accepted, but herd does not act on them yet".
std::string IgnoredOptionsWarning(const std::vector<std::string>& ignored);

}  // namespace herd::cli
