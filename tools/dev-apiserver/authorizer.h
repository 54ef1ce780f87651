#pragma once
// Authorization of API requests (k8s.io/apiserver's authorizer.Attributes
// and two modes): AlwaysAllow, and RBAC over the Role/ClusterRole/
// RoleBinding/ClusterRoleBinding objects in the store, evaluated on every
// request (no cache: the store is the truth, so a new binding applies at
// once).
//
// RBAC rules: apiGroups/resources/verbs/resourceNames with `*` wildcards,
// subresources as `deployments/status` (and `*/status`), nonResourceURLs
// (exact or `prefix*`), aggregated ClusterRoles (aggregationRule label
// selectors, resolved on the fly). Subjects: User, Group, ServiceAccount
// (`system:serviceaccount:<ns>:<name>`). `system:masters` bypasses RBAC, and
// every authenticated user may use discovery, /version, /openapi, health
// paths and create self access/rules/subject reviews (kube's bootstrap
// system:discovery and system:basic-user roles).
//
// Thread-safe: reads the store only.

#include <string>

#include "absl/status/status.h"
#include "tools/dev-apiserver/store.h"
#include "tools/dev-apiserver/user_info.h"

namespace fluxcpp::devapiserver {

struct Attributes {
  UserInfo user;
  std::string verb;  // get list watch create update patch delete deletecollection impersonate ...
  bool resource_request = true;
  std::string api_group;
  std::string resource;
  std::string subresource;
  std::string ns;
  std::string name;
  std::string path;  // non-resource requests
};

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual bool Authorize(const Attributes& attributes) const = 0;
};

class AlwaysAllowAuthorizer : public Authorizer {
 public:
  bool Authorize(const Attributes&) const override { return true; }
};

class RbacAuthorizer : public Authorizer {
 public:
  explicit RbacAuthorizer(const Store& store) : store_(store) {}
  bool Authorize(const Attributes& attributes) const override;

 private:
  const Store& store_;
};

// kube's Forbidden error for a denied request:
//   deployments.apps "x" is forbidden: User "u" cannot create resource "deployments" in API group "apps" in the namespace "ns"
absl::Status ForbiddenFor(const Attributes& attributes);

}  // namespace fluxcpp::devapiserver
