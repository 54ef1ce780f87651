#pragma once
// metadata.managedFields bookkeeping and server-side apply.
//
// Model: structured-merge-diff over the resource's structural schema (the
// CRD's openAPIV3Schema or the built-in kind's published schema, see
// libs/apimachinery/structured_merge.h): maps are tracked field by field,
// lists by `x-kubernetes-list-type` (map lists item by item with
// `k:{...}` keys, sets by value, others atomic). Apply merges the applied
// configuration into the live object (null removes), records the applied
// field set for the manager, and removes fields and list items the manager
// applied before but no longer applies, unless another manager also owns
// them (or something under them). A field the applier sets to a value
// different from the live one, while another manager owns it, is a conflict
// (409) unless `force`, in which case ownership moves to the applier.
// Updates (PUT/PATCH/create) give the writer ownership of the fields it
// changed and take those fields from every other manager.
//
// Pure functions; thread-compatible.

#include <string>

#include "absl/status/statusor.h"
#include "libs/apimachinery/field_set.h"
#include "libs/object/value.h"
#include "tools/dev-apiserver/resource_info.h"

namespace fluxcpp::devapiserver {

struct FieldManagerContext {
  std::string manager;
  std::string api_version;  // of the request
  std::string subresource;  // "" or "status"
  bool has_status_subresource = false;
  std::string now;  // RFC 3339 time for new entries
};

// The fields of `obj` a write to (`subresource`) covers: the status only for
// "status"; everything except identity/system metadata (and status when the
// kind has a status subresource) otherwise.
object::Value ScopedFields(const object::Value& obj, const FieldManagerContext& ctx);

// Server-side apply of `applied` onto `live` (null when creating). Returns
// the merged object with managedFields updated; Conflict errors name the
// conflicting managers and fields like kube-apiserver.
absl::StatusOr<object::Value> ServerSideApply(const ResourceInfo& resource, const object::Value* live,
                                              const object::Value& applied, const FieldManagerContext& ctx,
                                              bool force);

// Records an update from `old_obj` (null on create) to `new_obj` by
// ctx.manager into new_obj's managedFields. Leaves managedFields alone when
// nothing in scope changed, or when the request itself rewrote managedFields
// (`new_obj`'s differ from `old_obj`'s: the client's are kept as sent).
void RecordUpdate(const ResourceInfo& resource, const object::Value* old_obj, object::Value& new_obj, const FieldManagerContext& ctx);

// The manager name kube derives from a User-Agent when no fieldManager is
// given ("kubectl/v1.32 (linux/amd64)" -> "kubectl").
std::string ManagerFromUserAgent(const std::string& user_agent);

}  // namespace fluxcpp::devapiserver
