#include "tools/dev-apiserver/immutable_fields.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/apimachinery/semantic_equal.h"
#include "tools/dev-apiserver/api_error.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

// Key order does not matter (stored objects and merged patches differ in it).
bool Same(const Value& a, const Value& b) { return apimachinery::SemanticallyEqual(a, b); }

// The value at `path`, or null when absent; empty objects count as absent
// (a nil and an empty map print the same to users).
Value At(const Value& obj, std::initializer_list<std::string_view> path) {
  const Value* v = object::Find(obj, path);
  if (v == nullptr || (v->is_object() && v->empty())) return nullptr;
  return *v;
}

Cause Immutable(std::string field, const Value& value, absl::string_view why = "field is immutable") {
  return {"FieldValueInvalid", absl::StrCat("Invalid value: ", value.is_null() ? "null" : value.dump(), ": ", why),
          std::move(field)};
}

Cause Forbidden(std::string field, absl::string_view why) {
  return {"FieldValueForbidden", absl::StrCat("Forbidden: ", why), std::move(field)};
}

// Adds a cause for each of `fields` (under spec) that changed.
void SpecFieldsImmutable(const Value& current, const Value& updated, std::initializer_list<std::string_view> fields,
                         std::vector<Cause>& causes) {
  for (std::string_view f : fields) {
    Value before = At(current, {"spec", f});
    Value after = At(updated, {"spec", f});
    if (!Same(before, after)) causes.push_back(Immutable("spec." + std::string(f), after));
  }
}

// `spec` without the listed (possibly nested, dotted by path vectors) fields.
Value SpecWithout(const Value& obj, const std::vector<std::vector<std::string_view>>& mutable_paths) {
  Value spec = At(obj, {"spec"});
  if (!spec.is_object()) return spec;
  for (const auto& path : mutable_paths) {
    Value* parent = &spec;
    for (size_t i = 0; parent != nullptr && i + 1 < path.size(); ++i) {
      auto it = parent->find(std::string(path[i]));
      parent = (it == parent->end() || !it->is_object()) ? nullptr : &*it;
    }
    if (parent != nullptr) parent->erase(std::string(path.back()));
  }
  // Drop containers the removals emptied.
  for (auto it = spec.begin(); it != spec.end();) {
    it = (it->is_object() && it->empty()) ? spec.erase(it) : std::next(it);
  }
  return spec;
}

void DataImmutable(const Value& current, const Value& updated, std::vector<Cause>& causes) {
  if (!object::GetBool(current, {"immutable"})) return;
  constexpr absl::string_view kWhy = "field is immutable when `immutable` is set";
  if (!object::GetBool(updated, {"immutable"})) causes.push_back(Forbidden("immutable", kWhy));
  if (!Same(At(current, {"data"}), At(updated, {"data"}))) causes.push_back(Forbidden("data", kWhy));
  if (!Same(At(current, {"binaryData"}), At(updated, {"binaryData"}))) causes.push_back(Forbidden("binaryData", kWhy));
}

}  // namespace

absl::Status ValidateImmutableFields(const ResourceInfo& r, const Value& current, const Value& updated) {
  if (r.custom) return absl::OkStatus();
  std::vector<Cause> causes;
  if (r.group == "batch" && r.plural == "jobs") {
    SpecFieldsImmutable(current, updated, {"selector", "template", "completions"}, causes);
  } else if (r.group == "apps" && (r.plural == "deployments" || r.plural == "daemonsets" || r.plural == "replicasets")) {
    SpecFieldsImmutable(current, updated, {"selector"}, causes);
  } else if (r.group == "apps" && r.plural == "statefulsets") {
    const std::vector<std::vector<std::string_view>> mutable_paths = {
        {"replicas"}, {"ordinals"}, {"template"}, {"updateStrategy"}, {"persistentVolumeClaimRetentionPolicy"},
        {"minReadySeconds"}};
    if (!Same(SpecWithout(current, mutable_paths), SpecWithout(updated, mutable_paths))) {
      causes.push_back(Forbidden("spec",
                                 "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                                 "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                                 "'minReadySeconds' are forbidden"));
    }
  } else if (r.group.empty() && r.plural == "services") {
    const std::string before = object::GetString(current, {"spec", "clusterIP"});
    const std::string after = object::GetString(updated, {"spec", "clusterIP"});
    if (!before.empty() && before != after && object::GetString(updated, {"spec", "type"}) != "ExternalName") {
      causes.push_back(Immutable("spec.clusterIPs[0]", Value::array({after}), "may not change once set"));
    }
  } else if (r.group.empty() && r.plural == "persistentvolumeclaims") {
    const std::vector<std::vector<std::string_view>> mutable_paths = {{"resources", "requests"},
                                                                       {"volumeAttributesClassName"}};
    Value before = SpecWithout(current, mutable_paths);
    Value after = SpecWithout(updated, mutable_paths);
    // Binding fills volumeName once; that is not a user change.
    if (before.is_object() && after.is_object() && object::GetString(after, {"volumeName"}).empty()) {
      before.erase("volumeName");
    }
    if (!Same(before, after)) {
      causes.push_back(Forbidden("spec",
                                 "spec is immutable after creation except resources.requests and "
                                 "volumeAttributesClassName for bound claims"));
    }
  } else if (r.group.empty() && r.plural == "configmaps") {
    DataImmutable(current, updated, causes);
  } else if (r.group.empty() && r.plural == "secrets") {
    DataImmutable(current, updated, causes);
    std::string before = object::GetString(current, {"type"});
    std::string after = object::GetString(updated, {"type"});
    if (!before.empty() && before != after) causes.push_back(Immutable("type", Value(after)));
  }
  if (causes.empty()) return absl::OkStatus();
  return InvalidError(r, object::GetString(updated, {"metadata", "name"}), causes);
}

}  // namespace fluxcpp::devapiserver
