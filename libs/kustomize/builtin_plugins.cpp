#include "libs/kustomize/builtin_plugins.h"

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/kustomize/configmap_generator.h"
#include "libs/kustomize/field_spec.h"
#include "libs/kustomize/image_transformer.h"
#include "libs/kustomize/label_transformer.h"
#include "libs/kustomize/namespace_transformer.h"
#include "libs/kustomize/patch_transformer.h"
#include "libs/kustomize/prefix_suffix_transformer.h"
#include "libs/kustomize/replacement_transformer.h"
#include "libs/kustomize/replica_transformer.h"

namespace fluxcpp::kustomize {

using object::Value;

namespace {

absl::Status CheckBuiltin(const Resource& config) {
  ResId id = config.CurId();
  if (id.group.empty() && id.version == "builtin") return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("external plugins disabled; unable to load external plugin '", id.kind, "'"));
}

absl::Status UnknownBuiltin(const Resource& config) {
  return absl::InvalidArgumentError(absl::StrCat("unable to load builtin ", config.CurId().GvkString()));
}

absl::StatusOr<std::vector<FieldSpec>> Specs(const Value& c) {
  const Value* v = object::Find(c, {"fieldSpecs"});
  if (v == nullptr || v->is_null()) return std::vector<FieldSpec>{};
  return ParseFieldSpecs(*v);
}

}  // namespace

absl::StatusOr<ResMap> RunGeneratorPlugin(const FileLoader& ldr, const Resource& config) {
  FLUX_RETURN_IF_ERROR(CheckBuiltin(config));
  std::string kind = config.Kind();
  if (kind != "ConfigMapGenerator" && kind != "SecretGenerator") return UnknownBuiltin(config);
  Value args = config.obj;
  for (const char* k : {"apiVersion", "kind", "metadata"}) args.erase(k);
  if (object::GetString(args, {"name"}).empty()) args["name"] = config.Name();
  if (object::GetString(args, {"namespace"}).empty() && !config.Namespace().empty()) {
    args["namespace"] = config.Namespace();
  }
  FLUX_ASSIGN_OR_RETURN(Resource r, GenerateConfigMapOrSecret(ldr, args, nullptr, kind == "SecretGenerator"));
  ResMap out;
  out.push_back(std::move(r));
  return out;
}

absl::Status RunTransformerPlugin(ResMap& m, const FileLoader& ldr, const Resource& config) {
  FLUX_RETURN_IF_ERROR(CheckBuiltin(config));
  const Value& c = config.obj;
  std::string kind = config.Kind();
  if (kind == "PatchTransformer") return ApplyPatch(m, ldr, c);
  if (kind == "PatchStrategicMergeTransformer") {
    Value list = Value::array();
    if (const Value* paths = object::Find(c, {"paths"}); paths != nullptr && paths->is_array()) {
      for (const Value& p : *paths) list.push_back(p);
    }
    if (std::string patches = object::GetString(c, {"patches"}); !patches.empty()) list.push_back(patches);
    return ApplyPatchesStrategicMerge(m, ldr, list);
  }
  if (kind == "PatchJson6902Transformer") {
    Value entry = Value::object();
    if (const Value* t = object::Find(c, {"target"})) entry["target"] = *t;
    if (std::string p = object::GetString(c, {"path"}); !p.empty()) entry["path"] = p;
    if (std::string op = object::GetString(c, {"jsonOp"}); !op.empty()) entry["patch"] = op;
    return ApplyPatchJson6902(m, ldr, entry);
  }
  if (kind == "PrefixSuffixTransformer" || kind == "PrefixTransformer" || kind == "SuffixTransformer") {
    FLUX_ASSIGN_OR_RETURN(std::vector<FieldSpec> fss, Specs(c));
    std::string prefix = object::GetString(c, {"prefix"}), suffix = object::GetString(c, {"suffix"});
    if (kind != "SuffixTransformer" && !prefix.empty()) FLUX_RETURN_IF_ERROR(TransformPrefix(m, prefix, fss));
    if (kind != "PrefixTransformer" && !suffix.empty()) FLUX_RETURN_IF_ERROR(TransformSuffix(m, suffix, fss));
    return absl::OkStatus();
  }
  if (kind == "LabelTransformer" || kind == "AnnotationsTransformer") {
    FLUX_ASSIGN_OR_RETURN(std::vector<FieldSpec> fss, Specs(c));
    const Value* pairs = object::Find(c, {kind == "LabelTransformer" ? "labels" : "annotations"});
    if (pairs == nullptr || !pairs->is_object()) return absl::OkStatus();
    return AddMapEntries(m, *pairs, fss);
  }
  if (kind == "NamespaceTransformer") {
    NamespaceOptions ns;
    ns.ns = object::GetString(c, {"metadata", "namespace"});
    FLUX_ASSIGN_OR_RETURN(ns.field_specs, Specs(c));
    ns.unset_only = object::GetBool(c, {"unsetOnly"});
    std::string subjects = object::GetString(c, {"setRoleBindingSubjects"});
    if (subjects == "allServiceAccounts") {
      ns.subjects = RoleBindingSubjects::kAllServiceAccounts;
    } else if (subjects == "none") {
      ns.subjects = RoleBindingSubjects::kNone;
    } else if (!subjects.empty() && subjects != "defaultOnly") {
      return absl::InvalidArgumentError(absl::StrCat("invalid value for setRoleBindingSubjects: ", subjects));
    }
    return TransformNamespace(m, ns);
  }
  if (kind == "ImageTagTransformer") {
    FLUX_ASSIGN_OR_RETURN(std::vector<FieldSpec> fss, Specs(c));
    const Value* image = object::Find(c, {"imageTag"});
    if (image == nullptr || !image->is_object()) return absl::OkStatus();
    return TransformImage(m, *image, fss);
  }
  if (kind == "ReplicaCountTransformer") {
    FLUX_ASSIGN_OR_RETURN(std::vector<FieldSpec> fss, Specs(c));
    const Value* replica = object::Find(c, {"replica"});
    if (replica == nullptr || !replica->is_object()) return absl::OkStatus();
    return TransformReplicas(m, *replica, fss);
  }
  if (kind == "ReplacementTransformer") {
    const Value* reps = object::Find(c, {"replacements"});
    if (reps == nullptr || reps->is_null()) return absl::OkStatus();
    return ApplyReplacements(m, ldr, *reps);
  }
  return UnknownBuiltin(config);
}

}  // namespace fluxcpp::kustomize
