#include "libs/kustomize/merge_schema.h"

#include <functional>
#include <map>
#include <memory>

namespace fluxcpp::kustomize {

const SchemaRef* SchemaType::Field(const std::string& n) const {
  for (const auto& [k, v] : fields) {
    if (k == n) return &v;
  }
  return nullptr;
}

namespace {

struct Registry {
  std::map<std::string, std::unique_ptr<SchemaType>> types;
  SchemaType* Get(const std::string& name) {
    auto& t = types[name];
    if (!t) {
      t = std::make_unique<SchemaType>();
      t->name = name;
    }
    return t.get();
  }
};

SchemaRef Obj(const SchemaType* t) {
  SchemaRef r;
  r.type = t;
  return r;
}
SchemaRef MergeList(const SchemaType* element, std::vector<std::string> keys) {
  SchemaRef r;
  r.merge_list = true;
  r.keys = std::move(keys);
  r.element = element;
  return r;
}
SchemaRef AtomicList(const SchemaType* element) {
  SchemaRef r;
  r.element = element;
  return r;
}

Registry* Build() {
  auto* reg = new Registry();
  SchemaType* meta = reg->Get("ObjectMeta");
  meta->fields = {{"finalizers", MergeList(nullptr, {})}, {"ownerReferences", MergeList(nullptr, {"uid"})}};

  SchemaType* container = reg->Get("Container");
  container->fields = {{"ports", MergeList(nullptr, {"containerPort", "protocol"})},
                       {"env", MergeList(nullptr, {"name"})},
                       {"volumeMounts", MergeList(nullptr, {"mountPath"})},
                       {"volumeDevices", MergeList(nullptr, {"devicePath"})}};

  SchemaType* pod_spec = reg->Get("PodSpec");
  pod_spec->fields = {{"containers", MergeList(container, {"name"})},
                      {"initContainers", MergeList(container, {"name"})},
                      {"ephemeralContainers", MergeList(container, {"name"})},
                      {"volumes", MergeList(nullptr, {"name"})},
                      {"imagePullSecrets", MergeList(nullptr, {"name"})},
                      {"hostAliases", MergeList(nullptr, {"ip"})},
                      {"topologySpreadConstraints", MergeList(nullptr, {"topologyKey", "whenUnsatisfiable"})},
                      {"resourceClaims", MergeList(nullptr, {"name"})},
                      {"schedulingGates", MergeList(nullptr, {"name"})}};

  SchemaType* template_spec = reg->Get("PodTemplateSpec");
  template_spec->fields = {{"metadata", Obj(meta)}, {"spec", Obj(pod_spec)}};

  auto workload = [&](const std::string& name) {
    SchemaType* spec = reg->Get(name + "Spec");
    spec->fields = {{"template", Obj(template_spec)}};
    if (name == "StatefulSet") {
      SchemaType* pvc = reg->Get("PersistentVolumeClaim");
      pvc->fields = {{"metadata", Obj(meta)}};
      spec->fields.push_back({"volumeClaimTemplates", AtomicList(pvc)});
    }
    SchemaType* root = reg->Get(name);
    root->fields = {{"metadata", Obj(meta)}, {"spec", Obj(spec)}};
  };
  for (const char* w : {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}) {
    workload(w);
  }
  SchemaType* job_template = reg->Get("JobTemplateSpec");
  job_template->fields = {{"metadata", Obj(meta)}, {"spec", Obj(reg->Get("JobSpec"))}};
  SchemaType* cron_spec = reg->Get("CronJobSpec");
  cron_spec->fields = {{"jobTemplate", Obj(job_template)}};
  reg->Get("CronJob")->fields = {{"metadata", Obj(meta)}, {"spec", Obj(cron_spec)}};
  reg->Get("Pod")->fields = {{"metadata", Obj(meta)}, {"spec", Obj(pod_spec)}};
  reg->Get("PodTemplate")->fields = {{"metadata", Obj(meta)}, {"template", Obj(template_spec)}};
  SchemaType* service_spec = reg->Get("ServiceSpec");
  service_spec->fields = {{"ports", MergeList(nullptr, {"port", "protocol"})}};
  reg->Get("Service")->fields = {{"metadata", Obj(meta)}, {"spec", Obj(service_spec)}};
  return reg;
}

const Registry& Reg() {
  static const Registry* r = Build();
  return *r;
}

// Built-in kinds with only metadata-level merge facts.
bool IsBuiltinGroup(const std::string& api_version) {
  size_t slash = api_version.find('/');
  if (slash == std::string::npos) return api_version == "v1";
  std::string group = api_version.substr(0, slash);
  return group == "apps" || group == "batch" || group == "extensions" || group == "policy" ||
         group.find(".k8s.io") != std::string::npos || group == "autoscaling";
}

}  // namespace

namespace {
thread_local OpenApiState* current_state = nullptr;

std::string RefName(const std::string& ref) {
  const std::string prefix = "#/definitions/";
  return ref.rfind(prefix, 0) == 0 ? ref.substr(prefix.size()) : ref;
}
}  // namespace

ScopedOpenApiState::ScopedOpenApiState(OpenApiState* state) : prev_(current_state) { current_state = state; }
ScopedOpenApiState::~ScopedOpenApiState() { current_state = prev_; }
OpenApiState* CurrentOpenApiState() { return current_state; }

absl::StatusOr<std::shared_ptr<const CustomSchema>> CustomSchema::Parse(const object::Value& doc) {
  auto schema = std::make_shared<CustomSchema>();
  const object::Value* defs = object::Find(doc, {"definitions"});
  if (defs == nullptr || !defs->is_object()) return schema;
  auto get = [&](const std::string& name) -> SchemaType* {
    auto& t = schema->types_[name];
    if (!t) {
      t = std::make_unique<SchemaType>();
      t->name = name;
    }
    return t.get();
  };
  // Fills `type` from an OpenAPI object schema (properties inline or by $ref).
  std::function<void(SchemaType*, const object::Value&, int)> fill;
  auto type_of = [&](const object::Value& s, const std::string& anon, int depth) -> const SchemaType* {
    if (std::string ref = object::GetString(s, {"$ref"}); !ref.empty()) {
      std::string name = RefName(ref);
      if (defs->contains(name)) return get(name);
      // Definitions the document lacks come from the built-in Kubernetes
      // schema (kyaml layers a custom schema over it).
      const Registry& builtin = Reg();
      size_t dot = name.rfind('.');
      auto it = builtin.types.find(dot == std::string::npos ? name : name.substr(dot + 1));
      return it == builtin.types.end() ? nullptr : it->second.get();
    }
    if (const object::Value* props = object::Find(s, {"properties"}); props != nullptr && props->is_object()) {
      SchemaType* t = get(anon);
      fill(t, s, depth + 1);
      return t;
    }
    return nullptr;
  };
  fill = [&](SchemaType* type, const object::Value& s, int depth) {
    if (depth > 32) return;
    const object::Value* props = object::Find(s, {"properties"});
    if (props == nullptr || !props->is_object()) return;
    type->fields.clear();
    for (const auto& [name, prop] : props->items()) {
      SchemaRef ref;
      std::string anon = type->name + "/" + name;
      if (object::GetString(prop, {"type"}) == "array") {
        if (const object::Value* items = object::Find(prop, {"items"})) ref.element = type_of(*items, anon, depth);
        ref.merge_list = object::GetString(prop, {"x-kubernetes-patch-strategy"}).find("merge") != std::string::npos;
        if (const object::Value* keys = object::Find(prop, {"x-kubernetes-list-map-keys"});
            keys != nullptr && keys->is_array()) {
          for (const object::Value& k : *keys) {
            if (k.is_string()) ref.keys.push_back(k.get<std::string>());
          }
        } else if (std::string key = object::GetString(prop, {"x-kubernetes-patch-merge-key"}); !key.empty()) {
          ref.keys.push_back(key);
        }
      } else {
        ref.type = type_of(prop, anon, depth);
      }
      type->fields.emplace_back(name, std::move(ref));
    }
  };
  for (const auto& [name, def] : defs->items()) {
    SchemaType* t = get(name);
    fill(t, def, 0);
    if (const object::Value* gvks = object::Find(def, {"x-kubernetes-group-version-kind"}); gvks != nullptr && gvks->is_array()) {
      for (const object::Value& g : *gvks) {
        schema->kinds_[object::GetString(g, {"group"}) + "/" + object::GetString(g, {"version"}) + "/" +
                       object::GetString(g, {"kind"})] = t;
      }
    }
  }
  return std::shared_ptr<const CustomSchema>(std::move(schema));
}

const SchemaType* CustomSchema::ForKind(const std::string& api_version, const std::string& kind) const {
  std::string group, version;
  size_t slash = api_version.rfind('/');
  if (slash != std::string::npos) {
    group = api_version.substr(0, slash);
    version = api_version.substr(slash + 1);
  } else {
    version = api_version;
  }
  auto it = kinds_.find(group + "/" + version + "/" + kind);
  return it == kinds_.end() ? nullptr : it->second;
}

const SchemaType* SchemaForKind(const std::string& api_version, const std::string& kind) {
  if (current_state != nullptr && current_state->custom) {
    if (const SchemaType* t = current_state->custom->ForKind(api_version, kind)) return t;
  }
  if (!IsBuiltinGroup(api_version)) return nullptr;
  const Registry& reg = Reg();
  static const std::map<std::string, std::string> kRoots = {
      {"Deployment", "Deployment"}, {"StatefulSet", "StatefulSet"}, {"DaemonSet", "DaemonSet"},
      {"ReplicaSet", "ReplicaSet"}, {"ReplicationController", "ReplicationController"},
      {"Job", "Job"}, {"CronJob", "CronJob"}, {"Pod", "Pod"}, {"PodTemplate", "PodTemplate"},
      {"Service", "Service"}};
  auto it = kRoots.find(kind);
  if (it != kRoots.end()) return reg.types.at(it->second).get();
  static SchemaType* generic = [] {
    auto* t = new SchemaType();
    t->name = "Object";
    t->fields = {{"metadata", Obj(nullptr)}};
    return t;
  }();
  generic->fields[0].second.type = reg.types.at("ObjectMeta").get();
  return generic;
}

}  // namespace fluxcpp::kustomize
