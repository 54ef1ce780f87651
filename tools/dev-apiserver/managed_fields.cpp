#include "tools/dev-apiserver/managed_fields.h"

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/apimachinery/semantic_equal.h"
#include "libs/apimachinery/structured_merge.h"
#include "tools/dev-apiserver/api_error.h"

namespace fluxcpp::devapiserver {
namespace {

using apimachinery::FieldPath;
using apimachinery::FieldSet;
using apimachinery::MergeSchema;
using object::Value;

constexpr const char* kSystemMetadata[] = {"name",      "namespace",         "uid",
                                           "resourceVersion", "generation", "creationTimestamp",
                                           "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields",
                                           "selfLink"};

struct Entry {
  Value raw;  // the original entry (kept for unknown keys)
  std::string manager;
  std::string operation;
  std::string subresource;
  FieldSet fields;
};

std::vector<Entry> ReadEntries(const Value& obj) {
  std::vector<Entry> out;
  const Value* mf = object::Find(obj, {"metadata", "managedFields"});
  if (mf == nullptr || !mf->is_array()) return out;
  for (const Value& e : *mf) {
    if (!e.is_object()) continue;
    Entry entry;
    entry.raw = e;
    entry.manager = e.value("manager", "");
    entry.operation = e.value("operation", "");
    entry.subresource = e.value("subresource", "");
    if (auto f = e.find("fieldsV1"); f != e.end()) entry.fields = FieldSet::FromFieldsV1(*f);
    out.push_back(std::move(entry));
  }
  return out;
}

void WriteEntries(Value& obj, const std::vector<Entry>& entries) {
  Value list = Value::array();
  for (const Entry& e : entries) {
    if (e.fields.Empty()) continue;
    Value raw = e.raw;
    raw["fieldsType"] = "FieldsV1";
    raw["fieldsV1"] = e.fields.ToFieldsV1();
    list.push_back(std::move(raw));
  }
  Value& meta = object::Ensure(obj, {"metadata"});
  if (list.empty()) {
    meta.erase("managedFields");
  } else {
    meta["managedFields"] = std::move(list);
  }
}

Entry* FindEntry(std::vector<Entry>& entries, const std::string& manager, const std::string& operation,
                 const std::string& subresource) {
  for (Entry& e : entries) {
    if (e.manager == manager && e.operation == operation && e.subresource == subresource) return &e;
  }
  return nullptr;
}

Entry& UpsertEntry(std::vector<Entry>& entries, const FieldManagerContext& ctx, const std::string& operation,
                   const FieldSet& fields) {
  Entry* e = FindEntry(entries, ctx.manager, operation, ctx.subresource);
  if (e == nullptr) {
    entries.push_back({});
    e = &entries.back();
    e->manager = ctx.manager;
    e->operation = operation;
    e->subresource = ctx.subresource;
  }
  bool changed = !(e->fields == fields) || !e->raw.is_object() || e->raw.value("apiVersion", "") != ctx.api_version;
  e->fields = fields;
  if (changed || !e->raw.is_object() || !e->raw.contains("time")) {
    Value raw = {{"manager", ctx.manager}, {"operation", operation}, {"apiVersion", ctx.api_version},
                 {"time", ctx.now}};
    if (!ctx.subresource.empty()) raw["subresource"] = ctx.subresource;
    e->raw = std::move(raw);
  }
  return *e;
}

// Whether `set` owns a map field above `p` as one leaf (e.g. a whole list
// recorded as atomic by an older writer): then it owns `p` too.
bool OwnsAncestorAtomically(const FieldSet& set, const FieldPath& p) {
  for (size_t n = 1; n < p.size(); ++n) {
    FieldPath prefix(p.begin(), p.begin() + n);
    if (prefix.back().rfind("f:", 0) == 0 && set.Has(prefix) && !set.HasUnder(prefix)) return true;
  }
  return false;
}

// Whether the last element of `p` names a map field (not a list item).
bool IsField(const FieldPath& p) { return !p.empty() && p.back().rfind("f:", 0) == 0; }

// `p` is a key field of the list item it sits in (`k:{"name":"a"}` / `f:name`).
bool IsKeyFieldOfItem(const FieldPath& p) {
  if (p.size() < 2 || !IsField(p) || p[p.size() - 2].rfind("k:", 0) != 0) return false;
  auto keys = object::ParseJson(p[p.size() - 2].substr(2));
  return keys.ok() && keys->is_object() && keys->contains(p.back().substr(2));
}

}  // namespace

Value ScopedFields(const Value& obj, const FieldManagerContext& ctx) {
  Value out = Value::object();
  if (!obj.is_object()) return out;
  if (ctx.subresource == "status") {
    if (auto it = obj.find("status"); it != obj.end() && !it->is_null()) out["status"] = *it;
    return out;
  }
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& k = it.key();
    if (k == "apiVersion" || k == "kind") continue;
    if (k == "status" && ctx.has_status_subresource) continue;
    if (k == "metadata" && it.value().is_object()) {
      Value meta = it.value();
      for (const char* sys : kSystemMetadata) meta.erase(sys);
      if (!meta.empty()) out["metadata"] = std::move(meta);
      continue;
    }
    out[k] = it.value();
  }
  return out;
}

