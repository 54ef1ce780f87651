#include "libs/kube/exec_credential.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace fluxcpp::kube {
namespace {

struct Output {
  int exit_code = -1;
  bool timed_out = false;
  std::string out;
  std::string err;
};

absl::StatusOr<Output> Run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                           absl::Duration timeout) {
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);

  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  std::vector<char*> cenv;
  for (const auto& e : env) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);

  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return absl::FailedPreconditionError(absl::StrCat("exec plugin \"", argv[0], "\": ", std::strerror(rc)));
  }

  Output result;
  absl::Time deadline = absl::Now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    int n = ::poll(fds, 2, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof(buf));
      if (got > 0) {
        if (sinks[i]->size() < (1u << 20)) sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& fd : fds) {
    if (fd.fd >= 0) ::close(fd.fd);
  }
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(wstatus)) result.exit_code = WEXITSTATUS(wstatus);
  return result;
}

}  // namespace

absl::StatusOr<ExecCredential> RunExecPlugin(const object::Value& exec, absl::Duration timeout) {
  std::string command = object::GetString(exec, {"command"});
  if (command.empty()) return absl::InvalidArgumentError("kubeconfig user.exec: no command");
  std::string api_version = object::GetString(exec, {"apiVersion"}, "client.authentication.k8s.io/v1");

  std::vector<std::string> argv = {command};
  if (const object::Value* args = object::Find(exec, {"args"}); args != nullptr && args->is_array()) {
    for (const auto& a : *args) {
      if (a.is_string()) argv.push_back(a.get<std::string>());
    }
  }
  // The process environment, overridden by exec.env, plus the exec info.
  std::map<std::string, std::string> env_map;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env_map[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  if (const object::Value* env = object::Find(exec, {"env"}); env != nullptr && env->is_array()) {
    for (const auto& e : *env) {
      std::string name = object::GetString(e, {"name"});
      if (!name.empty()) env_map[name] = object::GetString(e, {"value"});
    }
  }
  object::Value info = {{"apiVersion", api_version},
                        {"kind", "ExecCredential"},
                        {"spec", {{"interactive", false}}}};
  env_map["KUBERNETES_EXEC_INFO"] = object::ToJson(info);
  std::vector<std::string> env;
  for (const auto& [k, v] : env_map) env.push_back(absl::StrCat(k, "=", v));

  auto run = Run(argv, env, timeout);
  if (!run.ok()) return run.status();
  std::string err_excerpt(absl::StripAsciiWhitespace(run->err.substr(0, 512)));
  if (run->timed_out) {
    return absl::DeadlineExceededError(absl::StrCat("exec plugin \"", command, "\" did not finish within ",
                                                    absl::FormatDuration(timeout)));
  }
  if (run->exit_code != 0) {
    return absl::FailedPreconditionError(absl::StrCat("exec plugin \"", command, "\" failed (exit code ",
                                                      run->exit_code, ")",
                                                      err_excerpt.empty() ? "" : ": ", err_excerpt));
  }
  auto parsed = object::ParseJson(run->out);
  if (!parsed.ok() || object::GetString(*parsed, {"kind"}) != "ExecCredential") {
    return absl::InvalidArgumentError(
        absl::StrCat("exec plugin \"", command, "\" did not print an ExecCredential"));
  }
  ExecCredential cred;
  cred.token = object::GetString(*parsed, {"status", "token"});
  cred.client_certificate_pem = object::GetString(*parsed, {"status", "clientCertificateData"});
  cred.client_key_pem = object::GetString(*parsed, {"status", "clientKeyData"});
  cred.expiration_timestamp = object::GetString(*parsed, {"status", "expirationTimestamp"});
  if (cred.token.empty() && (cred.client_certificate_pem.empty() || cred.client_key_pem.empty())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "exec plugin \"", command, "\": ExecCredential has neither status.token nor a client certificate and key"));
  }
  return cred;
}

}  // namespace fluxcpp::kube
