// Compile(): parse + resolve names/functions; Program::Evaluate(): a
// tree-walking interpreter over the immutable Expr tree. Per-evaluation state
// lives in a Frame on the caller's stack, so one Program serves many threads.
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/cel/ast.h"
#include "libs/cel/cel.h"
#include "libs/cel/checker.h"
#include "libs/cel/functions.h"
#include "libs/core/status_macros.h"

namespace fluxcpp::cel {

// ---- JSON / activation ------------------------------------------------------

Value FromJson(const object::Value& json, NumberMode mode) {
  switch (json.type()) {
    case object::Value::value_t::null: return Value::Null();
    case object::Value::value_t::boolean: return Value::Bool(json.get<bool>());
    case object::Value::value_t::number_integer:
      if (mode == NumberMode::kAllDouble) return Value::Double(static_cast<double>(json.get<int64_t>()));
      return Value::Int(json.get<int64_t>());
    case object::Value::value_t::number_unsigned: {
      uint64_t u = json.get<uint64_t>();
      if (mode == NumberMode::kAllDouble || u > static_cast<uint64_t>(INT64_MAX))
        return Value::Double(static_cast<double>(u));
      return Value::Int(static_cast<int64_t>(u));
    }
    case object::Value::value_t::number_float: return Value::Double(json.get<double>());
    case object::Value::value_t::string: return Value::String(json.get<std::string>());
    case object::Value::value_t::array: {
      ListValue items;
      items.reserve(json.size());
      for (const auto& e : json) items.push_back(FromJson(e, mode));
      return Value::List(std::move(items));
    }
    case object::Value::value_t::object: {
      auto map = std::make_shared<MapValue>();
      for (const auto& [k, v] : json.items()) map->Insert(Value::String(k), FromJson(v, mode));
      return Value::Map(std::move(map));
    }
    default: return Value::Null();
  }
}

void Activation::Bind(std::string name, Value value) { vars_[std::move(name)] = std::move(value); }

void Activation::BindJson(std::string name, const object::Value& json, NumberMode mode) {
  Bind(std::move(name), FromJson(json, mode));
}

void Activation::BindJsonFields(const object::Value& object, NumberMode mode) {
  if (!object.is_object()) return;
  for (const auto& [k, v] : object.items()) BindJson(k, v, mode);
}

const Value* Activation::Find(std::string_view name) const {
  auto it = vars_.find(name);
  return it == vars_.end() ? nullptr : &it->second;
}

absl::StatusOr<bool> AsBool(const Value& value) {
  if (value.kind() == Kind::kBool) return value.bool_value();
  if (value.is_error()) return absl::InvalidArgumentError(value.str());
  return absl::InvalidArgumentError("expression result is of type '" + value.TypeName() + "', expected 'bool'");
}

namespace {

// ---- compile-time resolution ------------------------------------------------

// Names of a pure identifier chain `a.b.c` (no calls or indexes), or empty.
bool ChainOf(const Expr& e, std::vector<std::string>* out, bool* leading_dot) {
  if (e.type == Expr::Type::kIdent) {
    out->push_back(e.name);
    *leading_dot = e.leading_dot;
    return true;
  }
  if (e.type == Expr::Type::kSelect && e.target) {
    if (!ChainOf(*e.target, out, leading_dot)) return false;
    out->push_back(e.name);
    return true;
  }
  return false;
}

bool IsTypeName(const std::string& n) {
  return n == "int" || n == "uint" || n == "double" || n == "bool" || n == "string" || n == "bytes" ||
         n == "list" || n == "map" || n == "null_type" || n == "type" || n == "optional_type" ||
         n == "google.protobuf.Timestamp" || n == "google.protobuf.Duration";
}

class Resolver {
 public:
  explicit Resolver(const std::string& container, bool kubernetes = false) : kubernetes_(kubernetes) {
    // "a.b" -> prefixes "a.b.", "a.", "".
    std::string c = container;
    while (!c.empty()) {
      prefixes_.push_back(c + ".");
      size_t dot = c.rfind('.');
      c = dot == std::string::npos ? "" : c.substr(0, dot);
    }
    prefixes_.push_back("");
  }

