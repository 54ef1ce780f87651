#include "services/kustomize-controller/source_resolver.h"

#include "absl/strings/str_cat.h"
#include "libs/core/duration.h"

namespace fluxcpp::kustomize_controller {

SourceRef SourceRefOf(const object::Value& obj) {
  SourceRef ref{object::GetString(obj, {"spec", "sourceRef", "kind"}),
                object::GetString(obj, {"spec", "sourceRef", "namespace"}),
                object::GetString(obj, {"spec", "sourceRef", "name"})};
  if (ref.ns.empty()) ref.ns = object::GetString(obj, {"metadata", "namespace"});
  return ref;
}

std::optional<kube::GroupVersionKind> SourceGvk(const std::string& kind) {
  if (kind == "GitRepository" || kind == "OCIRepository" || kind == "Bucket" || kind == "ExternalArtifact") {
    return kube::GroupVersionKind{"source.toolkit.fluxcd.io", "v1", kind};
  }
  return std::nullopt;
}

ResolvedSource ResolveSource(kube::Client& client, const object::Value& obj, const KustomizationOptions& options) {
  return ResolveSource([&client](const kube::GroupVersionKind& gvk, const std::string& ns,
                                 const std::string& name) { return client.Get(gvk, ns, name); },
                       obj, options);
}

ResolvedSource ResolveSource(const SourceGetter& get, const object::Value& obj, const KustomizationOptions& options) {
  ResolvedSource out;
  SourceRef ref = SourceRefOf(obj);
  auto gvk = SourceGvk(ref.kind);
  if (!gvk) {
    out.outcome = ResolvedSource::Outcome::kAccessDenied;
    out.message = absl::StrCat("source '", ref.kind, "' kind not supported");
    return out;
  }
  if (ref.kind == "ExternalArtifact" && !options.external_artifact) {
    out.outcome = ResolvedSource::Outcome::kAccessDenied;
    out.message = absl::StrCat("can't access '", ref.String(), "', ExternalArtifact feature gate is disabled");
    return out;
  }
  if (options.no_cross_namespace_refs && ref.ns != object::GetString(obj, {"metadata", "namespace"})) {
    out.outcome = ResolvedSource::Outcome::kAccessDenied;
    out.message = absl::StrCat("can't access '", ref.String(), "', cross-namespace references have been blocked");
    return out;
  }
  auto source = get(*gvk, ref.ns, ref.name);
  if (!source.ok()) {
    out.message = std::string(source.status().message());
    out.outcome = source.status().code() == absl::StatusCode::kNotFound ? ResolvedSource::Outcome::kNotFound
                                                                        : ResolvedSource::Outcome::kError;
    if (out.outcome == ResolvedSource::Outcome::kNotFound && out.message.empty()) {
      out.message = absl::StrCat(ref.String(), " not found");
    }
    return out;
  }
  const object::Value* artifact = object::Find(*source, {"status", "artifact"});
  if (artifact == nullptr || !artifact->is_object()) {
    out.outcome = ResolvedSource::Outcome::kNoArtifact;
    out.message = absl::StrCat("Source artifact not found, retrying in ", FormatGoDuration(options.requeue_dependency));
    return out;
  }
  out.outcome = ResolvedSource::Outcome::kReady;
  out.artifact = *artifact;
  out.revision = object::GetString(*artifact, {"revision"});
  out.origin_revision = object::GetString(*artifact, {"metadata", "org.opencontainers.image.revision"});
  return out;
}

}  // namespace fluxcpp::kustomize_controller
