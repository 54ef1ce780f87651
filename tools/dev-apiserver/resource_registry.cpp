#include "tools/dev-apiserver/resource_registry.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "tools/dev-apiserver/builtin_kinds.h"

namespace fluxcpp::devapiserver {
namespace {

struct ParsedVersion {
  bool kube_like = false;
  long major = 0;
  int stability = 0;  // 2 GA, 1 beta, 0 alpha
  long minor = 0;
};

ParsedVersion ParseVersion(const std::string& v) {
  ParsedVersion out;
  if (v.size() < 2 || v[0] != 'v' || !std::isdigit(static_cast<unsigned char>(v[1]))) return out;
  size_t i = 1;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) out.major = out.major * 10 + (v[i++] - '0');
  if (i == v.size()) {
    out.kube_like = true;
    out.stability = 2;
    return out;
  }
  std::string rest = v.substr(i);
  size_t digits;
  if (rest.rfind("beta", 0) == 0) {
    out.stability = 1;
    digits = 4;
  } else if (rest.rfind("alpha", 0) == 0) {
    out.stability = 0;
    digits = 5;
  } else {
    return out;
  }
  if (digits >= rest.size()) return out;
  for (size_t j = digits; j < rest.size(); ++j) {
    if (!std::isdigit(static_cast<unsigned char>(rest[j]))) return out;
    out.minor = out.minor * 10 + (rest[j] - '0');
  }
  out.kube_like = true;
  return out;
}

}  // namespace

bool KubeVersionLess(const std::string& a, const std::string& b) {
  ParsedVersion pa = ParseVersion(a), pb = ParseVersion(b);
  if (pa.kube_like != pb.kube_like) return pa.kube_like;
  if (!pa.kube_like) return a < b;
  if (pa.stability != pb.stability) return pa.stability > pb.stability;
  if (pa.major != pb.major) return pa.major > pb.major;
  return pa.minor > pb.minor;
}

ResourceRegistry::ResourceRegistry() {
  for (ResourceInfo& info : BuiltinResources()) builtin_.push_back(std::make_shared<const ResourceInfo>(std::move(info)));
  absl::MutexLock lock(&mu_);
  Rebuild();
}

void ResourceRegistry::Rebuild() {
  auto snap = std::make_shared<Snapshot>();
  snap->all = builtin_;
  for (const std::string& name : custom_order_) {
    auto it = custom_.find(name);
    if (it != custom_.end()) snap->all.insert(snap->all.end(), it->second.begin(), it->second.end());
  }
  for (const ResourcePtr& r : snap->all) {
    snap->by_plural.emplace(r->group + "/" + r->version + "/" + r->plural, r);
    snap->by_kind.emplace(r->group + "/" + r->version + "/" + r->kind, r);
  }
  snapshot_ = std::move(snap);
}

std::shared_ptr<const ResourceRegistry::Snapshot> ResourceRegistry::Current() const {
  absl::ReaderMutexLock lock(&mu_);
  return snapshot_;
}

std::vector<ResourcePtr> ResourceRegistry::All() const { return Current()->all; }

ResourcePtr ResourceRegistry::Find(const std::string& group, const std::string& version,
                                   const std::string& plural) const {
  auto snap = Current();
  auto it = snap->by_plural.find(group + "/" + version + "/" + plural);
  return it == snap->by_plural.end() ? nullptr : it->second;
}

ResourcePtr ResourceRegistry::FindByKind(const std::string& group, const std::string& version,
                                         const std::string& kind) const {
  auto snap = Current();
  auto it = snap->by_kind.find(group + "/" + version + "/" + kind);
  return it == snap->by_kind.end() ? nullptr : it->second;
}

ResourcePtr ResourceRegistry::FindAnyVersion(const std::string& group, const std::string& plural) const {
  ResourcePtr best;
  for (const ResourcePtr& r : Current()->all) {
    if (r->group == group && r->plural == plural && (best == nullptr || KubeVersionLess(r->version, best->version))) {
      best = r;
    }
  }
  return best;
}

std::vector<ResourcePtr> ResourceRegistry::InGroupVersion(const std::string& group, const std::string& version) const {
  std::vector<ResourcePtr> out;
  for (const ResourcePtr& r : Current()->all) {
    if (r->group == group && r->version == version) out.push_back(r);
  }
  return out;
}

bool ResourceRegistry::HasGroupVersion(const std::string& group, const std::string& version) const {
  return !InGroupVersion(group, version).empty();
}

std::vector<ResourceRegistry::GroupVersions> ResourceRegistry::Groups() const {
  std::vector<GroupVersions> out;
  for (const ResourcePtr& r : Current()->all) {
    auto it = std::find_if(out.begin(), out.end(), [&](const GroupVersions& g) { return g.group == r->group; });
    if (it == out.end()) {
      out.push_back({r->group, {}});
      it = out.end() - 1;
    }
    if (std::find(it->versions.begin(), it->versions.end(), r->version) == it->versions.end()) {
      it->versions.push_back(r->version);
    }
  }
  for (GroupVersions& g : out) std::sort(g.versions.begin(), g.versions.end(), KubeVersionLess);
  return out;
}

void ResourceRegistry::SetCustom(const std::string& crd_name, std::vector<ResourceInfo> versions) {
  std::vector<ResourcePtr> ptrs;
  for (ResourceInfo& v : versions) ptrs.push_back(std::make_shared<const ResourceInfo>(std::move(v)));
  absl::MutexLock lock(&mu_);
  if (custom_.find(crd_name) == custom_.end()) custom_order_.push_back(crd_name);
  custom_[crd_name] = std::move(ptrs);
  Rebuild();
}

void ResourceRegistry::RemoveCustom(const std::string& crd_name) {
  absl::MutexLock lock(&mu_);
  custom_.erase(crd_name);
  custom_order_.erase(std::remove(custom_order_.begin(), custom_order_.end(), crd_name), custom_order_.end());
  Rebuild();
}

}  // namespace fluxcpp::devapiserver
