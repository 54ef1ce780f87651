#include "libs/kube/client.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/kube/errors.h"
#include "libs/kube/resource_path.h"
#include "libs/kube/rest_mapper.h"
#include "libs/kube/string_view_compat.h"
#include "libs/kube/transport.h"
#include "libs/kube/watch_decoder.h"

namespace fluxcpp::kube {

GroupVersionKind GroupVersionKind::FromApiVersion(std::string_view api_version, std::string_view kind) {
  GroupVersionKind gvk;
  size_t slash = api_version.find('/');
  if (slash == std::string_view::npos) {
    gvk.version = std::string(api_version);
  } else {
    gvk.group = std::string(api_version.substr(0, slash));
    gvk.version = std::string(api_version.substr(slash + 1));
  }
  gvk.kind = std::string(kind);
  return gvk;
}

GroupVersionKind GroupVersionKind::Of(const object::Value& obj) {
  return FromApiVersion(object::GetString(obj, {"apiVersion"}), object::GetString(obj, {"kind"}));
}

std::string ObjectKey(const object::Value& obj) {
  std::string ns = object::GetString(obj, {"metadata", "namespace"});
  std::string name = object::GetString(obj, {"metadata", "name"});
  return ns.empty() ? name : absl::StrCat(ns, "/", name);
}

namespace {

constexpr absl::Duration kDefaultWatchIdle = absl::Seconds(300);

std::string_view PatchContentType(PatchType type) {
  switch (type) {
    case PatchType::kMerge: return "application/merge-patch+json";
    case PatchType::kJson: return "application/json-patch+json";
    case PatchType::kStrategicMerge: return "application/strategic-merge-patch+json";
    case PatchType::kApply: return "application/apply-patch+yaml";
  }
  return "application/merge-patch+json";
}

absl::StatusOr<object::Value> ParseObject(const std::string& body, std::string_view what) {
  auto parsed = object::ParseJson(body);
  if (!parsed.ok()) return absl::InternalError(absl::StrCat("decoding the response to ", ToAbsl(what), ": ", parsed.status().message()));
  return std::move(*parsed);
}

// The API server omits apiVersion/kind on the items of built-in lists and
// on some watch objects; callers get them filled in.
void FillTypeMeta(object::Value& obj, const GroupVersionKind& gvk) {
  if (!obj.is_object()) return;
  if (!obj.contains("apiVersion")) obj["apiVersion"] = gvk.ApiVersion();
  if (!obj.contains("kind")) obj["kind"] = gvk.kind;
}

class RestClient final : public Client {
 public:
  RestClient(std::shared_ptr<Transport> transport, std::shared_ptr<RestMapper> mapper, Identity identity)
      : transport_(std::move(transport)), mapper_(std::move(mapper)), identity_(std::move(identity)) {}

  std::unique_ptr<Client> Impersonate(const std::string& user,
                                      const std::vector<std::string>& groups) const override {
    return std::make_unique<RestClient>(transport_, mapper_, Identity{user, groups});
  }

  absl::StatusOr<ResourceMapping> Mapping(const GroupVersionKind& gvk) override { return mapper_->Mapping(gvk); }

  absl::StatusOr<object::Value> Get(const GroupVersionKind& gvk, const std::string& ns,
                                    const std::string& name) override {
    FLUX_ASSIGN_OR_RETURN(ResourceMapping m, Mapping(gvk));
    FLUX_ASSIGN_OR_RETURN(std::string path, ObjectPath(m, ns, name, ""));
    FLUX_ASSIGN_OR_RETURN(std::string body, Send("GET", path, "", ""));
    return ParseObject(body, "get");
  }

  absl::StatusOr<object::Value> List(const GroupVersionKind& gvk, const std::string& ns,
                                     const ListOptions& options) override {
    FLUX_ASSIGN_OR_RETURN(ResourceMapping m, Mapping(gvk));
    Query query;
    query.Add("labelSelector", options.label_selector)
        .Add("fieldSelector", options.field_selector)
        .AddInt("limit", options.limit)
        .Add("continue", options.continue_token)
        .Add("resourceVersion", options.resource_version);
    FLUX_ASSIGN_OR_RETURN(std::string body, Send("GET", ResourcePath(m, ns) + query.Encode(), "", ""));
    FLUX_ASSIGN_OR_RETURN(object::Value list, ParseObject(body, "list"));
    if (auto it = list.find("items"); it != list.end() && it->is_array()) {
      for (auto& item : *it) FillTypeMeta(item, m.gvk);
    } else if (list.is_object()) {
      list["items"] = object::Value::array();
    }
    return list;
  }

  absl::StatusOr<object::Value> Create(const object::Value& obj, const WriteOptions& options) override {
    GroupVersionKind gvk = GroupVersionKind::Of(obj);
    FLUX_ASSIGN_OR_RETURN(ResourceMapping m, Mapping(gvk));
    std::string ns = object::GetString(obj, {"metadata", "namespace"});
    FLUX_RETURN_IF_ERROR(CheckNamespace(m, ns, ObjectKey(obj)));
    std::string path = ResourcePath(m, ns) + WriteQuery(options).Encode();
    FLUX_ASSIGN_OR_RETURN(std::string body, Send("POST", path, object::ToJson(obj), "application/json"));
    return ParseObject(body, "create");
  }

