#include "libs/kustomize/kust_target.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "libs/core/status_macros.h"
#include "libs/kustomize/kyaml_reader.h"
#include "libs/kustomize/configmap_generator.h"
#include "libs/kustomize/generator_hash.h"
#include "libs/kustomize/name_reference.h"
#include "libs/kustomize/namespace_transformer.h"
#include "libs/kustomize/prefix_suffix_transformer.h"

namespace fluxcpp::kustomize {

using object::Value;

namespace {

std::vector<std::string> StringList(const Value& k, const char* key) {
  std::vector<std::string> out;
  const Value* v = object::Find(k, {key});
  if (v == nullptr || !v->is_array()) return out;
  for (const Value& item : *v) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

absl::Status Wrap(const absl::Status& s, const std::string& prefix) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(prefix, ": ", std::string(s.message())));
}

}  // namespace

absl::StatusOr<KustTarget> KustTarget::Load(FileLoader ldr, const BuildOptions& options) {
  FLUX_ASSIGN_OR_RETURN(KustomizationFile kust, LoadKustomization(ldr));
  KustTarget kt(std::move(ldr), std::move(kust), options);
  kt.build_metadata_ = StringList(kt.kust_.k, "buildMetadata");
  return kt;
}

absl::StatusOr<Accumulator> KustTarget::AccumulateTarget() {
  Accumulator ra;
  ra.config = TransformerConfig::Builtin();
  FLUX_RETURN_IF_ERROR(AccumulateTargetInto(ra));
  return ra;
}

absl::Status KustTarget::AccumulateTargetInto(Accumulator& ra) {
  if (const Value* res = object::Find(kust_.k, {"resources"})) {
    FLUX_RETURN_IF_ERROR(Wrap(AccumulateResources(ra, *res), "accumulating resources"));
  }
  for (const std::string& path : StringList(kust_.k, "configurations")) {
    FLUX_ASSIGN_OR_RETURN(std::string text, ldr_.Load(path));
    FLUX_ASSIGN_OR_RETURN(Value doc, ReadYaml(text));
    FLUX_ASSIGN_OR_RETURN(TransformerConfig tc, TransformerConfig::Parse(doc));
    ra.config.Merge(tc);
  }
  FLUX_RETURN_IF_ERROR(RunGenerators(ra));
  if (const Value* comps = object::Find(kust_.k, {"components"})) {
    FLUX_RETURN_IF_ERROR(Wrap(AccumulateComponents(ra, *comps), "accumulating components"));
  }
  FLUX_RETURN_IF_ERROR(RunTransformers(ra));
  return absl::OkStatus();
}

absl::Status KustTarget::AccumulateResources(Accumulator& ra, const Value& paths) {
  if (!paths.is_array()) return absl::InvalidArgumentError("resources must be a list");
  for (const Value& p : paths) {
    if (!p.is_string()) return absl::InvalidArgumentError("resources entries must be strings");
    std::string path = p.get<std::string>();
    if (!ldr_.IsDir(path) && !FileLoader::IsRemote(path)) {
      absl::Status fs = AccumulateFile(ra, path);
      if (fs.ok()) continue;
      if (absl::StrContains(fs.message(), "MalformedYAMLError") || absl::StrContains(fs.message(), "security;") ||
          ldr_.Exists(path)) {
        return fs;
      }
      auto sub = ldr_.New(path);
      if (!sub.ok()) {
        return absl::Status(sub.status().code(), absl::StrCat("accumulation err='", std::string(fs.message()), "': ",
                                                              std::string(sub.status().message())));
      }
      return absl::InvalidArgumentError(absl::StrCat("accumulation err='", std::string(fs.message()), "'"));
    }
    FLUX_ASSIGN_OR_RETURN(FileLoader sub, ldr_.New(path));
    std::string saved = origin_path_;
    absl::Status s = AccumulateDirectory(ra, sub, /*is_component=*/false, path);
    origin_path_ = saved;
    FLUX_RETURN_IF_ERROR(s);
  }
  return absl::OkStatus();
}

absl::Status KustTarget::AccumulateComponents(Accumulator& ra, const Value& paths) {
  if (!paths.is_array()) return absl::InvalidArgumentError("components must be a list");
  for (const Value& p : paths) {
    if (!p.is_string()) return absl::InvalidArgumentError("components entries must be strings");
    std::string path = p.get<std::string>();
    if (!ldr_.IsDir(path) && ldr_.Exists(path)) {
      return absl::InvalidArgumentError(
          absl::StrCat("accumulateDirectory: \"must build at directory: '", ldr_.Resolve(path), "'\""));
    }
    FLUX_ASSIGN_OR_RETURN(FileLoader sub, ldr_.New(path));
    FLUX_RETURN_IF_ERROR(AccumulateDirectory(ra, sub, /*is_component=*/true, path));
  }
  return absl::OkStatus();
}

