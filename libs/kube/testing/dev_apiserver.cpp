#include "libs/kube/testing/dev_apiserver.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace fluxcpp::kube::testing {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<int> FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return absl::InternalError(absl::StrCat("bind: ", std::strerror(errno)));
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Tail(const std::string& text, size_t n) {
  return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

}  // namespace

std::string DevApiServer::BinaryPath() {
  const char* dir = std::getenv("FLUXCPP_BIN_DIR");
  if (dir == nullptr || *dir == '\0') return "";
  return absl::StrCat(dir, "/dev-apiserver");
}

bool DevApiServer::Available() {
  std::string path = BinaryPath();
  return !path.empty() && ::access(path.c_str(), X_OK) == 0;
}

absl::StatusOr<std::unique_ptr<DevApiServer>> DevApiServer::Start(const Options& options) {
  std::unique_ptr<DevApiServer> server(new DevApiServer());
  server->options_ = options;
  if (server->options_.binary.empty()) server->options_.binary = BinaryPath();
  if (server->options_.binary.empty() || ::access(server->options_.binary.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("dev-apiserver binary not found at \"", server->options_.binary, "\""));
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/fluxcpp-devapi-XXXXXX");
  if (::mkdtemp(tmpl.data()) == nullptr) return absl::InternalError(absl::StrCat("mkdtemp: ", std::strerror(errno)));
  server->dir_ = tmpl;
  server->data_dir_ = tmpl + "/data";
  server->kubeconfig_path_ = tmpl + "/kubeconfig";
  server->log_path_ = tmpl + "/server.log";
  fs::create_directories(server->data_dir_);
  server->token_ = absl::StrCat("devtoken-", absl::Hex(absl::Uniform<uint64_t>(absl::BitGen())),
                                absl::Hex(absl::Uniform<uint64_t>(absl::BitGen())));
  auto port = FreePort();
  if (!port.ok()) return port.status();
  server->port_ = *port;
  absl::Status launched = server->Launch(options.start_timeout);
  if (!launched.ok()) return launched;
  return server;
}

absl::Status DevApiServer::Launch(absl::Duration timeout) {
  std::error_code ec;
  fs::remove(kubeconfig_path_, ec);  // wait for the one this process writes
  std::vector<std::string> args = {options_.binary,
                                   "--listen",
                                   absl::StrCat("127.0.0.1:", port_),
                                   "--data-dir",
                                   data_dir_,
                                   "--kubeconfig-out",
                                   kubeconfig_path_};
  // A fixed token keeps clients valid across Restart().
  if (std::find(options_.extra_args.begin(), options_.extra_args.end(), "--token") == options_.extra_args.end()) {
    args.push_back("--token");
    args.push_back(token_);
  }
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  int rc = ::posix_spawn(&pid_, options_.binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    return absl::InternalError(absl::StrCat("spawn ", options_.binary, ": ", std::strerror(rc)));
  }

  absl::Time deadline = absl::Now() + timeout;
  absl::Status last = absl::UnavailableError("not started");
  while (absl::Now() < deadline) {
    int wstatus = 0;
    if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(absl::StrCat("dev-apiserver exited during start-up (status ", wstatus,
                                              "); log:\n", Tail(Log(), 4000)));
    }
    if (fs::exists(kubeconfig_path_, ec)) {
      LoadOptions load;
      load.kubeconfig_path = kubeconfig_path_;
      auto config = LoadConfig(load);
      if (config.ok()) {
        auto client = Client::Create(*config);
        if (client.ok()) {
          auto version = (*client)->RawGet("/version");
          if (version.ok()) {
            // Keep the shared client across a restart when nothing changed,
            // so references to it stay valid.
            // The shared client keeps its identity across a restart (callers
            // hold references to it); it only switches targets when the
            // server came back with other credentials or another address.
            bool same = client_ != nullptr && config_.server == config->server &&
                        config_.bearer_token == config->bearer_token && config_.ca_pem == config->ca_pem &&
                        config_.client_cert_pem == config->client_cert_pem;
            config_ = *config;
            if (client_ == nullptr) {
              client_ = std::make_unique<SwappableClient>(std::move(*client));
            } else if (!same) {
              client_->Reset(std::move(*client));
            }
            return absl::OkStatus();
          }
          last = version.status();
        } else {
          last = client.status();
        }
      } else {
        last = config.status();
      }
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  Stop();
  return absl::DeadlineExceededError(absl::StrCat("dev-apiserver not ready within ", absl::FormatDuration(timeout),
                                                  " (", last.ToString(), "); log:\n", Tail(Log(), 4000)));
}

void DevApiServer::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  absl::Time deadline = absl::Now() + absl::Seconds(5);
  int wstatus = 0;
  while (::waitpid(pid_, &wstatus, WNOHANG) == 0) {
    if (absl::Now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &wstatus, 0);
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  pid_ = -1;
}

absl::Status DevApiServer::Restart() {
  Stop();
  return Launch(options_.start_timeout);
}

DevApiServer::~DevApiServer() {
  client_.reset();
  Stop();
  if (!dir_.empty() && std::getenv("FLUXCPP_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

absl::StatusOr<std::unique_ptr<Client>> DevApiServer::NewClient() const { return Client::Create(config_); }

std::string DevApiServer::Log() const { return ReadAll(log_path_); }

}  // namespace fluxcpp::kube::testing
