#pragma once
// Read-only HTTP file server over the storage root (spec §2.2): GET/HEAD of
// `/<path>` returns the file with Content-Length; directories answer 200 with
// a plain listing (the readiness probe hits "/"); missing paths and anything
// resolving outside the root (.., symlinks escaping) answer 404.

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace fluxcpp::http {
class Server;
}

namespace fluxcpp::artifact {

// Start/Stop may be called from any thread, but not concurrently with each
// other. The destructor stops the server.
class FileServer {
 public:
  // `root` must be an existing directory; it is canonicalised.
  explicit FileServer(std::string root);
  ~FileServer();
  FileServer(const FileServer&) = delete;
  FileServer& operator=(const FileServer&) = delete;

  // Binds `address` (Go style: ":9090", "127.0.0.1:0", "[::1]:8080") and
  // serves on a background thread (one http::Server poll loop; files go out
  // with sendfile(2)). Returns once the socket is listening; the bound port
  // is then available from port(). Errors: kInvalidArgument (bad address),
  // kUnavailable (bind failed), kFailedPrecondition (running).
  absl::Status Start(const std::string& address);
  // Closes the listener and every connection (downloads in flight are cut;
  // consumers retry) and joins the thread.
  void Stop();

  int port() const { return port_; }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
  std::unique_ptr<http::Server> server_;
  int port_ = 0;
};

}  // namespace fluxcpp::artifact
