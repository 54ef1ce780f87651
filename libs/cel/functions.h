#pragma once
// Built-in CEL functions (standard library, ext.Strings, ext.Sets,
// ext.Encoders, OptionalTypes, timestamps/durations).
//
// A builtin takes its arguments as values, receiver first for member-style
// calls (`s.size()` gets args = {s}). Arguments are never error values (the
// evaluator propagates those first). Wrong kinds give a "no matching overload"
// error value.

#include <cstddef>
#include <string>
#include <string_view>

#include "libs/cel/value.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace fluxcpp::cel {

using BuiltinFn = Value (*)(const Value* args, size_t n);

struct Builtin {
  const char* name;
  BuiltinFn fn;
  bool global;  // callable as name(args)
  bool member;  // callable as target.name(args)
};

// Id of the builtin named `name`, or -1. `kubernetes` adds the Kubernetes
// CEL libraries (k8s_functions.h), as CompileOptions::kubernetes_library.
int LookupBuiltin(std::string_view name, bool kubernetes = false);
const Builtin& GetBuiltin(int id);

// "no matching overload for 'name' applied to '(int, string)'".
Value NoOverload(std::string_view name, const Value* args, size_t n);

// `pattern` compiled as RE2 through a small per-thread cache (evaluation is
// multi-threaded); null, with *error set, when the pattern is invalid.
const re2::RE2* CompiledRegex(const std::string& pattern, std::string* error);

// Operators the evaluator calls directly.
Value Add(const Value& a, const Value& b);
Value Subtract(const Value& a, const Value& b);
Value Index(const Value& container, const Value& key);
Value In(const Value& elem, const Value& container);
Value SelectField(const Value& operand, const std::string& field);
// True when `v` is the zero value of its kind (for optional.ofNonZeroValue).
bool IsZeroValue(const Value& v);

// ext.Strings entry points (ext_strings.cpp).
Value StringFormat(const Value* args, size_t n);
Value StringQuote(const Value* args, size_t n);
Value StringCharAt(const Value* args, size_t n);
Value StringIndexOf(const Value* args, size_t n);
Value StringLastIndexOf(const Value* args, size_t n);
Value StringLowerAscii(const Value* args, size_t n);
Value StringUpperAscii(const Value* args, size_t n);
Value StringReplace(const Value* args, size_t n);
Value StringSplit(const Value* args, size_t n);
Value StringSubstring(const Value* args, size_t n);
Value StringTrim(const Value* args, size_t n);
Value StringJoin(const Value* args, size_t n);
Value StringReverse(const Value* args, size_t n);

}  // namespace fluxcpp::cel
