#pragma once
// Parsed CEL expression tree. Produced by Parse(), immutable afterwards.
//
// Operators become calls with CEL's internal names: `_+_`, `_==_`, `!_`,
// `-_`, `_?_:_`, `_&&_`, `_||_`, `@in`, `_[_]`, and for OptionalTypes `_[?_]`
// and `_?._` (whose second argument is the field name as a string constant).
// Macros (has, all, exists, exists_one, map, filter, optMap, optFlatMap) are
// kept as kMacro nodes rather than expanded into generic comprehensions.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "libs/cel/value.h"

namespace fluxcpp::cel {

enum class MacroKind { kHas, kAll, kExists, kExistsOne, kMap, kMapFilter, kFilter, kOptMap, kOptFlatMap };

struct Expr {
  enum class Type { kConst, kIdent, kSelect, kCall, kList, kMap, kMacro };
  Type type = Type::kConst;
  int position = 0;  // byte offset of the node in the source
  int height = 1;    // 1 + height of the tallest child (bounded by the parser)

  Value constant;             // kConst
  std::string name;           // kIdent name, kSelect field, kCall function, kMacro iteration variable
  bool leading_dot = false;   // kIdent written `.name` (root scope)
  std::unique_ptr<Expr> target;             // kSelect operand, kCall receiver (may be null), kMacro range
  std::vector<std::unique_ptr<Expr>> args;  // kCall args, kList items, kMap keys/values interleaved, kMacro args
  std::vector<bool> optional_entries;       // kList / kMap: `?` marks per item / entry
  MacroKind macro = MacroKind::kHas;        // kMacro

  // Filled by the compiler (libs/cel/program.cpp):
  int function_id = -1;                        // kCall: resolved builtin, -1 = unknown
  std::vector<std::string> qualified_names;    // kIdent / kSelect chains: candidate names, longest first
  std::vector<int> qualified_depth;            // how many chain elements each candidate consumes
  std::vector<std::string> chain;              // ident + selected fields of a pure name chain (`a.b.c`)
};

}  // namespace fluxcpp::cel
