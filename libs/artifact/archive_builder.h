#pragma once
// Deterministic tar.gz of a directory tree, as Flux's Storage.Archive (§2.3):
//  - entries are paths relative to the root (no "./", no root entry),
//    directories named with a trailing '/', in filepath.Walk order (names
//    sorted byte-wise within each directory, parents before children);
//  - only directories and regular files; symlinks and special files are
//    skipped; any directory named ".git" is never archived;
//  - uid/gid 0, empty owner names, mtime 0; modes 0750 for directories, 0700
//    for files with any execute bit, 0600 for other files;
//  - gzip with a fixed header (see gzip_writer.h).
// The same tree therefore always gives the same bytes and digest.

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/artifact/byte_stream.h"
#include "libs/artifact/ignore_matcher.h"

namespace fluxcpp::artifact {

// Returns true to exclude `path` (relative, slash-separated). An excluded
// directory is pruned together with everything below it.
using ArchiveFilter = std::function<bool(std::string_view path, bool is_dir)>;

// A filter applying `matcher` (which must outlive the filter). The archive
// walk prunes excluded directories, so checking the entry itself suffices.
ArchiveFilter FilterFrom(const IgnoreMatcher& matcher);

// Streams the tar.gz of `root_dir` into `sink`. `filter` may be empty.
// Errors: kNotFound if root_dir is missing, kInternal on read failures, or
// the sink's error.
absl::Status WriteTarGz(const std::string& root_dir, const ArchiveFilter& filter, ByteSink& sink);

// In-memory convenience for small trees and tests.
absl::StatusOr<std::string> BuildTarGz(const std::string& root_dir,
                                       const ArchiveFilter& filter = {});

}  // namespace fluxcpp::artifact
