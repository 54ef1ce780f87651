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
  std::map<std::string, const SchemaType*> roots;  // kind -> root type
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

// The strategic-merge facts kustomize's built-in schema (Kubernetes v1.21.2
// OpenAPI) has for the built-in kinds, as data: the fields whose Go types carry
// patchStrategy "merge" (with their patchMergeKey, or x-kubernetes-list-map-keys
// where the API lists several keys), and the object fields leading to them.
// Lists not named here are replaced whole by a patch (atomic), as kustomize
// does for e.g. Ingress rules/tls, NetworkPolicy ingress/egress, RBAC rules and
// subjects, HPA metrics, tolerations, Endpoints subsets.
//
//   Type.field  Other                 object field of type Other
//   Type.field  merge KEYS [Elem]     list merged by KEYS (k1,k2; "-" for a
//                                     list of scalars merged as a set),
//                                     elements of type Elem
//   Type.field  atomic [Elem]         list replaced whole, elements of type Elem
//   root Kind                         the kind's root type (named Kind); every
//                                     root has metadata: ObjectMeta
constexpr char kBuiltinMergeFacts[] = R"(
ObjectMeta.finalizers                       merge -
ObjectMeta.ownerReferences                  merge uid

Container.ports                             merge containerPort,protocol
Container.env                               merge name
Container.volumeMounts                      merge mountPath
Container.volumeDevices                     merge devicePath

PodSpec.containers                          merge name Container
PodSpec.initContainers                      merge name Container
PodSpec.ephemeralContainers                 merge name Container
PodSpec.volumes                             merge name
PodSpec.imagePullSecrets                    merge name
PodSpec.hostAliases                         merge ip
PodSpec.topologySpreadConstraints           merge topologyKey,whenUnsatisfiable
PodSpec.resourceClaims                      merge name
PodSpec.schedulingGates                     merge name
PodStatus.conditions                        merge type
PodStatus.podIPs                            merge ip
PodTemplateSpec.metadata                    ObjectMeta
PodTemplateSpec.spec                        PodSpec
root Pod
Pod.spec                                    PodSpec
Pod.status                                  PodStatus
root PodTemplate
PodTemplate.template                        PodTemplateSpec

root Deployment
Deployment.spec                             DeploymentSpec
Deployment.status                           DeploymentStatus
DeploymentSpec.template                     PodTemplateSpec
DeploymentStatus.conditions                 merge type
root StatefulSet
StatefulSet.spec                            StatefulSetSpec
StatefulSet.status                          StatefulSetStatus
StatefulSetSpec.template                    PodTemplateSpec
StatefulSetSpec.volumeClaimTemplates        atomic PersistentVolumeClaim
StatefulSetStatus.conditions                merge type
root DaemonSet
DaemonSet.spec                              DaemonSetSpec
DaemonSet.status                            DaemonSetStatus
DaemonSetSpec.template                      PodTemplateSpec
DaemonSetStatus.conditions                  merge type
root ReplicaSet
ReplicaSet.spec                             ReplicaSetSpec
ReplicaSet.status                           ReplicaSetStatus
ReplicaSetSpec.template                     PodTemplateSpec
ReplicaSetStatus.conditions                 merge type
root ReplicationController
ReplicationController.spec                  ReplicationControllerSpec
ReplicationController.status                ReplicationControllerStatus
ReplicationControllerSpec.template          PodTemplateSpec
ReplicationControllerStatus.conditions      merge type

root Job
Job.spec                                    JobSpec
Job.status                                  JobStatus
JobSpec.template                            PodTemplateSpec
JobStatus.conditions                        merge type
JobTemplateSpec.metadata                    ObjectMeta
JobTemplateSpec.spec                        JobSpec
root CronJob
CronJob.spec                                CronJobSpec
CronJobSpec.jobTemplate                     JobTemplateSpec

root Service
Service.spec                                ServiceSpec
Service.status                              ServiceStatus
ServiceSpec.ports                           merge port,protocol
ServiceStatus.conditions                    merge type
root ServiceAccount
ServiceAccount.secrets                      merge name
root PersistentVolumeClaim
PersistentVolumeClaim.status                PersistentVolumeClaimStatus
PersistentVolumeClaimStatus.conditions      merge type
root Namespace
Namespace.status                            NamespaceStatus
NamespaceStatus.conditions                  merge type
root Node
Node.spec                                   NodeSpec
Node.status                                 NodeStatus
NodeSpec.podCIDRs                           merge -
NodeStatus.conditions                       merge type
NodeStatus.addresses                        merge type
root ComponentStatus
ComponentStatus.conditions                  merge type

root PodDisruptionBudget
PodDisruptionBudget.status                  PodDisruptionBudgetStatus
PodDisruptionBudgetStatus.conditions        merge type
root APIService
APIService.status                           APIServiceStatus
APIServiceStatus.conditions                 merge type
root ValidatingWebhookConfiguration
ValidatingWebhookConfiguration.webhooks     merge name
root MutatingWebhookConfiguration
MutatingWebhookConfiguration.webhooks       merge name
)";

std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == ' ' || c == '\t') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::vector<std::string> Keys(const std::string& list) {
  std::vector<std::string> out;
  if (list == "-") return out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// Parses kBuiltinMergeFacts (a constant: the schema tests cover every line).
Registry* Build() {
  auto* reg = new Registry();
  SchemaType* meta = reg->Get("ObjectMeta");
  const std::string facts = kBuiltinMergeFacts;
  size_t pos = 0;
  while (pos < facts.size()) {
    size_t nl = facts.find('\n', pos);
    if (nl == std::string::npos) nl = facts.size();
    std::vector<std::string> w = Words(facts.substr(pos, nl - pos));
    pos = nl + 1;
    if (w.size() < 2) continue;
    if (w[0] == "root") {
      reg->roots[w[1]] = reg->Get(w[1]);
      continue;
    }
    size_t dot = w[0].find('.');
    SchemaType* type = reg->Get(w[0].substr(0, dot));
    SchemaRef ref;
    if (w[1] == "merge" && w.size() > 2) {
      ref.merge_list = true;
      ref.keys = Keys(w[2]);
      if (w.size() > 3) ref.element = reg->Get(w[3]);
    } else if (w[1] == "atomic") {
      if (w.size() > 2) ref.element = reg->Get(w[2]);
    } else {
      ref.type = reg->Get(w[1]);
    }
    type->fields.emplace_back(w[0].substr(dot + 1), std::move(ref));
  }
  // Resource types (roots, and e.g. volumeClaimTemplates' PersistentVolumeClaim)
  // carry metadata.
  for (auto& [name, type] : reg->types) {
    if (reg->roots.count(name) != 0 && type->Field("metadata") == nullptr) {
      type->fields.insert(type->fields.begin(), {"metadata", Obj(meta)});
    }
  }
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
  auto it = reg.roots.find(kind);
  if (it != reg.roots.end()) return it->second;
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
