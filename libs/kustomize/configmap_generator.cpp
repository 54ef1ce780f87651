#include "libs/kustomize/configmap_generator.h"

#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"

namespace fluxcpp::kustomize {

using object::Value;

namespace {

bool ValidUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int w = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (w == 0 || i + static_cast<size_t>(w) > s.size()) return false;
    for (int k = 1; k < w; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += static_cast<size_t>(w);
  }
  return true;
}

std::vector<std::string> Strings(const Value& args, const char* key) {
  std::vector<std::string> out;
  const Value* v = object::Find(args, {key});
  if (v == nullptr || !v->is_array()) return out;
  for (const Value& s : *v) out.push_back(s.is_string() ? s.get<std::string>() : s.dump());
  return out;
}

std::string RemoveQuotes(const std::string& s) {
  if (s.size() >= 2 && ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\''))) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

absl::Status EnvPairs(const FileLoader& ldr, const std::string& path, Pairs& out) {
  FLUX_ASSIGN_OR_RETURN(std::string text, ldr.Load(path));
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (n == 0 && absl::StartsWith(line, "\xEF\xBB\xBF")) line = line.substr(3);
    ++n;
    size_t i = 0;
    while (i < line.size() && absl::ascii_isspace(static_cast<unsigned char>(line[i]))) ++i;
    line = line.substr(i);
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    std::string key = line.substr(0, eq);
    if (key.empty() || key.find_first_of(" \t") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("invalid env var name '", key, "' in ", path));
    }
    out.emplace_back(key, eq == std::string::npos ? "" : line.substr(eq + 1));
  }
  return absl::OkStatus();
}

absl::StatusOr<Pairs> LoadPairs(const FileLoader& ldr, const Value& args) {
  Pairs pairs;
  for (const std::string& env : Strings(args, "envs")) FLUX_RETURN_IF_ERROR(EnvPairs(ldr, env, pairs));
  for (const std::string& lit : Strings(args, "literals")) {
    size_t eq = lit.find('=');
    if (eq == 0 || eq == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("invalid literal source ", lit, ", expected key=value"));
    }
    pairs.emplace_back(lit.substr(0, eq), RemoveQuotes(lit.substr(eq + 1)));
  }
  for (const std::string& src : Strings(args, "files")) {
    size_t count = std::count(src.begin(), src.end(), '=');
    std::string key, path;
    if (count == 0) {
      key = BaseName(src);
      path = src;
    } else if (count == 1 && src.front() == '=') {
      return absl::InvalidArgumentError(
          absl::StrCat("missing key name for file path \"", src.substr(1), "\" in source \"", src, "\""));
    } else if (count == 1 && src.back() == '=') {
      return absl::InvalidArgumentError(absl::StrCat("missing file path for key name \"",
                                                     src.substr(0, src.size() - 1), "\" in source \"", src, "\""));
    } else if (count > 1) {
      return absl::InvalidArgumentError(absl::StrCat("source \"", src, "\" key name or file path contains '='"));
    } else {
      size_t eq = src.find('=');
      key = src.substr(0, eq);
      path = src.substr(eq + 1);
    }
    auto content = ldr.Load(path);
    if (!content.ok()) return content.status();
    pairs.emplace_back(key, *content);
  }
  return pairs;
}

void MergeStringMap(Value& into, const Value& from, bool overwrite) {
  if (!from.is_object()) return;
  for (auto it = from.begin(); it != from.end(); ++it) {
    if (overwrite || !into.contains(it.key())) into[it.key()] = it.value();
  }
}

// base64, wrapped like kyaml's encodeBase64: 70-character lines, each ended
// by a newline once the encoding reaches 70 characters.
std::string EncodeBase64(const std::string& s) {
  std::string in = absl::Base64Escape(s);
  constexpr size_t kLine = 70;
  if (in.size() / kLine + 1 <= 1) return in;
  std::string out;
  for (size_t i = 0; i < in.size(); i += kLine) {
    out += in.substr(i, kLine);
    out.push_back('\n');
  }
  return out;
}

}  // namespace

