#pragma once
// Internal helpers around libgit2: process-wide initialisation, RAII handles
// and error conversion. Not part of the library's public surface.

#include <git2.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace fluxcpp::git {

// Initialises libgit2 once per process (thread-safe; later calls are no-ops)
// and isolates it from the host's git configuration (global/system/XDG
// config files are not read, as go-git in Flux reads none). Registers
// git_libgit2_shutdown() with atexit.
void EnsureLibgit2Initialized();

// The last libgit2 error message, or a generic text for `code`.
std::string LastLibgit2Error(int code);

template <typename T, void (*Free)(T*)>
struct Libgit2Deleter {
  void operator()(T* p) const {
    if (p != nullptr) Free(p);
  }
};
template <typename T, void (*Free)(T*)>
using Libgit2Ptr = std::unique_ptr<T, Libgit2Deleter<T, Free>>;

using RepositoryPtr = Libgit2Ptr<git_repository, git_repository_free>;
using RemotePtr = Libgit2Ptr<git_remote, git_remote_free>;
using ObjectPtr = Libgit2Ptr<git_object, git_object_free>;
using CommitPtr = Libgit2Ptr<git_commit, git_commit_free>;
using ReferencePtr = Libgit2Ptr<git_reference, git_reference_free>;

// Hex of an object id.
std::string OidHex(const git_oid& oid);

// URL with any "user:password@" removed, for messages.
std::string RedactUrl(std::string_view url);

}  // namespace fluxcpp::git
