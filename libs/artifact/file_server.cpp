#include "libs/artifact/file_server.h"

#include <fcntl.h>
#include <httplib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/artifact/absl_compat.h"
#include "libs/artifact/host_port.h"
#include "libs/core/path_safety.h"

namespace fluxcpp::artifact {
namespace {

std::string ContentTypeFor(std::string_view path) {
  if (path.ends_with(".tar.gz") || path.ends_with(".tgz")) return "application/gzip";
  if (path.ends_with(".yaml") || path.ends_with(".yml")) return "text/yaml; charset=utf-8";
  if (path.ends_with(".json")) return "application/json";
  if (path.ends_with(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&#34;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Resolves the request path to a canonical file under root, or "" if it is
// missing or escapes the root (including via symlinks).
std::string Resolve(const std::string& root, const std::string& request_path) {
  std::string clean = CleanPath("/" + request_path);
  if (clean.find('\0') != std::string::npos) return "";
  std::string joined = clean == "/" ? root : root + clean;
  char resolved[PATH_MAX];
  if (::realpath(joined.c_str(), resolved) == nullptr) return "";
  std::string r = resolved;
  if (r != root && !absl::StartsWith(r, root + "/")) return "";
  return r;
}

void ServeDirectory(const std::string& dir, httplib::Response& res) {
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_directory(ec)) name += "/";
    names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  std::string body = "<pre>\n";
  for (const auto& n : names) {
    body +=
        absl::StrCat("<a href=\"", HtmlEscape(PercentEncode(n)), "\">", HtmlEscape(n), "</a>\n");
  }
  body += "</pre>\n";
  res.status = 200;
  res.set_content(body, "text/html; charset=utf-8");
}

void Handle(const std::string& root, const httplib::Request& req, httplib::Response& res) {
  std::string resolved = Resolve(root, req.path);
  struct stat st;
  if (resolved.empty() || ::stat(resolved.c_str(), &st) != 0) {
    res.status = 404;
    res.set_content("404 page not found\n", "text/plain; charset=utf-8");
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    ServeDirectory(resolved, res);
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    res.status = 404;
    res.set_content("404 page not found\n", "text/plain; charset=utf-8");
    return;
  }
  int fd = ::open(resolved.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    res.status = 404;
    res.set_content("404 page not found\n", "text/plain; charset=utf-8");
    return;
  }
  // Size of the opened file: an atomic rename replacing it cannot desync.
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    res.status = 500;
    return;
  }
  auto shared_fd = std::shared_ptr<int>(new int(fd), [](int* p) {
    ::close(*p);
    delete p;
  });
  res.status = 200;
  const size_t length = static_cast<size_t>(st.st_size);
  res.set_content_provider(length, ContentTypeFor(resolved),
                           [shared_fd](size_t offset, size_t length, httplib::DataSink& sink) {
                             char buf[64 * 1024];
                             size_t want = std::min(length, sizeof(buf));
                             ssize_t n = ::pread(*shared_fd, buf, want, static_cast<off_t>(offset));
                             if (n <= 0) return false;
                             return sink.write(buf, static_cast<size_t>(n));
                           });
}

}  // namespace

FileServer::FileServer(std::string root) {
  std::error_code ec;
  auto canonical = std::filesystem::canonical(root, ec);
  root_ = ec ? root : canonical.string();
}

FileServer::~FileServer() { Stop(); }

absl::Status FileServer::Start(const std::string& address) {
  if (server_ != nullptr) return absl::FailedPreconditionError("file server already running");
  auto hp = SplitHostPort(address);
  if (!hp.ok()) return hp.status();
  int port = 0;
  if (!hp->port.empty() && (!absl::SimpleAtoi(hp->port, &port) || port < 0 || port > 65535)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid port in address '", address, "'"));
  }
  std::string host = hp->host.empty() ? "0.0.0.0" : hp->host;

  auto server = std::make_unique<httplib::Server>();
  // SO_REUSEADDR only (as Go): httplib's default SO_REUSEPORT would let a
  // second process silently share the port.
  server->set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  const std::string root = root_;
  auto handler = [root](const httplib::Request& req, httplib::Response& res) {
    Handle(root, req, res);
  };
  server->Get(".*", handler);  // httplib answers HEAD through GET handlers
  if (port == 0) {
    port = server->bind_to_any_port(host);
    if (port < 0) return absl::UnavailableError(absl::StrCat("failed to listen on ", address));
  } else if (!server->bind_to_port(host, port)) {
    return absl::UnavailableError(absl::StrCat("failed to listen on ", address));
  }
  port_ = port;
  server_ = std::move(server);
  httplib::Server* raw = server_.get();
  thread_ = std::thread([raw] { raw->listen_after_bind(); });
  // The socket is already listening (bind + listen happened above); wait
  // until the accept loop runs so Stop() cannot race its start-up.
  while (!raw->is_running()) std::this_thread::yield();
  return absl::OkStatus();
}

void FileServer::Stop() {
  if (server_ == nullptr) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace fluxcpp::artifact
