// herd hbatch — script checks, directives, --export and the JobSpec.
#include "commands/hbatch/hbatch_script.h"

#include <cctype>
#include <map>

#include "commands/lib/cli.h"
#include "commands/lib/dialect.h"
#include "commands/lib/env_options.h"
#include "common/base/strings.h"

namespace herd::hbatch {
namespace {

constexpr const char* kDirectivePrefixes[] = {"#HERD", "#SBATCH"};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// The words of a directive's option text: blanks separate, single or double quotes group
// (and are removed), an unquoted '#' at the start of a word begins a comment.
Result<std::vector<std::string>> SplitDirectiveWords(const std::string& text, int line) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (char c : text) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        cur += c;
      }
      continue;
    }
    if (IsBlank(c)) {
      if (in_word) words.push_back(cur);
      cur.clear();
      in_word = false;
      continue;
    }
    if (c == '#' && !in_word) break;
    in_word = true;
    if (c == '"' || c == '\'') {
      quote = c;
    } else {
      cur += c;
    }
  }
  if (quote != 0) {
    return InvalidArgument("batch script line " + std::to_string(line) + ": unterminated " +
                           (quote == '"' ? "double" : "single") + " quote in directive");
  }
  if (in_word) words.push_back(cur);
  return words;
}

// "#SBATCH --x" -> " --x"; nullopt when the line is not a directive. The prefix must be
// followed by a blank or the end of the line ("#SBATCHED" is a plain comment).
std::optional<std::string> DirectiveText(const std::string& line) {
  for (const char* prefix : kDirectivePrefixes) {
    const std::string p = prefix;
    if (!StartsWith(line, p)) continue;
    if (line.size() == p.size() || IsBlank(line[p.size()])) return line.substr(p.size());
  }
  return std::nullopt;
}

bool ValidEnvName(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::string BaseName(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  const size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string AbsolutePath(const std::string& path, const std::string& cwd) {
  if (!path.empty() && path[0] == '/') return path;
  if (cwd.empty() || cwd.back() == '/') return cwd + path;
  return cwd + "/" + path;
}

Status AtLine(int line, const Status& st) {
  if (cli::SlurmDialect()) return st;  // sbatch names no line
  return InvalidArgument("batch script line " + std::to_string(line) + ": " + st.message());
}

}  // namespace

Result<HbatchCommandLine> ParseHbatchCommandLine(const std::vector<std::string>& args) {
  HbatchCommandLine cl;
  std::vector<std::string> positional;
  HERD_RETURN_IF_ERROR(ParseHbatchOptions(args, &cl.options, &positional));
  if (cl.options.help || cl.options.version) return cl;
  HERD_RETURN_IF_ERROR(CheckOptionSource(cl.options));
  if (cl.options.wrap) {
    if (!positional.empty())
      return InvalidArgument("Script arguments not permitted with --wrap option");
    if (Trim(*cl.options.wrap).empty()) return InvalidArgument("--wrap: empty command");
    return cl;
  }
  if (!positional.empty()) {
    cl.script_path = positional[0];
    cl.script_args.assign(positional.begin() + 1, positional.end());
  }
  return cl;
}

std::string WrapScript(const std::string& command) { return "#!/bin/sh\n" + command + "\n"; }

Status CheckScript(const std::string& script) {
  if (script.empty()) return InvalidArgument("Batch script is empty!");
  if (script.find('\0') != std::string::npos) {
    return InvalidArgument("The batch script contains a NUL character");
  }
  if (script.find("\r\n") != std::string::npos) {
    return InvalidArgument(
        "Batch script contains DOS line breaks (\\r\\n)\n"
        "instead of expected UNIX line breaks (\\n).");
  }
  if (!StartsWith(script, "#!")) {
    return InvalidArgument(
        "This does not look like a batch script.  The first\n"
        "line must start with #! followed by the path to an interpreter.\n"
        "For instance: #!/bin/sh");
  }
  return Status::Ok();
}

Result<std::vector<Directive>> ExtractDirectives(const std::string& script) {
  std::vector<Directive> out;
  const std::vector<std::string> lines = Split(script, '\n', /*keep_empty=*/true);
  // Line 1 is the "#!" line.
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    const int line_no = static_cast<int>(i) + 1;
    if (auto text = DirectiveText(line)) {
      Directive d;
      d.line = line_no;
      HERD_ASSIGN_OR_RETURN(d.words, SplitDirectiveWords(*text, line_no));
      if (!d.words.empty()) out.push_back(std::move(d));
      continue;
    }
    const std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    break;  // the first command: directives end here
  }
  return out;
}