absl::StatusOr<Resource> GenerateConfigMapOrSecret(const FileLoader& ldr, const Value& args,
                                                   const Value* global_options, bool secret) {
  std::string name = object::GetString(args, {"name"});
  if (name.empty()) return absl::InvalidArgumentError("a configmap must have a name");
  // Options: local first, global fills the gaps; flags are or-ed.
  Value opts = Value::object();
  if (const Value* local = object::Find(args, {"options"}); local != nullptr && local->is_object()) opts = *local;
  if (global_options != nullptr && global_options->is_object()) {
    for (const char* key : {"labels", "annotations"}) {
      if (const Value* g = object::Find(*global_options, {key})) {
        Value& dst = opts[key];
        if (!dst.is_object()) dst = Value::object();
        MergeStringMap(dst, *g, /*overwrite=*/false);
      }
    }
    for (const char* key : {"disableNameSuffixHash", "immutable"}) {
      if (object::GetBool(*global_options, {key})) opts[key] = true;
    }
  }
  auto pairs = LoadPairs(ldr, args);
  if (!pairs.ok()) return Annotate(pairs.status(), "loading KV pairs");
  std::map<std::string, std::string> data;
  for (const auto& [k, v] : *pairs) {
    if (data.count(k) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("configmap ", name, " illegally repeats the key `", k, "`"));
    }
    data[k] = v;
  }
  Value obj = Value::object();
  obj["apiVersion"] = "v1";
  obj["kind"] = secret ? "Secret" : "ConfigMap";
  obj["metadata"] = Value{{"name", name}};
  std::string ns = object::GetString(args, {"namespace"});
  if (!ns.empty()) obj["metadata"]["namespace"] = ns;
  if (secret) {
    std::string type = object::GetString(args, {"type"});
    obj["type"] = type.empty() ? "Opaque" : type;
  }
  for (const auto& [k, v] : data) {
    if (secret) {
      Value& d = obj["data"];
      if (!d.is_object()) d = Value::object();
      d[k] = EncodeBase64(v);
    } else if (ValidUtf8(v)) {
      Value& d = obj["data"];
      if (!d.is_object()) d = Value::object();
      d[k] = v;
    } else {
      Value& d = obj["binaryData"];
      if (!d.is_object()) d = Value::object();
      d[k] = EncodeBase64(v);
    }
  }
  if (const Value* labels = object::Find(opts, {"labels"}); labels != nullptr && labels->is_object() && !labels->empty()) {
    MergeStringMap(object::Ensure(obj, {"metadata", "labels"}), *labels, true);
  }
  if (const Value* ann = object::Find(opts, {"annotations"}); ann != nullptr && ann->is_object() && !ann->empty()) {
    MergeStringMap(object::Ensure(obj, {"metadata", "annotations"}), *ann, true);
  }
  if (object::GetBool(opts, {"immutable"})) obj["immutable"] = true;
  Resource r;
  r.obj = std::move(obj);
  r.generated = true;
  r.needs_hash = !object::GetBool(opts, {"disableNameSuffixHash"});
  std::string behavior = object::GetString(args, {"behavior"});
  r.behavior = behavior.empty() ? "create" : behavior;
  r.behavior_unspecified = behavior.empty();
  if (r.behavior != "create" && r.behavior != "merge" && r.behavior != "replace") {
    return absl::InvalidArgumentError(absl::StrCat("unknown generation behavior '", behavior, "'"));
  }
  return r;
}

absl::Status AbsorbGenerated(ResMap& m, ResMap generated) {
  for (Resource& res : generated) {
    ResId id = res.CurId();
    std::vector<size_t> matches;
    for (size_t i = 0; i < m.size(); ++i) {
      if (m[i].MatchesAnyId(id)) matches.push_back(i);
    }
    if (matches.empty()) {
      if (res.behavior == "merge" || res.behavior == "replace") {
        return absl::NotFoundError(absl::StrCat("id ", id.String(), " does not exist; cannot merge or replace"));
      }
      FLUX_RETURN_IF_ERROR(AppendResource(m, std::move(res)));
      continue;
    }
    if (matches.size() > 1) {
      return absl::InvalidArgumentError(absl::StrCat("found multiple objects that could accept merge of ", id.String()));
    }
    Resource& old = m[matches[0]];
    if (res.behavior != "merge" && res.behavior != "replace") {
      return absl::AlreadyExistsError(absl::StrCat("id ", id.String(), " exists; behavior must be merge or replace"));
    }
    // Metadata: labels and annotations merged (new wins); name, namespace
    // and the build bookkeeping come from the existing resource.
    Value labels = Value::object();
    if (const Value* l = object::Find(old.obj, {"metadata", "labels"}); l != nullptr) MergeStringMap(labels, *l, true);
    if (const Value* l = object::Find(res.obj, {"metadata", "labels"}); l != nullptr) MergeStringMap(labels, *l, true);
    Value ann = Value::object();
    if (const Value* a = object::Find(old.obj, {"metadata", "annotations"}); a != nullptr) MergeStringMap(ann, *a, true);
    if (const Value* a = object::Find(res.obj, {"metadata", "annotations"}); a != nullptr) MergeStringMap(ann, *a, true);
    if (!labels.empty()) object::Ensure(res.obj, {"metadata", "labels"}) = labels;
    if (!ann.empty()) object::Ensure(res.obj, {"metadata", "annotations"}) = ann;
    res.SetName(old.Name());
    std::string old_ns = old.Namespace();
    if (old_ns.empty()) {
      object::Erase(res.obj, {"metadata", "namespace"});
    } else {
      res.SetNamespace(old_ns);
    }
    if (res.behavior == "merge") {
      for (const char* key : {"data", "binaryData"}) {
        Value merged = Value::object();
        if (const Value* d = object::Find(old.obj, {key}); d != nullptr) MergeStringMap(merged, *d, true);
        if (const Value* d = object::Find(res.obj, {key}); d != nullptr) MergeStringMap(merged, *d, true);
        if (!merged.empty()) res.obj[key] = merged;
      }
      if (old.origin) res.origin = old.origin;
    }
    // The hash-suffix request survives only when both sides carry it.
    res.needs_hash = res.needs_hash && old.needs_hash;
    res.prev_ids = old.prev_ids;
    res.prefixes = old.prefixes;
    res.suffixes = old.suffixes;
    res.behavior = old.behavior;
    res.behavior_unspecified = old.behavior_unspecified;
    res.generated = old.generated;
    old = std::move(res);
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::kustomize
