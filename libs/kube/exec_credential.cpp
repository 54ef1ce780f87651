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
#include "absl/time/time.h"

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

constexpr char kV1[] = "client.authentication.k8s.io/v1";
constexpr char kV1beta1[] = "client.authentication.k8s.io/v1beta1";

}  // namespace

absl::StatusOr<ExecCredential> RunExecPlugin(const object::Value& exec, const object::Value& cluster,
                                             absl::Duration timeout) {
  std::string command = object::GetString(exec, {"command"});
  if (command.empty()) return absl::InvalidArgumentError("kubeconfig user.exec: no command");
  std::string api_version = object::GetString(exec, {"apiVersion"});
  if (api_version != kV1 && api_version != kV1beta1) {
    return absl::InvalidArgumentError(absl::StrCat("kubeconfig user.exec.apiVersion \"", api_version,
                                                   "\" is not supported: use ", kV1, " or ", kV1beta1));
  }
  // A controller never has a terminal: "Always" cannot be satisfied, the
  // other modes run the plugin without one. v1 requires the field.
  std::string mode = object::GetString(exec, {"interactiveMode"});
  if (mode.empty() && api_version == kV1) {
    return absl::InvalidArgumentError(absl::StrCat("kubeconfig user.exec.interactiveMode must be set for ", kV1,
                                                   " (Never, IfAvailable or Always)"));
  }
  if (!mode.empty() && mode != "Never" && mode != "IfAvailable" && mode != "Always") {
    return absl::InvalidArgumentError(absl::StrCat("kubeconfig user.exec.interactiveMode \"", mode,
                                                   "\" is invalid: use Never, IfAvailable or Always"));
  }
  if (mode == "Always") {
    return absl::FailedPreconditionError(absl::StrCat(
        "exec plugin \"", command, "\" needs an interactive terminal (interactiveMode: Always), which a controller "
        "does not have"));
  }

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
  object::Value spec = {{"interactive", false}};
  if (object::GetBool(exec, {"provideClusterInfo"}) && cluster.is_object()) spec["cluster"] = cluster;
  object::Value info = {{"apiVersion", api_version}, {"kind", "ExecCredential"}, {"spec", spec}};
  env_map["KUBERNETES_EXEC_INFO"] = object::ToJson(info);
  std::vector<std::string> env;
  for (const auto& [k, v] : env_map) env.push_back(absl::StrCat(k, "=", v));

  auto run = Run(argv, env, timeout);
  if (!run.ok()) {
    std::string hint = object::GetString(exec, {"installHint"});
    if (hint.empty()) return run.status();
    return absl::Status(run.status().code(), absl::StrCat(run.status().message(), "\n", hint));
  }
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
  std::string got_version = object::GetString(*parsed, {"apiVersion"});
  if (got_version != api_version) {
    return absl::InvalidArgumentError(absl::StrCat("exec plugin \"", command, "\" is configured for ", api_version,
                                                   " but printed an ExecCredential of apiVersion \"", got_version,
                                                   "\""));
  }
  ExecCredential cred;
  cred.token = object::GetString(*parsed, {"status", "token"});
  cred.client_certificate_pem = object::GetString(*parsed, {"status", "clientCertificateData"});
  cred.client_key_pem = object::GetString(*parsed, {"status", "clientKeyData"});
  cred.expiration_timestamp = object::GetString(*parsed, {"status", "expirationTimestamp"});
  if (cred.client_certificate_pem.empty() != cred.client_key_pem.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "exec plugin \"", command, "\": ExecCredential status.clientCertificateData and status.clientKeyData must "
        "be set together"));
  }
  if (cred.token.empty() && cred.client_certificate_pem.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "exec plugin \"", command, "\": ExecCredential has neither status.token nor a client certificate and key"));
  }
  if (!cred.expiration_timestamp.empty()) {
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, cred.expiration_timestamp, &cred.expiry, &err)) {
      return absl::InvalidArgumentError(absl::StrCat("exec plugin \"", command,
                                                     "\": ExecCredential status.expirationTimestamp \"",
                                                     cred.expiration_timestamp, "\" is not RFC 3339"));
    }
  }
  return cred;
}

ExecCredentialSource::ExecCredentialSource(object::Value exec, object::Value cluster, std::string user_name,
                                           absl::Duration timeout)
    : exec_(std::move(exec)), cluster_(std::move(cluster)), user_name_(std::move(user_name)), timeout_(timeout) {}

absl::StatusOr<ExecCredential> ExecCredentialSource::Get() {
  absl::MutexLock lock(&mu_);
  // client-go's rule: usable until now is past the expiry.
  if (cached_ && absl::Now() <= credential_.expiry) return credential_;
  // Held while the plugin runs: concurrent callers wait for this one run.
  ++runs_;
  absl::StatusOr<ExecCredential> fresh = RunExecPlugin(exec_, cluster_, timeout_);
  if (!fresh.ok()) {
    cached_ = false;
    return absl::Status(fresh.status().code(),
                        absl::StrCat("kubeconfig user \"", user_name_, "\": ", fresh.status().message()));
  }
  credential_ = *std::move(fresh);
  cached_ = true;
  return credential_;
}

void ExecCredentialSource::Invalidate(const std::string& token) {
  absl::MutexLock lock(&mu_);
  if (cached_ && credential_.token == token) cached_ = false;
}

int ExecCredentialSource::runs() const {
  absl::MutexLock lock(&mu_);
  return runs_;
}

}  // namespace fluxcpp::kube
