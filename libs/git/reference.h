#pragma once
// GitRepository spec.ref and Flux's revision strings (spec §3.3).

#include <string>
#include <string_view>

namespace fluxcpp::git {

// spec.ref. Precedence (as fluxcd/pkg/git clones): commit > name > tag >
// semver > branch; all empty means branch "master".
struct Reference {
  std::string branch;
  std::string tag;
  std::string semver;
  std::string name;    // full ref, e.g. "refs/pull/420/head"
  std::string commit;  // hex SHA (may be abbreviated); may be combined with branch
};

// "<ref>@sha1:<hex>", or "sha1:<hex>" when `ref` is empty. The algorithm is
// derived from the hash length (40 → sha1, 64 → sha256).
std::string FormatRevision(std::string_view ref, std::string_view hash);

// Text after the second '/' of a full ref ("refs/heads/feature/x" →
// "feature/x"); refs with fewer components are returned unchanged.
std::string ShortRefName(std::string_view full_ref);

// Converts a pre-v1 revision ("main/<sha>", "HEAD/<sha>", bare "<sha>") into
// the current form; revisions already containing ':' are returned unchanged
// (git.TransformRevision).
std::string TransformRevision(std::string_view revision);

// The hash part of a revision in any supported form ("main@sha1:<hex>",
// "sha1:<hex>", "main/<hex>", "<hex>"); "" when there is none.
std::string ExtractHashFromRevision(std::string_view revision);

}  // namespace fluxcpp::git
