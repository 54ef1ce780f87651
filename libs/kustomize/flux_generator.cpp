#include "libs/kustomize/flux_generator.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/path_safety.h"
#include "libs/core/status_macros.h"
#include "libs/kustomize/kustomization_file.h"
#include "libs/kustomize/kyaml_reader.h"
#include "libs/kustomize/kyaml_writer.h"
#include "libs/kustomize/res_map.h"

namespace fluxcpp::kustomize {
namespace fs = std::filesystem;
using object::Value;

namespace {

absl::StatusOr<std::string> ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("open ", p.string(), ": no such file or directory"));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool HasKustomizationFile(const fs::path& dir) {
  std::error_code ec;
  for (const char* name : kKustomizationFileNames) {
    if (fs::is_regular_file(dir / name, ec)) return true;
  }
  return false;
}

// filepath.Walk: lexical order, directories descended in place.
absl::Status Scan(const fs::path& base, const fs::path& dir, std::vector<std::string>& out, int depth) {
  if (depth > 64) return absl::InvalidArgumentError(absl::StrCat("directory nesting too deep at ", dir.string()));
  std::vector<fs::path> entries;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) entries.push_back(e.path());
  if (ec) return absl::InternalError(absl::StrCat("reading directory ", dir.string(), ": ", ec.message()));
  std::sort(entries.begin(), entries.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().string() < b.filename().string();
  });
  for (const fs::path& p : entries) {
    std::error_code sec;
    fs::file_status st = fs::symlink_status(p, sec);
    if (fs::is_directory(st)) {
      if (HasKustomizationFile(p)) {
        out.push_back(p.string());
        continue;
      }
      FLUX_RETURN_IF_ERROR(Scan(base, p, out, depth + 1));
      continue;
    }
    std::string ext = p.extension().string();
    if (ext != ".yaml" && ext != ".yml") continue;
    if (fs::is_symlink(st)) {
      // Never follow a link out of the tree.
      fs::path target = fs::weakly_canonical(p, sec);
      std::string root = fs::weakly_canonical(base, sec).string();
      if (sec || !absl::StartsWith(target.string(), root + "/")) continue;
    }
    FLUX_ASSIGN_OR_RETURN(std::string text, ReadFile(p));
    auto res = ResourcesFromBytes(text);
    if (!res.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("failed to decode Kubernetes YAML from ", p.string(), ": ", std::string(res.status().message())));
    }
    out.push_back(p.string());
  }
  return absl::OkStatus();
}

bool IsLocalRelativePath(const std::string& path) {
  if (path.empty() || path[0] == '/' || absl::StrContains(path, "://")) return false;
  std::string clean = CleanPath(path);
  return clean != ".." && !absl::StartsWith(clean, "../");
}