  void Resolve(Expr* e) {
    if (e->type == Expr::Type::kIdent || e->type == Expr::Type::kSelect) {
      std::vector<std::string> chain;
      bool dot = false;
      if (ChainOf(*e, &chain, &dot)) {
        e->chain = chain;
        for (int depth = static_cast<int>(chain.size()); depth >= 1; --depth) {
          std::string name = absl::StrJoin(chain.begin(), chain.begin() + depth, ".");
          if (dot) {
            e->qualified_names.push_back(name);
            e->qualified_depth.push_back(depth);
            continue;
          }
          for (const auto& p : prefixes_) {
            e->qualified_names.push_back(p + name);
            e->qualified_depth.push_back(depth);
          }
        }
      }
    }
    if (e->type == Expr::Type::kCall) {
      if (e->target) {
        std::vector<std::string> chain;
        bool dot = false;
        if (ChainOf(*e->target, &chain, &dot)) {
          std::string qualified = absl::StrJoin(chain, ".") + "." + e->name;
          int id = LookupBuiltin(qualified, kubernetes_);
          if (id >= 0 && GetBuiltin(id).global) {
            e->name = qualified;
            e->target.reset();
          }
        }
      } else if (!e->name.empty() && e->name[0] == '.') {
        e->name = e->name.substr(1);
      }
      e->function_id = LookupBuiltin(e->name, kubernetes_);
    }
    if (e->target) Resolve(e->target.get());
    for (auto& a : e->args) Resolve(a.get());
  }

 private:
  std::vector<std::string> prefixes_;
  bool kubernetes_ = false;
};

// ---- evaluation ---------------------------------------------------------------

struct Frame {
  const Activation& act;
  uint64_t max_steps;
  const std::atomic<bool>* cancelled;
  uint64_t steps = 0;
  bool exhausted = false;
  bool interrupted = false;
  std::vector<std::pair<const std::string*, Value>> locals;

