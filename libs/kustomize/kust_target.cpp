#include "libs/kustomize/kust_target.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "libs/core/status_macros.h"
#include "libs/kustomize/kyaml_reader.h"
#include "libs/kustomize/configmap_generator.h"
#include "libs/kustomize/generator_hash.h"
#include "libs/kustomize/name_reference.h"
#include "libs/kustomize/image_transformer.h"
#include "libs/kustomize/label_transformer.h"
#include "libs/kustomize/namespace_transformer.h"
#include "libs/kustomize/patch_transformer.h"
#include "libs/kustomize/replica_transformer.h"
#include "libs/kustomize/builtin_plugins.h"
#include "libs/kustomize/crd_config.h"
#include "libs/kustomize/merge_schema.h"
#include "libs/kustomize/replacement_transformer.h"
#include "libs/kustomize/vars.h"
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

absl::Status KustTarget::ApplyOpenApi(bool reset) const {
  OpenApiState* state = CurrentOpenApiState();
  if (state == nullptr || (state->set && !reset)) return absl::OkStatus();
  const Value* field = object::Find(kust_.k, {"openapi"});
  if (field == nullptr || !field->is_object()) return absl::OkStatus();
  std::string path = object::GetString(*field, {"path"});
  if (!path.empty()) {
    FLUX_ASSIGN_OR_RETURN(std::string text, ldr_.Load(path));
    if (field->contains("version")) {
      return absl::InvalidArgumentError("builtin version and custom schema provided, cannot use both");
    }
    FLUX_ASSIGN_OR_RETURN(Value doc, ReadYaml(text));
    FLUX_ASSIGN_OR_RETURN(state->custom, CustomSchema::Parse(doc));
    state->set = true;
    return absl::OkStatus();
  }
  std::string version = object::GetString(*field, {"version"});
  if (version.empty()) return absl::OkStatus();
  // kustomize v5.5.0 embeds one Kubernetes OpenAPI version.
  if (version != "v1.21.2") return absl::InvalidArgumentError("the specified OpenAPI version is not built in");
  state->custom = nullptr;
  state->set = true;
  return absl::OkStatus();
}

absl::StatusOr<Accumulator> KustTarget::AccumulateTarget() {
  Accumulator ra;  // starts with an empty transformer config, as kustomize's
  FLUX_RETURN_IF_ERROR(AccumulateTargetInto(ra));
  return ra;
}

absl::Status KustTarget::AccumulateTargetInto(Accumulator& ra) {
  if (const Value* res = object::Find(kust_.k, {"resources"})) {
    FLUX_RETURN_IF_ERROR(Wrap(AccumulateResources(ra, *res), "accumulating resources"));
  }
  // The files' specs come first; a built-in spec they already cover (same
  // path, a gvk the built-in selects) is dropped (matches kubectl kustomize).
  TransformerConfig own;
  for (const std::string& path : StringList(kust_.k, "configurations")) {
    FLUX_ASSIGN_OR_RETURN(std::string text, ldr_.Load(path));
    FLUX_ASSIGN_OR_RETURN(Value doc, ReadYaml(text));
    FLUX_ASSIGN_OR_RETURN(TransformerConfig tc, TransformerConfig::Parse(doc));
    own.Merge(tc);
  }
  own.Merge(TransformerConfig::Builtin());
  ra.config.Merge(own);
  auto crds = LoadConfigFromCrds(ldr_, StringList(kust_.k, "crds"));
  if (!crds.ok()) return Wrap(crds.status(), "loading CRDs");
  ra.config.Merge(*crds);
  FLUX_RETURN_IF_ERROR(RunGenerators(ra));
  if (const Value* comps = object::Find(kust_.k, {"components"})) {
    FLUX_RETURN_IF_ERROR(Wrap(AccumulateComponents(ra, *comps), "accumulating components"));
  }
  FLUX_RETURN_IF_ERROR(RunTransformers(ra));
  if (const Value* vars = object::Find(kust_.k, {"vars"})) FLUX_RETURN_IF_ERROR(MergeVars(ra.resources, ra.vars, *vars));
  return absl::OkStatus();
}

