// herd commands — squeue's and sinfo's -O/--Format: "JobID,Name:12,State:.8" (a field name,
// optionally ':' and a width, '.' before it for right alignment; 20 wide by default),
// turned into the equivalent -o format ("%-20i%-12j%.8T"): the columns are the -o
// letters', packed without a separator, as Slurm prints them.
#pragma once

#include <map>
#include <string>

#include "common/base/status.h"

namespace herd::cli {

// Field names (compared without case) -> -o letter.
using FieldLetters = std::map<std::string, char>;

// squeue's -O names herd prints.
const FieldLetters& SqueueFields();
// sinfo's -O names herd prints.
const FieldLetters& SinfoFields();

// The -o format of a -O specification; an unknown name is an error naming it.
Result<std::string> FormatFromFields(const std::string& spec, const FieldLetters& fields);

// The format the environment asks for, as Slurm's commands read it when the command line
// gives none: `format_var` (SQUEUE_FORMAT: an -o format), else `fields_var`
// (SQUEUE_FORMAT2: a -O one); "" when neither is set.
Result<std::string> FormatFromEnvironment(const char* format_var, const char* fields_var,
                                          const FieldLetters& fields);

}  // namespace herd::cli
