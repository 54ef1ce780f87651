#include "libs/kustomize/kyaml_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <vector>

#include "libs/kustomize/yaml_scalar.h"

namespace fluxcpp::kustomize {
namespace {

constexpr int kBestWidth = 80;
constexpr int kBestIndent = 2;

// Decodes one UTF-8 sequence at `i`; returns its width (1 for invalid bytes).
int Utf8Width(unsigned char c) {
  if ((c & 0x80) == 0) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 1;
}

char32_t DecodeRune(std::string_view s, size_t i, int* width) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int w = Utf8Width(c);
  if (i + static_cast<size_t>(w) > s.size()) w = 1;
  *width = w;
  if (w == 1) return c;
  char32_t v = w == 2 ? (c & 0x1F) : w == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < w; ++k) v = (v << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return v;
}

bool IsLetterRune(char32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  // Approximation of unicode.IsLetter for non-ASCII: most scripts are letters.
  return r >= 0xC0 && r != 0xD7 && r != 0xF7;
}
bool IsDigitRune(char32_t r) { return r >= '0' && r <= '9'; }

std::vector<char32_t> Runes(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    int w;
    out.push_back(DecodeRune(s, i, &w));
    i += static_cast<size_t>(w);
  }
  return out;
}

// go-yaml emitter character classes (byte oriented, like the original).
bool IsSpace(std::string_view s, size_t i) { return i < s.size() && s[i] == ' '; }
bool IsBreak(std::string_view s, size_t i) {
  if (i >= s.size()) return false;
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == '\r' || c == '\n') return true;
  if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) return true;
  if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
      (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
    return true;
  }
  return false;
}
bool IsBlank(std::string_view s, size_t i) { return i < s.size() && (s[i] == ' ' || s[i] == '\t'); }
bool IsBlankz(std::string_view s, size_t i) { return i >= s.size() || IsBlank(s, i) || IsBreak(s, i); }
unsigned char At(std::string_view s, size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0; }
bool IsPrintable(std::string_view s, size_t i) {
  unsigned char b = At(s, i);
  return b == 0x0A || (b >= 0x20 && b <= 0x7E) || (b == 0xC2 && At(s, i + 1) >= 0xA0) || (b > 0xC2 && b < 0xED) ||
         (b == 0xED && At(s, i + 1) < 0xA0) || b == 0xEE ||
         (b == 0xEF && !(At(s, i + 1) == 0xBB && At(s, i + 2) == 0xBF) &&
          !(At(s, i + 1) == 0xBF && (At(s, i + 2) == 0xBE || At(s, i + 2) == 0xBF)));
}
bool IsBom(std::string_view s, size_t i) { return At(s, i) == 0xEF && At(s, i + 1) == 0xBB && At(s, i + 2) == 0xBF; }

struct ScalarAnalysis {
  bool multiline = false;
  bool block_plain_allowed = true;
  bool single_quoted_allowed = true;
  bool block_allowed = true;
};

