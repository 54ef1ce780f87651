#include "libs/object/yaml.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace fluxcpp::object {
namespace {

// Go strconv.ParseInt/ParseUint with base 0 (after "_" removal by the caller).
std::optional<Value> ParseGoInteger(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool negative = false;
  std::string_view body = s;
  if (body[0] == '+' || body[0] == '-') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body.empty()) return std::nullopt;
  int base = 10;
  if (body.size() > 1 && body[0] == '0') {
    char p = static_cast<char>(absl::ascii_tolower(static_cast<unsigned char>(body[1])));
    if (p == 'x') base = 16, body.remove_prefix(2);
    else if (p == 'o') base = 8, body.remove_prefix(2);
    else if (p == 'b') base = 2, body.remove_prefix(2);
    else base = 8, body.remove_prefix(1);
  }
  if (body.empty()) return std::nullopt;
  unsigned __int128 acc = 0;
  for (char c : body) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return std::nullopt;
    if (d >= base) return std::nullopt;
    acc = acc * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    if (acc > (static_cast<unsigned __int128>(1) << 64)) return std::nullopt;
  }
  if (negative) {
    if (acc > static_cast<unsigned __int128>(INT64_MAX) + 1) return std::nullopt;
    return Value(static_cast<int64_t>(-static_cast<__int128>(acc)));
  }
  if (acc <= static_cast<unsigned __int128>(INT64_MAX)) return Value(static_cast<int64_t>(acc));
  if (acc <= static_cast<unsigned __int128>(UINT64_MAX)) return Value(static_cast<uint64_t>(acc));
  return std::nullopt;
}


}  // namespace

// Matches ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool IsYamlStyleFloat(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

Value ResolvePlainScalar(std::string_view s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  static constexpr std::string_view kTrue[] = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"};
  static constexpr std::string_view kFalse[] = {"n",  "N",   "no",    "No",    "NO",   "off",
                                                "Off", "OFF", "false", "False", "FALSE"};
  for (auto t : kTrue) {
    if (s == t) return true;
  }
  for (auto f : kFalse) {
    if (s == f) return false;
  }
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "+.Inf" || s == "+.INF") {
    return std::numeric_limits<double>::infinity();
  }
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") return -std::numeric_limits<double>::infinity();
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  char c = s[0];
  if (c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9')) {
    std::string plain(s);
    plain.erase(std::remove(plain.begin(), plain.end(), '_'), plain.end());
    if (auto i = ParseGoInteger(plain)) return *i;
    if (IsYamlStyleFloat(plain)) {
      char* end = nullptr;
      double d = std::strtod(plain.c_str(), &end);
      if (end != nullptr && *end == '\0') return d;
    }
  }
  return std::string(s);
}

namespace {

constexpr std::string_view kStrTag = "tag:yaml.org,2002:str";

std::string KeyToString(const Value& key) {
  if (key.is_string()) return key.get<std::string>();
  if (key.is_null()) return "null";
  if (key.is_boolean()) return key.get<bool>() ? "true" : "false";
  if (key.is_number_integer()) return key.dump();
  if (key.is_number_float()) return key.dump();
  return key.dump();
}

absl::Status MergeInto(Value& target, const Value& source) {
  // "<<" merge: keys already present win.
  auto merge_one = [&target](const Value& m) -> absl::Status {
    if (!m.is_object()) {
      return absl::InvalidArgumentError("yaml: map merge requires map or sequence of maps as the value");
    }
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (!target.contains(it.key())) target[it.key()] = it.value();
    }
    return absl::OkStatus();
  };
  if (source.is_array()) {
    for (const Value& m : source) {
      if (absl::Status s = merge_one(m); !s.ok()) return s;
    }
    return absl::OkStatus();
  }
  return merge_one(source);
}

class Converter {
 public:
  explicit Converter(const YamlReadOptions& options)
      : resolve_(options.resolve_plain != nullptr ? options.resolve_plain : &ResolvePlainScalar),
        allow_duplicates_(options.allow_duplicate_keys) {}

