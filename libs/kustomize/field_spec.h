#pragma once
// Field specs: which field of which kinds a transformer touches, and the
// traversal that finds (and optionally creates) those fields.
//
// A path is "/"-separated ("spec/template/metadata/labels"); "\/" escapes a
// slash inside a key; "name[]" marks a sequence. Sequences met along the path
// are visited element by element. With `create`, missing maps along the path
// are created and a missing leaf is created as `leaf_kind`.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/kustomize/resource.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

struct FieldSpec {
  std::string group, version, kind, path;
  bool create = false;

  // True when every non-empty gvk part equals the resource's.
  bool Selects(const ResId& id) const;
  bool operator==(const FieldSpec& o) const {
    return group == o.group && version == o.version && kind == o.kind && path == o.path;
  }
};

// Splits a field-spec path at unescaped "/" (keeps "[...]" groups whole).
std::vector<std::string> SplitFieldPath(const std::string& path);

enum class LeafKind { kScalar, kMap, kNone };

// Visits every node at `fs.path` inside `obj`. `fn` receives the node (which
// may be null when it was just created or is explicitly null).
absl::Status ApplyFieldSpec(object::Value& obj, const FieldSpec& fs, LeafKind leaf_kind,
                            const std::function<absl::Status(object::Value&)>& fn);

// Parses a list of {group, version, kind, path, create} maps.
absl::StatusOr<std::vector<FieldSpec>> ParseFieldSpecs(const object::Value& list);

// Appends `more` to `specs`, skipping a spec whose path an existing spec
// already covers with a gvk the incoming one selects (kustomize's MergeAll).
void MergeFieldSpecs(std::vector<FieldSpec>& specs, const std::vector<FieldSpec>& more);

// A kind whose name can be referenced, and the fields that reference it.
struct NameBackReference {
  std::string group, version, kind;
  std::vector<FieldSpec> referrers;
};

// kustomize's transformer configuration: the built-in field specs, extended by
// `configurations:` files and CRDs.
struct TransformerConfig {
  std::vector<FieldSpec> name_prefix, name_suffix, name_space, common_labels, template_labels, labels,
      common_annotations, images, replicas, var_reference;
  std::vector<NameBackReference> name_reference;

  static const TransformerConfig& Builtin();
  // Parses a configurations file (YAML with the keys namePrefix, nameSuffix,
  // namespace, commonLabels, templateLabels, labels, commonAnnotations, images,
  // replicas, varReference, nameReference).
  static absl::StatusOr<TransformerConfig> Parse(const object::Value& doc);
  void Merge(const TransformerConfig& other);
};

}  // namespace fluxcpp::kustomize
