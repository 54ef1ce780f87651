#include "tools/dev-apiserver/scale.h"

#include <vector>

#include "absl/strings/str_split.h"
#include "libs/apimachinery/label_selector.h"
#include "tools/dev-apiserver/api_error.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

std::vector<std::string> Path(const std::string& dotted) {
  return absl::StrSplit(dotted, '.', absl::SkipEmpty());
}

const Value* At(const Value& obj, const std::string& dotted) {
  const Value* cur = &obj;
  for (const std::string& p : Path(dotted)) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(p);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

}  // namespace

Value ScaleOf(const ResourceInfo& r, const Value& obj) {
  Value meta = Value::object();
  for (const char* k : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    if (const Value* v = object::Find(obj, {"metadata", k}); v != nullptr) meta[k] = *v;
  }
  const Value* spec = At(obj, r.scale_spec_replicas_path);
  const Value* status = r.scale_status_replicas_path.empty() ? nullptr : At(obj, r.scale_status_replicas_path);
  int64_t spec_replicas = spec != nullptr && spec->is_number() ? spec->get<int64_t>() : (r.custom ? 0 : 1);
  Value out = {{"kind", "Scale"},
               {"apiVersion", "autoscaling/v1"},
               {"metadata", meta},
               {"spec", {{"replicas", spec_replicas}}},
               {"status", {{"replicas", status != nullptr && status->is_number() ? status->get<int64_t>() : 0}}}};
  if (const Value* sel = r.scale_selector_path.empty() ? nullptr : At(obj, r.scale_selector_path); sel != nullptr) {
    if (sel->is_string()) {
      out["status"]["selector"] = *sel;
    } else if (auto parsed = apimachinery::LabelSelector::FromObject(*sel); parsed.ok()) {
      out["status"]["selector"] = parsed->ToString();
    }
  }
  return out;
}

absl::Status ApplyScale(const ResourceInfo& r, const Value& scale, Value& obj) {
  const Value* replicas = object::Find(scale, {"spec", "replicas"});
  if (replicas == nullptr || !replicas->is_number_integer()) {
    return BadRequestError("spec.replicas of the Scale must be an integer");
  }
  Value* cur = &obj;
  std::vector<std::string> path = Path(r.scale_spec_replicas_path);
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    Value& next = (*cur)[path[i]];
    if (!next.is_object()) next = Value::object();
    cur = &next;
  }
  (*cur)[path.back()] = *replicas;
  return absl::OkStatus();
}

}  // namespace fluxcpp::devapiserver
