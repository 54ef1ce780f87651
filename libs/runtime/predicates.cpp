#include "libs/runtime/predicates.h"

namespace fluxcpp::runtime {
namespace {

const object::Value kNull;

const object::Value& At(const object::Value& obj, std::initializer_list<std::string_view> path) {
  const object::Value* v = object::Find(obj, path);
  return v == nullptr ? kNull : *v;
}

}  // namespace

bool GenerationChanged(const object::Value& old_obj, const object::Value& new_obj) {
  return object::GetInt(old_obj, {"metadata", "generation"}) != object::GetInt(new_obj, {"metadata", "generation"});
}

bool ReconcileRequested(const object::Value& old_obj, const object::Value& new_obj) {
  const object::Value* annotations = object::Find(new_obj, {"metadata", "annotations"});
  if (annotations == nullptr || !annotations->is_object()) return false;
  auto it = annotations->find(kReconcileRequestAnnotation);
  if (it == annotations->end()) return false;
  const object::Value* old_annotations = object::Find(old_obj, {"metadata", "annotations"});
  if (old_annotations == nullptr || !old_annotations->is_object()) return true;
  auto old_it = old_annotations->find(kReconcileRequestAnnotation);
  return old_it == old_annotations->end() || *old_it != *it;
}

bool DeletionStarted(const object::Value& old_obj, const object::Value& new_obj) {
  return At(old_obj, {"metadata", "deletionTimestamp"}).is_null() &&
         !At(new_obj, {"metadata", "deletionTimestamp"}).is_null();
}

bool FinalizersChanged(const object::Value& old_obj, const object::Value& new_obj) {
  return At(old_obj, {"metadata", "finalizers"}) != At(new_obj, {"metadata", "finalizers"});
}

bool DefaultUpdatePredicate(const object::Value& old_obj, const object::Value& new_obj) {
  return GenerationChanged(old_obj, new_obj) || ReconcileRequested(old_obj, new_obj) ||
         DeletionStarted(old_obj, new_obj) || FinalizersChanged(old_obj, new_obj);
}

}  // namespace fluxcpp::runtime