absl::StatusOr<Value> ServerSideApply(const ResourceInfo& resource, const Value* live, const Value& applied,
                                      const FieldManagerContext& ctx, bool force) {
  Value scoped = ScopedFields(applied, ctx);
  MergeSchema schema(resource.StructuralSchema());
  if (std::vector<std::string> bad = apimachinery::CheckAssociativeLists(scoped, schema); !bad.empty()) {
    std::string ns = object::GetString(applied, {"metadata", "namespace"});
    std::string name = object::GetString(applied, {"metadata", "name"});
    return BadRequestError(absl::StrCat("failed to create typed patch object (", ns.empty() ? "" : ns + "/", name,
                                        "; ", resource.ApiVersion(), ", Kind=", resource.kind, "): ", bad.front()));
  }
  // Nulls express "no opinion/remove", they are not owned.
  FieldSet applied_set = apimachinery::FieldSetOf(scoped, schema);
  Value result = live != nullptr ? *live : Value::object();
  std::vector<Entry> entries = live != nullptr ? ReadEntries(*live) : std::vector<Entry>{};
  Entry* mine = FindEntry(entries, ctx.manager, "Apply", ctx.subresource);
  FieldSet previous = mine != nullptr ? mine->fields : FieldSet();

  // Conflicts: fields another manager owns whose live value the apply changes.
  std::map<std::string, std::vector<std::string>> conflicts;  // manager -> fields
  size_t conflict_count = 0;
  std::vector<std::pair<Entry*, FieldPath>> transfers;
  std::vector<std::pair<Entry*, FieldPath>> forced_if_allowed;  // the conflicts, as transfers
  std::map<std::string, std::vector<FieldPath>> conflict_paths;
  if (live != nullptr) {
    for (const FieldPath& p : applied_set.Members()) {
      const Value* have = apimachinery::ValueAtPath(*live, p, schema);
      bool differs = have == nullptr;
      if (!differs && IsField(p)) {
        // A list item itself only conflicts when the apply adds it.
        const Value* want = apimachinery::ValueAtPath(scoped, p, schema);
        differs = want == nullptr || !apimachinery::SemanticallyEqual(*have, *want);
      }
      for (Entry& e : entries) {
        if (&e == mine || !e.fields.Has(p)) continue;
        if (!differs) continue;  // same value: shared ownership
        if (force) {
          transfers.push_back({&e, p});
        } else {
          std::string who = absl::StrCat("conflict with \"", e.manager, "\"",
                                         e.raw.is_object() && e.raw.contains("apiVersion")
                                             ? absl::StrCat(" using ", e.raw.value("apiVersion", ""))
                                             : "");
          conflicts[who].push_back(apimachinery::FieldPathString(p));
          conflict_paths[who].push_back(p);
          forced_if_allowed.push_back({&e, p});
          ++conflict_count;
        }
      }
    }
  }
  // Like kube-apiserver's lastAppliedManager: when "kubectl" takes over an
  // object managed by client-side apply, conflicts on fields listed in the
  // last-applied-configuration annotation are forced, so switching to
  // `kubectl apply --server-side` needs no --force-conflicts.
  if (!conflicts.empty() && ctx.manager == "kubectl" && live != nullptr) {
    std::string last = object::GetString(
        *live, {"metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"});
    auto last_applied = object::ParseJson(last);
    if (!last.empty() && last_applied.ok()) {
      FieldSet allowed = apimachinery::FieldSetOf(ScopedFields(*last_applied, ctx), schema);
      bool all_allowed = true;
      for (const auto& [who, fields] : conflict_paths) {
        for (const FieldPath& p : fields) {
          if (!allowed.HasAtOrUnder(p)) all_allowed = false;
        }
      }
      if (all_allowed) {
        for (auto& [entry, path] : forced_if_allowed) entry->fields.RemoveAtOrUnder(path);
        conflicts.clear();
        conflict_count = 0;
      }
    }
  }
  if (!conflicts.empty()) {
    std::vector<std::string> parts;
    Value causes = Value::array();
    for (const auto& [who, fields] : conflicts) {
      for (const std::string& f : fields) {
        causes.push_back({{"reason", "FieldManagerConflict"}, {"message", who}, {"field", f}});
      }
      if (conflict_count == 1) {
        parts.push_back(absl::StrCat(who, ": ", fields[0]));
      } else {
        parts.push_back(absl::StrCat(who, ":\n- ", absl::StrJoin(fields, "\n- ")));
      }
    }
    std::string message = absl::StrCat("Apply failed with ", conflict_count,
                                       conflict_count == 1 ? " conflict: " : " conflicts: ", absl::StrJoin(parts, "\n"));
    Value details = {{"name", object::GetString(applied, {"metadata", "name"})},
                     {"kind", resource.plural},
                     {"causes", causes}};
    if (!resource.group.empty()) details["group"] = resource.group;
    return ApiError(409, "Conflict", message, details);
  }
  for (auto& [entry, path] : transfers) entry->fields.RemoveAtOrUnder(path);

  result = apimachinery::MergeApplied(result, scoped, schema);

  // Remove what this manager applied before and no longer applies (fields,
  // list items), unless someone else still owns it or something under it.
  FieldSet dropped = previous.Difference(applied_set);
  FieldSet others;
  for (const Entry& e : entries) {
    if (&e != mine) others = others.Union(e.fields);
  }
  auto owned_atomically_above = [&](const FieldPath& p) {
    for (const Entry& e : entries) {
      if (&e != mine && OwnsAncestorAtomically(e.fields, p)) return true;
    }
    return false;
  };
  for (const FieldPath& p : dropped.Members()) {
    if (applied_set.HasAtOrUnder(p) || others.HasAtOrUnder(p) || owned_atomically_above(p)) continue;
    if (IsKeyFieldOfItem(p)) continue;  // an item someone else keeps keeps its keys
    apimachinery::RemovePath(result, p, schema, /*keep_depth=*/1);
  }
  UpsertEntry(entries, ctx, "Apply", applied_set);
  WriteEntries(result, entries);
  return result;
}

