#include "libs/git/testing/git_servers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "libs/core/testing/temp_dir.h"

namespace fluxcpp::git::testing {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "git test fixture failed: %s\n", what.c_str());
  std::abort();
}

std::vector<std::string> GitEnv() {
  return {"GIT_AUTHOR_NAME=Flux Test",
          "GIT_AUTHOR_EMAIL=test@example.com",
          "GIT_COMMITTER_NAME=Flux Test",
          "GIT_COMMITTER_EMAIL=test@example.com",
          "GIT_AUTHOR_DATE=1700000000 +0000",
          "GIT_COMMITTER_DATE=1700000000 +0000",
          "GIT_CONFIG_NOSYSTEM=1",
          "GIT_CONFIG_GLOBAL=/dev/null",
          "HOME=/nonexistent"};
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) Die("bind");
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool CanConnect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::string RunGit(const std::string& dir, const std::vector<std::string>& args,
                   const std::vector<std::string>& extra_env) {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env = GitEnv();
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  auto r = fluxcpp::testing::RunCommand(argv, dir, "", env, /*discard_stderr=*/true);
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    Die(cmd + "in " + dir + ": " + r.output);
  }
  return r.output;
}

GitDaemon::GitDaemon(std::string base_path) : base_path_(std::move(base_path)) {
  for (int attempt = 0; attempt < 5 && pid_ < 0; ++attempt) {
    port_ = FreePort();
    pid_t pid = ::fork();
    if (pid < 0) Die("fork");
    if (pid == 0) {
      ::setpgid(0, 0);
      int devnull = ::open("/dev/null", O_RDWR);
      ::dup2(devnull, 0);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
      std::string base = "--base-path=" + base_path_;
      std::string port = "--port=" + std::to_string(port_);
      ::execlp("git", "git", "daemon", base.c_str(), "--export-all", "--reuseaddr",
               "--listen=127.0.0.1", port.c_str(), base_path_.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::setpgid(pid, pid);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (CanConnect(port_)) {
        pid_ = pid;
        break;
      }
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) break;  // exited (port taken?): retry
      ::usleep(20000);
    }
    if (pid_ < 0) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  if (pid_ < 0) Die("git daemon did not start");
}

GitDaemon::~GitDaemon() {
  if (pid_ > 0) {
    ::kill(-pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::string GitDaemon::Url(const std::string& repo) const {
  return "git://127.0.0.1:" + std::to_string(port_) + "/" + repo;
}

GitHttpServer::GitHttpServer(std::string project_root, Options options)
    : root_(std::move(project_root)), options_(std::move(options)) {
  if (!options_.tls_cert_path.empty()) {
    server_ = std::make_unique<httplib::SSLServer>(
        options_.tls_cert_path.c_str(), options_.tls_key_path.c_str(),
        options_.client_ca_path.empty() ? nullptr : options_.client_ca_path.c_str());
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    std::string expected;
    if (!options_.username.empty() || !options_.password.empty()) {
      expected = "Basic " + absl::Base64Escape(options_.username + ":" + options_.password);
    } else if (!options_.bearer_token.empty()) {
      expected = "Bearer " + options_.bearer_token;
    }
    if (!expected.empty() && req.get_header_value("Authorization") != expected) {
      ++unauthorized_;
      res.status = 401;
      res.set_header("WWW-Authenticate", "Basic realm=\"git\"");
      return;
    }
    std::string query = req.target.find('?') == std::string::npos
                            ? ""
                            : req.target.substr(req.target.find('?') + 1);
    std::vector<std::string> env = {
        "GIT_PROJECT_ROOT=" + root_,
        "GIT_HTTP_EXPORT_ALL=1",
        "REQUEST_METHOD=" + req.method,
        "PATH_INFO=" + req.path,
        "QUERY_STRING=" + query,
        "CONTENT_TYPE=" + req.get_header_value("Content-Type"),
        "CONTENT_LENGTH=" + std::to_string(req.body.size()),
        "HTTP_CONTENT_ENCODING=" + req.get_header_value("Content-Encoding"),
        "GIT_PROTOCOL=" + req.get_header_value("Git-Protocol"),
        "REMOTE_ADDR=127.0.0.1",
        "GIT_CONFIG_NOSYSTEM=1",
        "HOME=/nonexistent",
    };
    auto r = fluxcpp::testing::RunCommand({"git", "http-backend"}, root_, req.body, env,
                                           /*discard_stderr=*/true);
    size_t split = r.output.find("\r\n\r\n");
    size_t sep = 4;
    if (split == std::string::npos) {
      split = r.output.find("\n\n");
      sep = 2;
    }
    if (split == std::string::npos) {
      res.status = 500;
      return;
    }
    std::string headers = r.output.substr(0, split);
    res.status = 200;
    std::string content_type = "application/octet-stream";
    size_t pos = 0;
    while (pos < headers.size()) {
      size_t eol = headers.find('\n', pos);
      std::string line =
          headers.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      pos = eol == std::string::npos ? headers.size() : eol + 1;
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string key = line.substr(0, colon), value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (key == "Status") {
        res.status = std::atoi(value.c_str());
      } else if (key == "Content-Type") {
        content_type = value;
      } else {
        res.set_header(key.c_str(), value);
      }
    }
    res.set_content(r.output.substr(split + sep), content_type.c_str());
  };
  server_->Get(".*", handler);
  server_->Post(".*", handler);
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) Die("http bind");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::yield();
}

GitHttpServer::~GitHttpServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string GitHttpServer::Url(const std::string& repo) const {
  return std::string(options_.tls_cert_path.empty() ? "http" : "https") +
         "://127.0.0.1:" + std::to_string(port_) + "/" + repo;
}

}  // namespace fluxcpp::git::testing
