#pragma once
// Public API of the CEL engine: compile once, evaluate many times.
//
//   FLUX_ASSIGN_OR_RETURN(auto program, cel::Compile("status.ready == true", {}));
//   cel::Activation act;
//   act.BindJsonFields(object, cel::NumberMode::kKubernetes);  // top-level fields
//   FLUX_ASSIGN_OR_RETURN(bool ok, program.EvaluateBool(act));
//
// A Program is immutable and safe to evaluate from several threads at once.
// No exceptions cross this API; all failures are absl::Status.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "libs/cel/parser.h"
#include "libs/cel/value.h"
#include "libs/object/value.h"

namespace fluxcpp::cel {

struct Expr;

// How JSON numbers become CEL values.
enum class NumberMode {
  kKubernetes,  // integral JSON numbers -> int, others -> double (unstructured objects)
  kAllDouble,   // every number -> double (json.Unmarshal, Receiver filters)
};

// Converts JSON to a CEL value (objects -> maps with string keys).
Value FromJson(const object::Value& json, NumberMode mode);

// Variable bindings for one evaluation. Names may be qualified ("a.b.c").
class Activation {
 public:
  void Bind(std::string name, Value value);
  void BindJson(std::string name, const object::Value& json, NumberMode mode);
  // Binds every top-level field of a JSON object (Flux health checks).
  void BindJsonFields(const object::Value& object, NumberMode mode);
  const Value* Find(std::string_view name) const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, Value, Hash, std::equal_to<>> vars_;
};

struct CompileOptions {
  std::string container;  // namespace for name resolution ("" = root)
  ParseOptions parse;
  // Declared variables, name -> CEL type ("int", "string", "map", "list",
  // "dyn", "google.protobuf.Struct", ...). When set, Compile() also runs the
  // light type check of libs/cel/checker.h (Receiver filters are compiled
  // this way; Flux health checks are parse-only and leave this empty).
  std::map<std::string, std::string> declarations;
  bool check = false;
  bool expect_bool = false;  // with check: the result type must be exactly bool
  // With check: list/map literals must have one element/key/value type
  // (cel-go's HomogeneousAggregateLiterals, part of Flux's environment).
  bool homogeneous_aggregate_literals = true;
  // Adds the Kubernetes CEL libraries (libs/cel/k8s_functions.h: lists,
  // regex, url, quantity) as kube-apiserver does for CRD validation rules.
  bool kubernetes_library = false;
};

struct EvalOptions {
  // Maximum evaluation steps (nodes visited + comprehension iterations);
  // exceeding it aborts with a kResourceExhausted error. 0 = unlimited.
  uint64_t max_steps = 1000000;
  // Checked every 100 steps (cel-go's InterruptCheckFrequency(100)); when it
  // reads true the evaluation stops with kCancelled. Not owned; may be null.
  const std::atomic<bool>* cancelled = nullptr;
};

class Program {
 public:
  // Evaluates the expression. A CEL error (no such key, overload, overflow...)
  // is returned as kInvalidArgument with the CEL message.
  absl::StatusOr<Value> Evaluate(const Activation& activation, const EvalOptions& options = {}) const;
  // Evaluate() and require a bool result.
  absl::StatusOr<bool> EvaluateBool(const Activation& activation, const EvalOptions& options = {}) const;
  const std::string& source() const { return *source_; }

 private:
  friend absl::StatusOr<Program> Compile(std::string_view, const CompileOptions&);
  std::shared_ptr<const Expr> root_;
  std::shared_ptr<const std::string> source_;
};

// Parses and prepares `expression` (macro expansion, name and function resolution).
absl::StatusOr<Program> Compile(std::string_view expression, const CompileOptions& options = {});

// Returns the bool in `value`, or an error naming the actual type.
absl::StatusOr<bool> AsBool(const Value& value);

}  // namespace fluxcpp::cel
