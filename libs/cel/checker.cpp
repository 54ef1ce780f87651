#include "libs/cel/checker.h"

#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/cel/functions.h"

namespace fluxcpp::cel {
namespace {

bool Numeric(const std::string& t) { return t == "int" || t == "uint" || t == "double"; }

std::string Normalize(const std::string& t) {
  if (t == "google.protobuf.Struct") return "map";
  if (t == "google.protobuf.ListValue") return "list";
  if (t == "google.protobuf.Value") return "dyn";
  if (t.rfind("map(", 0) == 0) return "map";
  if (t.rfind("list(", 0) == 0) return "list";
  return t;
}

class Checker {
 public:
  Checker(const std::map<std::string, std::string>& decls, bool homogeneous)
      : decls_(decls), homogeneous_(homogeneous) {}

  // Returns the static type of `e` ("dyn" when unknown); sets error_ on a type error.
  std::string Infer(const Expr& e) {
    if (!error_.ok()) return "dyn";
    switch (e.type) {
      case Expr::Type::kConst: return e.constant.TypeName();
      case Expr::Type::kIdent:
      case Expr::Type::kSelect: {
        if (!e.chain.empty() && !locals_.count(e.chain[0])) {
          for (size_t i = 0; i < e.qualified_names.size(); ++i) {
            auto it = decls_.find(e.qualified_names[i]);
            if (it == decls_.end()) continue;
            if (static_cast<size_t>(e.qualified_depth[i]) == e.chain.size()) return Normalize(it->second);
            return "dyn";
          }
          if (e.type == Expr::Type::kIdent) {
            static const std::set<std::string> kTypes = {"int", "uint", "double", "bool", "string", "bytes",
                                                         "list", "map", "null_type", "type", "optional_type"};
            if (kTypes.count(e.name)) return "type";
            Fail(e, "undeclared reference to '" + e.name + "'");
            return "dyn";
          }
        }
        if (e.target) Infer(*e.target);
        return "dyn";
      }
      case Expr::Type::kList: {
        std::string elem;
        for (size_t i = 0; i < e.args.size(); ++i) {
          std::string t = Infer(*e.args[i]);
          if (e.optional_entries[i]) continue;
          Unify(*e.args[i], &elem, t, "list");
        }
        return "list";
      }
      case Expr::Type::kMap: {
        std::string kt, vt;
        for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
          Unify(*e.args[i], &kt, Infer(*e.args[i]), "map key");
          std::string v = Infer(*e.args[i + 1]);
          if (!e.optional_entries[i / 2]) Unify(*e.args[i + 1], &vt, v, "map value");
        }
        return "map";
      }
      case Expr::Type::kMacro: {
        Infer(*e.target);
        if (e.macro == MacroKind::kHas) return "bool";
        locals_.insert(e.name);
        for (const auto& a : e.args) Infer(*a);
        locals_.erase(e.name);
        switch (e.macro) {
          case MacroKind::kAll: case MacroKind::kExists: case MacroKind::kExistsOne: return "bool";
          case MacroKind::kMap: case MacroKind::kMapFilter: case MacroKind::kFilter: return "list";
          default: return "dyn";
        }
      }
      case Expr::Type::kCall: {
        std::vector<std::string> types;
        if (e.target) types.push_back(Infer(*e.target));
        for (const auto& a : e.args) {
          // As cel-go, a list literal passed to format() may mix types.
          if (e.name == "format" && a->type == Expr::Type::kList) {
            for (const auto& item : a->args) Infer(*item);
            types.push_back("list");
            continue;
          }
          types.push_back(Infer(*a));
        }
        static const std::set<std::string> kSpecial = {"_&&_", "_||_", "_?_:_", "_[?_]", "_?._"};
        if (!kSpecial.count(e.name)) {
          if (e.function_id < 0) {
            Fail(e, "undeclared reference to '" + e.name + "'");
            return "dyn";
          }
          const Builtin& b = GetBuiltin(e.function_id);
          if ((e.target && !b.member) || (!e.target && !b.global)) {
            Fail(e, "found no matching overload for '" + e.name + "'" +
                        (e.target ? " as a member function" : " as a global function"));
            return "dyn";
          }
        }
        static const std::set<std::string> kCompare = {"_==_", "_!=_", "_<_", "_<=_", "_>_", "_>=_"};
        if (!e.target && kCompare.count(e.name) && types.size() == 2) {
          const std::string& a = types[0];
          const std::string& b = types[1];
          bool eq = e.name == "_==_" || e.name == "_!=_";
          if (a != "dyn" && b != "dyn" && a != b && !(Numeric(a) && Numeric(b)) &&
              !(eq && (a == "null_type" || b == "null_type")))
            Fail(e, "found no matching overload for '" + e.name + "' applied to '(" + a + ", " + b + ")'");
          return "bool";
        }
        if (e.name == "_?_:_" && types.size() == 3) return types[1] == types[2] ? types[1] : "dyn";
        if (e.name == "dyn") return "dyn";
        static const std::map<std::string, std::string> kResult = {
            {"_&&_", "bool"}, {"_||_", "bool"}, {"!_", "bool"}, {"@in", "bool"},
            {"contains", "bool"}, {"startsWith", "bool"}, {"endsWith", "bool"}, {"matches", "bool"},
            {"hasValue", "bool"}, {"sets.contains", "bool"}, {"sets.equivalent", "bool"},
            {"sets.intersects", "bool"}, {"bool", "bool"},
            {"size", "int"}, {"int", "int"}, {"indexOf", "int"}, {"lastIndexOf", "int"},
            {"getFullYear", "int"}, {"getMonth", "int"}, {"getDate", "int"}, {"getDayOfMonth", "int"},
            {"getDayOfWeek", "int"}, {"getDayOfYear", "int"}, {"getHours", "int"}, {"getMinutes", "int"},
            {"getSeconds", "int"}, {"getMilliseconds", "int"},
            {"uint", "uint"}, {"double", "double"}, {"bytes", "bytes"}, {"base64.decode", "bytes"},
            {"string", "string"}, {"charAt", "string"}, {"lowerAscii", "string"}, {"upperAscii", "string"},
            {"replace", "string"}, {"substring", "string"}, {"trim", "string"}, {"join", "string"},
            {"reverse", "string"}, {"format", "string"}, {"strings.quote", "string"}, {"base64.encode", "string"},
            {"split", "list"}, {"type", "type"},
        };
        auto it = kResult.find(e.name);
        if (it != kResult.end()) return it->second;
        if ((e.name == "_+_" || e.name == "_-_" || e.name == "_*_" || e.name == "_/_" || e.name == "_%_") &&
            types.size() == 2 && types[0] == types[1] && types[0] != "dyn")
          return types[0];
        return "dyn";
      }
    }
    return "dyn";
  }

