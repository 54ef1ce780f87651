#pragma once
// `fluxcpp build kustomization NAME --path DIR [--kustomization-file F]
//  [--namespace NS] [--strict-substitute] [--dry-run]`: `flux build
// kustomization` without a cluster (always dry-run):
//   1. the Kustomization NAME (namespace NS or none) is read from F (the first
//      kustomize.toolkit.fluxcd.io Kustomization document matching); without
//      F an empty spec is used;
//   2. DIR is copied to a temporary directory (DIR itself is never modified),
//      Flux's kustomization.yaml is generated there when missing and the spec
//      is overlaid (kustomize::BuildFluxKustomization, the controller's path);
//   3. postBuild.substitute variables are substituted (substituteFrom needs
//      the cluster: skipped with a note on stderr);
//   4. the owner labels kustomize.toolkit.fluxcd.io/name and /namespace are
//      set, SOPS-encrypted Secret values masked, and the YAML printed.
// Errors go to stderr as "✗ <message>" (flux's logger), exit code 1.

#include "tools/fluxcpp/command.h"

namespace fluxcpp::cli {

int RunBuildKustomization(const CommandArgs& args);

}  // namespace fluxcpp::cli
