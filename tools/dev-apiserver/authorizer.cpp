#include "tools/dev-apiserver/authorizer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/apimachinery/label_selector.h"
#include "tools/dev-apiserver/api_error.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

constexpr char kRbacGroup[] = "rbac.authorization.k8s.io";

bool Contains(const Value& list, const std::string& want, bool allow_star = true) {
  if (!list.is_array()) return false;
  for (const Value& v : list) {
    if (!v.is_string()) continue;
    const std::string& s = v.get_ref<const std::string&>();
    if (s == want || (allow_star && s == "*")) return true;
  }
  return false;
}

bool ResourceMatches(const Value& resources, const Attributes& a) {
  if (!resources.is_array()) return false;
  std::string combined = a.subresource.empty() ? a.resource : absl::StrCat(a.resource, "/", a.subresource);
  for (const Value& v : resources) {
    if (!v.is_string()) continue;
    const std::string& s = v.get_ref<const std::string&>();
    if (s == "*" || s == combined) return true;
    if (!a.subresource.empty() && s == absl::StrCat("*/", a.subresource)) return true;
  }
  return false;
}

bool NonResourceMatches(const Value& urls, const std::string& path) {
  if (!urls.is_array()) return false;
  for (const Value& v : urls) {
    if (!v.is_string()) continue;
    const std::string& s = v.get_ref<const std::string&>();
    if (s == "*" || s == path) return true;
    if (!s.empty() && s.back() == '*' && absl::StartsWith(path, s.substr(0, s.size() - 1))) return true;
  }
  return false;
}

bool RuleAllows(const Value& rule, const Attributes& a) {
  if (!rule.is_object()) return false;
  if (!Contains(rule.value("verbs", Value::array()), a.verb)) return false;
  if (!a.resource_request) return NonResourceMatches(rule.value("nonResourceURLs", Value::array()), a.path);
  if (!Contains(rule.value("apiGroups", Value::array()), a.api_group)) return false;
  if (!ResourceMatches(rule.value("resources", Value::array()), a)) return false;
  const Value names = rule.value("resourceNames", Value::array());
  if (names.is_array() && !names.empty()) return !a.name.empty() && Contains(names, a.name, false);
  return true;
}

bool SubjectMatches(const Value& subject, const UserInfo& user, const std::string& binding_ns) {
  std::string kind = subject.value("kind", "");
  std::string name = subject.value("name", "");
  if (kind == "User") return name == user.name;
  if (kind == "Group") return user.InGroup(name);
  if (kind == "ServiceAccount") {
    std::string ns = subject.value("namespace", "");
    if (ns.empty()) ns = binding_ns;
    return user.name == absl::StrCat("system:serviceaccount:", ns, ":", name);
  }
  return false;
}

std::optional<Value> Load(const Store& store, const std::string& resource, const std::string& ns,
                          const std::string& name) {
  auto o = store.Get(resource, ns, name);
  if (!o.has_value()) return std::nullopt;
  auto parsed = object::ParseJson(*o->json);
  if (!parsed.ok()) return std::nullopt;
  return std::move(*parsed);
}

// The rules of a ClusterRole, including those aggregated into it.
std::vector<Value> ClusterRoleRules(const Store& store, const Value& role) {
  std::vector<Value> rules;
  if (const Value* r = object::Find(role, {"rules"}); r != nullptr && r->is_array()) {
    for (const Value& rule : *r) rules.push_back(rule);
  }
  const Value* selectors = object::Find(role, {"aggregationRule", "clusterRoleSelectors"});
  if (selectors == nullptr || !selectors->is_array() || selectors->empty()) return rules;
  std::string self = object::GetString(role, {"metadata", "name"});
  auto all = store.List(absl::StrCat("clusterroles.", kRbacGroup), "");
  for (const auto& item : all.items) {
    if (item.name == self) continue;
    auto parsed = object::ParseJson(*item.object.json);
    if (!parsed.ok()) continue;
    for (const Value& sel : *selectors) {
      auto selector = apimachinery::LabelSelector::FromObject(sel);
      if (!selector.ok() || !selector->Matches(apimachinery::LabelsOf(*parsed))) continue;
      if (const Value* r = object::Find(*parsed, {"rules"}); r != nullptr && r->is_array()) {
        for (const Value& rule : *r) rules.push_back(rule);
      }
      break;
    }
  }
  return rules;
}

