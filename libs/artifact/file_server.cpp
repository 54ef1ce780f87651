#include "libs/artifact/file_server.h"

#include <fcntl.h>
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
#include "libs/core/status_macros.h"
#include "libs/http/server.h"

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

http::ServerResponse ServeDirectory(const std::string& dir) {
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
  return http::ServerResponse{200, "text/html; charset=utf-8", std::move(body)};
}

// "%41" -> "A"; false for a malformed escape.
bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size() || !std::isxdigit(static_cast<unsigned char>(in[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      return false;
    }
    out->push_back(static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16)));
    i += 2;
  }
  return true;
}

http::ServerResponse NotFound() { return http::ServerResponse{404, "text/plain; charset=utf-8", "404 page not found\n"}; }

http::ServerResponse Handle(const std::string& root, const http::RequestHead& request) {
  std::string path;
  if (!PercentDecode(request.path, &path)) return NotFound();
  std::string resolved = Resolve(root, path);
  struct stat st;
  if (resolved.empty() || ::stat(resolved.c_str(), &st) != 0) return NotFound();
  if (S_ISDIR(st.st_mode)) return ServeDirectory(resolved);
  if (!S_ISREG(st.st_mode)) return NotFound();
  int fd = ::open(resolved.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound();
  // The length of the opened file: an atomic rename replacing it cannot
  // desync the body from Content-Length.
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return http::ServerResponse{500, "text/plain; charset=utf-8", "500 internal server error\n"};
  }
  http::ServerResponse response{200, ContentTypeFor(resolved), ""};
  response.file = std::make_shared<http::FileBody>(fd, static_cast<uint64_t>(st.st_size));
  return response;
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
  // Downloads are streamed from the loop thread with sendfile(2); one slow
  // consumer never holds up another.
  auto server = std::make_unique<http::Server>();
  auto listener = server->Listen(hp->host, port);  // SO_REUSEADDR only, as Go
  if (!listener.ok()) {
    return absl::UnavailableError(absl::StrCat("failed to listen on ", address, ": ", listener.status().message()));
  }
  const std::string root = root_;
  server->HandlePrefix(*listener, "/", [root](const http::RequestHead& request) { return Handle(root, request); });
  FLUX_RETURN_IF_ERROR(server->Start());
  port_ = server->port(*listener);
  server_ = std::move(server);
  return absl::OkStatus();
}

void FileServer::Stop() {
  if (server_ == nullptr) return;
  server_->Stop();
  server_.reset();
}

}  // namespace fluxcpp::artifact
