#include "libs/kustomize/fast_yaml_reader.h"

#include <string>

namespace fluxcpp::kustomize {

using object::Value;

namespace {

struct Line {
  int indent;              // leading spaces
  std::string_view text;   // content after the indent, trailing spaces trimmed
};

constexpr int kMaxDepth = 200;

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '/' || c == '-' || c == '$';
}

// object::ParseYamlDocuments' rendering of a resolved key.
std::string KeyString(const Value& key) {
  if (key.is_string()) return key.get<std::string>();
  if (key.is_null()) return "null";
  if (key.is_boolean()) return key.get<bool>() ? "true" : "false";
  return key.dump();
}

class Reader {
 public:
  Reader(std::vector<Line> lines, Value (*resolve)(std::string_view)) : lines_(std::move(lines)), resolve_(resolve) {}

  // One document made of all the lines; false when outside the subset.
  bool Document(Value* out) {
    if (lines_.empty()) {
      *out = Value(nullptr);
      return true;
    }
    const Line& first = lines_[0];
    if (!IsCollectionStart(first.text)) return false;  // scalar documents go the general way
    if (!Node(first.indent, out, 0)) return false;
    return pos_ == lines_.size();
  }

 private:
  static bool IsSeqItem(std::string_view t) { return t == "-" || (t.size() >= 2 && t[0] == '-' && t[1] == ' '); }

  static bool IsCollectionStart(std::string_view t) { return IsSeqItem(t) || KeyEnd(t) != std::string_view::npos; }

  // Where a "key:" ends (the colon), npos when `t` does not start with a
  // simple key followed by ": " or a final ":".
  static size_t KeyEnd(std::string_view t) {
    size_t i = 0;
    while (i < t.size() && IsKeyChar(t[i])) ++i;
    if (i == 0 || i >= t.size() || t[i] != ':') return std::string_view::npos;
    if (t[0] == '-') return std::string_view::npos;
    if (i + 1 < t.size() && t[i + 1] != ' ') return std::string_view::npos;
    return i;
  }

  // The collection starting at lines_[pos_], whose lines sit at `indent`.
  bool Node(int indent, Value* out, int depth) {
    if (depth > kMaxDepth) return false;
    if (IsSeqItem(lines_[pos_].text)) return Sequence(indent, out, depth);
    return Mapping(indent, out, depth);
  }

  bool Sequence(int indent, Value* out, int depth) {
    *out = Value::array();
    auto& items = out->get_ref<Value::array_t&>();
    while (pos_ < lines_.size() && lines_[pos_].indent == indent && IsSeqItem(lines_[pos_].text)) {
      std::string_view rest = lines_[pos_].text.substr(1);
      size_t spaces = 0;
      while (spaces < rest.size() && rest[spaces] == ' ') ++spaces;
      rest.remove_prefix(spaces);
      items.emplace_back();
      if (rest.empty()) {
        ++pos_;
        if (!Nested(indent, /*seq_at_same_indent=*/false, &items.back(), depth)) return false;
        continue;
      }
      if (IsSeqItem(rest)) return false;  // "- - x"
      if (KeyEnd(rest) != std::string_view::npos) {
        // A compact mapping: its first entry shares the item's line.
        lines_[pos_].indent = indent + 1 + static_cast<int>(spaces);
        lines_[pos_].text = rest;
        if (!Mapping(lines_[pos_].indent, &items.back(), depth + 1)) return false;
        continue;
      }
      if (!Scalar(rest, &items.back())) return false;
      ++pos_;
    }
    items.shrink_to_fit();
    return pos_ == lines_.size() || lines_[pos_].indent <= indent;
  }