ScalarAnalysis Analyze(std::string_view value) {
  ScalarAnalysis a;
  if (value.empty()) {
    a.block_plain_allowed = true;
    a.single_quoted_allowed = true;
    a.block_allowed = false;
    return a;
  }
  bool block_indicators = false, line_breaks = false, special = false;
  bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false;
  bool break_space = false, space_break = false;
  bool previous_space = false, previous_break = false;
  if (value.size() >= 3 && (value.substr(0, 3) == "---" || value.substr(0, 3) == "...")) block_indicators = true;
  bool preceded_by_whitespace = true;
  for (size_t i = 0; i < value.size();) {
    size_t w = static_cast<size_t>(Utf8Width(At(value, i)));
    bool followed_by_whitespace = i + w >= value.size() || IsBlank(value, i + w);
    char c = value[i];
    if (i == 0) {
      switch (c) {
        case '#': case ',': case '[': case ']': case '{': case '}': case '&': case '*': case '!': case '|':
        case '>': case '\'': case '"': case '%': case '@': case '`':
          block_indicators = true;
          break;
        case '?': case ':':
          if (followed_by_whitespace) block_indicators = true;
          break;
        case '-':
          if (followed_by_whitespace) block_indicators = true;
          break;
        default:
          break;
      }
    } else {
      if (c == ':' && followed_by_whitespace) block_indicators = true;
      if (c == '#' && preceded_by_whitespace) block_indicators = true;
    }
    if (!IsPrintable(value, i)) special = true;
    if (IsSpace(value, i)) {
      if (i == 0) leading_space = true;
      if (i + w == value.size()) trailing_space = true;
      if (previous_break) break_space = true;
      previous_space = true;
      previous_break = false;
    } else if (IsBreak(value, i)) {
      line_breaks = true;
      if (i == 0) leading_break = true;
      if (i + w == value.size()) trailing_break = true;
      if (previous_space) space_break = true;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = false;
      previous_break = false;
    }
    preceded_by_whitespace = IsBlankz(value, i);
    i += w;
  }
  a.multiline = line_breaks;
  if (leading_space || leading_break || trailing_space || trailing_break) a.block_plain_allowed = false;
  if (trailing_space) a.block_allowed = false;
  if (break_space) {
    a.block_plain_allowed = false;
    a.single_quoted_allowed = false;
  }
  if (space_break || special) {
    a.block_plain_allowed = false;
    a.single_quoted_allowed = false;
    a.block_allowed = false;
  }
  if (line_breaks) a.block_plain_allowed = false;
  if (block_indicators) a.block_plain_allowed = false;
  return a;
}

enum class Style { kPlain, kSingle, kDouble, kLiteral };

class Emitter {
 public:
  std::string Finish() {
    // Document end: a line break unless already at the start of a line.
    WriteIndent(0);
    return std::move(out_);
  }

  void Node(const object::Value& v, int parent_indent, bool mapping_context) {
    if (v.is_object()) {
      if (v.empty()) return FlowEmpty("{", "}");
      int indent = parent_indent < 0 ? 0 : parent_indent + kBestIndent;
      using Entry = std::pair<const std::string, object::Value>;
      std::vector<const Entry*> entries;
      entries.reserve(v.size());
      for (const Entry& e : v.get_ref<const object::Value::object_t&>()) entries.push_back(&e);
      std::stable_sort(entries.begin(), entries.end(),
                       [](const Entry* a, const Entry* b) { return GoYamlKeyLess(a->first, b->first); });
      for (const Entry* e : entries) {
        WriteIndent(indent);
        StringScalar(e->first, indent + kBestIndent, /*simple_key=*/true);
        WriteIndicator(":", false, false, false);
        Node(e->second, indent, true);
      }
      return;
    }
    if (v.is_array()) {
      if (v.empty()) return FlowEmpty("[", "]");
      int indent = parent_indent < 0 ? 0 : (mapping_context && !indention_) ? parent_indent : parent_indent + kBestIndent;
      for (const object::Value& item : v) {
        WriteIndent(indent);
        WriteIndicator("-", true, false, true);
        Node(item, indent, false);
      }
      return;
    }
    int scalar_indent = parent_indent < 0 ? kBestIndent : parent_indent + kBestIndent;
    if (v.is_string()) {
      StringScalar(v.get_ref<const std::string&>(), scalar_indent, false);
      return;
    }
    WritePlain(ScalarText(v), scalar_indent, true);
  }

