#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "libs/cel/cel.h"

using namespace fluxcpp;
using namespace fluxcpp::cel;

namespace {
Value Eval(std::string_view src, const Activation& act = {}, const CompileOptions& opts = {}) {
  auto p = Compile(src, opts);
  REQUIRE(p.ok());
  auto v = p->Evaluate(act);
  if (!v.ok()) return Value::Error(std::string(v.status().message()));
  return *v;
}
std::string ErrorOf(std::string_view src, const Activation& act = {}) {
  Value v = Eval(src, act);
  return v.is_error() ? v.str() : "";
}
}  // namespace

TEST_CASE("JSON number modes", "[unit]") {
  auto obj = object::ParseJson(R"({"spec": {"replicas": 3, "ratio": 0.5}})");
  REQUIRE(obj.ok());
  Activation k8s;
  k8s.BindJsonFields(*obj, NumberMode::kKubernetes);
  CHECK(Eval("type(spec.replicas) == int && type(spec.ratio) == double", k8s).bool_value());
  Activation receiver;
  receiver.BindJson("res", *obj, NumberMode::kAllDouble);
  CHECK(Eval("type(res.spec.replicas)", receiver).str() == "double");
  // int == double compares numerically, int + double has no overload.
  CHECK(Eval("spec.replicas == 3.0", k8s).bool_value());
  CHECK(ErrorOf("spec.replicas + spec.ratio > 0.0", k8s).find("no matching overload") != std::string::npos);
}

TEST_CASE("error absorption in && and || is commutative", "[unit]") {
  CHECK(Eval("missing || true").bool_value());
  CHECK(Eval("true || missing").bool_value());
  CHECK_FALSE(Eval("missing && false").bool_value());
  CHECK(ErrorOf("missing && true").find("no such attribute") != std::string::npos);
  CHECK(ErrorOf("1 / 0 == 1 || false").find("division by zero") != std::string::npos);
}

TEST_CASE("name resolution: qualified names, containers, comprehension shadowing", "[unit]") {
  Activation act;
  act.Bind("a.b.c", Value::String("qualified"));
  auto m = std::make_shared<MapValue>();
  m->Insert(Value::String("c"), Value::String("field"));
  act.Bind("a.b", Value::Map(m));
  CHECK(Eval("a.b.c", act).str() == "qualified");  // longest name wins
  Activation ns;
  ns.Bind("com.example.y", Value::Int(1));
  ns.Bind("y", Value::Int(2));
  CompileOptions opts;
  opts.container = "com.example";
  CHECK(Eval("y", ns, opts).int_value() == 1);
  CHECK(Eval(".y", ns, opts).int_value() == 2);
  CHECK(Eval("[0].exists(y, y == 0)", ns, opts).bool_value());
}

TEST_CASE("has() on maps, missing top-level names and optionals", "[unit]") {
  auto obj = object::ParseJson(R"({"status": {"ready": true}})");
  REQUIRE(obj.ok());
  Activation act;
  act.BindJsonFields(*obj, NumberMode::kKubernetes);
  CHECK(Eval("has(status.ready)", act).bool_value());
  CHECK_FALSE(Eval("has(status.other)", act).bool_value());
  CHECK(ErrorOf("has(spec.x)", act).find("no such attribute(s): spec") != std::string::npos);
  CHECK(Eval("status.?other.orValue(false) == false", act).bool_value());
}

TEST_CASE("EvaluateBool requires a bool", "[unit]") {
  auto p = Compile("1 + 1");
  REQUIRE(p.ok());
  auto r = p->EvaluateBool({});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "expression result is of type 'int', expected 'bool'");
  auto t = Compile("1 < 2");
  REQUIRE(t.ok());
  CHECK(*t->EvaluateBool({}));
}

TEST_CASE("step limit interrupts runaway evaluation", "[unit]") {
  std::string list = "[0,1,2,3,4,5,6,7,8,9]";
  auto p = Compile(list + ".all(a, " + list + ".all(b, " + list + ".all(c, " + list + ".all(d, true))))");
  REQUIRE(p.ok());
  EvalOptions small;
  small.max_steps = 1000;
  auto r = p->Evaluate({}, small);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kResourceExhausted);
  auto ok = p->Evaluate({});
  REQUIRE(ok.ok());
  CHECK(ok->bool_value());
}

TEST_CASE("an interrupt flag stops evaluation", "[unit]") {
  auto p = Compile("[0,1,2,3,4,5,6,7,8,9].all(a, [0,1,2,3,4,5,6,7,8,9].all(b, a + b >= 0))");
  REQUIRE(p.ok());
  std::atomic<bool> cancel{true};
  EvalOptions opts;
  opts.cancelled = &cancel;
  auto r = p->Evaluate({}, opts);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kCancelled);
  cancel = false;
  auto ok = p->Evaluate({}, opts);
  REQUIRE(ok.ok());
  CHECK(ok->bool_value());
}

TEST_CASE("one Program evaluates concurrently", "[unit]") {
  auto p = Compile("xs.filter(x, x % 2 == 0).map(x, x * n).exists(v, v == 40) && 'ab'.matches('^a')");
  REQUIRE(p.ok());
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Activation act;
      ListValue xs;
      for (int i = 0; i < 50; ++i) xs.push_back(Value::Int(i));
      act.Bind("xs", Value::List(xs));
      act.Bind("n", Value::Int(t == 0 ? 2 : 1));  // 20*2 == 40 only for thread 0; 40*1 for all
      for (int i = 0; i < 200; ++i) {
        auto r = p->EvaluateBool(act);
        if (r.ok() && *r) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(good == 800);
}

TEST_CASE("type-checked compilation (Receiver filters)", "[unit]") {
  CompileOptions opts;
  opts.check = true;
  opts.expect_bool = true;
  opts.declarations = {{"res", "google.protobuf.Struct"}, {"req", "google.protobuf.Struct"}};
  CHECK(Compile("res.metadata.name == req.name", opts).ok());
  auto eq = Compile("res == 'x'", opts);
  REQUIRE_FALSE(eq.ok());
  CHECK(std::string(eq.status().message()).find("no matching overload for '_==_'") != std::string::npos);
  auto out = Compile("res.metadata.name", opts);
  REQUIRE_FALSE(out.ok());
  CHECK(std::string(out.status().message()).find("output type mismatch") != std::string::npos);
  auto undeclared = Compile("claims.sub == 'x'", opts);
  REQUIRE_FALSE(undeclared.ok());
  CHECK(std::string(undeclared.status().message()).find("undeclared reference to 'claims'") != std::string::npos);
  auto mixed = Compile("[1, 'a'].size() == 2", opts);
  REQUIRE_FALSE(mixed.ok());
  CHECK(std::string(mixed.status().message()).find("list literal") != std::string::npos);
}