  bool Mapping(int indent, Value* out, int depth) {
    *out = Value::object();
    auto& fields = out->get_ref<Value::object_t&>();
    while (pos_ < lines_.size() && lines_[pos_].indent == indent && !IsSeqItem(lines_[pos_].text)) {
      std::string_view t = lines_[pos_].text;
      size_t colon = KeyEnd(t);
      if (colon == std::string_view::npos) return false;
      std::string_view raw_key = t.substr(0, colon);
      if (raw_key == "<<") return false;
      std::string key = KeyString(resolve_(raw_key));
      for (const auto& [k, v] : fields) {
        if (k == key) return false;  // duplicates: the general reader decides
      }
      std::string_view rest = t.substr(colon + 1);
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      fields.emplace_back(std::move(key), Value());
      Value& slot = fields.back().second;
      ++pos_;
      if (rest.empty()) {
        if (!Nested(indent, /*seq_at_same_indent=*/true, &slot, depth)) return false;
        continue;
      }
      if (!Scalar(rest, &slot)) return false;
    }
    fields.shrink_to_fit();  // thousands of small maps: no growth slack
    // A deeper line (a multi-line scalar) or a "- " at this indent is not ours.
    return pos_ == lines_.size() || lines_[pos_].indent < indent;
  }

  // The value after "key:" or "-" with nothing on its line: a deeper
  // collection, a sequence at the same indent (for a key), or null.
  bool Nested(int indent, bool seq_at_same_indent, Value* out, int depth) {
    if (pos_ >= lines_.size()) {
      *out = Value(nullptr);
      return true;
    }
    const Line& next = lines_[pos_];
    if (next.indent > indent) {
      if (!IsCollectionStart(next.text)) return false;  // multi-line scalars
      return Node(next.indent, out, depth + 1);
    }
    if (seq_at_same_indent && next.indent == indent && IsSeqItem(next.text)) {
      return Sequence(indent, out, depth + 1);
    }
    *out = Value(nullptr);
    return true;
  }

  bool Scalar(std::string_view v, Value* out) {
    if (v == "{}") {
      *out = Value::object();
      return true;
    }
    if (v == "[]") {
      *out = Value::array();
      return true;
    }
    char c = v.front();
    if (c == '"') {
      if (v.size() < 2 || v.back() != '"') return false;
      std::string_view inner = v.substr(1, v.size() - 2);
      if (inner.find_first_of("\"\\") != std::string_view::npos) return false;
      *out = std::string(inner);
      return true;
    }
    if (c == '\'') {
      if (v.size() < 2 || v.back() != '\'') return false;
      std::string_view inner = v.substr(1, v.size() - 2);
      std::string s;
      for (size_t i = 0; i < inner.size(); ++i) {
        if (inner[i] == '\'') {
          if (i + 1 >= inner.size() || inner[i + 1] != '\'') return false;
          ++i;
        }
        s.push_back(inner[i]);
      }
      *out = std::move(s);
      return true;
    }
    if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(c) != std::string_view::npos) return false;
    if (v.find(": ") != std::string_view::npos || v.find(" #") != std::string_view::npos || v.back() == ':') {
      return false;
    }
    if (v.find_first_of("{}[]") != std::string_view::npos) return false;
    *out = resolve_(v);
    return true;
  }

  std::vector<Line> lines_;
  size_t pos_ = 0;
  Value (*resolve_)(std::string_view);
};

}  // namespace

std::optional<std::vector<Value>> FastReadYamlDocuments(std::string_view text, Value (*resolve_plain)(std::string_view)) {
  std::vector<Value> docs;
  std::vector<Line> lines;
  auto flush = [&]() -> bool {
    Value doc;
    Reader reader(std::move(lines), resolve_plain);
    lines.clear();
    if (!reader.Document(&doc)) return false;
    if (!doc.is_null()) docs.push_back(std::move(doc));
    return true;
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view raw = text.substr(pos, nl - pos);
    pos = nl + 1;
    for (char c : raw) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x7f) return std::nullopt;  // tabs, CR, control and non-ASCII bytes
    }
    size_t indent = 0;
    while (indent < raw.size() && raw[indent] == ' ') ++indent;
    std::string_view content = raw.substr(indent);
    while (!content.empty() && content.back() == ' ') content.remove_suffix(1);
    if (content.empty() || content.front() == '#') continue;
    if (indent == 0 && content.size() >= 3 && (content.substr(0, 3) == "---" || content.substr(0, 3) == "...")) {
      if (content != "---") return std::nullopt;
      if (!flush()) return std::nullopt;
      continue;
    }
    if (indent == 0 && content.front() == '%') return std::nullopt;
    lines.push_back({static_cast<int>(indent), content});
  }
  if (!flush()) return std::nullopt;
  return docs;
}

}  // namespace fluxcpp::kustomize