  absl::StatusOr<object::Value> Update(const object::Value& obj, const WriteOptions& options) override {
    return Put(obj, options, "");
  }

  absl::StatusOr<object::Value> CreateSubresource(const GroupVersionKind& gvk, const std::string& ns,
                                                  const std::string& name, const std::string& subresource,
                                                  const object::Value& body) override {
    FLUX_ASSIGN_OR_RETURN(ResourceMapping m, Mapping(gvk));
    FLUX_ASSIGN_OR_RETURN(std::string path, ObjectPath(m, ns, name, subresource));
    FLUX_ASSIGN_OR_RETURN(std::string response, Send("POST", path, object::ToJson(body), "application/json"));
    return ParseObject(response, "create");
  }

  absl::StatusOr<object::Value> UpdateStatus(const object::Value& obj, const WriteOptions& options) override {
    return Put(obj, options, "status");
  }

  absl::StatusOr<object::Value> Patch(const GroupVersionKind& gvk, const std::string& ns, const std::string& name,
                                      PatchType type, const object::Value& patch, const WriteOptions& options,
                                      const std::string& subresource) override {
    if (type == PatchType::kApply && options.field_manager.empty()) {
      return absl::InvalidArgumentError("apply patches require a field manager");
    }
    return DoPatch(gvk, ns, name, type, object::ToJson(patch), WriteQuery(options), subresource);
  }

  absl::StatusOr<object::Value> Apply(const object::Value& obj, const ApplyOptions& options) override {
    return DoApply(obj, options, "");
  }

  absl::StatusOr<object::Value> ApplyStatus(const object::Value& obj, const ApplyOptions& options) override {
    return DoApply(obj, options, "status");
  }

  absl::Status Delete(const GroupVersionKind& gvk, const std::string& ns, const std::string& name,
                      PropagationPolicy policy, bool dry_run) override {
    FLUX_ASSIGN_OR_RETURN(ResourceMapping m, Mapping(gvk));
    FLUX_ASSIGN_OR_RETURN(std::string path, ObjectPath(m, ns, name, ""));
    Query query;
    if (dry_run) query.Add("dryRun", "All");
    std::string body;
    if (policy != PropagationPolicy::kDefault || dry_run) {
      object::Value options = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
      switch (policy) {
        case PropagationPolicy::kBackground: options["propagationPolicy"] = "Background"; break;
        case PropagationPolicy::kForeground: options["propagationPolicy"] = "Foreground"; break;
        case PropagationPolicy::kOrphan: options["propagationPolicy"] = "Orphan"; break;
        case PropagationPolicy::kDefault: break;
      }
      if (dry_run) options["dryRun"] = object::Value::array({"All"});
      body = object::ToJson(options);
    }
    return Send("DELETE", path + query.Encode(), body, "application/json").status();
  }

  absl::Status Watch(const GroupVersionKind& gvk, const std::string& ns, const WatchOptions& options,
                     const std::function<bool(const WatchEvent&)>& on_event, const StopToken* stop) override {
    FLUX_ASSIGN_OR_RETURN(ResourceMapping m, Mapping(gvk));
    absl::Duration idle = kDefaultWatchIdle;
    if (options.idle_timeout_seconds > 0) {
      idle = absl::Seconds(options.idle_timeout_seconds);
    } else if (options.timeout_seconds > 0) {
      idle = absl::Seconds(options.timeout_seconds + 30);
    }
    std::string resource_version = options.resource_version;
    for (;;) {
      Query query;
      query.Add("watch", "true")
          .Add("labelSelector", options.label_selector)
          .Add("fieldSelector", options.field_selector)
          .Add("resourceVersion", resource_version)
          .AddBool("allowWatchBookmarks", options.allow_bookmarks)
          .AddInt("timeoutSeconds", options.timeout_seconds);
      WatchDecoder decoder;
      absl::Status event_error;  // an ERROR event, or a malformed stream
      bool consumer_done = false;
      auto sink = [&](WatchEvent event) {
        if (event.type == "ERROR") {
          event_error = StatusFromApiStatus(event.object);
          return false;
        }
        FillTypeMeta(event.object, m.gvk);
        std::string rv = object::GetString(event.object, {"metadata", "resourceVersion"});
        if (!rv.empty()) resource_version = rv;
        if (!on_event(event)) {
          consumer_done = true;
          return false;
        }
        return true;
      };
      auto on_data = [&](std::string_view chunk) {
        absl::Status s = decoder.Feed(chunk, sink);
        if (!s.ok() && event_error.ok() && !consumer_done) event_error = s;
        return s.ok() && (stop == nullptr || !stop->stopped());
      };
      HttpRequest request{"GET", ResourcePath(m, ns) + query.Encode(), "", ""};
      auto end = transport_->Stream(request, identity_, idle, stop, on_data);
      if (!event_error.ok()) return event_error;
      if (consumer_done) return absl::OkStatus();
      if (!end.ok()) return end.status();
      switch (*end) {
        case Transport::StreamEnd::kStopped:
          return absl::OkStatus();
        case Transport::StreamEnd::kEof: {
          absl::Status s = decoder.Finish(sink);
          if (!event_error.ok()) return event_error;
          if (!s.ok() && !consumer_done) return s;
          return absl::OkStatus();
        }
        case Transport::StreamEnd::kIdle:
          // A silent stream may be a dead connection: resume where we were.
          // Without a resourceVersion a reopened watch could miss changes, so
          // the caller relists instead.
          if (resource_version.empty()) return absl::OkStatus();
          continue;
      }
    }
  }