absl::Status KustTarget::AccumulateDirectory(Accumulator& ra, const FileLoader& ldr, bool is_component,
                                             const std::string& path) {
  auto sub = KustTarget::Load(ldr, options_);
  if (!sub.ok()) {
    return absl::Status(sub.status().code(), absl::StrCat("couldn't make target for path '", ldr.root(), "': ",
                                                          std::string(sub.status().message())));
  }
  sub->build_metadata_ = build_metadata_;
  sub->track_origin_ = track_origin_;
  sub->track_transformers_ = track_transformers_;
  sub->origin_path_ = origin_path_.empty() ? path : absl::StrCat(origin_path_, "/", path);
  if (is_component && !sub->kust_.IsComponent()) {
    return absl::InvalidArgumentError(absl::StrCat("accumulateDirectory: \"expected kind 'Component' for path '",
                                                   ldr.root(), "' but got '", object::GetString(sub->kust_.k, {"kind"}),
                                                   "'\""));
  }
  if (!is_component && sub->kust_.IsComponent()) {
    return absl::InvalidArgumentError(
        absl::StrCat("accumulateDirectory: \"expected kind != 'Component' for path '", ldr.root(), "'\""));
  }
  if (is_component) {
    // A component works on the accumulator of its parent.
    absl::Status s = sub->AccumulateTargetInto(ra);
    if (!s.ok()) return Wrap(s, absl::StrCat("accumulateDirectory: \"recursed accumulation of path '", ldr.root(), "'"));
    return absl::OkStatus();
  }
  auto sub_ra = sub->AccumulateTarget();
  if (!sub_ra.ok()) {
    return Wrap(sub_ra.status(), absl::StrCat("accumulateDirectory: \"recursed accumulation of path '", ldr.root(), "'"));
  }
  absl::Status s = AppendAll(ra.resources, std::move(sub_ra->resources));
  if (!s.ok()) return Wrap(s, absl::StrCat("accumulateDirectory: \"recursed merging from path '", ldr.root(), "'"));
  ra.config.Merge(sub_ra->config);
  for (Var& v : sub_ra->vars) ra.vars.push_back(std::move(v));
  return absl::OkStatus();
}

absl::Status KustTarget::AccumulateFile(Accumulator& ra, const std::string& path) {
  auto text = ldr_.Load(path);
  if (!text.ok()) return Wrap(text.status(), absl::StrCat("accumulating resources from '", path, "'"));
  auto res = ResourcesFromBytes(*text);
  if (!res.ok()) return Wrap(res.status(), absl::StrCat("accumulating resources from '", path, "'"));
  if (track_origin_) {
    std::string p = origin_path_.empty() ? path : absl::StrCat(origin_path_, "/", path);
    for (Resource& r : *res) r.origin = Value{{"path", p}};
  }
  absl::Status s = AppendAll(ra.resources, std::move(*res));
  if (!s.ok()) return Wrap(s, absl::StrCat("merging resources from '", path, "'"));
  return absl::OkStatus();
}

absl::Status KustTarget::RunGenerators(Accumulator& ra) {
  ResMap generated;
  const Value* global_options = object::Find(kust_.k, {"generatorOptions"});
  for (const char* key : {"configMapGenerator", "secretGenerator"}) {
    const Value* list = object::Find(kust_.k, {key});
    if (list == nullptr || !list->is_array()) continue;
    for (const Value& args : *list) {
      FLUX_ASSIGN_OR_RETURN(Resource r, GenerateConfigMapOrSecret(ldr_, args, global_options,
                                                                  std::string(key) == "secretGenerator"));
      if (track_origin_) {
        r.origin = Value{{"configuredIn", origin_path_.empty() ? kust_.file_name : absl::StrCat(origin_path_, "/", kust_.file_name)},
                         {"configuredBy", Value{{"apiVersion", "builtin"},
                                                {"kind", std::string(key) == "secretGenerator" ? "SecretGenerator" : "ConfigMapGenerator"}}}};
      }
      generated.push_back(std::move(r));
    }
  }
  FLUX_RETURN_IF_ERROR(AbsorbGenerated(ra.resources, std::move(generated)));
  for (const char* key : {"generators", "helmCharts"}) {
    const Value* v = object::Find(kust_.k, {key});
    if (v != nullptr && !v->is_null() && !(v->is_array() && v->empty())) {
      return absl::UnimplementedError(absl::StrCat("kustomization field '", key, "' is not supported yet"));
    }
  }
  return absl::OkStatus();
}

absl::Status KustTarget::RunTransformers(Accumulator& ra) {
  for (const char* key : {"patchesStrategicMerge", "patches", "labels", "commonLabels",
                          "commonAnnotations", "patchesJson6902", "replicas", "images", "replacements", "transformers",
                          "vars", "crds"}) {
    const Value* v = object::Find(kust_.k, {key});
    if (v != nullptr && !v->is_null() && !(v->is_array() && v->empty()) && !(v->is_object() && v->empty()) &&
        !(v->is_string() && v->get<std::string>().empty())) {
      return absl::UnimplementedError(absl::StrCat("kustomization field '", key, "' is not supported yet"));
    }
  }
  NamespaceOptions ns;
  ns.ns = object::GetString(kust_.k, {"namespace"});
  ns.field_specs = ra.config.name_space;
  FLUX_RETURN_IF_ERROR(TransformNamespace(ra.resources, ns));
  std::string prefix = object::GetString(kust_.k, {"namePrefix"});
  if (!prefix.empty()) FLUX_RETURN_IF_ERROR(TransformPrefix(ra.resources, prefix, ra.config.name_prefix));
  std::string suffix = object::GetString(kust_.k, {"nameSuffix"});
  if (!suffix.empty()) FLUX_RETURN_IF_ERROR(TransformSuffix(ra.resources, suffix, ra.config.name_suffix));
  return absl::OkStatus();
}

absl::StatusOr<ResMap> KustTarget::MakeCustomizedResMap() {
  FLUX_ASSIGN_OR_RETURN(Accumulator ra, AccumulateTarget());
  for (Resource& r : ra.resources) {
    if (!r.needs_hash) continue;
    std::string hash = ResourceHash(r.obj);
    r.StorePreviousId();
    r.SetName(absl::StrCat(r.Name(), "-", hash));
  }
  FLUX_RETURN_IF_ERROR(FixNameReferences(ra.resources, ra.config.name_reference));
  return std::move(ra.resources);
}

}  // namespace fluxcpp::kustomize