void RecordUpdate(const ResourceInfo& resource, const Value* old_obj, Value& new_obj, const FieldManagerContext& ctx) {
  std::vector<Entry> old_entries = old_obj != nullptr ? ReadEntries(*old_obj) : std::vector<Entry>{};
  const Value* sent = object::Find(new_obj, {"metadata", "managedFields"});
  const Value* had = old_obj != nullptr ? object::Find(*old_obj, {"metadata", "managedFields"}) : nullptr;
  bool client_rewrote = sent != nullptr && (had == nullptr || !apimachinery::SemanticallyEqual(*sent, *had));
  if (client_rewrote) return;  // trust the client's managedFields (e.g. kubectl's CSA->SSA migration)
  FieldSet changed, removed;
  Value before = old_obj != nullptr ? ScopedFields(*old_obj, ctx) : Value::object();
  Value after = ScopedFields(new_obj, ctx);
  apimachinery::DiffFields(before, after, MergeSchema(resource.StructuralSchema()), changed, removed);
  if (changed.Empty() && removed.Empty()) {
    if (old_obj != nullptr) {
      if (had != nullptr) {
        object::Ensure(new_obj, {"metadata", "managedFields"}) = *had;
      } else {
        object::Erase(new_obj, {"metadata", "managedFields"});
      }
    }
    return;
  }
  std::vector<Entry> entries = old_entries;
  for (Entry& e : entries) {
    for (const FieldPath& p : changed.Members()) e.fields.RemoveAtOrUnder(p);
    for (const FieldPath& p : removed.Members()) e.fields.RemoveAtOrUnder(p);
  }
  Entry* mine = FindEntry(entries, ctx.manager, "Update", ctx.subresource);
  FieldSet fields = mine != nullptr ? mine->fields : FieldSet();
  fields = fields.Union(changed);
  UpsertEntry(entries, ctx, "Update", fields);
  WriteEntries(new_obj, entries);
}

std::string ManagerFromUserAgent(const std::string& user_agent) {
  std::string out = user_agent.substr(0, user_agent.find('/'));
  if (out.size() > 128) out.resize(128);
  return out.empty() ? "unknown" : out;
}

}  // namespace fluxcpp::devapiserver