  absl::StatusOr<std::string> RawGet(const std::string& path) override { return Send("GET", path, "", ""); }

 private:
  absl::StatusOr<std::string> Send(std::string method, std::string path, std::string body, std::string content_type) {
    return transport_->Do(HttpRequest{std::move(method), std::move(path), std::move(body), std::move(content_type)},
                          identity_);
  }

  static absl::Status CheckNamespace(const ResourceMapping& m, const std::string& ns, const std::string& what) {
    if (m.namespaced && ns.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("a namespace is required for ", m.gvk.kind, " \"", what, "\" (", m.gvk.ApiVersion(), ")"));
    }
    return absl::OkStatus();
  }

  static absl::StatusOr<std::string> ObjectPath(const ResourceMapping& m, const std::string& ns,
                                                const std::string& name, const std::string& subresource) {
    if (name.empty()) return absl::InvalidArgumentError(absl::StrCat("a name is required for ", m.gvk.kind));
    FLUX_RETURN_IF_ERROR(CheckNamespace(m, ns, name));
    return ResourcePath(m, ns, name, subresource);
  }

  static Query WriteQuery(const WriteOptions& options) {
    Query query;
    query.Add("fieldManager", options.field_manager);
    if (options.dry_run) query.Add("dryRun", "All");
    return query;
  }

  absl::StatusOr<object::Value> Put(const object::Value& obj, const WriteOptions& options,
                                    const std::string& subresource) {
    FLUX_ASSIGN_OR_RETURN(ResourceMapping m, Mapping(GroupVersionKind::Of(obj)));
    std::string ns = object::GetString(obj, {"metadata", "namespace"});
    FLUX_ASSIGN_OR_RETURN(std::string path, ObjectPath(m, ns, object::GetString(obj, {"metadata", "name"}), subresource));
    FLUX_ASSIGN_OR_RETURN(std::string body, Send("PUT", path + WriteQuery(options).Encode(), object::ToJson(obj),
                                                 "application/json"));
    return ParseObject(body, subresource.empty() ? "update" : "update status");
  }

  absl::StatusOr<object::Value> DoPatch(const GroupVersionKind& gvk, const std::string& ns, const std::string& name,
                                        PatchType type, std::string body, const Query& query,
                                        const std::string& subresource) {
    FLUX_ASSIGN_OR_RETURN(ResourceMapping m, Mapping(gvk));
    FLUX_ASSIGN_OR_RETURN(std::string path, ObjectPath(m, ns, name, subresource));
    FLUX_ASSIGN_OR_RETURN(std::string response, Send("PATCH", path + query.Encode(), std::move(body),
                                                     std::string(PatchContentType(type))));
    return ParseObject(response, "patch");
  }

  absl::StatusOr<object::Value> DoApply(const object::Value& obj, const ApplyOptions& options,
                                        const std::string& subresource) {
    if (options.field_manager.empty()) return absl::InvalidArgumentError("server-side apply requires a field manager");
    Query query;
    query.Add("fieldManager", options.field_manager).AddBool("force", options.force);
    if (options.dry_run) query.Add("dryRun", "All");
    // JSON is valid YAML, so the apply body is the object's JSON.
    return DoPatch(GroupVersionKind::Of(obj), object::GetString(obj, {"metadata", "namespace"}),
                   object::GetString(obj, {"metadata", "name"}), PatchType::kApply, object::ToJson(obj), query,
                   subresource);
  }

  std::shared_ptr<Transport> transport_;
  std::shared_ptr<RestMapper> mapper_;
  Identity identity_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Client>> Client::Create(const Config& config) {
  FLUX_ASSIGN_OR_RETURN(std::shared_ptr<Transport> transport, Transport::Create(config));
  // Discovery acts as the configured identity, whoever later impersonates.
  Identity identity = transport->default_identity();
  auto mapper = std::make_shared<RestMapper>([transport_ptr = transport.get(), identity](const std::string& path) {
    return transport_ptr->Do(HttpRequest{"GET", path, "", ""}, identity);
  });
  return std::unique_ptr<Client>(std::make_unique<RestClient>(std::move(transport), std::move(mapper), identity));
}

}  // namespace fluxcpp::kube
