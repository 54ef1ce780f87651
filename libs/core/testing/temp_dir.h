#pragma once
// Test helpers: a self-deleting temporary directory, small file helpers and a
// subprocess runner. For tests only (they abort on setup failures).

#include <string>
#include <vector>

namespace fluxcpp::testing {

// Creates a fresh directory under $TMPDIR; removes it recursively on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "fluxcpp-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + rel
  std::string Join(const std::string& rel) const { return path_ + "/" + rel; }
  // WriteFile(Join(rel), content, mode); returns that path.
  std::string Write(const std::string& rel, const std::string& content, int mode = 0644) const;

 private:
  std::string path_;
};

// Writes `content` to `path`, creating parent directories; sets `mode`.
void WriteFile(const std::string& path, const std::string& content, int mode = 0644);
std::string ReadFile(const std::string& path);
bool PathExists(const std::string& path);

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout (+ stderr unless discarded)
};

// Runs argv[0] (searched in PATH) with `args` in `cwd`, feeding `input` on
// stdin, with extra "K=V" environment entries. SIGPIPE is ignored process-wide.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& cwd = "",
                         const std::string& input = "", const std::vector<std::string>& env = {},
                         bool discard_stderr = false);

}  // namespace fluxcpp::testing
