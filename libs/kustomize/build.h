#pragma once
// libs/kustomize: a pure kustomize build engine (filesystem in, objects out).
//
//   kustomize::BuildOptions opts;
//   opts.root = artifact_dir;  // nothing outside it is ever read
//   FLUX_ASSIGN_OR_RETURN(std::vector<object::Value> objs, kustomize::Build(dir, opts));
//   std::string yaml = kustomize::ToYaml(objs);  // byte-identical to `kubectl kustomize`
//
// Semantics are kustomize v5's (kustomize.config.k8s.io/v1beta1 Kustomization,
// v1alpha1 Component). Thread-safe: Build keeps no global state.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kustomize/remote_fetcher.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

enum class Reorder {
  kLegacy,  // kustomize CLI default: Namespaces, CRDs, ... first (see legacy_order.h)
  kNone,    // keep input order (krusty's default in tests)
};

struct BuildOptions {
  // Load restriction. Empty: kustomize's RootOnly rule (a kustomization reads
  // files only in or below its own directory). Set (Flux): any path inside
  // `root` may be read, nothing outside it ever is (symlinks resolved).
  std::string root;
  // Remote git bases and http(s) files (libs/kustomize_remote provides one;
  // use one fetcher per build, it caches and owns the clones). Null: every
  // remote entry is an error naming the kustomization file and the URL.
  RemoteFetcher* remote = nullptr;
  // Output order; a kustomization's sortOptions always wins (as in kustomize).
  Reorder reorder = Reorder::kLegacy;
};

// kustomize build of `dir` (which must contain kustomization.yaml,
// kustomization.yml or Kustomization). Errors carry kustomize's wording.
absl::StatusOr<std::vector<object::Value>> Build(const std::string& dir, const BuildOptions& options);

// Output in kustomize's YAML format (documents separated by "---\n").
std::string ToYaml(const std::vector<object::Value>& resources);

// ToYaml's text handed to `sink` one resource at a time (each followed by the
// "---" separator where ToYaml has one); every resource is released once
// written, so the whole text never sits in memory. Stops at the first sink
// call that returns false and returns false then.
bool WriteYaml(std::vector<object::Value>&& resources, const std::function<bool(std::string_view)>& sink);

}  // namespace fluxcpp::kustomize
