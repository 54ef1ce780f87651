#include "tools/fluxcpp/helper_fetcher.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace fluxcpp::cli {
namespace fs = std::filesystem;

HelperFetcher::HelperFetcher(std::string helper) : helper_(std::move(helper)) {
  if (helper_.empty()) {
    if (const char* env = std::getenv("FLUXCPP_REMOTE_HELPER"); env != nullptr && *env != '\0') {
      helper_ = env;
    } else {
      std::error_code ec;
      fs::path self = fs::read_symlink("/proc/self/exe", ec);
      helper_ = ec ? "fluxcpp-remote" : (self.parent_path() / "fluxcpp-remote").string();
    }
  }
}

HelperFetcher::~HelperFetcher() {
  if (!temp_root_.empty()) {
    std::error_code ec;
    fs::remove_all(temp_root_, ec);
  }
}

absl::StatusOr<std::string> HelperFetcher::Run(const std::vector<std::string>& args) const {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return absl::InternalError("pipe failed");
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return absl::InternalError("pipe failed");
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  std::vector<std::string> argv_s = {helper_};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, helper_.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    return absl::FailedPreconditionError(absl::StrCat("remote resources need the helper '", helper_,
                                                      "' (installed next to fluxcpp): ", std::strerror(rc)));
  }
  std::string stdout_text, stderr_text;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        (i == 0 ? stdout_text : stderr_text).append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return stdout_text;
  int code = static_cast<int>(absl::StatusCode::kUnknown);
  std::string message = stderr_text;
  if (size_t nl = stderr_text.find('\n'); nl != std::string::npos && absl::SimpleAtoi(stderr_text.substr(0, nl), &code)) {
    message = stderr_text.substr(nl + 1);
  }
  while (!message.empty() && message.back() == '\n') message.pop_back();
  if (message.empty()) message = absl::StrCat("remote helper '", helper_, "' failed (status ", status, ")");
  if (code <= 0 || code > 16) code = static_cast<int>(absl::StatusCode::kUnknown);
  return absl::Status(static_cast<absl::StatusCode>(code), message);
}

absl::StatusOr<std::string> HelperFetcher::CloneRepo(const kustomize::RepoSpec& spec) {
  const std::string key = absl::StrCat(spec.CloneSpec(), "\n", spec.ref, "\n", spec.submodules ? "1" : "0");
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  if (temp_root_.empty()) {
    const char* env = std::getenv("TMPDIR");
    std::string tmpl = (fs::path((env != nullptr && *env != '\0') ? env : "/tmp") / "fluxcpp-remote-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) return absl::InternalError("cannot create a temporary directory");
    temp_root_ = tmpl;
  }
  std::string dest = (fs::path(temp_root_) / std::to_string(cache_.size())).string();
  auto run = Run({"clone", spec.raw, dest});
  if (!run.ok()) {
    std::error_code ec;
    fs::remove_all(dest, ec);
    return run.status();
  }
  cache_.emplace(key, dest);
  return dest;
}

absl::StatusOr<std::string> HelperFetcher::FetchFile(const std::string& url) { return Run({"get", url}); }

}  // namespace fluxcpp::cli
