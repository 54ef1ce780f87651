#pragma once
// Resolves spec.sourceRef of a Kustomization to its source object and
// artifact (spec §10.4 rows "Source object missing" .. "Cross-namespace
// blocked"), applying the --no-cross-namespace-refs and ExternalArtifact
// gate ACLs.

#include <functional>
#include <optional>
#include <string>
#include <tuple>

#include "libs/kube/client.h"
#include "libs/object/value.h"
#include "services/kustomize-controller/kustomization_options.h"

namespace fluxcpp::kustomize_controller {

struct SourceRef {
  std::string kind;
  std::string ns;  // defaulted to the Kustomization's namespace
  std::string name;
  bool operator==(const SourceRef&) const = default;
  std::string String() const { return kind + "/" + ns + "/" + name; }
};

// spec.sourceRef with the namespace defaulted.
SourceRef SourceRefOf(const object::Value& kustomization);

// GVK of a supported source kind, or nullopt.
std::optional<kube::GroupVersionKind> SourceGvk(const std::string& kind);

struct ResolvedSource {
  enum class Outcome {
    kReady,        // artifact present
    kAccessDenied, // terminal: Stalled + AccessDenied
    kNotFound,     // source object missing: ArtifactFailed, retry after retryInterval
    kNoArtifact,   // no artifact yet: ArtifactFailed, retry after --requeue-dependency
    kError,        // transient API error: returned as an error (backoff)
  };
  Outcome outcome = Outcome::kError;
  std::string message;
  object::Value artifact;       // status.artifact when kReady
  std::string revision;         // artifact revision
  std::string origin_revision;  // org.opencontainers.image.revision, if any
};

// Reads one object (the controller's own identity: a GET or a cache read).
using SourceGetter = std::function<absl::StatusOr<object::Value>(const kube::GroupVersionKind&,
                                                                 const std::string& ns, const std::string& name)>;

// Reads the source with `get`.
ResolvedSource ResolveSource(const SourceGetter& get, const object::Value& kustomization,
                             const KustomizationOptions& options);
// `client` is the controller's own (non-impersonated) client.
ResolvedSource ResolveSource(kube::Client& client, const object::Value& kustomization,
                             const KustomizationOptions& options);

}  // namespace fluxcpp::kustomize_controller
