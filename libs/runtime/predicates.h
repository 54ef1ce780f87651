#pragma once
// Event filters for the primary kind of a controller, as Flux configures
// them (GenerationChangedPredicate OR ReconcileRequestedPredicate, plus
// deletion and finalizer changes): status-only and label-only updates do
// not trigger a reconcile.

#include <functional>
#include <string_view>

#include "libs/object/value.h"

namespace fluxcpp::runtime {

inline constexpr std::string_view kReconcileRequestAnnotation = "reconcile.fluxcd.io/requestedAt";

// Decides whether an update from `old_obj` to `new_obj` is worth a reconcile.
using UpdatePredicate = std::function<bool(const object::Value& old_obj, const object::Value& new_obj)>;

// metadata.generation differs.
bool GenerationChanged(const object::Value& old_obj, const object::Value& new_obj);
// The reconcile.fluxcd.io/requestedAt annotation appeared or changed value.
bool ReconcileRequested(const object::Value& old_obj, const object::Value& new_obj);
// metadata.deletionTimestamp appeared.
bool DeletionStarted(const object::Value& old_obj, const object::Value& new_obj);
// metadata.finalizers differs.
bool FinalizersChanged(const object::Value& old_obj, const object::Value& new_obj);

// Any of the four above.
bool DefaultUpdatePredicate(const object::Value& old_obj, const object::Value& new_obj);

}  // namespace fluxcpp::runtime
