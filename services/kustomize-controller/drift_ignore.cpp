#include "services/kustomize-controller/drift_ignore.h"

#include <memory>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/kube/client.h"

namespace fluxcpp::kustomize_controller {
namespace {

bool MatchesRegex(const std::string& pattern, const std::string& value) {
  if (pattern.empty()) return true;
  try {
    return std::regex_match(value, std::regex(pattern));
  } catch (const std::regex_error&) {
    return false;
  }
}

bool MatchesMapSelector(const std::string& selector, const object::Value* map) {
  if (selector.empty()) return true;
  for (absl::string_view term : absl::StrSplit(selector, ',', absl::SkipEmpty())) {
    std::string t(absl::StripAsciiWhitespace(term));
    bool negate = false;
    std::string key, value;
    bool has_value = false;
    if (size_t p = t.find("!="); p != std::string::npos) {
      negate = true;
      key = t.substr(0, p);
      value = t.substr(p + 2);
      has_value = true;
    } else if (size_t p2 = t.find("=="); p2 != std::string::npos) {
      key = t.substr(0, p2);
      value = t.substr(p2 + 2);
      has_value = true;
    } else if (size_t p3 = t.find('='); p3 != std::string::npos) {
      key = t.substr(0, p3);
      value = t.substr(p3 + 1);
      has_value = true;
    } else if (!t.empty() && t[0] == '!') {
      negate = true;
      key = t.substr(1);
    } else {
      key = t;
    }
    bool present = map != nullptr && map->is_object() && map->contains(key);
    std::string actual = present && (*map)[key].is_string() ? (*map)[key].get<std::string>() : "";
    bool ok = has_value ? (present && actual == value) : present;
    if (negate) ok = !ok;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool MatchesSelector(const object::Value& selector, const object::Value& obj) {
  kube::GroupVersionKind gvk = kube::GroupVersionKind::Of(obj);
  return MatchesRegex(object::GetString(selector, {"group"}), gvk.group) &&
         MatchesRegex(object::GetString(selector, {"version"}), gvk.version) &&
         MatchesRegex(object::GetString(selector, {"kind"}), gvk.kind) &&
         MatchesRegex(object::GetString(selector, {"name"}), object::GetString(obj, {"metadata", "name"})) &&
         MatchesRegex(object::GetString(selector, {"namespace"}), object::GetString(obj, {"metadata", "namespace"})) &&
         MatchesMapSelector(object::GetString(selector, {"labelSelector"}), object::Find(obj, {"metadata", "labels"})) &&
         MatchesMapSelector(object::GetString(selector, {"annotationSelector"}),
                            object::Find(obj, {"metadata", "annotations"}));
}

absl::StatusOr<IgnorePaths> CompileIgnoreRules(const object::Value& obj) {
  const object::Value* rules = object::Find(obj, {"spec", "ignore"});
  if (rules == nullptr || !rules->is_array() || rules->empty()) return IgnorePaths{};
  int i = 0;
  for (const auto& rule : *rules) {
    if (const object::Value* target = object::Find(rule, {"target"}); target != nullptr) {
      for (const char* field : {"group", "version", "kind", "name", "namespace"}) {
        std::string pattern = object::GetString(*target, {field});
        try {
          std::regex compiled(pattern);
          (void)compiled;
        } catch (const std::regex_error& e) {
          return absl::InvalidArgumentError(
              absl::StrCat("spec.ignore[", i, "].target.", field, ": invalid regular expression '", pattern, "'"));
        }
      }
    }
    ++i;
  }
  auto shared = std::make_shared<object::Value>(*rules);
  return IgnorePaths([shared](const object::Value& target) {
    std::vector<std::string> paths;
    for (const auto& rule : *shared) {
      const object::Value* selector = object::Find(rule, {"target"});
      if (selector != nullptr && !MatchesSelector(*selector, target)) continue;
      if (const object::Value* p = object::Find(rule, {"paths"}); p && p->is_array()) {
        for (const auto& path : *p) {
          if (path.is_string()) paths.push_back(path.get<std::string>());
        }
      }
    }
    return paths;
  });
}

}  // namespace fluxcpp::kustomize_controller