  const Value* Local(const std::string& name) const {
    for (auto it = locals.rbegin(); it != locals.rend(); ++it)
      if (*it->first == name) return &it->second;
    return nullptr;
  }
};

Value Eval(const Expr& e, Frame& f);

// Counts one step; false (with the frame marked) when evaluation must stop.
bool Tick(Frame& f) {
  ++f.steps;
  if (f.max_steps && f.steps > f.max_steps) {
    f.exhausted = true;
    return false;
  }
  if (f.cancelled && f.steps % 100 == 0 && f.cancelled->load(std::memory_order_relaxed)) f.interrupted = true;
  return !f.interrupted;
}

Value EvalChain(const Expr& e, Frame& f, bool* handled) {
  *handled = false;
  if (e.chain.empty()) return Value();
  // A comprehension variable shadows global names (unless written `.name`).
  const Expr* root = &e;
  while (root->type == Expr::Type::kSelect) root = root->target.get();
  if (!root->leading_dot && f.Local(e.chain[0])) return Value();
  *handled = true;
  for (size_t i = 0; i < e.qualified_names.size(); ++i) {
    const Value* v = f.act.Find(e.qualified_names[i]);
    if (!v) continue;
    Value cur = *v;
    for (size_t k = e.qualified_depth[i]; k < e.chain.size(); ++k) {
      cur = SelectField(cur, e.chain[k]);
      if (cur.is_error()) return cur;
    }
    return cur;
  }
  if (e.chain.size() == 1 && IsTypeName(e.chain[0])) return Value::Type(e.chain[0]);
  if (e.chain.size() == 3 && e.chain[0] == "google" && e.chain[1] == "protobuf") {
    std::string n = absl::StrJoin(e.chain, ".");
    if (IsTypeName(n)) return Value::Type(n);
  }
  // Report the root name, as cel-go does for an absent variable.
  return Value::Error("no such attribute(s): " + e.chain[0]);
}

Value EvalLogic(const Expr& e, Frame& f, bool is_and) {
  Value l = Eval(*e.args[0], f);
  if (l.kind() == Kind::kBool && l.bool_value() != is_and) return l;
  Value r = Eval(*e.args[1], f);
  if (r.kind() == Kind::kBool && r.bool_value() != is_and) return r;
  if (l.kind() == Kind::kBool && r.kind() == Kind::kBool) return Value::Bool(is_and);
  if (l.is_error()) return l;
  if (r.is_error()) return r;
  Value a[2] = {l, r};
  return NoOverload(is_and ? "_&&_" : "_||_", a, 2);
}

Value OptionalIndex(const Value& c, const Value& k) {
  if (c.kind() == Kind::kOptional) {
    if (!c.optional_value()) return c;
    return OptionalIndex(*c.optional_value(), k);
  }
  if (c.kind() == Kind::kMap) {
    const Value* v = c.map().Find(k);
    return v ? Value::OptionalOf(*v) : Value::OptionalNone();
  }
  if (c.kind() == Kind::kList) {
    Value r = Index(c, k);
    if (r.is_error()) {
      if (r.str().rfind("index out of range", 0) == 0) return Value::OptionalNone();
      return r;
    }
    return Value::OptionalOf(std::move(r));
  }
  Value a[2] = {c, k};
  return NoOverload("_[?_]", a, 2);
}

Value EvalCall(const Expr& e, Frame& f) {
  const std::string& fn = e.name;
  if (!e.target) {
    if (fn == "_&&_") return EvalLogic(e, f, true);
    if (fn == "_||_") return EvalLogic(e, f, false);
    if (fn == "_?_:_") {
      Value c = Eval(*e.args[0], f);
      if (c.is_error()) return c;
      if (c.kind() != Kind::kBool) return NoOverload("_?_:_", &c, 1);
      return Eval(*e.args[c.bool_value() ? 1 : 2], f);
    }
  }
  absl::InlinedVector<Value, 4> args;
  if (e.target) {
    args.push_back(Eval(*e.target, f));
    if (args.back().is_error()) return args.back();
  }
  for (const auto& a : e.args) {
    args.push_back(Eval(*a, f));
    if (args.back().is_error()) return args.back();
  }
  if (!e.target) {
    if (fn == "_[?_]") return OptionalIndex(args[0], args[1]);
    if (fn == "_?._") {
      Value operand = args[0];
      if (operand.kind() == Kind::kOptional) {
        if (!operand.optional_value()) return operand;
        operand = *operand.optional_value();
      }
      if (operand.kind() == Kind::kMap) {
        const Value* v = operand.map().Find(args[1]);
        return v ? Value::OptionalOf(*v) : Value::OptionalNone();
      }
      return Value::Error("type '" + operand.TypeName() + "' does not support field selection");
    }
  }
  if (e.function_id < 0) return NoOverload(fn, args.data(), args.size());
  const Builtin& b = GetBuiltin(e.function_id);
  if ((e.target && !b.member) || (!e.target && !b.global)) return NoOverload(fn, args.data(), args.size());
  return b.fn(args.data(), args.size());
}

Value EvalHas(const Expr& e, Frame& f) {
  const Expr& sel = *e.target;
  Value operand = Eval(*sel.target, f);
  if (operand.is_error()) return operand;
  if (operand.kind() == Kind::kOptional) {
    if (!operand.optional_value()) return Value::Bool(false);
    operand = *operand.optional_value();
  }
  if (operand.kind() == Kind::kMap) return Value::Bool(operand.map().FindString(sel.name) != nullptr);
  return Value::Error("invalid type for field selection: has() on '" + operand.TypeName() + "'");
}

Value EvalMacro(const Expr& e, Frame& f) {
  if (e.macro == MacroKind::kHas) return EvalHas(e, f);
  Value range = Eval(*e.target, f);
  if (range.is_error()) return range;
  if (e.macro == MacroKind::kOptMap || e.macro == MacroKind::kOptFlatMap) {
    if (range.kind() != Kind::kOptional)
      return NoOverload(e.macro == MacroKind::kOptMap ? "optMap" : "optFlatMap", &range, 1);
    if (!range.optional_value()) return range;
    f.locals.emplace_back(&e.name, *range.optional_value());
    Value r = Eval(*e.args[0], f);
    f.locals.pop_back();
    if (r.is_error()) return r;
    if (e.macro == MacroKind::kOptMap) return Value::OptionalOf(std::move(r));
    if (r.kind() != Kind::kOptional) return NoOverload("optFlatMap", &r, 1);
    return r;
  }
  std::vector<Value> items;
  if (range.kind() == Kind::kList) {
    items = range.list();
  } else if (range.kind() == Kind::kMap) {
    for (const auto& [k, v] : range.map().entries()) items.push_back(k);
  } else {
    return Value::Error("expression of type '" + range.TypeName() + "' cannot be the range of a comprehension");
  }
  f.locals.emplace_back(&e.name, Value());
  size_t slot = f.locals.size() - 1;
  Value result;
  ListValue out;
  bool any_error = false;
  Value first_error;
  int64_t count = 0;
  bool decided = false;
  for (const auto& item : items) {
    if (!Tick(f)) {
      f.locals.pop_back();
      return Value::Error("evaluation stopped");
    }
    f.locals[slot].second = item;
    switch (e.macro) {
      case MacroKind::kAll:
      case MacroKind::kExists: {
        bool want = e.macro == MacroKind::kExists;  // value that decides the result
        Value r = Eval(*e.args[0], f);
        if (r.kind() == Kind::kBool) {
          if (r.bool_value() == want) {
            result = Value::Bool(want);
            decided = true;
          }
        } else if (!any_error) {
          any_error = true;
          first_error = r.is_error() ? r : NoOverload(want ? "exists" : "all", &r, 1);
        }
        break;
      }
      case MacroKind::kExistsOne: {
        Value r = Eval(*e.args[0], f);
        if (r.is_error()) { result = r; decided = true; break; }
        if (r.kind() != Kind::kBool) { result = NoOverload("exists_one", &r, 1); decided = true; break; }
        if (r.bool_value()) ++count;
        break;
      }
      case MacroKind::kMap: {
        Value r = Eval(*e.args[0], f);
        if (r.is_error()) { result = r; decided = true; break; }
        out.push_back(std::move(r));
        break;
      }
      case MacroKind::kMapFilter:
      case MacroKind::kFilter: {
        Value p = Eval(*e.args[0], f);
        if (p.is_error()) { result = p; decided = true; break; }
        if (p.kind() != Kind::kBool) { result = NoOverload("filter", &p, 1); decided = true; break; }
        if (!p.bool_value()) break;
        if (e.macro == MacroKind::kFilter) {
          out.push_back(item);
        } else {
          Value r = Eval(*e.args[1], f);
          if (r.is_error()) { result = r; decided = true; break; }
          out.push_back(std::move(r));
        }
        break;
      }
      default: break;
    }
    if (decided) break;
  }
  f.locals.pop_back();
  if (decided) return result;
  switch (e.macro) {
    case MacroKind::kAll: return any_error ? first_error : Value::Bool(true);
    case MacroKind::kExists: return any_error ? first_error : Value::Bool(false);
    case MacroKind::kExistsOne: return Value::Bool(count == 1);
    default: return Value::List(std::move(out));
  }
}

Value EvalList(const Expr& e, Frame& f) {
  ListValue out;
  out.reserve(e.args.size());
  for (size_t i = 0; i < e.args.size(); ++i) {
    Value v = Eval(*e.args[i], f);
    if (v.is_error()) return v;
    if (e.optional_entries[i]) {
      if (v.kind() != Kind::kOptional) return NoOverload("optional list element", &v, 1);
      if (v.optional_value()) out.push_back(*v.optional_value());
      continue;
    }
    out.push_back(std::move(v));
  }
  return Value::List(std::move(out));
}

Value EvalMap(const Expr& e, Frame& f) {
  auto map = std::make_shared<MapValue>();
  for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
    Value k = Eval(*e.args[i], f);
    if (k.is_error()) return k;
    Value v = Eval(*e.args[i + 1], f);
    if (v.is_error()) return v;
    Kind kk = k.kind();
    if (kk != Kind::kString && kk != Kind::kInt && kk != Kind::kUint && kk != Kind::kBool)
      return Value::Error("unsupported key type: " + k.TypeName());
    if (e.optional_entries[i / 2]) {
      if (v.kind() != Kind::kOptional) return NoOverload("optional map entry", &v, 1);
      if (!v.optional_value()) continue;
      v = *v.optional_value();
    }
    if (!map->Insert(k, std::move(v))) return Value::Error("Failed with repeated key: " + k.DebugString());
  }
  return Value::Map(std::move(map));
}

Value Eval(const Expr& e, Frame& f) {
  if (!Tick(f)) return Value::Error("evaluation stopped");
  switch (e.type) {
    case Expr::Type::kConst: return e.constant;
    case Expr::Type::kIdent: {
      if (!e.leading_dot) {
        if (const Value* local = f.Local(e.name)) return *local;
      }
      bool handled;
      return EvalChain(e, f, &handled);
    }
    case Expr::Type::kSelect: {
      bool handled;
      Value v = EvalChain(e, f, &handled);
      if (handled) return v;
      Value operand = Eval(*e.target, f);
      if (operand.is_error()) return operand;
      return SelectField(operand, e.name);
    }
    case Expr::Type::kCall: return EvalCall(e, f);
    case Expr::Type::kList: return EvalList(e, f);
    case Expr::Type::kMap: return EvalMap(e, f);
    case Expr::Type::kMacro: return EvalMacro(e, f);
  }
  return Value::Error("unknown expression node");
}

}  // namespace