  absl::StatusOr<Value> Convert(const YAML::Node& node, int depth) const {
    if (depth > 256) return absl::InvalidArgumentError("yaml: exceeded max depth of 256");
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return Value(nullptr);
      case YAML::NodeType::Scalar: {
        const std::string& tag = node.Tag();
        const std::string& text = node.Scalar();
        if (tag == "?") return resolve_(text);
        if (tag == "!" || tag == kStrTag || tag == "!!str") return Value(text);
        if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
            tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null") {
          return resolve_(text);
        }
        return Value(text);
      }
      case YAML::NodeType::Sequence: {
        Value out = Value::array();
        out.get_ref<Value::array_t&>().reserve(node.size());
        for (const auto& item : node) {
          auto v = Convert(item, depth + 1);
          if (!v.ok()) return v.status();
          out.push_back(std::move(*v));
        }
        return out;
      }
      case YAML::NodeType::Map: {
        Value out = Value::object();
        out.get_ref<Value::object_t&>().reserve(node.size());
        std::vector<Value> merges;
        for (const auto& kv : node) {
          if (kv.first.IsScalar() && kv.first.Tag() == "?" && kv.first.Scalar() == "<<") {
            auto m = Convert(kv.second, depth + 1);
            if (!m.ok()) return m.status();
            merges.push_back(std::move(*m));
            continue;
          }
          auto key = Convert(kv.first, depth + 1);
          if (!key.ok()) return key.status();
          std::string k = KeyToString(*key);
          if (!allow_duplicates_ && out.contains(k)) {
            return absl::InvalidArgumentError(absl::StrCat("yaml: line ", kv.first.Mark().line + 1,
                                                           ": mapping key \"", k, "\" already defined"));
          }
          auto v = Convert(kv.second, depth + 1);
          if (!v.ok()) return v.status();
          out[k] = std::move(*v);
        }
        for (const Value& m : merges) {
          if (absl::Status s = MergeInto(out, m); !s.ok()) return s;
        }
        return out;
      }
    }
    return Value(nullptr);
  }

 private:
  Value (*resolve_)(std::string_view);
  bool allow_duplicates_;
};

}  // namespace

absl::StatusOr<std::vector<Value>> ParseYamlDocuments(std::string_view text, const YamlReadOptions& options) {
  Converter converter(options);
  std::vector<Value> out;
  try {
    std::vector<YAML::Node> nodes = YAML::LoadAll(std::string(text));
    for (const auto& node : nodes) {
      auto v = converter.Convert(node, 0);
      if (!v.ok()) return v.status();
      if (v->is_null()) continue;
      out.push_back(std::move(*v));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("yaml: line ", e.mark.line + 1, ": ", e.msg));
  }
  return out;
}

absl::StatusOr<Value> ParseYaml(std::string_view text) {
  auto docs = ParseYamlDocuments(text);
  if (!docs.ok()) return docs.status();
  if (docs->empty()) return Value(nullptr);
  if (docs->size() > 1) return absl::InvalidArgumentError("expected a single YAML document");
  return std::move(docs->front());
}

// ---------------------------------------------------------------- emitter

namespace {

bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  // Would read back as something other than this string?
  Value back = ResolvePlainScalar(s);
  if (!back.is_string()) return true;
  // YAML 1.2 readers (kyaml) also see these as non-strings.
  if (IsYamlStyleFloat(s)) return true;
  unsigned char first = static_cast<unsigned char>(s.front());
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(static_cast<char>(first)) != std::string_view::npos) {
    // "-foo" and ":foo" style are plain-safe only when followed by a non-space; keep it simple and quote.
    if (!((first == '-' || first == '?' || first == ':') && s.size() > 1 && s[1] != ' ')) return true;
    if (first == '-' && s.size() >= 3 && s.substr(0, 3) == "---") return true;
  }
  if (s.front() == ' ' || s.back() == ' ' || s.front() == '\t' || s.back() == '\t') return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return true;
  if (s.back() == ':') return true;
  for (unsigned char c : s) {
    if (c < 0x20 && c != '\n') return true;
  }
  return false;
}

