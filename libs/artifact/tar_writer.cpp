#include "libs/artifact/tar_writer.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "libs/artifact/absl_compat.h"

namespace fluxcpp::artifact {
namespace {

constexpr size_t kBlock = 512;
constexpr int64_t kMaxOctal11 = 077777777777;  // 8 GiB - 1

// Writes `value` as zero-padded octal with a trailing NUL into field[0..len).
// Callers guarantee the value fits (len - 1 digits).
void PutOctal(char* field, size_t len, int64_t value) {
  size_t width = len - 1;
  for (size_t i = width; i > 0; --i) {
    field[i - 1] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  field[width] = '\0';
}

// Splits `name` into ustar prefix (<=155) and name (<=100) at a '/', if possible.
bool SplitUstarName(const std::string& name, std::string& prefix, std::string& rest) {
  if (name.size() <= 100) {
    prefix.clear();
    rest = name;
    return true;
  }
  if (name.size() > 256) return false;
  // Choose the first slash that leaves the remainder within 100 bytes.
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '/') continue;
    if (i > 155) return false;
    if (name.size() - i - 1 <= 100 && name.size() - i - 1 > 0) {
      prefix = name.substr(0, i);
      rest = name.substr(i + 1);
      return true;
    }
  }
  return false;
}

std::string PaxRecord(std::string_view key, std::string_view value) {
  // "<len> <key>=<value>\n" where <len> counts itself.
  size_t body = 1 + key.size() + 1 + value.size() + 1;
  size_t len = body + 1;
  while (std::to_string(len).size() + body != len) len = std::to_string(len).size() + body;
  return absl::StrCat(len, " ", AV(key), "=", AV(value), "\n");
}

void BuildHeader(char* block, const std::string& prefix, const std::string& name, char typeflag,
                 uint32_t mode, int64_t size, int64_t mtime) {
  std::memset(block, 0, kBlock);
  std::memcpy(block, name.data(), std::min<size_t>(name.size(), 100));
  PutOctal(block + 100, 8, mode & 07777);
  PutOctal(block + 108, 8, 0);  // uid
  PutOctal(block + 116, 8, 0);  // gid
  PutOctal(block + 124, 12, size);
  PutOctal(block + 136, 12, mtime);
  block[156] = typeflag;
  std::memcpy(block + 257,
              "ustar\0"
              "00",
              8);
  // uname/gname stay empty; devmajor/devminor zero.
  PutOctal(block + 329, 8, 0);
  PutOctal(block + 337, 8, 0);
  std::memcpy(block + 345, prefix.data(), std::min<size_t>(prefix.size(), 155));
  std::memset(block + 148, ' ', 8);
  unsigned sum = 0;
  for (size_t i = 0; i < kBlock; ++i) sum += static_cast<unsigned char>(block[i]);
  PutOctal(block + 148, 7, sum);  // six digits + NUL, then the space kept at [155]
  block[155] = ' ';
}

}  // namespace

absl::Status TarWriter::WriteHeader(const TarEntryHeader& header) {
  if (closed_) return absl::FailedPreconditionError("tar writer is closed");
  absl::Status st = FinishEntry();
  if (!st.ok()) return st;
  if (header.name.empty() || header.name.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("tar entry name must be non-empty and NUL-free");
  }
  const bool is_dir = header.type == TarEntryHeader::Type::kDirectory;
  std::string name = header.name;
  if (is_dir && name.back() != '/') name += '/';
  const int64_t size = is_dir ? 0 : header.size;
  if (size < 0) return absl::InvalidArgumentError("negative tar entry size");

  std::string prefix, rest;
  std::string pax;
  if (!SplitUstarName(name, prefix, rest)) {
    pax += PaxRecord("path", name);
    prefix.clear();
    rest = name.substr(0, 100);
  }
  if (size > kMaxOctal11) pax += PaxRecord("size", std::to_string(size));
  char block[kBlock];
  if (!pax.empty()) {
    // Deterministic extended-header name, like Go's "PaxHeaders.0/<base>".
    std::string pax_name = "PaxHeaders.0/" + rest;
    if (pax_name.size() > 100) pax_name.resize(100);
    BuildHeader(block, "", pax_name, 'x', 0, static_cast<int64_t>(pax.size()), header.mtime);
    st = sink_.Write(std::string_view(block, kBlock));
    if (!st.ok()) return st;
    pax.resize((pax.size() + kBlock - 1) / kBlock * kBlock, '\0');
    st = sink_.Write(pax);
    if (!st.ok()) return st;
  }
  BuildHeader(block, prefix, rest, is_dir ? '5' : '0', header.mode, size > kMaxOctal11 ? 0 : size,
              header.mtime);
  st = sink_.Write(std::string_view(block, kBlock));
  if (!st.ok()) return st;
  remaining_ = size;
  written_ = 0;
  return absl::OkStatus();
}

absl::Status TarWriter::WriteData(std::string_view data) {
  if (static_cast<int64_t>(data.size()) > remaining_) {
    return absl::InvalidArgumentError("tar entry data exceeds the declared size");
  }
  remaining_ -= static_cast<int64_t>(data.size());
  written_ += static_cast<int64_t>(data.size());
  return sink_.Write(data);
}

absl::Status TarWriter::FinishEntry() {
  if (remaining_ != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("tar entry is missing ", remaining_, " bytes of data"));
  }
  size_t pad = static_cast<size_t>((kBlock - written_ % kBlock) % kBlock);
  written_ = 0;
  if (pad == 0) return absl::OkStatus();
  static const char kZeros[kBlock] = {};
  return sink_.Write(std::string_view(kZeros, pad));
}

absl::Status TarWriter::Close() {
  if (closed_) return absl::OkStatus();
  absl::Status st = FinishEntry();
  if (!st.ok()) return st;
  closed_ = true;
  static const char kZeros[2 * kBlock] = {};
  return sink_.Write(std::string_view(kZeros, sizeof(kZeros)));
}

}  // namespace fluxcpp::artifact
