#include "libs/kustomize/res_map.h"

#include <deque>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/kustomize/kyaml_reader.h"

namespace fluxcpp::kustomize {

using object::Value;

absl::Status AppendResource(ResMap& m, Resource r) {
  ResId id = r.CurId();
  for (const Resource& have : m) {
    if (have.CurId().Equals(id)) {
      return absl::AlreadyExistsError(absl::StrCat("may not add resource with an already registered id: ", id.String()));
    }
  }
  m.push_back(std::move(r));
  return absl::OkStatus();
}

absl::Status AppendAll(ResMap& m, ResMap more) {
  IdKeySet keys(m);
  return AppendAll(m, std::move(more), keys);
}

void IdKeySet::Rebuild(const ResMap& m) {
  keys_.clear();
  keys_.reserve(m.size());
  for (const Resource& have : m) keys_.insert(have.CurId().EqualityKey());
  covered_ = m.size();
}

absl::Status AppendAll(ResMap& m, ResMap more, IdKeySet& keys) {
  if (keys.covered_ != m.size()) keys.Rebuild(m);
  for (Resource& r : more) {
    ResId id = r.CurId();
    if (!keys.keys_.insert(id.EqualityKey()).second) {
      return absl::AlreadyExistsError(absl::StrCat("may not add resource with an already registered id: ", id.String()));
    }
    m.push_back(std::move(r));
    ++keys.covered_;
  }
  return absl::OkStatus();
}

absl::StatusOr<ResMap> ResourcesFromBytes(std::string_view text) {
  auto docs = ReadYamlDocuments(text);
  if (!docs.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("MalformedYAMLError: ", docs.status().message()));
  }
  std::deque<Value> queue(std::make_move_iterator(docs->begin()), std::make_move_iterator(docs->end()));
  ResMap out;
  while (!queue.empty()) {
    Value doc = std::move(queue.front());
    queue.pop_front();
    if (doc.is_null() || (doc.is_object() && doc.empty())) continue;
    if (!doc.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat("MalformedYAMLError: yaml: unmarshal errors: cannot unmarshal ",
                                                     doc.is_array() ? "!!seq" : "!!str", " into map"));
    }
    std::string kind = object::GetString(doc, {"kind"});
    if (absl::EndsWith(kind, "List")) {
      auto items = doc.find("items");
      if (items != doc.end()) {
        if (items->is_null()) continue;
        if (!items->is_array()) {
          return absl::InvalidArgumentError(absl::StrCat("expected array in ", kind, "/items"));
        }
        for (Value& item : *items) queue.push_back(std::move(item));
        continue;
      }
    }
    Resource r;
    r.obj = std::move(doc);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace fluxcpp::kustomize