std::string DoubleQuoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02X", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string ScalarText(const Value& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return v.dump();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isnan(d)) return ".nan";
    if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
    return v.dump();
  }
  const std::string& s = v.get_ref<const std::string&>();
  return NeedsQuotes(s) ? DoubleQuoted(s) : s;
}

bool IsMultilineLiteral(const Value& v) {
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  if (s.find('\n') == std::string::npos) return false;
  for (unsigned char c : s) {
    if (c < 0x20 && c != '\n') return false;
  }
  // Lines with trailing spaces cannot round-trip through a literal block.
  size_t pos = 0;
  while ((pos = s.find(" \n", pos)) != std::string::npos) return false;
  return true;
}

void EmitLiteral(std::string& out, const std::string& s, int indent) {
  // Chomping: "|" keeps one trailing newline, "|-" strips, "|+" keeps all.
  std::string body = s;
  std::string header = "|";
  if (body.empty() || body.back() != '\n') {
    header = "|-";
  } else if (body.size() >= 2 && body[body.size() - 2] == '\n') {
    header = "|+";
  }
  if (!body.empty() && body.front() == ' ') header += std::to_string(2);
  out += header;
  out += "\n";
  std::string pad(static_cast<size_t>(indent), ' ');
  size_t start = 0;
  std::string trimmed = body;
  if (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
  while (start <= trimmed.size()) {
    size_t nl = trimmed.find('\n', start);
    std::string line = trimmed.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty()) out += pad + line;
    out += "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

void EmitNode(std::string& out, const Value& v, int indent);

bool IsEmptyCollection(const Value& v) { return (v.is_object() || v.is_array()) && v.empty(); }

void EmitMapEntries(std::string& out, const Value& map, int indent, bool first_inline) {
  std::string pad(static_cast<size_t>(indent), ' ');
  bool first = true;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!(first && first_inline)) out += pad;
    first = false;
    const std::string& key = it.key();
    out += NeedsQuotes(key) ? DoubleQuoted(key) : key;
    out += ":";
    const Value& child = it.value();
    if (child.is_object() && !child.empty()) {
      out += "\n";
      EmitMapEntries(out, child, indent + 2, false);
    } else if (child.is_array() && !child.empty()) {
      out += "\n";
      EmitNode(out, child, indent);  // kyaml: sequences not indented under their key
    } else if (IsMultilineLiteral(child)) {
      out += " ";
      EmitLiteral(out, child.get_ref<const std::string&>(), indent + 2);
    } else {
      out += " ";
      out += child.is_object() ? "{}" : child.is_array() ? "[]" : ScalarText(child);
      out += "\n";
    }
  }
}

void EmitNode(std::string& out, const Value& v, int indent) {
  std::string pad(static_cast<size_t>(indent), ' ');
  if (v.is_object()) {
    if (v.empty()) {
      out += pad + "{}\n";
      return;
    }
    EmitMapEntries(out, v, indent, false);
    return;
  }
  if (v.is_array()) {
    if (v.empty()) {
      out += pad + "[]\n";
      return;
    }
    for (const Value& item : v) {
      out += pad + "- ";
      if (item.is_object() && !item.empty()) {
        EmitMapEntries(out, item, indent + 2, true);
      } else if (item.is_array() && !item.empty()) {
        out += "\n";
        EmitNode(out, item, indent + 2);
      } else if (IsMultilineLiteral(item)) {
        EmitLiteral(out, item.get_ref<const std::string&>(), indent + 2);
      } else {
        out += IsEmptyCollection(item) ? (item.is_object() ? "{}" : "[]") : ScalarText(item);
        out += "\n";
      }
    }
    return;
  }
  if (IsMultilineLiteral(v)) {
    out += pad;
    EmitLiteral(out, v.get_ref<const std::string&>(), indent + 2);
    return;
  }
  out += pad + ScalarText(v) + "\n";
}

}  // namespace

std::string ToYaml(const Value& value) {
  std::string out;
  EmitNode(out, value, 0);
  return out;
}

std::string ToYamlStream(const std::vector<Value>& docs) {
  std::string out;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (i > 0) out += "---\n";
    out += ToYaml(docs[i]);
  }
  return out;
}

}  // namespace fluxcpp::object
