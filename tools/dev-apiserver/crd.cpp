#include "tools/dev-apiserver/crd.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "tools/dev-apiserver/api_error.h"
#include "tools/dev-apiserver/object_meta.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

std::vector<std::string> Strings(const Value* v) {
  std::vector<std::string> out;
  if (v == nullptr || !v->is_array()) return out;
  for (const Value& s : *v) {
    if (s.is_string()) out.push_back(s.get<std::string>());
  }
  return out;
}

Value Condition(const Value* existing, const std::string& type, const std::string& reason,
                const std::string& message, const std::string& now) {
  std::string time = now;
  if (existing != nullptr && existing->is_array()) {
    for (const Value& c : *existing) {
      if (c.value("type", "") == type && c.value("status", "") == "True") time = c.value("lastTransitionTime", now);
    }
  }
  return {{"lastTransitionTime", time}, {"message", message}, {"reason", reason}, {"status", "True"}, {"type", type}};
}

}  // namespace

absl::Status ValidateCrd(const ResourceInfo& crd_resource, const Value& crd) {
  std::string name = object::GetString(crd, {"metadata", "name"});
  std::string group = object::GetString(crd, {"spec", "group"});
  std::string plural = object::GetString(crd, {"spec", "names", "plural"});
  std::string kind = object::GetString(crd, {"spec", "names", "kind"});
  std::string scope = object::GetString(crd, {"spec", "scope"});
  std::vector<Cause> causes;
  if (group.empty()) {
    causes.push_back(RequiredValue("spec.group"));
  } else if (group.find('.') == std::string::npos) {
    causes.push_back(InvalidValue("spec.group", group, "should be a domain with at least one dot"));
  }
  if (plural.empty()) causes.push_back(RequiredValue("spec.names.plural"));
  if (kind.empty()) causes.push_back(RequiredValue("spec.names.kind"));
  if (!plural.empty() && absl::AsciiStrToLower(plural) != plural) {
    causes.push_back(InvalidValue("spec.names.plural", plural, "must be lowercase"));
  }
  if (!plural.empty() && !group.empty() && name != plural + "." + group) {
    causes.push_back(InvalidValue("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
  }
  if (scope != "Namespaced" && scope != "Cluster") {
    causes.push_back({"FieldValueNotSupported",
                      absl::StrCat("Unsupported value: \"", scope, "\": supported values: \"Cluster\", \"Namespaced\""),
                      "spec.scope"});
  }
  const Value* versions = object::Find(crd, {"spec", "versions"});
  if (versions == nullptr || !versions->is_array() || versions->empty()) {
    causes.push_back(RequiredValue("spec.versions", "must have exactly one version marked as storage version"));
  } else {
    int storage = 0;
    for (const Value& v : *versions) {
      if (v.value("storage", false)) ++storage;
      if (v.value("name", "").empty()) causes.push_back(RequiredValue("spec.versions[].name"));
    }
    if (storage != 1) {
      causes.push_back(InvalidValue("spec.versions", absl::StrCat(storage, " storage versions"),
                                    "must have exactly one version marked as storage version"));
    }
  }
  if (causes.empty()) return absl::OkStatus();
  return InvalidError(crd_resource, name, causes);
}

void SetCrdStatus(Value& crd, const std::string& now) {
  Value& status = object::Ensure(crd, {"status"});
  if (!status.is_object()) status = Value::object();
  const Value* names = object::Find(crd, {"spec", "names"});
  Value accepted = Value::object();
  if (names != nullptr && names->is_object()) {
    accepted = *names;
    std::string kind = names->value("kind", "");
    if (!accepted.contains("listKind")) accepted["listKind"] = kind + "List";
    if (!accepted.contains("singular")) accepted["singular"] = absl::AsciiStrToLower(kind);
  }
  status["acceptedNames"] = accepted;
  const Value* existing = object::Find(status, {"conditions"});
  Value existing_copy = existing != nullptr ? *existing : Value();
  Value conditions = Value::array();
  conditions.push_back(Condition(&existing_copy, "NamesAccepted", "NoConflicts", "no conflicts found", now));
  conditions.push_back(
      Condition(&existing_copy, "Established", "InitialNamesAccepted", "the initial names have been accepted", now));
  status["conditions"] = std::move(conditions);
  std::vector<std::string> stored = Strings(object::Find(status, {"storedVersions"}));
  if (const Value* versions = object::Find(crd, {"spec", "versions"}); versions != nullptr && versions->is_array()) {
    for (const Value& v : *versions) {
      std::string vname = v.value("name", "");
      if (v.value("storage", false) && std::find(stored.begin(), stored.end(), vname) == stored.end()) {
        stored.push_back(vname);
      }
    }
  }
  status["storedVersions"] = stored;
}

std::vector<ResourceInfo> ResourcesFromCrd(const Value& crd) {
  std::vector<ResourceInfo> out;
  const Value* versions = object::Find(crd, {"spec", "versions"});
  if (versions == nullptr || !versions->is_array()) return out;
  const Value* names = object::Find(crd, {"spec", "names"});
  if (names == nullptr) return out;
  for (const Value& v : *versions) {
    if (!v.value("served", true)) continue;
    ResourceInfo info;
    info.custom = true;
    info.crd_name = object::GetString(crd, {"metadata", "name"});
    info.group = object::GetString(crd, {"spec", "group"});
    info.version = v.value("name", "");
    info.kind = names->value("kind", "");
    info.list_kind = names->value("listKind", info.kind + "List");
    info.plural = names->value("plural", "");
    info.singular = names->value("singular", absl::AsciiStrToLower(info.kind));
    info.namespaced = object::GetString(crd, {"spec", "scope"}) != "Cluster";
    info.short_names = Strings(names->contains("shortNames") ? &(*names)["shortNames"] : nullptr);
    info.categories = Strings(names->contains("categories") ? &(*names)["categories"] : nullptr);
    info.has_status = object::Find(v, {"subresources", "status"}) != nullptr;
    if (const Value* scale = object::Find(v, {"subresources", "scale"}); scale != nullptr && scale->is_object()) {
      info.scale_spec_replicas_path = scale->value("specReplicasPath", "");
      info.scale_status_replicas_path = scale->value("statusReplicasPath", "");
      info.scale_selector_path = scale->value("labelSelectorPath", "");
    }
    if (const Value* cols = object::Find(v, {"additionalPrinterColumns"}); cols != nullptr && cols->is_array()) {
      for (const Value& c : *cols) {
        PrinterColumn col;
        col.name = c.value("name", "");
        col.type = c.value("type", "string");
        col.format = c.value("format", "");
        col.description = c.value("description", "");
        col.json_path = c.value("jsonPath", "");
        col.priority = c.value("priority", 0);
        info.printer_columns.push_back(std::move(col));
      }
    }
    if (const Value* schema = object::Find(v, {"schema", "openAPIV3Schema"}); schema != nullptr) {
      info.schema = std::make_shared<const Value>(*schema);
    }
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace fluxcpp::devapiserver
