#include "libs/git/reference.h"

namespace fluxcpp::git {
namespace {

std::string_view AlgorithmFor(std::string_view hash) {
  if (hash.size() == 40) return "sha1";
  if (hash.size() == 64) return "sha256";
  return "";
}

}  // namespace

std::string FormatRevision(std::string_view ref, std::string_view hash) {
  std::string_view algo = AlgorithmFor(hash);
  std::string digest =
      algo.empty() ? std::string(hash) : std::string(algo) + ":" + std::string(hash);
  if (ref.empty()) return digest;
  return std::string(ref) + "@" + digest;
}

std::string ShortRefName(std::string_view full_ref) {
  size_t first = full_ref.find('/');
  if (first == std::string_view::npos) return std::string(full_ref);
  size_t second = full_ref.find('/', first + 1);
  if (second == std::string_view::npos) return std::string(full_ref);
  return std::string(full_ref.substr(second + 1));
}

std::string TransformRevision(std::string_view rev) {
  if (rev.empty() || rev.rfind(':') != std::string_view::npos) return std::string(rev);
  std::string_view name, hash = rev;
  if (size_t slash = rev.rfind('/'); slash != std::string_view::npos) {
    name = rev.substr(0, slash);
    hash = rev.substr(slash + 1);
  }
  std::string_view algo = AlgorithmFor(hash);
  if (algo.empty()) return std::string(rev);
  if (name == "HEAD") name = {};
  std::string out = std::string(algo) + ":" + std::string(hash);
  return name.empty() ? out : std::string(name) + "@" + out;
}

std::string ExtractHashFromRevision(std::string_view revision) {
  std::string current = TransformRevision(revision);
  size_t colon = current.rfind(':');
  if (colon == std::string::npos) return "";
  return current.substr(colon + 1);
}

}  // namespace fluxcpp::git
