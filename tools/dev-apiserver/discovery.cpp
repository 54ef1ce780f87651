#include "tools/dev-apiserver/discovery.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

Value GroupJson(const ResourceRegistry::GroupVersions& g) {
  Value versions = Value::array();
  for (const std::string& v : g.versions) versions.push_back({{"groupVersion", g.group + "/" + v}, {"version", v}});
  return {{"name", g.group},
          {"versions", versions},
          {"preferredVersion", {{"groupVersion", g.group + "/" + g.versions.front()}, {"version", g.versions.front()}}}};
}

}  // namespace

Value VersionInfo() {
  return {{"major", "1"},
          {"minor", "32"},
          {"gitVersion", "v1.32.0-fluxcpp"},
          {"gitCommit", "0000000000000000000000000000000000000000"},
          {"gitTreeState", "clean"},
          {"buildDate", "2025-01-01T00:00:00Z"},
          {"goVersion", "go1.23.0"},
          {"compiler", "gc"},
          {"platform", "linux/amd64"}};
}

Value ApiVersions(const std::string& server_address) {
  return {{"kind", "APIVersions"},
          {"versions", Value::array({"v1"})},
          {"serverAddressByClientCIDRs",
           Value::array({{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}})}};
}

Value ApiGroupList(const ResourceRegistry& registry) {
  Value groups = Value::array();
  for (const auto& g : registry.Groups()) {
    if (g.group.empty()) continue;
    groups.push_back(GroupJson(g));
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

Value ApiGroup(const ResourceRegistry& registry, const std::string& group) {
  for (const auto& g : registry.Groups()) {
    if (g.group == group && !group.empty()) {
      Value out = GroupJson(g);
      out["kind"] = "APIGroup";
      out["apiVersion"] = "v1";
      return out;
    }
  }
  return nullptr;
}

Value ApiResourceList(const ResourceRegistry& registry, const std::string& group, const std::string& version) {
  auto resources = registry.InGroupVersion(group, version);
  if (resources.empty()) return nullptr;
  Value list = Value::array();
  for (const ResourcePtr& r : resources) {
    Value entry = {{"name", r->plural},
                   {"singularName", r->singular},
                   {"namespaced", r->namespaced},
                   {"kind", r->kind},
                   {"verbs", r->verbs}};
    if (!r->short_names.empty()) entry["shortNames"] = r->short_names;
    if (!r->categories.empty()) entry["categories"] = r->categories;
    list.push_back(std::move(entry));
    if (r->HasScale()) {
      list.push_back({{"name", r->plural + "/scale"},
                      {"singularName", ""},
                      {"namespaced", r->namespaced},
                      {"group", "autoscaling"},
                      {"version", "v1"},
                      {"kind", "Scale"},
                      {"verbs", Value::array({"get", "patch", "update"})}});
    }
    if (r->has_status) {
      list.push_back({{"name", r->plural + "/status"},
                      {"singularName", ""},
                      {"namespaced", r->namespaced},
                      {"kind", r->kind},
                      {"verbs", Value::array({"get", "patch", "update"})}});
    }
  }
  return {{"kind", "APIResourceList"},
          {"apiVersion", "v1"},
          {"groupVersion", group.empty() ? version : group + "/" + version},
          {"resources", list}};
}

}  // namespace fluxcpp::devapiserver
