#include "libs/kustomize/generator_hash.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "libs/core/digest.h"
#include "libs/kustomize/yaml_scalar.h"

namespace fluxcpp::kustomize {

using object::Value;

namespace {

void QuoteGo(std::string& out, const std::string& s) {
  static const char* kHex = "0123456789abcdef";
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '<': case '>': case '&':
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
          break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    int w = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool valid = w > 0 && i + static_cast<size_t>(w) <= s.size();
    for (int k = 1; valid && k < w; ++k) valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (!valid) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (w == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 3;
      continue;
    }
    out.append(s, i, static_cast<size_t>(w));
    i += static_cast<size_t>(w);
  }
  out.push_back('"');
}

void Marshal(std::string& out, const Value& v) {
  if (v.is_object()) {
    std::vector<std::string> keys;
    for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(it.key());
    std::sort(keys.begin(), keys.end());
    out.push_back('{');
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i > 0) out.push_back(',');
      QuoteGo(out, keys[i]);
      out.push_back(':');
      Marshal(out, v.at(keys[i]));
    }
    out.push_back('}');
  } else if (v.is_array()) {
    out.push_back('[');
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) out.push_back(',');
      Marshal(out, v[i]);
    }
    out.push_back(']');
  } else if (v.is_string()) {
    QuoteGo(out, v.get<std::string>());
  } else if (v.is_null()) {
    out += "null";
  } else if (v.is_boolean()) {
    out += v.get<bool>() ? "true" : "false";
  } else if (v.is_number_float()) {
    out += FormatGoFloat(v.get<double>());
  } else {
    out += v.dump();
  }
}

}  // namespace

std::string GoJsonMarshal(const Value& v) {
  std::string out;
  Marshal(out, v);
  return out;
}

std::string EncodeHashPrefix(const std::string& hex) {
  std::string enc = hex.substr(0, 10);
  for (char& c : enc) {
    switch (c) {
      case '0': c = 'g'; break;
      case '1': c = 'h'; break;
      case '3': c = 'k'; break;
      case 'a': c = 'm'; break;
      case 'e': c = 't'; break;
      default: break;
    }
  }
  return enc;
}

std::string ResourceHash(const Value& obj) {
  std::string kind = object::GetString(obj, {"kind"});
  auto field = [&obj](const char* key) -> Value {
    const Value* v = object::Find(obj, {key});
    if (v == nullptr) return Value("");
    if (v->is_object() || v->is_array()) return *v;
    if (v->is_string()) return *v;
    return Value(v->is_null() ? std::string("null") : v->dump());
  };
  std::string encoded;
  if (kind == "ConfigMap") {
    Value m = Value::object();
    m["kind"] = "ConfigMap";
    // kustomize looks the name up as a single field literally named
    // "metadata/name", so it always hashes an empty name.
    m["name"] = "";
    m["data"] = field("data");
    if (const Value* b = object::Find(obj, {"binaryData"}); b != nullptr && b->is_object()) m["binaryData"] = *b;
    encoded = GoJsonMarshal(m);
  } else if (kind == "Secret") {
    Value m = Value::object();
    m["kind"] = "Secret";
    m["type"] = field("type");
    m["name"] = "";
    m["data"] = field("data");
    if (const Value* b = object::Find(obj, {"stringData"}); b != nullptr && b->is_object()) m["stringData"] = *b;
    encoded = GoJsonMarshal(m);
  } else {
    encoded = GoJsonMarshal(obj);
  }
  return EncodeHashPrefix(Sha256Hex(encoded));
}

}  // namespace fluxcpp::kustomize
