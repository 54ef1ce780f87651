#pragma once
// Test fakes: real Git servers on 127.0.0.1 for clone tests.
//  - GitDaemon: `git daemon` serving a base path over git://.
//  - GitHttpServer: smart HTTP via `git http-backend` (CGI) behind
//    cpp-httplib, optionally demanding basic auth or a bearer token.
// Plus RunGit() for building fixture repositories with the git CLI.
// For tests only: setup failures abort the process with a message.

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace fluxcpp::git::testing {

// Runs `git <args>` in `dir` with a fixed identity and dates (so commit ids
// are reproducible) and no user/system config; `extra_env` ("K=V") entries
// override those. Returns stdout; aborts on failure.
std::string RunGit(const std::string& dir, const std::vector<std::string>& args,
                   const std::vector<std::string>& extra_env = {});

class GitDaemon {
 public:
  // Serves every repository below `base_path` (--export-all), read-only.
  explicit GitDaemon(std::string base_path);
  ~GitDaemon();  // terminates the daemon (its process group) and reaps it
  GitDaemon(const GitDaemon&) = delete;
  GitDaemon& operator=(const GitDaemon&) = delete;

  int port() const { return port_; }
  // "git://127.0.0.1:<port>/<repo>"
  std::string Url(const std::string& repo) const;

 private:
  std::string base_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

class GitHttpServer {
 public:
  struct Options {
    std::string username;  // with password: require HTTP basic auth
    std::string password;
    std::string bearer_token;   // require "Authorization: Bearer <token>"
    std::string tls_cert_path;  // with tls_key_path: serve HTTPS
    std::string tls_key_path;
    std::string client_ca_path;  // with HTTPS: require a client certificate signed by it
  };
  GitHttpServer(std::string project_root, Options options);
  ~GitHttpServer();
  GitHttpServer(const GitHttpServer&) = delete;
  GitHttpServer& operator=(const GitHttpServer&) = delete;

  // "http(s)://127.0.0.1:<port>/<repo>"
  std::string Url(const std::string& repo) const;
  int unauthorized_requests() const { return unauthorized_; }

 private:
  std::string root_;
  Options options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> unauthorized_{0};
};

}  // namespace fluxcpp::git::testing
