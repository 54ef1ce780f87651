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
#include "libs/core/status_macros.h"
#include "libs/kustomize/kustomization_file.h"

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
  return IsHttpUrl(path) || ParseRepoSpec(path).ok();
}

absl::Status FileLoader::RemoteDisabled(const std::string& url) const {
  auto name = FindKustomizationFile(root_);
  std::string kfile = name.ok() ? absl::StrCat(root_, "/", *name) : root_;
  return absl::FailedPreconditionError(absl::StrCat("kustomization '", kfile, "': remote resource '", url,
                                                    "' is not allowed: remote resources are disabled"));
}

absl::StatusOr<FileLoader> FileLoader::Create(const std::string& dir, const std::string& bound, RemoteFetcher* remote) {
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
  l.remote_ = remote;
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
  if (IsHttpUrl(path)) {
    if (remote_ == nullptr) return RemoteDisabled(path);
    return remote_->FetchFile(path);
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
  auto spec = ParseRepoSpec(path);
  if (spec.ok()) return NewRemote(*spec);
  if (absl::StrContains(path, "://")) {
    return absl::InvalidArgumentError(absl::StrCat("remote target '", path, "': ", std::string(spec.status().message())));
  }
  if (IsHttpUrl(path) && remote_ == nullptr) return RemoteDisabled(path);
  std::string abs = Resolve(path);
  auto real = EvalSymlinks(abs);
  if (!real.ok()) {
    return absl::NotFoundError(absl::StrCat("must build at directory: not a valid directory: ", real.status().message()));
  }
  std::error_code ec;
  if (!fs::is_directory(*real, ec)) {
    return absl::InvalidArgumentError(absl::StrCat("must build at directory: '", abs, "'"));
  }
  if (!clone_root_.empty() && !IsWithin(*real, clone_root_)) {
    return absl::PermissionDeniedError(
        absl::StrCat("security; bases in kustomizations found in cloned git repos must be within the repo, but base '",
                     abs, "' is outside '", clone_root_, "'"));
  }
  if (!bound_.empty() && !IsWithin(*real, bound_)) {
    return absl::PermissionDeniedError(absl::StrCat("security; directory '", abs, "' is not in or below '", bound_, "'"));
  }
  return Child(*real);
}

absl::StatusOr<FileLoader> FileLoader::NewRemote(const RepoSpec& spec) const {
  if (remote_ == nullptr) return RemoteDisabled(spec.raw);
  if (visited_->size() > 100) return absl::InvalidArgumentError("kustomization nesting deeper than 100 levels");
  auto clone = remote_->CloneRepo(spec);
  if (!clone.ok()) return clone.status();
  auto clone_real = EvalSymlinks(*clone);
  if (!clone_real.ok()) return clone_real.status();
  std::string abs = spec.kust_root_path.empty()
                        ? *clone_real
                        : (fs::path(*clone_real) / spec.kust_root_path).lexically_normal().string();
  if (abs.size() > 1 && abs.back() == '/') abs.pop_back();
  std::error_code ec;
  if (!fs::exists(abs, ec)) {
    return absl::NotFoundError(absl::StrCat("repo '", spec.CloneSpec(), "': path '", spec.kust_root_path,
                                            "' does not exist in the repository (ref '", spec.ref, "')"));
  }
  auto real = EvalSymlinks(abs);
  if (!real.ok()) return real.status();
  if (!IsWithin(*real, *clone_real)) {
    return absl::PermissionDeniedError(
        absl::StrCat("security; '", spec.raw, "' refers to directory '", *real, "' outside of repo '", *clone_real, "'"));
  }
  if (!fs::is_directory(*real, ec)) {
    return absl::InvalidArgumentError(absl::StrCat("must build at directory: '", abs, "'"));
  }
  FLUX_ASSIGN_OR_RETURN(FileLoader child, Child(*real));
  child.clone_root_ = *clone_real;
  // Files and bases of a remote base never leave its checkout.
  child.bound_ = bound_.empty() ? "" : *clone_real;
  return child;
}

absl::StatusOr<FileLoader> FileLoader::Child(const std::string& real_root) const {
  const std::string* real = &real_root;
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