bool BindingAllows(const Store& store, const Value& binding, const Attributes& a, const std::string& binding_ns) {
  const Value* subjects = object::Find(binding, {"subjects"});
  if (subjects == nullptr || !subjects->is_array()) return false;
  bool matched = false;
  for (const Value& s : *subjects) matched = matched || SubjectMatches(s, a.user, binding_ns);
  if (!matched) return false;
  std::string kind = object::GetString(binding, {"roleRef", "kind"});
  std::string name = object::GetString(binding, {"roleRef", "name"});
  std::vector<Value> rules;
  if (kind == "ClusterRole") {
    auto role = Load(store, absl::StrCat("clusterroles.", kRbacGroup), "", name);
    if (!role.has_value()) return false;
    rules = ClusterRoleRules(store, *role);
  } else if (kind == "Role" && !binding_ns.empty()) {
    auto role = Load(store, absl::StrCat("roles.", kRbacGroup), binding_ns, name);
    if (!role.has_value()) return false;
    if (const Value* r = object::Find(*role, {"rules"}); r != nullptr && r->is_array()) {
      for (const Value& rule : *r) rules.push_back(rule);
    }
  }
  for (const Value& rule : rules) {
    if (RuleAllows(rule, a)) return true;
  }
  return false;
}

bool BootstrapAllows(const Attributes& a) {
  if (!a.resource_request) {
    if (a.verb != "get" && a.verb != "head") return false;
    for (const char* prefix : {"/api", "/apis", "/version", "/openapi", "/healthz", "/livez", "/readyz"}) {
      if (a.path == prefix || absl::StartsWith(a.path, absl::StrCat(prefix, "/"))) return true;
    }
    return a.path == "/";
  }
  if (!a.user.InGroup(kSystemAuthenticated) || a.verb != "create") return false;
  if (a.api_group == "authorization.k8s.io") {
    return a.resource == "selfsubjectaccessreviews" || a.resource == "selfsubjectrulesreviews";
  }
  return a.api_group == "authentication.k8s.io" && a.resource == "selfsubjectreviews";
}

}  // namespace

bool RbacAuthorizer::Authorize(const Attributes& a) const {
  if (a.user.InGroup(kSystemMasters)) return true;
  if (BootstrapAllows(a)) return true;
  auto cluster_bindings = store_.List(absl::StrCat("clusterrolebindings.", kRbacGroup), "");
  for (const auto& item : cluster_bindings.items) {
    auto parsed = object::ParseJson(*item.object.json);
    if (parsed.ok() && BindingAllows(store_, *parsed, a, "")) return true;
  }
  if (a.resource_request && !a.ns.empty()) {
    auto bindings = store_.List(absl::StrCat("rolebindings.", kRbacGroup), a.ns);
    for (const auto& item : bindings.items) {
      auto parsed = object::ParseJson(*item.object.json);
      if (parsed.ok() && BindingAllows(store_, *parsed, a, a.ns)) return true;
    }
  }
  return false;
}

absl::Status ForbiddenFor(const Attributes& a) {
  std::string msg;
  if (!a.resource_request) {
    msg = absl::StrCat("User \"", a.user.name, "\" cannot ", a.verb, " path \"", a.path, "\"");
    return ApiError(403, "Forbidden", absl::StrCat("forbidden: ", msg), Value::object());
  }
  std::string resource = a.subresource.empty() ? a.resource : absl::StrCat(a.resource, "/", a.subresource);
  if (!a.ns.empty()) {
    msg = absl::StrCat("User \"", a.user.name, "\" cannot ", a.verb, " resource \"", resource, "\" in API group \"",
                       a.api_group, "\" in the namespace \"", a.ns, "\"");
  } else {
    msg = absl::StrCat("User \"", a.user.name, "\" cannot ", a.verb, " resource \"", resource, "\" in API group \"",
                       a.api_group, "\" at the cluster scope");
  }
  std::string qualified = a.api_group.empty() ? a.resource : absl::StrCat(a.resource, ".", a.api_group);
  std::string head = a.name.empty() ? absl::StrCat(qualified, " is forbidden: ")
                                    : absl::StrCat(qualified, " \"", a.name, "\" is forbidden: ");
  Value details = Value::object();
  if (!a.name.empty()) details["name"] = a.name;
  if (!a.api_group.empty()) details["group"] = a.api_group;
  details["kind"] = a.resource;
  return ApiError(403, "Forbidden", absl::StrCat(head, msg), details);
}

}  // namespace fluxcpp::devapiserver
