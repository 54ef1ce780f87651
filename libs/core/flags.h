#pragma once
// Command-line flags in Go pflag style, so our binaries accept exactly what
// Flux's do: --name=value, --name value, booleans as --name or --name=false,
// repeatable list flags, and "--" to end flags. Not thread-safe; use at start-up.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/core/duration.h"

namespace fluxcpp {

class FlagSet {
 public:
  explicit FlagSet(std::string program) : program_(std::move(program)) {}

  // Each registers a flag writing into `*target`, whose current value is the default.
  void String(const std::string& name, std::string* target, const std::string& help);
  void Bool(const std::string& name, bool* target, const std::string& help);
  void Int(const std::string& name, int64_t* target, const std::string& help);
  void Int(const std::string& name, int* target, const std::string& help);
  void Double(const std::string& name, double* target, const std::string& help);
  void DurationFlag(const std::string& name, Duration* target, const std::string& help);
  // Repeatable; also splits on commas ("a,b").
  void StringList(const std::string& name, std::vector<std::string>* target, const std::string& help);

  // Parses argv. Returns InvalidArgument on unknown flags or bad values.
  // "--help"/"-h" prints Usage() to stdout and returns a Cancelled status.
  absl::Status Parse(int argc, char** argv);
  absl::Status Parse(const std::vector<std::string>& args);

  std::string Usage() const;
  const std::vector<std::string>& positional() const { return positional_; }
  bool WasSet(const std::string& name) const;

 private:
  struct Flag {
    std::string help;
    std::string default_text;
    bool is_bool = false;
    std::function<absl::Status(const std::string&)> set;
  };
  void Add(const std::string& name, Flag flag);

  std::string program_;
  std::map<std::string, Flag> flags_;
  std::vector<std::string> set_;
  std::vector<std::string> positional_;
};

// Value of environment variable `name`, or `fallback` when unset or empty.
std::string EnvOr(const char* name, const std::string& fallback);

}  // namespace fluxcpp
