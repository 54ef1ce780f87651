#include "tools/dev-apiserver/table.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/apimachinery/human_duration.h"
#include "libs/apimachinery/jsonpath.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

struct Column {
  std::string name;
  std::string type;
  std::string format;
  std::string description;
  int priority = 0;
  // Computes the cell.
  std::function<Value(const Value&)> cell;
};

std::string Age(const Value& obj, std::chrono::system_clock::time_point now) {
  std::string ts = object::GetString(obj, {"metadata", "creationTimestamp"});
  if (ts.empty()) return "<unknown>";
  return apimachinery::AgeOf(ts, now);
}

size_t MapSize(const Value& obj, absl::string_view field) {
  auto it = obj.find(field);
  return it != obj.end() && it->is_object() ? it->size() : 0;
}

std::string Str(const Value& obj, std::initializer_list<std::string_view> path, std::string fallback = "<none>") {
  const Value* v = object::Find(obj, path);
  if (v == nullptr || v->is_null()) return fallback;
  if (v->is_string()) return v->get<std::string>().empty() ? fallback : v->get<std::string>();
  return v->dump();
}

int64_t Int(const Value& obj, std::initializer_list<std::string_view> path) { return object::GetInt(obj, path, 0); }

std::string ServicePorts(const Value& obj) {
  const Value* ports = object::Find(obj, {"spec", "ports"});
  if (ports == nullptr || !ports->is_array() || ports->empty()) return "<none>";
  std::vector<std::string> parts;
  for (const Value& p : *ports) {
    std::string s = absl::StrCat(p.value("port", 0));
    if (p.contains("nodePort")) absl::StrAppend(&s, ":", p.value("nodePort", 0));
    absl::StrAppend(&s, "/", p.value("protocol", "TCP"));
    parts.push_back(s);
  }
  return absl::StrJoin(parts, ",");
}

std::vector<Column> BuiltinColumns(const ResourceInfo& r, std::chrono::system_clock::time_point now) {
  std::vector<Column> cols;
  cols.push_back({"Name", "string", "name",
                  "Name must be unique within a namespace. Is required when creating resources, although some "
                  "resources may allow a client to request the generation of an appropriate name automatically.",
                  0, [](const Value& o) { return Value(object::GetString(o, {"metadata", "name"})); }});
  auto add = [&](std::string name, std::string type, std::function<Value(const Value&)> f, int priority = 0) {
    cols.push_back({std::move(name), std::move(type), "", "", priority, std::move(f)});
  };
  const std::string& p = r.plural;
  if (r.group.empty()) {
    if (p == "namespaces") {
      add("Status", "string", [](const Value& o) { return Value(Str(o, {"status", "phase"}, "")); });
    } else if (p == "configmaps") {
      add("Data", "integer", [](const Value& o) { return Value(MapSize(o, "data") + MapSize(o, "binaryData")); });
    } else if (p == "secrets") {
      add("Type", "string", [](const Value& o) { return Value(o.value("type", "")); });
      add("Data", "string", [](const Value& o) { return Value(MapSize(o, "data")); });
    } else if (p == "serviceaccounts") {
      add("Secrets", "string", [](const Value& o) {
        auto it = o.find("secrets");
        return Value(it != o.end() && it->is_array() ? it->size() : 0);
      });
    } else if (p == "services") {
      add("Type", "string", [](const Value& o) { return Value(Str(o, {"spec", "type"})); });
      add("Cluster-IP", "string", [](const Value& o) { return Value(Str(o, {"spec", "clusterIP"})); });
      add("External-IP", "string", [](const Value& o) {
        const Value* ext = object::Find(o, {"spec", "externalIPs"});
        if (ext != nullptr && ext->is_array() && !ext->empty()) return Value(ext->at(0));
        return Value("<none>");
      });
      add("Port(s)", "string", [](const Value& o) { return Value(ServicePorts(o)); });
    } else if (p == "pods") {
      add("Ready", "string", [](const Value& o) {
        const Value* cs = object::Find(o, {"status", "containerStatuses"});
        size_t ready = 0, total = 0;
        if (const Value* c = object::Find(o, {"spec", "containers"}); c != nullptr && c->is_array()) total = c->size();
        if (cs != nullptr && cs->is_array()) {
          for (const Value& s : *cs) ready += s.value("ready", false) ? 1 : 0;
        }
        return Value(absl::StrCat(ready, "/", total));
      });
      add("Status", "string", [](const Value& o) { return Value(Str(o, {"status", "phase"}, "Pending")); });
      add("Restarts", "string", [](const Value&) { return Value("0"); });
    } else if (p == "persistentvolumeclaims") {
      add("Status", "string", [](const Value& o) { return Value(Str(o, {"status", "phase"}, "Pending")); });
    } else if (p == "events") {
      add("Type", "string", [](const Value& o) { return Value(o.value("type", "")); });
      add("Reason", "string", [](const Value& o) { return Value(o.value("reason", "")); });
      add("Object", "string", [](const Value& o) {
        return Value(absl::StrCat(Str(o, {"involvedObject", "kind"}, ""), "/", Str(o, {"involvedObject", "name"}, "")));
      });
      add("Message", "string", [](const Value& o) { return Value(o.value("message", "")); });
    }
  } else if (r.group == "apps" && (p == "deployments" || p == "statefulsets" || p == "replicasets")) {
    add("Ready", "string", [](const Value& o) {
      return Value(absl::StrCat(Int(o, {"status", "readyReplicas"}), "/", object::GetInt(o, {"spec", "replicas"}, 1)));
    });
    if (p == "deployments") {
      add("Up-to-date", "integer", [](const Value& o) { return Value(Int(o, {"status", "updatedReplicas"})); });
      add("Available", "integer", [](const Value& o) { return Value(Int(o, {"status", "availableReplicas"})); });
    }
  } else if (r.group == "apps" && p == "daemonsets") {
    add("Desired", "integer", [](const Value& o) { return Value(Int(o, {"status", "desiredNumberScheduled"})); });
    add("Current", "integer", [](const Value& o) { return Value(Int(o, {"status", "currentNumberScheduled"})); });
    add("Ready", "integer", [](const Value& o) { return Value(Int(o, {"status", "numberReady"})); });
  } else if (r.group == "batch" && p == "jobs") {
    add("Completions", "string", [](const Value& o) {
      return Value(absl::StrCat(Int(o, {"status", "succeeded"}), "/", object::GetInt(o, {"spec", "completions"}, 1)));
    });
  } else if (r.group == "batch" && p == "cronjobs") {
    add("Schedule", "string", [](const Value& o) { return Value(Str(o, {"spec", "schedule"})); });
    add("Suspend", "boolean", [](const Value& o) { return Value(object::GetBool(o, {"spec", "suspend"}, false)); });
  } else if (r.group == "rbac.authorization.k8s.io" && (p == "rolebindings" || p == "clusterrolebindings")) {
    add("Role", "string", [](const Value& o) {
      return Value(absl::StrCat(Str(o, {"roleRef", "kind"}, ""), "/", Str(o, {"roleRef", "name"}, "")));
    });
  } else if (r.group == "apiextensions.k8s.io" && p == "customresourcedefinitions") {
    add("Created At", "date", [](const Value& o) { return Value(object::GetString(o, {"metadata", "creationTimestamp"})); });
    return cols;  // kubectl shows CREATED AT instead of AGE for CRDs
  } else if (r.group == "coordination.k8s.io" && p == "leases") {
    add("Holder", "string", [](const Value& o) { return Value(Str(o, {"spec", "holderIdentity"}, "")); });
  }
  add("Age", "string", [now](const Value& o) { return Value(Age(o, now)); });
  return cols;
}