absl::Status KustTarget::AccumulateResources(Accumulator& ra, const Value& paths) {
  if (!paths.is_array()) return absl::InvalidArgumentError("resources must be a list");
  IdKeySet keys(ra.resources);
  for (const Value& p : paths) {
    if (!p.is_string()) return absl::InvalidArgumentError("resources entries must be strings");
    std::string path = p.get<std::string>();
    if (IsHttpUrl(path)) {
      // As kustomize: a remote file first; a URL that fails as a file but is
      // a repo spec is then tried as a git base.
      absl::Status fs = AccumulateFile(ra, path, keys);
      if (fs.ok()) continue;
      if (!ParseRepoSpec(path).ok()) return fs;
      auto sub = ldr_.New(path);
      if (!sub.ok()) {
        if (absl::StrContains(sub.status().message(), "remote resources are disabled")) return sub.status();
        return absl::Status(sub.status().code(), absl::StrCat("accumulation err='", std::string(fs.message()), "': ",
                                                              std::string(sub.status().message())));
      }
      std::string saved = origin_path_;
      absl::Status s = AccumulateDirectory(ra, *sub, /*is_component=*/false, path, &keys);
      origin_path_ = saved;
      FLUX_RETURN_IF_ERROR(s);
      continue;
    }
    if (!ldr_.IsDir(path) && !FileLoader::IsRemote(path)) {
      absl::Status fs = AccumulateFile(ra, path, keys);
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
    absl::Status s = AccumulateDirectory(ra, sub, /*is_component=*/false, path, &keys);
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
                                             const std::string& path, IdKeySet* keys) {
  auto sub = KustTarget::Load(ldr, options_);
  if (!sub.ok()) {
    return absl::Status(sub.status().code(), absl::StrCat("couldn't make target for path '", ldr.root(), "': ",
                                                          std::string(sub.status().message())));
  }
  FLUX_RETURN_IF_ERROR(sub->ApplyOpenApi(/*reset=*/false));
  sub->build_metadata_ = build_metadata_;
  sub->track_origin_ = track_origin_;
  if (auto spec = ParseRepoSpec(path); spec.ok()) {
    // As kustomize's Origin.Append: a remote base restarts the path at the
    // repository root and records the repository and ref.
    sub->origin_repo_ = spec->CloneSpec();
    sub->origin_ref_ = spec->ref;
    sub->origin_path_ = spec->kust_root_path;
  } else {
    sub->origin_repo_ = origin_repo_;
    sub->origin_ref_ = origin_ref_;
    sub->origin_path_ = JoinPath(origin_path_, path);
  }
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
  absl::Status s = keys != nullptr ? AppendAll(ra.resources, std::move(sub_ra->resources), *keys)
                                   : AppendAll(ra.resources, std::move(sub_ra->resources));
  if (!s.ok()) return Wrap(s, absl::StrCat("accumulateDirectory: \"recursed merging from path '", ldr.root(), "'"));
  ra.config.Merge(sub_ra->config);
  FLUX_RETURN_IF_ERROR(MergeVarSet(ra.vars, sub_ra->vars));
  return absl::OkStatus();
}

absl::Status KustTarget::AccumulateFile(Accumulator& ra, const std::string& path, IdKeySet& keys) {
  auto text = ldr_.Load(path);
  if (!text.ok()) return Wrap(text.status(), absl::StrCat("accumulating resources from '", path, "'"));
  auto res = ResourcesFromBytes(*text);
  if (!res.ok()) return Wrap(res.status(), absl::StrCat("accumulating resources from '", path, "'"));
  if (track_origin_) {
    Origin o = OriginAt(path);
    for (Resource& r : *res) r.origin = o;
  }
  absl::Status s = AppendAll(ra.resources, std::move(*res), keys);
  if (!s.ok()) return Wrap(s, absl::StrCat("merging resources from '", path, "'"));
  return absl::OkStatus();
}

Origin KustTarget::OriginAt(const std::string& path) const {
  Origin o;
  o.path = JoinPath(origin_path_, path);
  o.repo = origin_repo_;
  o.ref = origin_ref_;
  return o;
}

std::optional<Origin> KustTarget::BuiltinOrigin(const std::string& plugin_kind) const {
  if (!track_origin_) return std::nullopt;
  Origin o;
  o.repo = origin_repo_;
  o.ref = origin_ref_;
  o.configured_in = JoinPath(origin_path_, kust_.file_name);
  o.api_version = "builtin";
  o.kind = plugin_kind;
  return o;
}

std::optional<Origin> KustTarget::PluginOrigin(const Resource& config) const {
  if (!track_origin_ || !config.origin) return std::nullopt;
  Origin o;
  o.configured_in = config.origin->path;
  o.repo = config.origin->repo;
  o.ref = config.origin->ref;
  o.api_version = object::GetString(config.obj, {"apiVersion"});
  o.kind = config.Kind();
  o.name = config.Name();
  o.ns = config.Namespace();
  return o;
}

absl::StatusOr<ResMap> KustTarget::LoadPluginConfigs(const Value& list) {
  Accumulator cfg;
  cfg.config = TransformerConfig::Builtin();
  if (!list.is_array()) return absl::InvalidArgumentError("generators and transformers must be lists");
  Value paths = Value::array();
  for (const Value& entry : list) {
    if (!entry.is_string()) return absl::InvalidArgumentError("generators and transformers entries must be strings");
    std::string text = entry.get<std::string>();
    auto inline_docs = ResourcesFromBytes(text);
    if (!inline_docs.ok() || inline_docs->empty()) {
      paths.push_back(text);
      continue;
    }
    if (track_origin_) {
      Origin o = OriginAt(kust_.file_name);
      for (Resource& r : *inline_docs) r.origin = o;
    }
    FLUX_RETURN_IF_ERROR(AppendAll(cfg.resources, std::move(*inline_docs)));
  }
  FLUX_RETURN_IF_ERROR(AccumulateResources(cfg, paths));
  return std::move(cfg.resources);
}

absl::Status KustTarget::RunGenerators(Accumulator& ra) {
  ResMap generated;
  const Value* global_options = object::Find(kust_.k, {"generatorOptions"});
  for (const char* key : {"configMapGenerator", "secretGenerator"}) {
    const Value* list = object::Find(kust_.k, {key});
    if (list == nullptr || !list->is_array()) continue;
    bool secret = std::string(key) == "secretGenerator";
    for (const Value& args : *list) {
      FLUX_ASSIGN_OR_RETURN(Resource r, GenerateConfigMapOrSecret(ldr_, args, global_options, secret));
      r.origin = BuiltinOrigin(secret ? "SecretGenerator" : "ConfigMapGenerator");
      generated.push_back(std::move(r));
    }
  }
  FLUX_RETURN_IF_ERROR(AbsorbGenerated(ra.resources, std::move(generated)));
  if (const Value* v = object::Find(kust_.k, {"helmCharts"});
      v != nullptr && !v->is_null() && !(v->is_array() && v->empty())) {
    return absl::UnimplementedError("kustomization field 'helmCharts' is not supported yet");
  }
  const Value* gens = object::Find(kust_.k, {"generators"});
  if (gens == nullptr || gens->is_null()) return absl::OkStatus();
  auto configs = LoadPluginConfigs(*gens);
  if (!configs.ok()) return Wrap(configs.status(), "loading generator plugins");
  for (const Resource& config : *configs) {
    FLUX_ASSIGN_OR_RETURN(ResMap out, RunGeneratorPlugin(ldr_, config));
    std::optional<Origin> origin = PluginOrigin(config);
    for (Resource& r : out) {
      if (!r.origin) r.origin = origin;
    }
    FLUX_RETURN_IF_ERROR(Wrap(AbsorbGenerated(ra.resources, std::move(out)),
                              absl::StrCat("merging from generator ", config.CurId().String())));
  }
  return absl::OkStatus();
}

absl::Status KustTarget::RunTransformers(Accumulator& ra) {
  struct Step {
    std::optional<Origin> origin;
    std::function<absl::Status(ResMap&)> run;
  };
  std::vector<Step> steps;
  const TransformerConfig& tc = ra.config;
  const Value& k = kust_.k;
  auto non_empty = [](const Value* v) { return v != nullptr && !v->is_null() && !v->empty(); };
  if (const Value* psm = object::Find(k, {"patchesStrategicMerge"}); non_empty(psm)) {
    steps.push_back({BuiltinOrigin("PatchStrategicMergeTransformer"),
                     [this, psm](ResMap& m) { return ApplyPatchesStrategicMerge(m, ldr_, *psm); }});
  }
  if (const Value* patches = object::Find(k, {"patches"}); patches != nullptr && patches->is_array()) {
    for (const Value& p : *patches) {
      steps.push_back({BuiltinOrigin("PatchTransformer"), [this, &p](ResMap& m) { return ApplyPatch(m, ldr_, p); }});
    }
  }
  NamespaceOptions ns;
  ns.ns = object::GetString(k, {"namespace"});
  ns.field_specs = tc.name_space;
  steps.push_back({ns.ns.empty() ? std::nullopt : BuiltinOrigin("NamespaceTransformer"),
                   [ns](ResMap& m) { return TransformNamespace(m, ns); }});
  if (std::string prefix = object::GetString(k, {"namePrefix"}); !prefix.empty()) {
    steps.push_back({BuiltinOrigin("PrefixTransformer"),
                     [prefix, &tc](ResMap& m) { return TransformPrefix(m, prefix, tc.name_prefix); }});
  }
  if (std::string suffix = object::GetString(k, {"nameSuffix"}); !suffix.empty()) {
    steps.push_back({BuiltinOrigin("SuffixTransformer"),
                     [suffix, &tc](ResMap& m) { return TransformSuffix(m, suffix, tc.name_suffix); }});
  }
  if (const Value* labels = object::Find(k, {"labels"}); labels != nullptr && labels->is_array()) {
    for (const Value& entry : *labels) {
      steps.push_back({BuiltinOrigin("LabelTransformer"), [&entry, &tc](ResMap& m) -> absl::Status {
                         FLUX_ASSIGN_OR_RETURN(std::vector<FieldSpec> fss, LabelEntryFieldSpecs(entry, tc));
                         if (const Value* pairs = object::Find(entry, {"pairs"})) return AddMapEntries(m, *pairs, fss);
                         return absl::OkStatus();
                       }});
    }
  }
  if (const Value* cl = object::Find(k, {"commonLabels"}); cl != nullptr) {
    steps.push_back({non_empty(cl) ? BuiltinOrigin("LabelTransformer") : std::nullopt,
                     [cl, &tc](ResMap& m) { return AddMapEntries(m, *cl, tc.common_labels); }});
  }
  if (const Value* ca = object::Find(k, {"commonAnnotations"}); ca != nullptr) {
    steps.push_back({non_empty(ca) ? BuiltinOrigin("AnnotationsTransformer") : std::nullopt,
                     [ca, &tc](ResMap& m) { return AddMapEntries(m, *ca, tc.common_annotations); }});
  }
  if (const Value* pj = object::Find(k, {"patchesJson6902"}); pj != nullptr && pj->is_array()) {
    for (const Value& p : *pj) {
      steps.push_back(
          {BuiltinOrigin("PatchJson6902Transformer"), [this, &p](ResMap& m) { return ApplyPatchJson6902(m, ldr_, p); }});
    }
  }
  if (const Value* reps = object::Find(k, {"replicas"}); reps != nullptr && reps->is_array()) {
    for (const Value& r : *reps) {
      steps.push_back({BuiltinOrigin("ReplicaCountTransformer"),
                       [&r, &tc](ResMap& m) { return TransformReplicas(m, r, tc.replicas); }});
    }
  }
  if (const Value* images = object::Find(k, {"images"}); images != nullptr && images->is_array()) {
    for (const Value& img : *images) {
      steps.push_back(
          {BuiltinOrigin("ImageTagTransformer"), [&img, &tc](ResMap& m) { return TransformImage(m, img, tc.images); }});
    }
  }
  if (const Value* reps = object::Find(k, {"replacements"}); non_empty(reps)) {
    steps.push_back({BuiltinOrigin("ReplacementTransformer"),
                     [this, reps](ResMap& m) { return ApplyReplacements(m, ldr_, *reps); }});
  }
  ResMap configs;
  if (const Value* ts = object::Find(k, {"transformers"}); ts != nullptr && !ts->is_null()) {
    FLUX_ASSIGN_OR_RETURN(configs, LoadPluginConfigs(*ts));
  }
  for (const Resource& config : configs) {
    steps.push_back({PluginOrigin(config), [this, &config](ResMap& m) { return RunTransformerPlugin(m, ldr_, config); }});
  }
  if (const Value* vs = object::Find(k, {"validators"}); non_empty(vs)) {
    return absl::UnimplementedError("kustomization field 'validators' is not supported yet");
  }
  for (const Step& step : steps) {
    FLUX_RETURN_IF_ERROR(step.run(ra.resources));
    if (track_origin_ && step.origin) {
      for (Resource& r : ra.resources) {
        if (!r.origin) {
          r.origin = step.origin;
        } else {
          r.transformations.push_back(*step.origin);
        }
      }
    }
    // kustomize drops resources a transformer emptied.
    std::erase_if(ra.resources, [](const Resource& r) { return r.obj.is_object() && r.obj.empty(); });
  }
  return absl::OkStatus();
}

absl::StatusOr<ResMap> KustTarget::MakeCustomizedResMap() {
  // Any buildMetadata turns origin tracking on (annotations are written or
  // dropped at the end of the build).
  track_origin_ = !build_metadata_.empty();
  FLUX_ASSIGN_OR_RETURN(Accumulator ra, AccumulateTarget());
  for (Resource& r : ra.resources) {
    if (!r.needs_hash) continue;
    std::string hash = ResourceHash(r.obj);
    r.StorePreviousId();
    r.SetName(absl::StrCat(r.Name(), "-", hash));
  }
  FLUX_RETURN_IF_ERROR(FixNameReferences(ra.resources, ra.config.name_reference));
  FLUX_RETURN_IF_ERROR(ResolveVars(ra.resources, ra.vars, ra.config.var_reference));
  // Resources marked config.kubernetes.io/local-config: "true" are inputs only.
  std::erase_if(ra.resources, [](const Resource& r) {
    return object::GetString(r.obj, {"metadata", "annotations", "config.kubernetes.io/local-config"}) == "true";
  });
  return std::move(ra.resources);
}

}  // namespace fluxcpp::kustomize
