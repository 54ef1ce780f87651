#pragma once
// Deterministic tar.gz of a directory tree, as Flux's Storage.Archive (§2.3):
//  - entries are paths relative to the root (no "./", no root entry),
//    directories named with a trailing '/', in filepath.Walk order (names
//    sorted byte-wise within each directory, parents before children);
//  - only directories and regular files; symlinks and special files are
//    skipped; any directory named ".git" is never archived;
//  - uid/gid 0, empty owner names, mtime 0; modes 0750 for directories, 0700
//    for files with any execute bit, 0600 for other files;
//  - one gzip member whose deflate stream is made of one independently
//    compressed segment per tar entry (deflate_segment.h), plus one for the
//    end-of-archive blocks.
// The same tree therefore always gives the same bytes and digest, whether or
// not segments come from an ArchiveCacheOptions cache.

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

// Incremental archiving: compressed entries of regular files are reused from
// (and saved to) a cache file when their path, mode, size and content
// identity match (archive_entry_cache.h).
struct ArchiveCacheOptions {
  // The cache file; replaced after each successful archive.
  std::string path;
  // Content identity of the regular file at a relative path (e.g. its Git
  // blob id), or "" when unknown (such files are not cached). The caller
  // guarantees that a file's bytes match its identity.
  std::function<std::string(std::string_view path)> content_id;
};

// Streams the tar.gz of `root_dir` into `sink`. `filter` may be empty;
// `cache` may be null. Errors: kNotFound if root_dir is missing, kInternal on
// read failures, or the sink's error. A cache that cannot be saved is not an
// error (the next archive is simply not incremental).
absl::Status WriteTarGz(const std::string& root_dir, const ArchiveFilter& filter, ByteSink& sink,
                        const ArchiveCacheOptions* cache = nullptr);

// In-memory convenience for small trees and tests.
absl::StatusOr<std::string> BuildTarGz(const std::string& root_dir,
                                       const ArchiveFilter& filter = {});

}  // namespace fluxcpp::artifact
