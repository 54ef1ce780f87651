#pragma once
// Streaming tar parser for untrusted input: ustar, GNU (long names 'L'/'K',
// base-256 sizes), PAX ('x' path/linkpath/size; 'g' ignored) and v7 headers.
// It only parses; path safety is the extractor's job (see untar.h).

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/artifact/byte_stream.h"

namespace fluxcpp::artifact {

struct TarEntry {
  enum class Type { kRegular, kDirectory, kSymlink, kHardlink, kOther };
  std::string name;      // as recorded (may be unsafe: absolute, "..", etc.)
  std::string linkname;  // symlink/hardlink target
  Type type = Type::kRegular;
  char typeflag = '0';
  uint32_t mode = 0;
  int64_t size = 0;  // data bytes that follow (0 for header-only types)
};

// Not thread-safe. `source` is not owned and must outlive the reader.
// Errors: kDataLoss for truncated or malformed archives.
class TarReader {
 public:
  // Extended headers (PAX, GNU long names) larger than this are rejected.
  static constexpr int64_t kMaxExtendedHeaderSize = 1 << 20;

  explicit TarReader(ByteSource& source) : source_(source) {}

  // Advances to the next entry, skipping any unread data of the current one.
  // Returns nullopt at the end of the archive.
  absl::StatusOr<std::optional<TarEntry>> Next();

  // Reads the current entry's data; 0 at the end of the entry.
  absl::StatusOr<size_t> ReadData(char* buf, size_t len);

 private:
  absl::Status ReadFull(char* buf, size_t len);
  absl::Status Skip(int64_t len);
  absl::StatusOr<std::string> ReadBlob(int64_t size);

  ByteSource& source_;
  int64_t remaining_ = 0;  // unread data bytes of the current entry
  int64_t padding_ = 0;    // padding after the current entry's data
  bool eof_ = false;
};

}  // namespace fluxcpp::artifact