absl::StatusOr<Program> Compile(std::string_view expression, const CompileOptions& options) {
  FLUX_ASSIGN_OR_RETURN(std::unique_ptr<Expr> root, Parse(expression, options.parse));
  Resolver(options.container, options.kubernetes_library).Resolve(root.get());
  if (options.check)
    FLUX_RETURN_IF_ERROR(Check(*root, options.declarations,
                               CheckOptions{options.expect_bool, options.homogeneous_aggregate_literals}));
  Program p;
  p.root_ = std::shared_ptr<const Expr>(std::move(root));
  p.source_ = std::make_shared<const std::string>(expression);
  return p;
}

absl::StatusOr<Value> Program::Evaluate(const Activation& activation, const EvalOptions& options) const {
  Frame f{activation, options.max_steps, options.cancelled, 0, false, false, {}};
  Value v = Eval(*root_, f);
  if (f.interrupted) return absl::CancelledError("evaluation interrupted");
  if (f.exhausted)
    return absl::ResourceExhaustedError(absl::StrCat("evaluation exceeded the limit of ", options.max_steps,
                                                     " steps"));
  if (v.is_error()) return absl::InvalidArgumentError(v.str());
  return v;
}

absl::StatusOr<bool> Program::EvaluateBool(const Activation& activation, const EvalOptions& options) const {
  FLUX_ASSIGN_OR_RETURN(Value v, Evaluate(activation, options));
  return AsBool(v);
}

}  // namespace fluxcpp::cel
