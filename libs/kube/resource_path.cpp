#include "libs/kube/resource_path.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace fluxcpp::kube {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

std::string Escape(std::string_view s, bool space_as_plus) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (IsUnreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ' && space_as_plus) {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace

std::string PathEscape(std::string_view segment) { return Escape(segment, false); }
std::string QueryEscape(std::string_view value) { return Escape(value, true); }

std::string GroupVersionPath(std::string_view group, std::string_view version) {
  if (group.empty()) return absl::StrCat("/api/", PathEscape(version));
  return absl::StrCat("/apis/", PathEscape(group), "/", PathEscape(version));
}

std::string ResourcePath(const ResourceMapping& mapping, std::string_view ns, std::string_view name,
                         std::string_view subresource) {
  std::string path = GroupVersionPath(mapping.gvk.group, mapping.gvk.version);
  if (mapping.namespaced && !ns.empty()) absl::StrAppend(&path, "/namespaces/", PathEscape(ns));
  absl::StrAppend(&path, "/", PathEscape(mapping.resource));
  if (!name.empty()) {
    absl::StrAppend(&path, "/", PathEscape(name));
    if (!subresource.empty()) absl::StrAppend(&path, "/", PathEscape(subresource));
  }
  return path;
}

Query& Query::Add(std::string_view key, std::string_view value, bool keep_empty) {
  if (!value.empty() || keep_empty) params_.emplace_back(std::string(key), std::string(value));
  return *this;
}

Query& Query::AddInt(std::string_view key, int64_t value) {
  if (value != 0) params_.emplace_back(std::string(key), absl::StrCat(value));
  return *this;
}

Query& Query::AddBool(std::string_view key, bool value) {
  if (value) params_.emplace_back(std::string(key), "true");
  return *this;
}

std::string Query::Encode() const {
  if (params_.empty()) return "";
  auto sorted = params_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out = "?";
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0) out.push_back('&');
    absl::StrAppend(&out, QueryEscape(sorted[i].first), "=", QueryEscape(sorted[i].second));
  }
  return out;
}

}  // namespace fluxcpp::kube
