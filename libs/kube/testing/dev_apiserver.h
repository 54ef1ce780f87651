#pragma once
// Starts the dev-apiserver binary for integration tests: a free port on
// 127.0.0.1, a temporary data dir, and a Config read from the kubeconfig the
// server writes. The process is stopped (and the folder removed) by the
// destructor; Restart() keeps the data dir and port.
//
//   if (!testing::DevApiServer::Available()) SKIP(...);
//   auto server = testing::DevApiServer::Start();
//   REQUIRE(server.ok());
//   kube::Client& client = (*server)->client();

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kube/client.h"
#include "libs/kube/config.h"
#include "libs/kube/testing/swappable_client.h"

namespace fluxcpp::kube::testing {

class DevApiServer {
 public:
  struct Options {
    std::string binary;                   // default: BinaryPath()
    std::vector<std::string> extra_args;  // appended to the command line
    absl::Duration start_timeout = absl::Seconds(30);
  };

  // $FLUXCPP_BIN_DIR/dev-apiserver (FLUXCPP_BIN_DIR is set by fluxcpp_test).
  static std::string BinaryPath();
  // Whether BinaryPath() names an executable file.
  static bool Available();

  static absl::StatusOr<std::unique_ptr<DevApiServer>> Start(const Options& options);
  static absl::StatusOr<std::unique_ptr<DevApiServer>> Start() { return Start(Options{}); }
  ~DevApiServer();
  DevApiServer(const DevApiServer&) = delete;
  DevApiServer& operator=(const DevApiServer&) = delete;

  // Stops the process and starts it again on the same port and data dir.
  absl::Status Restart();
  // Stops the process (SIGTERM, then SIGKILL after 5s). Idempotent.
  void Stop();

  const Config& config() const { return config_; }
  // A client of its own (e.g. to impersonate or for another thread's use).
  absl::StatusOr<std::unique_ptr<Client>> NewClient() const;
  // A client shared by the test. The reference stays valid across
  // Restart(), which points it at the new credentials when they changed.
  Client& client() { return *client_; }

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& kubeconfig_path() const { return kubeconfig_path_; }
  // The server's stdout and stderr so far.
  std::string Log() const;

 private:
  DevApiServer() = default;
  absl::Status Launch(absl::Duration timeout);

  Options options_;
  std::string dir_;
  std::string data_dir_;
  std::string kubeconfig_path_;
  std::string log_path_;
  std::string token_;  // passed as --token so that it survives restarts
  int port_ = 0;
  pid_t pid_ = -1;
  Config config_;
  std::unique_ptr<SwappableClient> client_;
};

}  // namespace fluxcpp::kube::testing
