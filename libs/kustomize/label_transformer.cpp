#include "libs/kustomize/label_transformer.h"

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"

namespace fluxcpp::kustomize {

using object::Value;

namespace {

std::string AsString(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

}  // namespace

absl::Status AddMapEntries(ResMap& m, const Value& pairs, const std::vector<FieldSpec>& field_specs) {
  if (!pairs.is_object() || pairs.empty()) return absl::OkStatus();
  for (Resource& r : m) {
    ResId id = r.CurId();
    for (const FieldSpec& fs : field_specs) {
      if (!fs.Selects(id)) continue;
      FLUX_RETURN_IF_ERROR(ApplyFieldSpec(r.obj, fs, LeafKind::kMap, [&pairs](Value& node) -> absl::Status {
        if (node.is_null()) node = Value::object();
        if (!node.is_object()) {
          return absl::InvalidArgumentError("wrong node kind: expected MappingNode but got ScalarNode");
        }
        for (auto it = pairs.begin(); it != pairs.end(); ++it) node[it.key()] = AsString(it.value());
        return absl::OkStatus();
      }));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<FieldSpec>> LabelEntryFieldSpecs(const Value& entry, const TransformerConfig& tc) {
  std::vector<FieldSpec> fss;
  if (const Value* f = object::Find(entry, {"fields"})) {
    FLUX_ASSIGN_OR_RETURN(fss, ParseFieldSpecs(*f));
  }
  MergeFieldSpecs(fss, tc.labels);
  if (object::GetBool(entry, {"includeSelectors"})) {
    MergeFieldSpecs(fss, tc.common_labels);
  } else {
    if (object::GetBool(entry, {"includeTemplates"})) MergeFieldSpecs(fss, tc.template_labels);
    FieldSpec meta;
    meta.path = "metadata/labels";
    meta.create = true;
    MergeFieldSpecs(fss, {meta});
  }
  return fss;
}

}  // namespace fluxcpp::kustomize
