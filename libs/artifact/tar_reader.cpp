#include "libs/artifact/tar_reader.h"

#include <cstring>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/artifact/absl_compat.h"

namespace fluxcpp::artifact {
namespace {

constexpr int64_t kBlock = 512;

absl::Status Malformed(std::string_view what) {
  return absl::DataLossError(absl::StrCat("malformed tar archive: ", AV(what)));
}

std::string CString(const char* field, size_t len) {
  size_t n = 0;
  while (n < len && field[n] != '\0') ++n;
  return std::string(field, n);
}

// Parses a numeric header field: octal (space/NUL padded) or GNU base-256.
absl::StatusOr<int64_t> ParseNumeric(const char* field, size_t len) {
  const auto* u = reinterpret_cast<const unsigned char*>(field);
  if (len > 0 && (u[0] & 0x80) != 0) {
    if (u[0] == 0xff) return Malformed("negative base-256 number");
    uint64_t value = u[0] & 0x7f;
    for (size_t i = 1; i < len; ++i) {
      if (value > (static_cast<uint64_t>(INT64_MAX) >> 8))
        return Malformed("numeric field overflow");
      value = (value << 8) | u[i];
    }
    return static_cast<int64_t>(value);
  }
  size_t i = 0;
  while (i < len && (field[i] == ' ' || field[i] == '\0')) ++i;
  int64_t value = 0;
  bool any = false;
  for (; i < len; ++i) {
    char c = field[i];
    if (c == ' ' || c == '\0') break;
    if (c < '0' || c > '7') return Malformed("invalid octal digit");
    if (value > (INT64_MAX >> 3)) return Malformed("numeric field overflow");
    value = value * 8 + (c - '0');
    any = true;
  }
  for (; i < len; ++i) {
    if (field[i] != ' ' && field[i] != '\0') return Malformed("invalid numeric field");
  }
  (void)any;
  return value;
}

bool IsZeroBlock(const char* block) {
  for (int64_t i = 0; i < kBlock; ++i) {
    if (block[i] != 0) return false;
  }
  return true;
}

absl::Status VerifyChecksum(const char* block) {
  auto recorded = ParseNumeric(block + 148, 8);
  if (!recorded.ok()) return recorded.status();
  int64_t unsigned_sum = 0, signed_sum = 0;
  for (int64_t i = 0; i < kBlock; ++i) {
    char c = (i >= 148 && i < 156) ? ' ' : block[i];
    unsigned_sum += static_cast<unsigned char>(c);
    signed_sum += static_cast<signed char>(c);
  }
  if (*recorded != unsigned_sum && *recorded != signed_sum)
    return Malformed("header checksum mismatch");
  return absl::OkStatus();
}

struct PaxOverrides {
  std::optional<std::string> path, linkpath;
  std::optional<int64_t> size;
};

absl::Status ParsePax(std::string_view data, PaxOverrides& out) {
  while (!data.empty()) {
    size_t space = data.find(' ');
    if (space == std::string_view::npos || space == 0 || space > 20)
      return Malformed("bad PAX record");
    uint64_t len = 0;
    if (!absl::SimpleAtoi(AV(data.substr(0, space)), &len) || len <= space + 1 ||
        len > data.size()) {
      return Malformed("bad PAX record length");
    }
    std::string_view record = data.substr(space + 1, len - space - 1);
    if (record.empty() || record.back() != '\n') return Malformed("bad PAX record terminator");
    record.remove_suffix(1);
    size_t eq = record.find('=');
    if (eq == std::string_view::npos) return Malformed("bad PAX record");
    std::string_view key = record.substr(0, eq), value = record.substr(eq + 1);
    if (key == "path") {
      out.path = std::string(value);
    } else if (key == "linkpath") {
      out.linkpath = std::string(value);
    } else if (key == "size") {
      int64_t size = 0;
      if (!absl::SimpleAtoi(AV(value), &size) || size < 0) return Malformed("bad PAX size");
      out.size = size;
    }
    data.remove_prefix(len);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status TarReader::ReadFull(char* buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    auto n = source_.Read(buf + got, len - got);
    if (!n.ok()) return n.status();
    if (*n == 0) return absl::DataLossError("malformed tar archive: unexpected EOF");
    got += *n;
  }
  return absl::OkStatus();
}

absl::Status TarReader::Skip(int64_t len) {
  char buf[16 * 1024];
  while (len > 0) {
    size_t chunk = static_cast<size_t>(std::min<int64_t>(len, sizeof(buf)));
    absl::Status st = ReadFull(buf, chunk);
    if (!st.ok()) return st;
    len -= static_cast<int64_t>(chunk);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> TarReader::ReadBlob(int64_t size) {
  if (size > kMaxExtendedHeaderSize) return Malformed("extended header too large");
  std::string data(static_cast<size_t>(size), '\0');
  absl::Status st = ReadFull(data.data(), data.size());
  if (!st.ok()) return st;
  st = Skip((kBlock - size % kBlock) % kBlock);
  if (!st.ok()) return st;
  return data;
}

absl::StatusOr<size_t> TarReader::ReadData(char* buf, size_t len) {
  if (remaining_ <= 0 || len == 0) return 0;
  size_t want = static_cast<size_t>(std::min<int64_t>(remaining_, static_cast<int64_t>(len)));
  auto n = source_.Read(buf, want);
  if (!n.ok()) return n.status();
  if (*n == 0) return absl::DataLossError("malformed tar archive: unexpected EOF");
  remaining_ -= static_cast<int64_t>(*n);
  return *n;
}

absl::StatusOr<std::optional<TarEntry>> TarReader::Next() {
  if (eof_) return std::nullopt;
  absl::Status st = Skip(remaining_ + padding_);
  if (!st.ok()) return st;
  remaining_ = padding_ = 0;

  PaxOverrides pax;
  std::optional<std::string> gnu_name, gnu_link;
  char block[kBlock];
  while (true) {
    // A clean end of input before any header is accepted (some writers omit
    // the end-of-archive blocks).
    auto n = source_.Read(block, kBlock);
    if (!n.ok()) return n.status();
    if (*n == 0) {
      if (pax.path || pax.size || gnu_name || gnu_link) return Malformed("unexpected EOF");
      eof_ = true;
      return std::nullopt;
    }
    if (*n < static_cast<size_t>(kBlock)) {
      st = ReadFull(block + *n, kBlock - *n);
      if (!st.ok()) return st;
    }
    if (IsZeroBlock(block)) {
      eof_ = true;
      return std::nullopt;
    }
    st = VerifyChecksum(block);
    if (!st.ok()) return st;
    auto size_or = ParseNumeric(block + 124, 12);
    if (!size_or.ok()) return size_or.status();
    int64_t size = *size_or;
    if (size < 0) return Malformed("negative size");
    const char typeflag = block[156];

    if (typeflag == 'x' || typeflag == 'g') {
      auto data = ReadBlob(size);
      if (!data.ok()) return data.status();
      if (typeflag == 'x') {
        st = ParsePax(*data, pax);
        if (!st.ok()) return st;
      }
      continue;
    }
    if (typeflag == 'L' || typeflag == 'K') {
      auto data = ReadBlob(size);
      if (!data.ok()) return data.status();
      std::string value = CString(data->data(), data->size());
      (typeflag == 'L' ? gnu_name : gnu_link) = std::move(value);
      continue;
    }

    TarEntry entry;
    entry.typeflag = typeflag;
    const std::string_view magic(block + 257, 8);
    std::string name = CString(block, 100);
    if (magic.substr(0, 6) == std::string_view("ustar\0", 6)) {
      std::string prefix = CString(block + 345, 155);
      if (!prefix.empty()) name = prefix + "/" + name;
    }
    entry.linkname = CString(block + 157, 100);
    auto mode = ParseNumeric(block + 100, 8);
    if (!mode.ok()) return mode.status();
    entry.mode = static_cast<uint32_t>(*mode & 07777);
    if (gnu_name) name = *gnu_name;
    if (gnu_link) entry.linkname = *gnu_link;
    if (pax.path) name = *pax.path;
    if (pax.linkpath) entry.linkname = *pax.linkpath;
    if (pax.size) size = *pax.size;
    entry.name = std::move(name);

    switch (typeflag) {
      case '0':
      case '\0':
      case '7':
        entry.type = TarEntry::Type::kRegular;
        // v7 archives mark directories with a trailing slash.
        if (!entry.name.empty() && entry.name.back() == '/')
          entry.type = TarEntry::Type::kDirectory;
        break;
      case '5':
        entry.type = TarEntry::Type::kDirectory;
        break;
      case '2':
        entry.type = TarEntry::Type::kSymlink;
        break;
      case '1':
        entry.type = TarEntry::Type::kHardlink;
        break;
      default:
        entry.type = TarEntry::Type::kOther;
        break;
    }
    // Header-only types carry no data regardless of the size field (as Go).
    if (typeflag == '1' || typeflag == '2' || typeflag == '3' || typeflag == '4' ||
        typeflag == '5' || typeflag == '6') {
      size = 0;
    }
    if (entry.type == TarEntry::Type::kDirectory) size = 0;
    entry.size = size;
    remaining_ = size;
    padding_ = (kBlock - size % kBlock) % kBlock;
    return entry;
  }
}

}  // namespace fluxcpp::artifact
