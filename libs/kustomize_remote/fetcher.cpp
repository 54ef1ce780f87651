#include "libs/kustomize_remote/fetcher.h"

#include <stdlib.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/git/clone.h"
#include "libs/http/fetch.h"

namespace fluxcpp::kustomize_remote {
namespace fs = std::filesystem;
namespace {

bool IsHexPrefix(const std::string& s) {
  if (s.size() < 7 || s.size() > 40) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The git reference `ref` names on the remote, resolved the way `git fetch
// origin <ref>` does: full refs as they are, then tags, then branches, then
// a commit id; "" = the branch the remote's HEAD points at.
absl::StatusOr<git::Reference> ResolveRef(const std::string& url, const std::string& ref,
                                          std::chrono::seconds timeout) {
  auto refs = git::ListRemoteRefs(url, git::AuthOptions{}, timeout);
  if (!refs.ok()) return refs.status();
  auto find = [&](const std::string& name) -> const git::RemoteRef* {
    for (const auto& r : *refs) {
      if (r.name == name) return &r;
    }
    return nullptr;
  };
  git::Reference out;
  if (ref.empty() || ref == "HEAD") {
    const git::RemoteRef* head = find("HEAD");
    if (head == nullptr) return absl::NotFoundError("couldn't find remote ref HEAD");
    const git::RemoteRef* branch = nullptr;
    for (const auto& r : *refs) {
      if (absl::StartsWith(r.name, "refs/heads/") && r.oid == head->oid &&
          (branch == nullptr || r.name == "refs/heads/main" || r.name == "refs/heads/master")) {
        branch = &r;
      }
    }
    if (branch != nullptr) {
      out.name = branch->name;
    } else {
      out.commit = head->oid;
    }
    return out;
  }
  if (absl::StartsWith(ref, "refs/") && find(ref) != nullptr) {
    out.name = ref;
    return out;
  }
  for (const char* prefix : {"refs/tags/", "refs/heads/"}) {
    if (find(prefix + ref) != nullptr) {
      out.name = prefix + ref;
      return out;
    }
  }
  if (IsHexPrefix(ref)) {
    out.commit = absl::AsciiStrToLower(ref);
    return out;
  }
  return absl::NotFoundError(absl::StrCat("couldn't find remote ref ", ref));
}

std::string StatusText(int code) {
  switch (code) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 410: return "Gone";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

}  // namespace

Fetcher::Fetcher(FetcherOptions options) : options_(std::move(options)) {}

Fetcher::~Fetcher() {
  if (!temp_root_.empty()) {
    std::error_code ec;
    fs::remove_all(temp_root_, ec);
  }
}

int Fetcher::clones() const {
  std::lock_guard<std::mutex> lock(mu_);
  return clones_;
}

absl::StatusOr<std::string> Fetcher::TempRoot() {
  if (!temp_root_.empty()) return temp_root_;
  std::string parent = options_.temp_dir;
  if (parent.empty()) {
    const char* env = std::getenv("TMPDIR");
    parent = (env != nullptr && *env != '\0') ? env : "/tmp";
  }
  std::string tmpl = (fs::path(parent) / "kustomize-remote-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("cannot create a temporary directory in '", parent, "'"));
  }
  temp_root_ = tmpl;
  return temp_root_;
}

absl::Status CheckoutRepo(const kustomize::RepoSpec& spec, const std::string& dest, const FetcherOptions& options) {
  const std::string url = spec.CloneSpec();
  const std::chrono::seconds timeout = spec.timeout.count() > 0 ? spec.timeout : std::chrono::seconds(27);
  auto prefix = [&](const absl::Status& s) {
    return absl::Status(s.code(), absl::StrCat("failed to fetch '", url, "' at ref '", spec.ref.empty() ? "HEAD" : spec.ref,
                                               "': ", std::string(s.message())));
  };
  auto ref = ResolveRef(url, spec.ref, timeout);
  if (!ref.ok()) return prefix(ref.status());
  git::CloneOptions co;
  co.url = url;
  co.reference = *ref;
  co.timeout = timeout;
  co.recurse_submodules = spec.submodules;
  co.max_fetch_bytes = options.max_clone_bytes;
  auto cloned = git::Clone(co, dest);
  if (!cloned.ok()) return prefix(cloned.status());
  return absl::OkStatus();
}

absl::StatusOr<std::string> Fetcher::CloneRepo(const kustomize::RepoSpec& spec) {
  // One clone at a time: the cache and the temp root are shared, and builds
  // rarely fetch more than a couple of repositories.
  std::lock_guard<std::mutex> lock(mu_);
  const std::string key = absl::StrCat(spec.CloneSpec(), "\n", spec.ref, "\n", spec.submodules ? "1" : "0");
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  auto root = TempRoot();
  if (!root.ok()) return root.status();
  std::string dest = (fs::path(*root) / std::to_string(cache_.size())).string();
  if (absl::Status s = CheckoutRepo(spec, dest, options_); !s.ok()) {
    std::error_code ec;
    fs::remove_all(dest, ec);
    return s;
  }
  ++clones_;
  cache_.emplace(key, dest);
  return dest;
}

absl::StatusOr<std::string> Fetcher::FetchFile(const std::string& url) { return FetchHttpFile(url, options_); }

absl::StatusOr<std::string> FetchHttpFile(const std::string& url, const FetcherOptions& options) {
  http::FetchOptions fetch;
  fetch.timeout = absl::FromChrono(options.http_timeout);
  std::string body;
  int status = 0;
  bool too_big = false;
  auto head = http::Fetch(url, fetch,
                          {.on_head = [&](const http::ResponseHead& h) { status = h.status; },
                           .on_data = [&](std::string_view data) {
                             if (status < 200 || status > 299) return true;  // drain error bodies
                             if (static_cast<int64_t>(body.size() + data.size()) > options.max_file_bytes) {
                               too_big = true;
                               return false;
                             }
                             body.append(data);
                             return true;
                           }});
  if (too_big) {
    return absl::ResourceExhaustedError(
        absl::StrCat(url, ": file larger than ", options.max_file_bytes, " bytes"));
  }
  if (!head.ok()) {
    if (head.status().code() == absl::StatusCode::kInvalidArgument) return head.status();
    return absl::UnavailableError(absl::StrCat("Get \"", url, "\": ", std::string(head.status().message())));
  }
  status = head->status;
  if (status < 200 || status > 299) {
    std::string text = StatusText(status);
    return absl::FailedPreconditionError(absl::StrCat("HTTP Error: status code ", status, text.empty() ? "" : absl::StrCat(" (", text, ")")));
  }
  return body;
}

}  // namespace fluxcpp::kustomize_remote