Value EvalColumn(const PrinterColumn& col, const apimachinery::JsonPath* path, const Value& obj,
                 std::chrono::system_clock::time_point now) {
  if (path == nullptr) return nullptr;
  auto results = path->Evaluate(obj);
  if (results.empty() || results[0]->is_null()) return nullptr;
  const Value& v = *results[0];
  if (col.type == "date") {
    if (v.is_string()) return apimachinery::AgeOf(v.get<std::string>(), now);
    return nullptr;
  }
  if (col.type == "string") return apimachinery::JsonPathResultToString(v);
  if (col.type == "integer" && v.is_number()) return v.is_number_float() ? Value(static_cast<int64_t>(v.get<double>())) : v;
  return v;
}

std::vector<Column> CustomColumns(const ResourceInfo& r, std::chrono::system_clock::time_point now) {
  if (r.printer_columns.empty()) return BuiltinColumns(r, now);
  std::vector<Column> cols;
  cols.push_back({"Name", "string", "name", "Name must be unique within a namespace.", 0,
                  [](const Value& o) { return Value(object::GetString(o, {"metadata", "name"})); }});
  for (const PrinterColumn& pc : r.printer_columns) {
    auto parsed = apimachinery::JsonPath::Parse(pc.json_path);
    auto path = parsed.ok() ? std::make_shared<apimachinery::JsonPath>(std::move(*parsed)) : nullptr;
    PrinterColumn copy = pc;
    cols.push_back({pc.name, pc.type == "date" ? "date" : pc.type, pc.format, pc.description, pc.priority,
                    [copy, path, now](const Value& o) { return EvalColumn(copy, path.get(), o, now); }});
  }
  return cols;
}

Value PartialMetadata(const Value& obj) {
  Value meta = obj.contains("metadata") ? obj["metadata"] : Value::object();
  return {{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/v1"}, {"metadata", meta}};
}

}  // namespace

IncludeObject ParseIncludeObject(const std::string& value) {
  if (value == "None") return IncludeObject::kNone;
  if (value == "Object") return IncludeObject::kObject;
  return IncludeObject::kMetadata;
}

Value ToTable(const ResourceInfo& r, const std::vector<Value>& objects, IncludeObject include,
              const Value& list_metadata, std::chrono::system_clock::time_point now) {
  std::vector<Column> cols = r.custom ? CustomColumns(r, now) : BuiltinColumns(r, now);
  Value defs = Value::array();
  for (const Column& c : cols) {
    defs.push_back({{"name", c.name}, {"type", c.type}, {"format", c.format}, {"description", c.description},
                    {"priority", c.priority}});
  }
  Value rows = Value::array();
  for (const Value& obj : objects) {
    Value cells = Value::array();
    for (const Column& c : cols) cells.push_back(c.cell(obj));
    Value row = {{"cells", std::move(cells)}};
    if (include == IncludeObject::kMetadata) row["object"] = PartialMetadata(obj);
    if (include == IncludeObject::kObject) row["object"] = obj;
    rows.push_back(std::move(row));
  }
  return {{"kind", "Table"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", list_metadata.is_object() ? list_metadata : Value::object()},
          {"columnDefinitions", std::move(defs)},
          {"rows", std::move(rows)}};
}

}  // namespace fluxcpp::devapiserver
