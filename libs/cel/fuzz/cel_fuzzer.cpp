// Compiles arbitrary bytes as a CEL expression and evaluates it against a
// small Kubernetes-like object, with a step limit. Any input must produce a
// Program or a parse error, and then a value or an error: never a crash, a
// hang or a sanitizer report. The result is rendered to exercise DebugString.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libs/cel/cel.h"
#include "libs/object/value.h"

namespace {

const fluxcpp::cel::Activation& Bindings() {
  static const auto* act = [] {
    auto* a = new fluxcpp::cel::Activation();
    auto obj = fluxcpp::object::ParseJson(R"({
      "apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"name": "web", "generation": 2, "labels": {"app": "web"}},
      "spec": {"replicas": 3, "ratio": 0.5, "tags": ["a", "b"]},
      "status": {"observedGeneration": 2, "conditions": [
        {"type": "Available", "status": "True"}, {"type": "Progressing", "status": "False"}]}})");
    if (obj.ok()) a->BindJsonFields(*obj, fluxcpp::cel::NumberMode::kKubernetes);
    a->Bind("xs", fluxcpp::cel::Value::List({fluxcpp::cel::Value::Int(1), fluxcpp::cel::Value::Uint(2),
                                             fluxcpp::cel::Value::Double(3.5)}));
    return a;
  }();
  return *act;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  fluxcpp::cel::CompileOptions opts;
  opts.parse.max_size = 4096;
  opts.parse.enable_quoted_identifiers = size % 2 == 0;
  auto program = fluxcpp::cel::Compile(text, opts);
  if (!program.ok()) return 0;
  fluxcpp::cel::EvalOptions eval;
  eval.max_steps = 20000;
  auto value = program->Evaluate(Bindings(), eval);
  if (value.ok()) (void)value->DebugString();
  // The checked path must never crash either.
  opts.check = true;
  opts.expect_bool = true;
  opts.declarations = {{"metadata", "google.protobuf.Struct"}, {"xs", "list(dyn)"}};
  (void)fluxcpp::cel::Compile(text, opts);
  return 0;
}