 private:
  static std::string ScalarText(const object::Value& v) {
    if (v.is_null()) return "null";
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer()) return v.dump();
    if (v.is_number_float()) return FormatGoFloat(v.get<double>());
    return v.dump();
  }

  void FlowEmpty(const char* open, const char* close) {
    WriteIndicator(open, true, true, false);
    WriteIndicator(close, false, false, false);
  }

  void StringScalar(std::string_view s, int indent, bool simple_key) {
    Style style;
    if (s.find('\n') != std::string_view::npos) {
      style = Style::kLiteral;
    } else if (PlainStringResolvesToString(s)) {
      style = Style::kPlain;
    } else {
      style = Style::kDouble;
    }
    ScalarAnalysis a = Analyze(s);
    if (simple_key && a.multiline) style = Style::kDouble;
    if (style == Style::kPlain) {
      if (!a.block_plain_allowed) style = Style::kSingle;
      if (s.empty() && simple_key) style = Style::kSingle;
    }
    if (style == Style::kSingle && !a.single_quoted_allowed) style = Style::kDouble;
    if (style == Style::kLiteral && (!a.block_allowed || simple_key)) style = Style::kDouble;
    bool allow_breaks = !simple_key;
    switch (style) {
      case Style::kPlain:
        WritePlain(s, indent, allow_breaks);
        break;
      case Style::kSingle:
        WriteSingle(s, indent, allow_breaks);
        break;
      case Style::kDouble:
        WriteDouble(s, indent, allow_breaks);
        break;
      case Style::kLiteral:
        WriteLiteral(s, indent);
        break;
    }
  }

  void Put(char c) {
    out_.push_back(c);
    ++column_;
  }
  void PutBreak() {
    out_.push_back('\n');
    column_ = 0;
  }
  // Copies one UTF-8 character at s[*i], counting one column.
  void Write(std::string_view s, size_t* i) {
    size_t w = static_cast<size_t>(Utf8Width(At(s, *i)));
    if (*i + w > s.size()) w = 1;
    out_.append(s.substr(*i, w));
    *i += w;
    ++column_;
  }
  void WriteBreak(std::string_view s, size_t* i) {
    if (s[*i] == '\n') {
      PutBreak();
      ++*i;
    } else {
      // Other breaks are written as they are.
      size_t w = static_cast<size_t>(Utf8Width(At(s, *i)));
      out_.append(s.substr(*i, w));
      *i += w;
      column_ = 0;
    }
  }

  void WriteIndent(int indent) {
    if (indent < 0) indent = 0;
    if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) PutBreak();
    while (column_ < indent) Put(' ');
    whitespace_ = true;
    indention_ = true;
  }

  void WriteIndicator(std::string_view indicator, bool need_whitespace, bool is_whitespace, bool is_indention) {
    if (need_whitespace && !whitespace_) Put(' ');
    for (char c : indicator) Put(c);
    whitespace_ = is_whitespace;
    indention_ = indention_ && is_indention;
  }

  void WritePlain(std::string_view s, int indent, bool allow_breaks) {
    if (!whitespace_) Put(' ');
    bool spaces = false;
    for (size_t i = 0; i < s.size();) {
      if (IsSpace(s, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && !IsSpace(s, i + 1)) {
          WriteIndent(indent);
          ++i;
        } else {
          Write(s, &i);
        }
        spaces = true;
      } else {
        Write(s, &i);
        indention_ = false;
        spaces = false;
      }
    }
    whitespace_ = false;
    indention_ = false;
  }

  void WriteSingle(std::string_view s, int indent, bool allow_breaks) {
    WriteIndicator("'", true, false, false);
    bool spaces = false;
    for (size_t i = 0; i < s.size();) {
      if (IsSpace(s, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && i > 0 && i < s.size() - 1 && !IsSpace(s, i + 1)) {
          WriteIndent(indent);
          ++i;
        } else {
          Write(s, &i);
        }
        spaces = true;
      } else {
        if (s[i] == '\'') Put('\'');
        Write(s, &i);
        indention_ = false;
        spaces = false;
      }
    }
    WriteIndicator("'", false, false, false);
    whitespace_ = false;
    indention_ = false;
  }

  void WriteDouble(std::string_view s, int indent, bool allow_breaks) {
    WriteIndicator("\"", true, false, false);
    bool spaces = false;
    for (size_t i = 0; i < s.size();) {
      if (!IsPrintable(s, i) || IsBom(s, i) || IsBreak(s, i) || s[i] == '"' || s[i] == '\\') {
        int w;
        char32_t v = DecodeRune(s, i, &w);
        i += static_cast<size_t>(w);
        Put('\\');
        switch (v) {
          case 0x00: Put('0'); break;
          case 0x07: Put('a'); break;
          case 0x08: Put('b'); break;
          case 0x09: Put('t'); break;
          case 0x0A: Put('n'); break;
          case 0x0B: Put('v'); break;
          case 0x0C: Put('f'); break;
          case 0x0D: Put('r'); break;
          case 0x1B: Put('e'); break;
          case 0x22: Put('"'); break;
          case 0x5C: Put('\\'); break;
          case 0x85: Put('N'); break;
          case 0xA0: Put('_'); break;
          case 0x2028: Put('L'); break;
          case 0x2029: Put('P'); break;
          default: {
            int digits;
            if (v <= 0xFF) {
              Put('x');
              digits = 2;
            } else if (v <= 0xFFFF) {
              Put('u');
              digits = 4;
            } else {
              Put('U');
              digits = 8;
            }
            for (int k = (digits - 1) * 4; k >= 0; k -= 4) {
              int d = static_cast<int>((v >> k) & 0x0F);
              Put(static_cast<char>(d < 10 ? '0' + d : 'A' + d - 10));
            }
          }
        }
        spaces = false;
      } else if (IsSpace(s, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && i != 0 && i != s.size() - 1) {
          WriteIndent(indent);
          if (IsSpace(s, i + 1)) Put('\\');
          ++i;
        } else {
          Write(s, &i);
        }
        spaces = true;
      } else {
        Write(s, &i);
        spaces = false;
      }
    }
    WriteIndicator("\"", false, false, false);
    whitespace_ = false;
    indention_ = false;
  }

  void WriteLiteral(std::string_view s, int indent) {
    WriteIndicator("|", true, false, false);
    if (IsSpace(s, 0) || IsBreak(s, 0)) Put(static_cast<char>('0' + kBestIndent));
    // Chomping indicator.
    if (s.empty()) {
      Put('-');
    } else {
      size_t i = s.size() - 1;
      while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
      if (!IsBreak(s, i)) {
        Put('-');
      } else if (i == 0) {
        Put('+');
      } else {
        --i;
        while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
        if (IsBreak(s, i)) Put('+');
      }
    }
    PutBreak();
    indention_ = true;
    whitespace_ = true;
    bool breaks = true;
    for (size_t i = 0; i < s.size();) {
      if (IsBreak(s, i)) {
        WriteBreak(s, &i);
        indention_ = true;
        breaks = true;
      } else {
        if (breaks) {
          WriteIndent(indent);
          breaks = false;
        }
        Write(s, &i);
        indention_ = false;
      }
    }
  }

  std::string out_;
  int column_ = 0;
  bool whitespace_ = true;
  bool indention_ = true;
};

}  // namespace

