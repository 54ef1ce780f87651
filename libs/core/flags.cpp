#include "libs/core/flags.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace fluxcpp {

void FlagSet::Add(const std::string& name, Flag flag) { flags_[name] = std::move(flag); }

void FlagSet::String(const std::string& name, std::string* target, const std::string& help) {
  Add(name, {help, *target, false, [target](const std::string& v) {
               *target = v;
               return absl::OkStatus();
             }});
}

void FlagSet::Bool(const std::string& name, bool* target, const std::string& help) {
  Add(name, {help, *target ? "true" : "false", true, [name, target](const std::string& v) {
               if (v == "true" || v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "True") {
                 *target = true;
               } else if (v == "false" || v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "False") {
                 *target = false;
               } else {
                 return absl::InvalidArgumentError(absl::StrCat("invalid boolean \"", v, "\" for --", name));
               }
               return absl::OkStatus();
             }});
}

void FlagSet::Int(const std::string& name, int64_t* target, const std::string& help) {
  Add(name, {help, std::to_string(*target), false, [name, target](const std::string& v) {
               if (!absl::SimpleAtoi(v, target)) {
                 return absl::InvalidArgumentError(absl::StrCat("invalid integer \"", v, "\" for --", name));
               }
               return absl::OkStatus();
             }});
}

void FlagSet::Int(const std::string& name, int* target, const std::string& help) {
  Add(name, {help, std::to_string(*target), false, [name, target](const std::string& v) {
               if (!absl::SimpleAtoi(v, target)) {
                 return absl::InvalidArgumentError(absl::StrCat("invalid integer \"", v, "\" for --", name));
               }
               return absl::OkStatus();
             }});
}

void FlagSet::Double(const std::string& name, double* target, const std::string& help) {
  Add(name, {help, std::to_string(*target), false, [name, target](const std::string& v) {
               if (!absl::SimpleAtod(v, target)) {
                 return absl::InvalidArgumentError(absl::StrCat("invalid number \"", v, "\" for --", name));
               }
               return absl::OkStatus();
             }});
}

void FlagSet::DurationFlag(const std::string& name, Duration* target, const std::string& help) {
  Add(name, {help, FormatGoDuration(*target), false, [name, target](const std::string& v) {
               auto d = ParseGoDuration(v);
               if (!d.ok()) return absl::InvalidArgumentError(absl::StrCat("--", name, ": ", d.status().message()));
               *target = *d;
               return absl::OkStatus();
             }});
}

void FlagSet::StringList(const std::string& name, std::vector<std::string>* target, const std::string& help) {
  auto first = std::make_shared<bool>(true);
  Add(name, {help, "", false, [target, first](const std::string& v) {
               if (*first) {
                 target->clear();
                 *first = false;
               }
               for (auto part : absl::StrSplit(v, ',', absl::SkipEmpty())) target->emplace_back(part);
               return absl::OkStatus();
             }});
}

absl::Status FlagSet::Parse(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return Parse(args);
}

absl::Status FlagSet::Parse(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positional_.insert(positional_.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (arg == "--help" || arg == "-h") {
      std::fputs(Usage().c_str(), stdout);
      return absl::CancelledError("help requested");
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positional_.push_back(arg);
      continue;
    }
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::string name = body;
    std::string value;
    bool has_value = false;
    if (size_t eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    auto it = flags_.find(name);
    if (it == flags_.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag: --", name, "\n", Usage()));
    }
    if (!has_value) {
      if (it->second.is_bool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrCat("flag needs an argument: --", name));
      }
    }
    if (absl::Status s = it->second.set(value); !s.ok()) return s;
    set_.push_back(name);
  }
  return absl::OkStatus();
}

bool FlagSet::WasSet(const std::string& name) const {
  for (const auto& n : set_) {
    if (n == name) return true;
  }
  return false;
}

std::string FlagSet::Usage() const {
  std::string out = absl::StrCat("Usage of ", program_, ":\n");
  for (const auto& [name, flag] : flags_) {
    absl::StrAppend(&out, "      --", name, "\t", flag.help);
    if (!flag.default_text.empty() && flag.default_text != "false") {
      absl::StrAppend(&out, " (default ", flag.default_text, ")");
    }
    out += "\n";
  }
  return out;
}

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? std::string(v) : fallback;
}

}  // namespace fluxcpp
