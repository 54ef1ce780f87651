#include "libs/kube/rest_mapper.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/kube/resource_path.h"

namespace fluxcpp::kube {
namespace {

const ResourceMapping* FindKind(const std::vector<ResourceMapping>& mappings, const std::string& kind) {
  for (const auto& m : mappings) {
    if (m.gvk.kind == kind) return &m;
  }
  return nullptr;
}

}  // namespace

RestMapper::RestMapper(Fetcher get, absl::Duration min_refresh) : get_(std::move(get)), min_refresh_(min_refresh) {}

absl::StatusOr<std::vector<ResourceMapping>> RestMapper::ParseResourceList(const std::string& group,
                                                                          const std::string& version,
                                                                          const std::string& body) {
  auto parsed = object::ParseJson(body);
  if (!parsed.ok()) return absl::InternalError(absl::StrCat("discovery ", group, "/", version, ": ", parsed.status().message()));
  const object::Value* resources = object::Find(*parsed, {"resources"});
  std::vector<ResourceMapping> out;
  if (resources == nullptr || !resources->is_array()) return out;
  std::vector<std::string> status_of;  // resources with a "/status" subresource
  for (const auto& r : *resources) {
    std::string name = object::GetString(r, {"name"});
    size_t slash = name.find('/');
    if (slash != std::string::npos) {
      if (name.substr(slash + 1) == "status") status_of.push_back(name.substr(0, slash));
      continue;
    }
    std::string kind = object::GetString(r, {"kind"});
    if (name.empty() || kind.empty() || FindKind(out, kind) != nullptr) continue;
    ResourceMapping m;
    m.gvk = GroupVersionKind{group, version, kind};
    m.resource = name;
    m.namespaced = object::GetBool(r, {"namespaced"});
    out.push_back(std::move(m));
  }
  for (auto& m : out) {
    for (const auto& s : status_of) {
      if (s == m.resource) m.has_status = true;
    }
  }
  return out;
}

absl::StatusOr<ResourceMapping> RestMapper::Mapping(const GroupVersionKind& gvk) {
  if (gvk.version.empty() || gvk.kind.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("incomplete kind: apiVersion \"", gvk.ApiVersion(), "\", kind \"", gvk.kind, "\""));
  }
  const std::string key = gvk.ApiVersion();
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      if (const ResourceMapping* m = FindKind(it->second.mappings, gvk.kind)) return *m;
    }
  }
  absl::MutexLock lock(&mu_);
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    if (const ResourceMapping* m = FindKind(it->second.mappings, gvk.kind)) return *m;
  }
  absl::Time now = absl::Now();
  if (it == cache_.end() || now - it->second.fetched_at >= min_refresh_) {
    auto body = get_(GroupVersionPath(gvk.group, gvk.version));
    GroupVersionEntry& entry = cache_[key];
    if (body.ok()) {
      auto mappings = ParseResourceList(gvk.group, gvk.version, *body);
      if (!mappings.ok()) return mappings.status();
      entry.mappings = std::move(*mappings);
      entry.fetched_at = now;
    } else if (absl::IsNotFound(body.status())) {
      entry.mappings.clear();  // the group/version is not served (yet)
      entry.fetched_at = now;
    } else {
      if (entry.mappings.empty()) cache_.erase(key);
      return body.status();
    }
    if (const ResourceMapping* m = FindKind(entry.mappings, gvk.kind)) return *m;
  }
  return absl::NotFoundError(absl::StrCat("no matches for kind \"", gvk.kind, "\" in version \"", key, "\""));
}

void RestMapper::Invalidate() {
  absl::MutexLock lock(&mu_);
  cache_.clear();
}

}  // namespace fluxcpp::kube