namespace {

// go-yaml's keyList.Less over two rune sequences (any random-access range of
// code points: decoded runes, or the bytes of an ASCII string).
template <typename Runes>
bool RunesLess(const Runes& ar, const Runes& br) {
  for (size_t i = 0; i < ar.size() && i < br.size(); ++i) {
    char32_t a = static_cast<char32_t>(ar[i]);
    char32_t b = static_cast<char32_t>(br[i]);
    if (a == b) continue;
    bool al = IsLetterRune(a), bl = IsLetterRune(b);
    if (al && bl) return a < b;
    if (al || bl) return bl;
    int64_t an = 0, bn = 0;
    if (a == '0' || b == '0') {
      for (size_t j = i; j-- > 0 && IsDigitRune(static_cast<char32_t>(ar[j]));) {
        if (static_cast<char32_t>(ar[j]) != '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    size_t ai = i, bi = i;
    for (; ai < ar.size() && IsDigitRune(static_cast<char32_t>(ar[ai])); ++ai) {
      an = an * 10 + static_cast<int64_t>(static_cast<char32_t>(ar[ai]) - '0');
    }
    for (; bi < br.size() && IsDigitRune(static_cast<char32_t>(br[bi])); ++bi) {
      bn = bn * 10 + static_cast<int64_t>(static_cast<char32_t>(br[bi]) - '0');
    }
    if (an != bn) return an < bn;
    if (ai != bi) return ai < bi;
    return a < b;
  }
  return ar.size() < br.size();
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

bool GoYamlKeyLess(std::string_view a_text, std::string_view b_text) {
  // ASCII bytes are their own runes: no decoding for the usual keys.
  if (IsAscii(a_text) && IsAscii(b_text)) return RunesLess(a_text, b_text);
  return RunesLess(Runes(a_text), Runes(b_text));
}

std::string MarshalResource(const object::Value& value) {
  Emitter e;
  e.Node(value, -1, false);
  return e.Finish();
}

}  // namespace fluxcpp::kustomize
