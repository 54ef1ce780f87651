#pragma once
// Safe extraction of untrusted tar / tar.gz streams into a directory.
//  - names that are absolute, contain a ".." component, are empty or contain
//    NUL are refused: the whole extraction fails with kInvalidArgument;
//  - links of any kind and special files are skipped (Flux skips symlinks);
//  - only regular files and directories are written, never through an
//    existing symlink; modes are sanitised (no setuid/setgid/sticky, no
//    group/other write; owner always has rw / rwx);
//  - the total size of regular files can be capped.
// A failed extraction may leave partial content in dest_dir; callers extract
// into a fresh temporary directory.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "libs/artifact/byte_stream.h"

namespace fluxcpp::artifact {

struct UntarOptions {
  // Maximum total bytes of regular-file content; 0 = unlimited.
  int64_t max_size = 0;
  // Input is gzip-compressed (tar.gz); false for a plain tar stream.
  bool gzip = true;
};

// `dest_dir` is created if missing. Errors: kInvalidArgument (unsafe entry),
// kResourceExhausted (max_size exceeded), kDataLoss (corrupt archive),
// kInternal (filesystem).
absl::Status Untar(ByteSource& source, const std::string& dest_dir,
                   const UntarOptions& options = {});

// Convenience: extracts the archive file at `archive_path`.
absl::Status UntarFile(const std::string& archive_path, const std::string& dest_dir,
                       const UntarOptions& options = {});

}  // namespace fluxcpp::artifact
