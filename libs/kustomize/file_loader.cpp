#include "libs/kustomize/file_loader.h"

#include <fnmatch.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/path_safety.h"

namespace fluxcpp::kustomize {
namespace fs = std::filesystem;
namespace {

bool IsWithin(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path == dir || absl::StartsWith(path, dir + "/");
}

// Like Go's filepath.EvalSymlinks: the real path, or an error in kustomize's words.
absl::StatusOr<std::string> EvalSymlinks(const std::string& abs) {
  std::error_code ec;
  fs::path real = fs::canonical(abs, ec);
  if (ec) {
    return absl::NotFoundError(
        absl::StrCat("evalsymlink failure on '", abs, "' : lstat ", abs, ": no such file or directory"));
  }
  return real.string();
}

}  // namespace

bool FileLoader::IsRemote(const std::string& path) {
  return absl::StrContains(path, "://") || absl::StartsWith(path, "git@") || absl::StartsWith(path, "github.com/") ||
         absl::StartsWith(path, "gitlab.com/") || absl::StartsWith(path, "bitbucket.org/");
}

absl::StatusOr<FileLoader> FileLoader::Create(const std::string& dir, const std::string& bound, bool allow_remote) {
  FileLoader l;
  std::string abs = fs::absolute(dir).lexically_normal().string();
  if (abs.size() > 1 && abs.back() == '/') abs.pop_back();
  auto real = EvalSymlinks(abs);
  if (!real.ok()) return absl::NotFoundError(absl::StrCat("must build at directory: not a valid directory: ", real.status().message()));
  if (!fs::is_directory(*real)) {
    return absl::InvalidArgumentError(absl::StrCat("must build at directory: not a valid directory: '", abs, "'"));
  }
  l.root_ = *real;
  if (!bound.empty()) {
    auto b = EvalSymlinks(fs::absolute(bound).lexically_normal().string());
    if (!b.ok()) return b.status();
    l.bound_ = *b;
    if (!IsWithin(l.root_, l.bound_)) {
      return absl::PermissionDeniedError(absl::StrCat("security; directory '", l.root_, "' is not in or below '", l.bound_, "'"));
    }
  }
  l.allow_remote_ = allow_remote;
  l.visited_ = std::make_shared<std::vector<std::string>>(std::vector<std::string>{l.root_});
  return l;
}

std::string FileLoader::Resolve(const std::string& path) const {
  fs::path p(path);
  if (!p.is_absolute()) p = fs::path(root_) / p;
  std::string s = p.lexically_normal().string();
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

bool FileLoader::IsDir(const std::string& path) const {
  std::error_code ec;
  return fs::is_directory(Resolve(path), ec);
}

bool FileLoader::Exists(const std::string& path) const {
  std::error_code ec;
  return fs::exists(Resolve(path), ec);
}

absl::StatusOr<std::string> FileLoader::Restrict(const std::string& abs) const {
  auto real = EvalSymlinks(abs);
  if (!real.ok()) return real.status();
  const std::string& limit = bound_.empty() ? root_ : bound_;
  if (!IsWithin(*real, limit)) {
    return absl::PermissionDeniedError(absl::StrCat("security; file '", abs, "' is not in or below '", limit, "'"));
  }
  return *real;
}

absl::StatusOr<std::string> FileLoader::Load(const std::string& path) const {
  if (IsRemote(path)) {
    if (!allow_remote_) return absl::PermissionDeniedError(absl::StrCat("remote resource '", path, "' is not allowed"));
    return absl::UnimplementedError(absl::StrCat("remote file '", path, "': HTTP loading is not supported"));
  }
  std::string abs = Resolve(path);
  std::error_code ec;
  if (!fs::exists(abs, ec)) {
    return absl::NotFoundError(absl::StrCat("open ", abs, ": no such file or directory"));
  }
  auto real = Restrict(abs);
  if (!real.ok()) return real.status();
  if (fs::is_directory(*real, ec)) return absl::InvalidArgumentError(absl::StrCat("read ", abs, ": is a directory"));
  std::ifstream in(*real, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("open ", abs, ": ", std::strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::StatusOr<FileLoader> FileLoader::New(const std::string& path) const {
  if (IsRemote(path)) {
    if (!allow_remote_) {
      return absl::PermissionDeniedError(absl::StrCat("remote resource '", path, "' is not allowed (remote bases are disabled)"));
    }
    return absl::UnimplementedError(absl::StrCat("remote base '", path, "': git fetching is not supported"));
  }
  std::string abs = Resolve(path);
  auto real = EvalSymlinks(abs);
  if (!real.ok()) {
    return absl::NotFoundError(absl::StrCat("must build at directory: not a valid directory: ", real.status().message()));
  }
  std::error_code ec;
  if (!fs::is_directory(*real, ec)) {
    return absl::InvalidArgumentError(absl::StrCat("must build at directory: '", abs, "'"));
  }
  if (!bound_.empty() && !IsWithin(*real, bound_)) {
    return absl::PermissionDeniedError(absl::StrCat("security; directory '", abs, "' is not in or below '", bound_, "'"));
  }
  for (const std::string& v : *visited_) {
    if (IsWithin(v, *real)) {
      return absl::InvalidArgumentError(
          absl::StrCat("cycle detected: candidate root '", *real, "' contains visited root '", v, "'"));
    }
  }
  if (visited_->size() > 100) return absl::InvalidArgumentError("kustomization nesting deeper than 100 levels");
  FileLoader child = *this;
  child.root_ = *real;
  auto v = std::make_shared<std::vector<std::string>>(*visited_);
  v->push_back(*real);
  child.visited_ = v;
  return child;
}

absl::StatusOr<std::vector<std::string>> FileLoader::Glob(const std::string& pattern) const {
  std::string abs = Resolve(pattern);
  fs::path p(abs);
  std::string dir = p.parent_path().string();
  std::string name = p.filename().string();
  std::vector<std::string> out;
  std::error_code ec;
  if (name.find_first_of("*?[") == std::string::npos) {
    if (fs::exists(abs, ec)) out.push_back(abs);
    return out;
  }
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    if (fnmatch(name.c_str(), n.c_str(), FNM_PERIOD) == 0) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace fluxcpp::kustomize
