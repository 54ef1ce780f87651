#include "tools/dev-apiserver/object_service.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/apimachinery/json_patch.h"
#include "libs/apimachinery/merge_patch.h"
#include "libs/apimachinery/semantic_equal.h"
#include "libs/apimachinery/strategic_merge_patch.h"
#include "libs/core/logger.h"
#include "libs/core/status_macros.h"
#include "libs/object/yaml.h"
#include "tools/dev-apiserver/api_error.h"
#include "tools/dev-apiserver/crd.h"
#include "tools/dev-apiserver/managed_fields.h"
#include "tools/dev-apiserver/object_meta.h"
#include "tools/dev-apiserver/scale.h"
#include "tools/dev-apiserver/strategy.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;
using Op = Store::Mutation::Op;

constexpr const char* kModifiedMessage =
    "the object has been modified; please apply your changes to the latest version and try again";

absl::StatusOr<Value> ParseStored(const StoredObject& obj) {
  auto parsed = object::ParseJson(*obj.json);
  if (!parsed.ok()) return InternalServerError(parsed.status().message());
  return parsed;
}

// Checks/fills apiVersion and kind of a request body.
absl::Status CheckTypeMeta(Value& body, const ResourceInfo& r) {
  if (!body.is_object()) return BadRequestError("the body of the request must be a JSON object");
  std::string api_version = body.value("apiVersion", "");
  std::string kind = body.value("kind", "");
  if (api_version.empty()) {
    body["apiVersion"] = r.ApiVersion();
  } else if (api_version != r.ApiVersion()) {
    return BadRequestError(absl::StrCat("the API version in the data (", api_version,
                                        ") does not match the expected API version (", r.ApiVersion(), ")"));
  }
  if (kind.empty()) {
    body["kind"] = r.kind;
  } else if (kind != r.kind) {
    return BadRequestError(
        absl::StrCat("the kind in the data (", kind, ") does not match the expected kind (", r.kind, ")"));
  }
  if (body.contains("metadata") && !body["metadata"].is_object() && !body["metadata"].is_null()) {
    return BadRequestError("metadata must be an object");
  }
  return ValidateMetadataMaps(body);
}

// Reconciles metadata.namespace with the URL.
absl::Status CheckNamespace(Value& body, const RequestScope& scope) {
  Value& meta = object::Ensure(body, {"metadata"});
  if (!scope.resource->namespaced) {
    meta.erase("namespace");
    return absl::OkStatus();
  }
  std::string ns = meta.value("namespace", "");
  if (ns.empty()) {
    meta["namespace"] = scope.ns;
  } else if (ns != scope.ns) {
    return BadRequestError("the namespace of the provided object does not match the namespace sent on the request");
  }
  return absl::OkStatus();
}

std::optional<std::string> ValidateName(const ResourceInfo& r, const std::string& name) {
  if (IsNamespaceResource(r)) return ValidateDnsLabel(name);
  if (r.group == "rbac.authorization.k8s.io") return ValidatePathSegmentName(name);
  if (r.group.empty() && r.plural == "events") return ValidatePathSegmentName(name);
  return ValidateDnsSubdomain(name);
}

// True when anything but metadata (and status, for kinds with a status
// subresource) differs: the rule for bumping metadata.generation.
bool SpecChanged(const ResourceInfo& r, const Value& a, const Value& b) {
  auto strip = [&](const Value& v) {
    Value out = v;
    out.erase("metadata");
    out.erase("apiVersion");
    out.erase("kind");
    if (r.has_status) out.erase("status");
    return out;
  };
  return !apimachinery::SemanticallyEqual(strip(a), strip(b));
}

bool HasDeletionTimestamp(const Value& obj) {
  const Value* ts = object::Find(obj, {"metadata", "deletionTimestamp"});
  return ts != nullptr && !ts->is_null();
}

std::vector<std::string> Finalizers(const Value& obj) {
  std::vector<std::string> out;
  const Value* f = object::Find(obj, {"metadata", "finalizers"});
  if (f == nullptr || !f->is_array()) return out;
  for (const Value& v : *f) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

FieldManagerContext ManagerContext(const RequestScope& scope) {
  FieldManagerContext ctx;
  ctx.manager = scope.field_manager.empty() ? "unknown" : scope.field_manager;
  ctx.api_version = scope.resource->ApiVersion();
  ctx.subresource = scope.subresource;
  ctx.has_status_subresource = scope.resource->has_status;
  ctx.now = NowRfc3339();
  return ctx;
}

std::string EncodeContinue(const std::string& ns, const std::string& name) {
  return absl::WebSafeBase64Escape(Value{{"ns", ns}, {"name", name}}.dump());
}

bool DecodeContinue(const std::string& token, std::string* ns, std::string* name) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return false;
  Value v = Value::parse(raw, nullptr, false);
  if (!v.is_object()) return false;
  *ns = v.value("ns", "");
  *name = v.value("name", "");
  return !name->empty();
}

}  // namespace