Value SelectorValue(const Value& target) {
  Value out = Value::object();
  for (const char* key : {"group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"}) {
    std::string v = object::GetString(target, {key});
    if (!v.empty()) out[key] = v;
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> GenerateFluxKustomization(const std::string& dir, const FluxOverlay& overlay) {
  fs::path base = fs::absolute(dir).lexically_normal();
  std::string base_str = base.string();
  if (base_str.size() > 1 && base_str.back() == '/') base_str.pop_back();
  std::error_code ec;
  if (!fs::is_directory(base_str, ec)) {
    return absl::NotFoundError(absl::StrCat("kustomization path not found: ", base_str));
  }
  Value kus;
  fs::path kfile;
  bool unchanged = false;
  for (const char* name : kKustomizationFileNames) {
    fs::path p = fs::path(base_str) / name;
    if (fs::is_regular_file(p, ec)) {
      kfile = p;
      break;
    }
  }
  if (!kfile.empty()) {
    unchanged = true;
    FLUX_ASSIGN_OR_RETURN(std::string text, ReadFile(kfile));
    auto parsed = ReadYaml(text, /*allow_duplicate_keys=*/true);
    if (!parsed.ok()) return Annotate(parsed.status(), absl::StrCat("failed to read ", kfile.string()));
    kus = parsed->is_object() ? *parsed : Value::object();
  } else {
    kfile = fs::path(base_str) / "kustomization.yaml";
    std::vector<std::string> files;
    FLUX_RETURN_IF_ERROR(Scan(base_str, base_str, files, 0));
    kus = Value::object();
    if (files.empty()) {
      kus["namespace"] = "_placeholder";
    } else {
      Value resources = Value::array();
      for (const std::string& f : files) resources.push_back("." + f.substr(base_str.size()));
      kus["resources"] = resources;
    }
  }
  if (!kus.contains("apiVersion")) kus["apiVersion"] = "kustomize.config.k8s.io/v1beta1";
  if (!kus.contains("kind")) kus["kind"] = "Kustomization";
  const Value* res = object::Find(kus, {"resources"});
  if (unchanged && (res == nullptr || !res->is_array() || res->empty())) {
    kus["buildMetadata"] = Value::array({"originAnnotations"});
  }
  if (!overlay.target_namespace.empty()) kus["namespace"] = overlay.target_namespace;
  if (!overlay.name_prefix.empty()) kus["namePrefix"] = overlay.name_prefix;
  if (!overlay.name_suffix.empty()) kus["nameSuffix"] = overlay.name_suffix;
  for (const Value& p : overlay.patches) {
    Value entry = Value::object();
    entry["patch"] = object::GetString(p, {"patch"});
    if (const Value* t = object::Find(p, {"target"}); t != nullptr && t->is_object()) entry["target"] = SelectorValue(*t);
    Value& patches = kus["patches"];
    if (!patches.is_array()) patches = Value::array();
    patches.push_back(std::move(entry));
  }
  for (const std::string& c : overlay.components) {
    if (!IsLocalRelativePath(c)) {
      return absl::InvalidArgumentError(absl::StrCat("component path '", c, "' must be local and relative"));
    }
    if (overlay.ignore_missing_components && !fs::exists(fs::path(base_str) / c, ec)) continue;
    Value& comps = kus["components"];
    if (!comps.is_array()) comps = Value::array();
    comps.push_back(c);
  }
  for (const Value& image : overlay.images) {
    std::string name = object::GetString(image, {"name"});
    Value& images = kus["images"];
    if (!images.is_array()) images = Value::array();
    Value* existing = nullptr;
    for (Value& have : images) {
      if (object::GetString(have, {"name"}) == name) {
        existing = &have;
        break;
      }
    }
    std::string new_name = object::GetString(image, {"newName"});
    std::string new_tag = object::GetString(image, {"newTag"});
    std::string digest = object::GetString(image, {"digest"});
    if (existing != nullptr) {
      if (!new_name.empty()) (*existing)["newName"] = new_name;
      if (!new_tag.empty() || !digest.empty()) {
        existing->erase("newTag");
        existing->erase("digest");
        if (!new_tag.empty()) (*existing)["newTag"] = new_tag;
        if (!digest.empty()) (*existing)["digest"] = digest;
      }
    } else {
      Value e = Value::object();
      e["name"] = name;
      if (!new_name.empty()) e["newName"] = new_name;
      if (!new_tag.empty()) e["newTag"] = new_tag;
      if (!digest.empty()) e["digest"] = digest;
      images.push_back(std::move(e));
    }
  }
  if (!overlay.build_metadata.empty()) {
    Value bm = Value::array();
    for (const std::string& b : overlay.build_metadata) bm.push_back(b);
    kus["buildMetadata"] = bm;
  }
  std::string text = MarshalResource(kus);
  std::ofstream out(kfile, std::ios::binary | std::ios::trunc);
  if (!out) return absl::InternalError(absl::StrCat("failed to write ", kfile.string()));
  out << text;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("failed to write ", kfile.string()));
  return kfile.string();
}

void ApplyCommonMetadata(std::vector<Value>& objects, const FluxOverlay& overlay) {
  for (Value& obj : objects) {
    if (!obj.is_object()) continue;
    for (const auto& [k, v] : overlay.common_labels) object::Ensure(obj, {"metadata", "labels"})[k] = v;
    for (const auto& [k, v] : overlay.common_annotations) object::Ensure(obj, {"metadata", "annotations"})[k] = v;
  }
}

}  // namespace fluxcpp::kustomize