  absl::Status error() const { return error_; }
  void Fail(const Expr& e, const std::string& msg) {
    if (error_.ok()) error_ = absl::InvalidArgumentError(absl::StrCat("type check error at offset ", e.position, ": ", msg));
  }

 private:
  void Unify(const Expr& at, std::string* have, const std::string& t, const char* what) {
    if (t == "dyn" || !homogeneous_) return;
    if (have->empty()) { *have = t; return; }
    if (*have != t) Fail(at, std::string("expected type '") + *have + "' but found '" + t + "' in " + what + " literal");
  }

  const std::map<std::string, std::string>& decls_;
  bool homogeneous_;
  std::multiset<std::string> locals_;
  absl::Status error_;
};

}  // namespace

absl::Status Check(const Expr& root, const std::map<std::string, std::string>& declarations,
                   const CheckOptions& options) {
  bool expect_bool = options.expect_bool;
  Checker c(declarations, options.homogeneous_aggregate_literals);
  std::string t = c.Infer(root);
  if (!c.error().ok()) return c.error();
  // As notification-controller: the output type must be exactly bool (dyn is rejected).
  if (expect_bool && t != "bool")
    return absl::InvalidArgumentError("type check error: output type mismatch, expected 'bool' but the expression has type '" + t + "'");
  return absl::OkStatus();
}

}  // namespace fluxcpp::cel
