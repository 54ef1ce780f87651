#include "libs/kustomize/image_transformer.h"

#include <re2/re2.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"

namespace fluxcpp::kustomize {

using object::Value;

void SplitImage(const std::string& image, std::string* name, std::string* tag, std::string* digest) {
  tag->clear();
  digest->clear();
  size_t slash = image.find('/');
  std::string search = image;
  size_t offset = 0;
  if (slash != std::string::npos && slash > 0) {
    search = image.substr(slash);
    offset = slash;
  }
  size_t id = search.find('@');
  size_t ic = search.find(':');
  if (ic == std::string::npos && id == std::string::npos) {
    *name = image;
    return;
  }
  if (id != std::string::npos && (ic == std::string::npos || id < ic)) {
    id += offset;
    *name = image.substr(0, id);
    *digest = image.substr(id + 1);
    return;
  }
  if (id != std::string::npos && ic != std::string::npos) {
    id += offset;
    ic += offset;
    *name = image.substr(0, ic);
    *tag = image.substr(ic + 1, id - ic - 1);
    *digest = image.substr(id + 1);
    return;
  }
  ic += offset;
  *name = image.substr(0, ic);
  *tag = image.substr(ic + 1);
}

namespace {

std::string Str(const Value& image, const char* key) {
  const Value* v = object::Find(image, {key});
  if (v == nullptr || v->is_null()) return "";
  return v->is_string() ? v->get<std::string>() : v->dump();
}

class Updater {
 public:
  explicit Updater(const Value& image)
      : name_(Str(image, "name")),
        new_name_(Str(image, "newName")),
        new_tag_(Str(image, "newTag")),
        digest_(Str(image, "digest")),
        tag_suffix_(Str(image, "tagSuffix")),
        re_(std::make_unique<RE2>(absl::StrCat("^", name_, "(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$"))) {}

  absl::Status Check() const {
    if (!re_->ok()) return absl::InvalidArgumentError(absl::StrCat("invalid image name regexp '", name_, "'"));
    return absl::OkStatus();
  }

  void Update(Value& v) const {
    if (!v.is_string()) return;
    std::string value = v.get<std::string>();
    if (!RE2::FullMatch(value, *re_)) return;
    std::string name, tag, digest;
    SplitImage(value, &name, &tag, &digest);
    if (!new_name_.empty()) name = new_name_;
    if (!new_tag_.empty() && !digest_.empty()) {
      tag = new_tag_;
      digest = digest_;
    } else if (!new_tag_.empty()) {
      tag = new_tag_;
      digest.clear();
    } else if (!digest_.empty()) {
      tag.clear();
      digest = digest_;
    } else if (!tag_suffix_.empty()) {
      tag += tag_suffix_;
      digest.clear();
    }
    if (!tag.empty()) name += ":" + tag;
    if (!digest.empty()) name += "@" + digest;
    v = name;
  }

  void Walk(Value& node) const {
    if (node.is_object()) {
      for (auto it = node.begin(); it != node.end(); ++it) {
        Walk(it.value());
        if ((it.key() == "containers" || it.key() == "initContainers") && it.value().is_array()) {
          for (Value& c : it.value()) {
            if (c.is_object() && c.contains("image")) Update(c["image"]);
          }
        }
      }
    } else if (node.is_array()) {
      for (Value& item : node) Walk(item);
    }
  }

 private:
  std::string name_, new_name_, new_tag_, digest_, tag_suffix_;
  std::unique_ptr<RE2> re_;
};

}  // namespace

absl::Status TransformImage(ResMap& m, const Value& image, const std::vector<FieldSpec>& field_specs) {
  Updater u(image);
  FLUX_RETURN_IF_ERROR(u.Check());
  for (Resource& r : m) {
    if (r.Kind() != "CustomResourceDefinition") u.Walk(r.obj);
  }
  for (Resource& r : m) {
    ResId id = r.CurId();
    for (const FieldSpec& fs : field_specs) {
      if (!fs.Selects(id)) continue;
      FieldSpec nocreate = fs;
      nocreate.create = false;
      FLUX_RETURN_IF_ERROR(ApplyFieldSpec(r.obj, nocreate, LeafKind::kNone, [&u](Value& v) {
        u.Update(v);
        return absl::OkStatus();
      }));
    }
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::kustomize