ObjectKey ObjectService::KeyOf(const RequestScope& scope) const {
  return {scope.resource->GroupResource(), scope.resource->namespaced ? scope.ns : "", scope.name};
}

ResourcePtr ObjectService::ResourceFor(const std::string& group_resource) const {
  size_t dot = group_resource.find('.');
  if (dot == std::string::npos) return registry_.FindAnyVersion("", group_resource);
  return registry_.FindAnyVersion(group_resource.substr(dot + 1), group_resource.substr(0, dot));
}

std::shared_ptr<const std::string> ObjectService::ForVersion(const ResourceInfo& r,
                                                             std::shared_ptr<const std::string> json) {
  if (!r.custom || json == nullptr) return json;
  std::string prefix = absl::StrCat("{\"apiVersion\":\"", r.ApiVersion(), "\"");
  if (absl::StartsWith(*json, prefix)) return json;
  auto parsed = object::ParseJson(*json);
  if (!parsed.ok()) return json;
  (*parsed)["apiVersion"] = r.ApiVersion();
  return std::make_shared<const std::string>(object::ToJson(*parsed));
}

absl::Status ObjectService::Bootstrap() {
  ResourcePtr crds = registry_.FindAnyVersion("apiextensions.k8s.io", "customresourcedefinitions");
  auto listed = store_.List(crds->GroupResource(), "");
  for (const auto& item : listed.items) {
    auto parsed = object::ParseJson(*item.object.json);
    if (!parsed.ok()) continue;
    registry_.SetCustom(item.name, ResourcesFromCrd(*parsed));
  }
  ResourcePtr ns = registry_.FindAnyVersion("", "namespaces");
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    if (store_.Get(ns->GroupResource(), "", name).has_value()) continue;
    RequestScope scope{ns, "", name, "", "dev-apiserver", false};
    Value body = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
    auto created = Create(scope, body);
    if (!created.ok()) return created.status();
  }
  if (absl::Status st = BootstrapRbac(); !st.ok()) return st;
  // Resume pending deletions (finalizer-held objects) after a restart.
  if (observer_ != nullptr) {
    for (const ResourcePtr& r : registry_.All()) {
      auto all = store_.List(r->GroupResource(), "", [](const std::string&, const std::string&, const StoredObject& o) {
        return o.json->find("\"deletionTimestamp\"") != std::string::npos;
      });
      for (const auto& item : all.items) observer_->OnTerminating({r->GroupResource(), item.ns, item.name});
    }
  }
  return absl::OkStatus();
}

