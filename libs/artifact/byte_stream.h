#pragma once
// Minimal streaming interfaces shared by the archive writer/reader layers, so
// large trees and downloads never need to sit in memory.

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace fluxcpp::artifact {

// Consumer of bytes. Implementations are not required to be thread-safe.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual absl::Status Write(std::string_view data) = 0;
};

// Producer of bytes. Read returns 0 only at end of stream.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual absl::StatusOr<size_t> Read(char* buf, size_t len) = 0;
};

// Appends everything to a caller-owned string.
class StringSink : public ByteSink {
 public:
  explicit StringSink(std::string& out) : out_(out) {}
  absl::Status Write(std::string_view data) override {
    out_.append(data);
    return absl::OkStatus();
  }

 private:
  std::string& out_;
};

// Reads from a caller-owned buffer that must outlive the source.
class StringSource : public ByteSource {
 public:
  explicit StringSource(std::string_view data) : data_(data) {}
  absl::StatusOr<size_t> Read(char* buf, size_t len) override {
    size_t n = std::min(len, data_.size() - pos_);
    std::copy_n(data_.data() + pos_, n, buf);
    pos_ += n;
    return n;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Reads from a file descriptor it does not own.
class FdSource : public ByteSource {
 public:
  explicit FdSource(int fd) : fd_(fd) {}
  absl::StatusOr<size_t> Read(char* buf, size_t len) override;

 private:
  int fd_;
};

// Writes to a file descriptor it does not own, retrying short writes.
class FdSink : public ByteSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  absl::Status Write(std::string_view data) override;

 private:
  int fd_;
};

}  // namespace fluxcpp::artifact