Result<std::vector<std::string>> ExportEnvironment(const std::string& spec,
                                                   const std::vector<std::string>& env) {
  // Ordered output with "last value wins" per name.
  std::vector<std::string> order;
  std::map<std::string, std::string> values;
  auto put = [&](const std::string& name, const std::string& value) {
    if (values.count(name) == 0) order.push_back(name);
    values[name] = value;
  };
  auto put_all = [&]() {
    for (const std::string& kv : env) {
      const size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) continue;
      put(kv.substr(0, eq), kv.substr(eq + 1));
    }
  };
  const std::string s = Trim(spec);
  if (s.empty() || EqualsIgnoreCase(s, "ALL")) {
    put_all();
  } else if (!EqualsIgnoreCase(s, "NONE")) {
    std::map<std::string, std::string> current;
    for (const std::string& kv : env) {
      const size_t eq = kv.find('=');
      if (eq != std::string::npos) current[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    // ALL anywhere in the list brings the whole environment in first.
    const std::vector<std::string> items = Split(s, ',');
    for (const std::string& item : items) {
      if (EqualsIgnoreCase(Trim(item), "ALL")) put_all();
    }
    for (const std::string& raw : items) {
      const std::string item = Trim(raw);
      if (EqualsIgnoreCase(item, "ALL") || EqualsIgnoreCase(item, "NONE")) continue;
      const size_t eq = item.find('=');
      const std::string name = item.substr(0, eq);
      if (!ValidEnvName(name)) {
        return InvalidArgument("--export: invalid environment variable name '" + name + "'");
      }
      if (eq != std::string::npos) {
        put(name, item.substr(eq + 1));
      } else if (auto it = current.find(name); it != current.end()) {
        put(name, it->second);
      }
    }
  }
  std::vector<std::string> out;
  out.reserve(order.size());
  for (const std::string& name : order) out.push_back(name + "=" + values[name]);
  return out;
}

Result<Submission> BuildSubmission(const HbatchCommandLine& cmdline, const std::string& script,
                                   const std::vector<std::string>& env, const std::string& cwd) {
  HERD_RETURN_IF_ERROR(CheckScript(script));
  HbatchOptions o;
  HERD_ASSIGN_OR_RETURN(std::vector<Directive> directives, ExtractDirectives(script));
  for (const Directive& d : directives) {
    std::vector<std::string> extra;
    Status st = ParseHbatchOptions(d.words, &o, &extra);
    if (!st.ok()) return AtLine(d.line, st);
    if (!extra.empty()) {
      return AtLine(d.line, InvalidArgument("unexpected word '" + extra[0] + "' in directive"));
    }
    if (o.wrap || o.help || o.version) {
      return AtLine(d.line, InvalidArgument("--wrap, --help and --version are not directives"));
    }
  }
  Status st = CheckOptionSource(o);
  if (!st.ok()) return InvalidArgument("batch script: " + st.message());
  // SBATCH_* variables stand between the script's directives and the command line.
  HbatchOptions from_env;
  std::vector<std::string> extra;
  HERD_RETURN_IF_ERROR(
      ParseHbatchOptions(cli::EnvironmentOptionWords(cli::kSbatch, env), &from_env, &extra));
  HERD_RETURN_IF_ERROR(CheckOptionSource(from_env));
  MergeOptions(from_env, &o);
  MergeOptions(cmdline.options, &o);

  Submission sub;
  proto::JobSpec& spec = sub.spec;
  if (o.job_name) {
    spec.name = *o.job_name;
  } else if (o.wrap) {
    spec.name = "wrap";
  } else if (cmdline.script_path) {
    spec.name = BaseName(*cmdline.script_path);
  } else {
    spec.name = cli::SlurmDialect() ? "sbatch" : "hbatch";  // a script read from stdin
  }
  spec.partition = o.partition.value_or("");
  spec.account = o.account.value_or("");
  spec.qos = o.qos.value_or("");
  if (o.nodes) {
    spec.min_nodes = o.nodes->first;
    spec.max_nodes = o.nodes->second;
  }
  spec.num_tasks = o.ntasks.value_or(0);
  spec.cpus_per_task = o.cpus_per_task.value_or(1);
  spec.ntasks_per_node = o.ntasks_per_node.value_or(0);
  spec.mem_per_node_mb = o.mem_mb.value_or(0);
  spec.mem_per_cpu_mb = o.mem_per_cpu_mb.value_or(0);
  spec.time_limit_s = o.time_limit_s.value_or(-2);
  spec.submit_dir = cwd;
  spec.work_dir = o.chdir ? AbsolutePath(*o.chdir, cwd) : cwd;
  spec.stdout_pattern = o.output.value_or(cli::SlurmDialect() ? "slurm-%j.out" : "herd-%j.out");
  spec.stderr_pattern = o.error.value_or("");
  spec.script = script;
  spec.argv = cmdline.script_args;
  spec.export_spec = o.export_spec.value_or("ALL");
  HERD_ASSIGN_OR_RETURN(spec.env, ExportEnvironment(spec.export_spec, env));
  spec.hold = o.hold.value_or(false);
  spec.exclusive = o.exclusive.value_or(false);
  spec.requeue = o.requeue.value_or(true);
  spec.nodelist = o.nodelist.value_or("");
  spec.exclude = o.exclude.value_or("");
  spec.constraints = o.constraints.value_or(std::vector<std::string>{});
  spec.nice = o.nice.value_or(0);
  spec.dependency = o.dependency.value_or("");
  spec.array = o.array.value_or("");
  spec.begin_time = o.begin_time.value_or(0);
  spec.reservation = o.reservation.value_or("");
  spec.kill_on_invalid_dep = o.kill_on_invalid_dep.value_or(-1);
  sub.parsable = o.parsable.value_or(false);
  sub.quiet = o.quiet.value_or(false);
  sub.ignored_options = o.ignored_options;
  return sub;
}

}  // namespace herd::hbatch