absl::Status ObjectService::BootstrapRbac() {
  ResourcePtr roles = registry_.FindAnyVersion("rbac.authorization.k8s.io", "clusterroles");
  ResourcePtr bindings = registry_.FindAnyVersion("rbac.authorization.k8s.io", "clusterrolebindings");
  auto meta = [](const char* name) {
    return Value{{"name", name},
                 {"labels", {{"kubernetes.io/bootstrapping", "rbac-defaults"}}},
                 {"annotations", {{"rbac.authorization.kubernetes.io/autoupdate", "true"}}}};
  };
  Value all = {{"apiGroups", {"*"}}, {"resources", {"*"}}, {"verbs", {"*"}}};
  Value read = {{"apiGroups", {"*"}}, {"resources", {"*"}}, {"verbs", {"get", "list", "watch"}}};
  std::vector<std::pair<ResourcePtr, Value>> defaults = {
      {roles,
       {{"apiVersion", "rbac.authorization.k8s.io/v1"}, {"kind", "ClusterRole"}, {"metadata", meta("cluster-admin")},
        {"rules", Value::array({all, {{"nonResourceURLs", {"*"}}, {"verbs", {"*"}}}})}}},
      // Simplified: admin and edit grant everything where they are bound.
      {roles,
       {{"apiVersion", "rbac.authorization.k8s.io/v1"}, {"kind", "ClusterRole"}, {"metadata", meta("admin")},
        {"rules", Value::array({all})}}},
      {roles,
       {{"apiVersion", "rbac.authorization.k8s.io/v1"}, {"kind", "ClusterRole"}, {"metadata", meta("edit")},
        {"rules", Value::array({all})}}},
      {roles,
       {{"apiVersion", "rbac.authorization.k8s.io/v1"}, {"kind", "ClusterRole"}, {"metadata", meta("view")},
        {"rules", Value::array({read})}}},
      {bindings,
       {{"apiVersion", "rbac.authorization.k8s.io/v1"}, {"kind", "ClusterRoleBinding"},
        {"metadata", meta("cluster-admin")},
        {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", "cluster-admin"}}},
        {"subjects", Value::array({{{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Group"},
                                    {"name", "system:masters"}}})}}},
  };
  for (auto& [r, body] : defaults) {
    std::string name = body["metadata"]["name"].get<std::string>();
    if (store_.Get(r->GroupResource(), "", name).has_value()) continue;
    RequestScope scope{r, "", name, "", "dev-apiserver", false};
    auto created = Create(scope, body);
    if (!created.ok() && ReasonOf(created.status()) != "AlreadyExists") return created.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const std::string>> ObjectService::Get(const RequestScope& scope) {
  const ResourceInfo& r = *scope.resource;
  auto obj = store_.Get(r.GroupResource(), r.namespaced ? scope.ns : "", scope.name);
  if (!obj.has_value()) return NotFoundError(r, scope.name);
  return ForVersion(r, obj->json);
}

absl::StatusOr<ObjectService::ListResult> ObjectService::List(const RequestScope& scope, const ListOptions& options) {
  const ResourceInfo& r = *scope.resource;
  std::string after_ns, after_name;
  if (!options.continue_token.empty() && !DecodeContinue(options.continue_token, &after_ns, &after_name)) {
    return BadRequestError("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  }
  bool needs_object = false;
  for (const auto& term : options.fields.terms()) {
    if (term.field != "metadata.name" && term.field != "metadata.namespace") needs_object = true;
  }
  auto keep = [&](const std::string& ns, const std::string& name, const StoredObject& o) {
    if (!options.labels.Empty() && !options.labels.Matches(o.labels())) return false;
    if (options.fields.Empty()) return true;
    if (!needs_object) {
      // name/namespace come from the key: no parse needed.
      Value meta = {{"metadata", {{"name", name}, {"namespace", ns}}}};
      return options.fields.Matches(meta);
    }
    auto parsed = object::ParseJson(*o.json);
    return parsed.ok() && options.fields.Matches(*parsed);
  };
  bool more = false;
  // A name selector is a point lookup.
  const std::string* wanted_name = options.fields.RequiredValue("metadata.name");
  Store::ListResult listed;
  if (wanted_name != nullptr && !r.namespaced) {
    listed.rv = store_.CurrentRv();
    if (auto o = store_.Get(r.GroupResource(), "", *wanted_name); o.has_value() && keep("", *wanted_name, *o)) {
      listed.items.push_back({"", *wanted_name, *o});
    }
  } else if (wanted_name != nullptr && !scope.ns.empty()) {
    listed.rv = store_.CurrentRv();
    if (auto o = store_.Get(r.GroupResource(), scope.ns, *wanted_name);
        o.has_value() && keep(scope.ns, *wanted_name, *o)) {
      listed.items.push_back({scope.ns, *wanted_name, *o});
    }
  } else {
    listed = store_.List(r.GroupResource(), r.namespaced ? scope.ns : "", keep, options.limit, after_ns, after_name,
                         &more);
  }
  ListResult out;
  out.rv = listed.rv;
  for (const auto& item : listed.items) out.items.push_back(ForVersion(r, item.object.json));
  if (more && !listed.items.empty()) {
    out.continue_token = EncodeContinue(listed.items.back().ns, listed.items.back().name);
  }
  return out;
}

absl::StatusOr<Value> ObjectService::PrepareCreate(const RequestScope& scope, Value obj,
                                                   const Store::View& view) const {
  const ResourceInfo& r = *scope.resource;
  std::string name = object::GetString(obj, {"metadata", "name"});
  if (r.namespaced) {
    const StoredObject* ns = view.Get("namespaces", "", scope.ns);
    if (ns == nullptr) return NotFoundError("", "namespaces", scope.ns);
    if (ns->json->find("\"deletionTimestamp\"") != std::string::npos) {
      auto parsed = object::ParseJson(*ns->json);
      if (parsed.ok() && HasDeletionTimestamp(*parsed)) {
        return ForbiddenError(r, name,
                              absl::StrCat("unable to create new content in namespace ", scope.ns,
                                           " because it is being terminated"));
      }
    }
  }
  std::string now = NowRfc3339();
  Value& meta = obj["metadata"];
  meta["uid"] = NewUid();
  meta["creationTimestamp"] = now;
  for (const char* drop : {"deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion", "selfLink"}) {
    meta.erase(drop);
  }
  if (r.TracksGeneration()) {
    meta["generation"] = 1;
  } else {
    meta.erase("generation");
  }
  if (absl::Status st = PrepareForCreate(r, obj, now, scope.field_validation); !st.ok()) return st;
  return obj;
}

absl::StatusOr<WriteResult> ObjectService::Create(const RequestScope& in_scope, Value body) {
  RequestScope scope = in_scope;
  const ResourceInfo& r = *scope.resource;
  if (!scope.subresource.empty()) return MethodNotAllowedError();
  if (absl::Status st = CheckTypeMeta(body, r); !st.ok()) return st;
  if (absl::Status st = CheckNamespace(body, scope); !st.ok()) return st;
  Value& meta = body["metadata"];
  std::string name = meta.value("name", "");
  if (name.empty()) {
    std::string prefix = meta.value("generateName", "");
    if (prefix.empty()) {
      return InvalidError(r, "", {RequiredValue("metadata.name", "name or generateName is required")});
    }
    name = GenerateName(prefix);
    meta["name"] = name;
  }
  if (auto bad = ValidateName(r, name); bad.has_value()) {
    return InvalidError(r, name, {InvalidValue("metadata.name", name, *bad)});
  }
  if (r.namespaced) {
    if (auto bad = ValidateDnsLabel(scope.ns); bad.has_value()) {
      return InvalidError(r, name, {InvalidValue("metadata.namespace", scope.ns, *bad)});
    }
  }
  scope.name = name;
  std::string uid;
  auto outcome = store_.Mutate(
      KeyOf(scope),
      [&](const StoredObject* current, const Store::View& view) -> absl::StatusOr<Store::Mutation> {
        if (current != nullptr) return AlreadyExistsError(r, name);
        FLUX_ASSIGN_OR_RETURN(Value obj, PrepareCreate(scope, body, view));
        FieldManagerContext ctx = ManagerContext(scope);
        RecordUpdate(*scope.resource, nullptr, obj, ctx);
        uid = object::GetString(obj, {"metadata", "uid"});
        if (IsCrdResource(r) && !scope.dry_run) registry_.SetCustom(name, ResourcesFromCrd(obj));
        return Store::Mutation{Op::kPut, std::move(obj)};
      },
      scope.dry_run);
  if (!outcome.ok()) return outcome.status();
  return WriteResult{ForVersion(r, outcome->json), 201, false};
}

absl::StatusOr<Store::Mutation> ObjectService::PrepareUpdate(const RequestScope& scope, const Value& current,
                                                             Value proposed, bool check_rv,
                                                             bool record_update) const {
  const ResourceInfo& r = *scope.resource;
  const std::string current_rv = object::GetString(current, {"metadata", "resourceVersion"});
  if (check_rv) {
    std::string rv = object::GetString(proposed, {"metadata", "resourceVersion"});
    if (!rv.empty() && rv != current_rv) return ConflictError(r, scope.name, kModifiedMessage);
  }
  if (absl::Status st = ValidateMetadataMaps(proposed); !st.ok()) return st;
  Value obj;
  if (scope.subresource == "status") {
    obj = current;
    auto status = proposed.find("status");
    if (status != proposed.end() && !status->is_null()) {
      obj["status"] = *status;
    } else {
      obj.erase("status");
    }
  } else {
    obj = std::move(proposed);
    if (!obj.is_object()) return BadRequestError("the body of the request must be a JSON object");
    if (r.has_status) {
      if (auto status = current.find("status"); status != current.end()) {
        obj["status"] = *status;
      } else {
        obj.erase("status");
      }
    }
  }
  obj["apiVersion"] = r.ApiVersion();
  obj["kind"] = r.kind;
  Value& meta = object::Ensure(obj, {"metadata"});
  if (!meta.is_object()) meta = Value::object();
  const Value& cur_meta = current["metadata"];
  for (const char* keep : {"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                           "deletionGracePeriodSeconds", "generation"}) {
    if (auto it = cur_meta.find(keep); it != cur_meta.end()) {
      meta[keep] = *it;
    } else {
      meta.erase(keep);
    }
  }
  meta["resourceVersion"] = current_rv;
  std::string now = NowRfc3339();
  if (absl::Status st = PrepareForUpdate(r, current, obj, now, scope.field_validation); !st.ok()) return st;
  if (r.TracksGeneration() && SpecChanged(r, current, obj)) {
    obj["metadata"]["generation"] = object::GetInt(current, {"metadata", "generation"}, 0) + 1;
  }
  if (record_update) {
    FieldManagerContext ctx = ManagerContext(scope);
    RecordUpdate(*scope.resource, &current, obj, ctx);
  }
  if (HasDeletionTimestamp(current) && Finalizers(obj).empty() && !IsNamespaceResource(r)) {
    return Store::Mutation{Op::kDelete, std::move(obj)};
  }
  return Store::Mutation{Op::kPut, std::move(obj)};
}

void ObjectService::AfterCommit(const RequestScope& scope, const Store::Outcome& outcome, const std::string& uid) {
  if (!outcome.changed || scope.dry_run) return;
  const ResourceInfo& r = *scope.resource;
  ObjectKey key = KeyOf(scope);
  if (outcome.op == Op::kDelete) {
    if (IsCrdResource(r)) registry_.RemoveCustom(scope.name);
    if (observer_ != nullptr) observer_->OnDeleted(key, uid);
  } else if (outcome.op == Op::kPut && outcome.json != nullptr &&
             outcome.json->find("\"deletionTimestamp\"") != std::string::npos) {
    if (observer_ != nullptr) observer_->OnTerminating(key);
  }
}

namespace {

// Type meta and namespace must fit the resource; a missing metadata.name is
// taken from the URL, a different one is a BadRequest (PUT and apply bodies).
absl::Status CheckBodyIdentity(const RequestScope& scope, Value& body) {
  if (absl::Status st = CheckTypeMeta(body, *scope.resource); !st.ok()) return st;
  if (absl::Status st = CheckNamespace(body, scope); !st.ok()) return st;
  std::string name = object::GetString(body, {"metadata", "name"});
  if (name.empty()) {
    body["metadata"]["name"] = scope.name;
  } else if (name != scope.name) {
    return BadRequestError(
        absl::StrCat("the name of the object (", name, ") does not match the name on the URL (", scope.name, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<WriteResult> ObjectService::Update(const RequestScope& scope, Value body) {
  const ResourceInfo& r = *scope.resource;
  if (absl::Status st = CheckBodyIdentity(scope, body); !st.ok()) return st;
  std::string uid;
  auto outcome = store_.Mutate(
      KeyOf(scope),
      [&](const StoredObject* current, const Store::View&) -> absl::StatusOr<Store::Mutation> {
        if (current == nullptr) return NotFoundError(r, scope.name);
        FLUX_ASSIGN_OR_RETURN(Value cur, ParseStored(*current));
        uid = object::GetString(cur, {"metadata", "uid"});
        FLUX_ASSIGN_OR_RETURN(Store::Mutation m, PrepareUpdate(scope, cur, body, true, true));
        if (IsCrdResource(r) && m.op == Op::kPut && !scope.dry_run) {
          registry_.SetCustom(scope.name, ResourcesFromCrd(m.object));
        }
        return m;
      },
      scope.dry_run);
  if (!outcome.ok()) return outcome.status();
  AfterCommit(scope, *outcome, uid);
  return WriteResult{ForVersion(r, outcome->json), 200, outcome->op == Op::kDelete};
}

absl::StatusOr<WriteResult> ObjectService::Patch(const RequestScope& scope, PatchType type, const std::string& body,
                                                 bool force) {
  const ResourceInfo& r = *scope.resource;
  Value patch;
  if (type == PatchType::kApply) {
    auto parsed = object::ParseYaml(body);
    if (!parsed.ok()) return BadRequestError(absl::StrCat("error decoding YAML: ", parsed.status().message()));
    patch = std::move(*parsed);
    if (!patch.is_object()) return BadRequestError("the body of an apply patch must be an object");
    if (scope.field_manager.empty()) {
      return ApiError(422, "Invalid",
                      "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply "
                      "patch",
                      Value{{"kind", "PatchOptions"}, {"group", "meta.k8s.io"}});
    }
    if (!patch.contains("apiVersion") || !patch.contains("kind")) {
      return BadRequestError(
          "error decoding YAML: Object 'Kind' is missing in the apply configuration (apiVersion and kind are required)");
    }
    if (absl::Status st = CheckBodyIdentity(scope, patch); !st.ok()) return st;
  } else {
    auto parsed = object::ParseJson(body);
    if (!parsed.ok()) return BadRequestError(absl::StrCat("error decoding patch: ", parsed.status().message()));
    patch = std::move(*parsed);
    if (type == PatchType::kStrategic && r.custom) {
      return UnsupportedMediaTypeError(
          "the body of the request was in an unknown format - accepted media types include: "
          "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
    }
  }
  bool created = false;
  std::string uid;
  auto outcome = store_.Mutate(
      KeyOf(scope),
      [&](const StoredObject* current, const Store::View& view) -> absl::StatusOr<Store::Mutation> {
        FieldManagerContext ctx = ManagerContext(scope);
        if (current == nullptr) {
          if (type != PatchType::kApply || scope.subresource == "status") return NotFoundError(r, scope.name);
          FLUX_ASSIGN_OR_RETURN(Value applied, ServerSideApply(r, nullptr, patch, ctx, force));
          applied["apiVersion"] = r.ApiVersion();
          applied["kind"] = r.kind;
          applied["metadata"]["name"] = scope.name;
          if (r.namespaced) applied["metadata"]["namespace"] = scope.ns;
          if (auto bad = ValidateName(r, scope.name); bad.has_value()) {
            return InvalidError(r, scope.name, {InvalidValue("metadata.name", scope.name, *bad)});
          }
          FLUX_ASSIGN_OR_RETURN(Value obj, PrepareCreate(scope, std::move(applied), view));
          uid = object::GetString(obj, {"metadata", "uid"});
          if (IsCrdResource(r) && !scope.dry_run) registry_.SetCustom(scope.name, ResourcesFromCrd(obj));
          created = true;
          return Store::Mutation{Op::kPut, std::move(obj)};
        }
        FLUX_ASSIGN_OR_RETURN(Value cur, ParseStored(*current));
        uid = object::GetString(cur, {"metadata", "uid"});
        Value base = cur;
        base["apiVersion"] = r.ApiVersion();
        Value patched;
        bool record = true;
        switch (type) {
          case PatchType::kMerge:
            patched = apimachinery::ApplyMergePatch(base, patch);
            break;
          case PatchType::kJson: {
            auto result = apimachinery::ApplyJsonPatch(base, patch);
            if (!result.ok()) {
              if (result.status().code() == absl::StatusCode::kInvalidArgument) {
                return BadRequestError(result.status().message());
              }
              return ApiError(422, "Invalid", result.status().message());
            }
            patched = std::move(*result);
            break;
          }
          case PatchType::kStrategic: {
            auto result = apimachinery::ApplyStrategicMergePatch(base, patch);
            if (!result.ok()) return BadRequestError(result.status().message());
            patched = std::move(*result);
            break;
          }
          case PatchType::kApply: {
            FLUX_ASSIGN_OR_RETURN(patched, ServerSideApply(r, &base, patch, ctx, force));
            record = false;
            break;
          }
        }
        if (!patched.is_object()) return BadRequestError("the patch produced a non-object");
        FLUX_ASSIGN_OR_RETURN(Store::Mutation m, PrepareUpdate(scope, cur, std::move(patched), true, record));
        if (IsCrdResource(r) && m.op == Op::kPut && !scope.dry_run) {
          registry_.SetCustom(scope.name, ResourcesFromCrd(m.object));
        }
        return m;
      },
      scope.dry_run);
  if (!outcome.ok()) return outcome.status();
  AfterCommit(scope, *outcome, uid);
  return WriteResult{ForVersion(r, outcome->json), created ? 201 : 200, outcome->op == Op::kDelete};
}

absl::StatusOr<WriteResult> ObjectService::Delete(const RequestScope& scope, const DeleteOptions& options) {
  const ResourceInfo& r = *scope.resource;
  if (!scope.subresource.empty()) return MethodNotAllowedError();
  const std::string& policy = options.propagation_policy;
  if (!policy.empty() && policy != "Background" && policy != "Foreground" && policy != "Orphan") {
    return InvalidError(r, scope.name,
                        {{"FieldValueNotSupported",
                          absl::StrCat("Unsupported value: \"", policy,
                                       "\": supported values: \"Foreground\", \"Background\", \"Orphan\""),
                          "propagationPolicy"}});
  }
  std::string uid;
  auto outcome = store_.Mutate(
      KeyOf(scope),
      [&](const StoredObject* current, const Store::View&) -> absl::StatusOr<Store::Mutation> {
        if (current == nullptr) return NotFoundError(r, scope.name);
        FLUX_ASSIGN_OR_RETURN(Value cur, ParseStored(*current));
        uid = object::GetString(cur, {"metadata", "uid"});
        if (!options.precondition_uid.empty() && options.precondition_uid != uid) {
          return ConflictError(r, scope.name,
                               absl::StrCat("Precondition failed: UID in precondition: ", options.precondition_uid,
                                            ", UID in object meta: ", uid));
        }
        std::string rv = object::GetString(cur, {"metadata", "resourceVersion"});
        if (!options.precondition_rv.empty() && options.precondition_rv != rv) {
          return ConflictError(r, scope.name,
                               absl::StrCat("Precondition failed: ResourceVersion in precondition: ",
                                            options.precondition_rv, ", ResourceVersion in object meta: ", rv));
        }
        std::vector<std::string> finalizers = Finalizers(cur);
        auto add = [&](const std::string& f) {
          if (std::find(finalizers.begin(), finalizers.end(), f) == finalizers.end()) finalizers.push_back(f);
        };
        if (HasDeletionTimestamp(cur)) {
          // Already terminating: only a new propagation finalizer changes anything.
          size_t before = finalizers.size();
          if (policy == "Orphan") add("orphan");
          if (policy == "Foreground") add("foregroundDeletion");
          if (finalizers.size() == before) return Store::Mutation{Op::kNone, {}};
          Value obj = cur;
          obj["metadata"]["finalizers"] = finalizers;
          return Store::Mutation{Op::kPut, std::move(obj)};
        }
        if (policy == "Orphan") add("orphan");
        if (policy == "Foreground") add("foregroundDeletion");
        if (IsCrdResource(r)) add("customresourcecleanup.apiextensions.k8s.io");
        bool graceful = !finalizers.empty() || IsNamespaceResource(r);
        if (!graceful) return Store::Mutation{Op::kDelete, std::move(cur)};
        Value obj = cur;
        Value& meta = obj["metadata"];
        meta["deletionTimestamp"] = NowRfc3339();
        meta["deletionGracePeriodSeconds"] = 0;
        if (!finalizers.empty()) meta["finalizers"] = finalizers;
        if (r.TracksGeneration()) meta["generation"] = object::GetInt(cur, {"metadata", "generation"}, 0) + 1;
        if (IsNamespaceResource(r)) obj["status"] = {{"phase", "Terminating"}};
        return Store::Mutation{Op::kPut, std::move(obj)};
      },
      scope.dry_run);
  if (!outcome.ok()) return outcome.status();
  AfterCommit(scope, *outcome, uid);
  return WriteResult{ForVersion(r, outcome->json), 200, outcome->op == Op::kDelete};
}

absl::StatusOr<std::shared_ptr<const std::string>> ObjectService::GetScale(const RequestScope& scope) {
  FLUX_ASSIGN_OR_RETURN(auto json, Get(scope));
  FLUX_ASSIGN_OR_RETURN(Value obj, object::ParseJson(*json));
  return std::make_shared<const std::string>(object::ToJson(ScaleOf(*scope.resource, obj)));
}

absl::StatusOr<WriteResult> ObjectService::WriteScale(
    const RequestScope& in_scope, const std::function<absl::StatusOr<Value>(const Value&)>& next) {
  RequestScope scope = in_scope;
  scope.subresource = "";  // the write lands on the main resource
  const ResourceInfo& r = *scope.resource;
  std::string uid;
  auto outcome = store_.Mutate(
      KeyOf(scope),
      [&](const StoredObject* current, const Store::View&) -> absl::StatusOr<Store::Mutation> {
        if (current == nullptr) return NotFoundError(r, scope.name);
        FLUX_ASSIGN_OR_RETURN(Value cur, ParseStored(*current));
        uid = object::GetString(cur, {"metadata", "uid"});
        FLUX_ASSIGN_OR_RETURN(Value scale, next(ScaleOf(r, cur)));
        std::string rv = object::GetString(scale, {"metadata", "resourceVersion"});
        if (!rv.empty() && rv != object::GetString(cur, {"metadata", "resourceVersion"})) {
          return ConflictError(r, scope.name, kModifiedMessage);
        }
        Value obj = cur;
        FLUX_RETURN_IF_ERROR(ApplyScale(r, scale, obj));
        return PrepareUpdate(scope, cur, std::move(obj), false, true);
      },
      scope.dry_run);
  if (!outcome.ok()) return outcome.status();
  AfterCommit(scope, *outcome, uid);
  FLUX_ASSIGN_OR_RETURN(Value obj, object::ParseJson(*outcome->json));
  return WriteResult{std::make_shared<const std::string>(object::ToJson(ScaleOf(r, obj))), 200, false};
}

absl::StatusOr<WriteResult> ObjectService::UpdateScale(const RequestScope& scope, Value scale) {
  return WriteScale(scope, [&](const Value&) -> absl::StatusOr<Value> { return scale; });
}

absl::StatusOr<WriteResult> ObjectService::PatchScale(const RequestScope& scope, PatchType type,
                                                      const std::string& body) {
  auto patch = object::ParseJson(body);
  if (!patch.ok()) return BadRequestError(absl::StrCat("error decoding patch: ", patch.status().message()));
  return WriteScale(scope, [&](const Value& scale) -> absl::StatusOr<Value> {
    switch (type) {
      case PatchType::kJson: {
        auto out = apimachinery::ApplyJsonPatch(scale, *patch);
        if (!out.ok()) return ApiError(422, "Invalid", out.status().message());
        return out;
      }
      case PatchType::kStrategic:
      case PatchType::kMerge:
        return apimachinery::ApplyMergePatch(scale, *patch);
      case PatchType::kApply:
        break;
    }
    return UnsupportedMediaTypeError("apply patches are not supported on the scale subresource");
  });
}

absl::StatusOr<ObjectService::ListResult> ObjectService::DeleteCollection(const RequestScope& scope,
                                                                          const ListOptions& list,
                                                                          const DeleteOptions& options) {
  FLUX_ASSIGN_OR_RETURN(ListResult listed, List(scope, list));
  ListResult out;
  out.rv = listed.rv;
  for (const auto& json : listed.items) {
    auto parsed = object::ParseJson(*json);
    if (!parsed.ok()) continue;
    RequestScope one = scope;
    one.name = object::GetString(*parsed, {"metadata", "name"});
    one.ns = object::GetString(*parsed, {"metadata", "namespace"});
    auto deleted = Delete(one, options);
    if (deleted.ok()) {
      out.items.push_back(deleted->json);
    } else if (deleted.status().code() != absl::StatusCode::kNotFound) {
      return deleted.status();
    }
  }
  out.rv = store_.CurrentRv();
  return out;
}

absl::Status ObjectService::Modify(const ResourceInfo& resource, const std::string& ns, const std::string& name,
                                   const std::string& manager, const std::function<bool(Value&)>& edit,
                                   const std::string& subresource) {
  RequestScope scope;
  scope.subresource = subresource;
  scope.resource = registry_.FindByKind(resource.group, resource.version, resource.kind);
  if (scope.resource == nullptr) scope.resource = std::make_shared<const ResourceInfo>(resource);
  scope.ns = resource.namespaced ? ns : "";
  scope.name = name;
  scope.field_manager = manager;
  std::string uid;
  auto outcome = store_.Mutate(
      KeyOf(scope), [&](const StoredObject* current, const Store::View&) -> absl::StatusOr<Store::Mutation> {
        if (current == nullptr) return NotFoundError(resource, name);
        FLUX_ASSIGN_OR_RETURN(Value cur, ParseStored(*current));
        uid = object::GetString(cur, {"metadata", "uid"});
        Value edited = cur;
        if (!edit(edited)) return Store::Mutation{Op::kNone, {}};
        edited["metadata"]["resourceVersion"] = "";
        return PrepareUpdate(scope, cur, std::move(edited), false, true);
      });
  if (!outcome.ok()) return outcome.status();
  AfterCommit(scope, *outcome, uid);
  return absl::OkStatus();
}

absl::Status ObjectService::ForceRemove(const ResourceInfo& resource, const std::string& ns,
                                        const std::string& name) {
  RequestScope scope;
  scope.resource = std::make_shared<const ResourceInfo>(resource);
  scope.ns = resource.namespaced ? ns : "";
  scope.name = name;
  std::string uid;
  auto outcome = store_.Mutate(
      KeyOf(scope), [&](const StoredObject* current, const Store::View&) -> absl::StatusOr<Store::Mutation> {
        if (current == nullptr) return NotFoundError(resource, name);
        FLUX_ASSIGN_OR_RETURN(Value cur, ParseStored(*current));
        uid = object::GetString(cur, {"metadata", "uid"});
        return Store::Mutation{Op::kDelete, std::move(cur)};
      });
  if (!outcome.ok()) return outcome.status();
  AfterCommit(scope, *outcome, uid);
  return absl::OkStatus();
}

}  // namespace fluxcpp::devapiserver
