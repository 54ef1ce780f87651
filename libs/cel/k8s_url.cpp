// Kubernetes CEL url library: url(), isURL() and the URL accessors, parsing
// as Go's url.ParseRequestURI (absolute URI or absolute path, no fragment).
#include <cctype>
#include <map>
#include <memory>
#include <string>

#include "libs/cel/k8s_functions.h"

namespace fluxcpp::cel {
namespace {

struct Url final : OpaqueValue {
  std::string raw, scheme, opaque, user, host, path, query;
  std::string TypeName() const override { return "kubernetes.URL"; }
  bool Equals(const OpaqueValue& o) const override { return raw == static_cast<const Url&>(o).raw; }
  std::string DebugString() const override { return "url(\"" + raw + "\")"; }
};

bool ValidPort(const std::string& p) {
  for (char c : p)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Go's url.ParseRequestURI; the error reads like Go's ("parse \"x\": ...").
std::shared_ptr<Url> ParseUrl(const std::string& raw, std::string* error) {
  auto fail = [&](const std::string& why) {
    *error = "parse \"" + raw + "\": " + why;
    return nullptr;
  };
  for (char c : raw)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return fail("net/url: invalid control character in URL");
  auto u = std::make_shared<Url>();
  u->raw = raw;
  std::string rest = raw;
  // scheme
  size_t i = 0;
  for (; i < rest.size(); ++i) {
    char c = rest[i];
    if (std::isalpha(static_cast<unsigned char>(c))) continue;
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.') {
      if (i == 0) { i = std::string::npos; break; }
      continue;
    }
    if (c == ':') {
      if (i == 0) return fail("missing protocol scheme");
      break;
    }
    i = std::string::npos;  // not a scheme character: no scheme
    break;
  }
  if (i != std::string::npos && i < rest.size() && rest[i] == ':') {
    u->scheme = rest.substr(0, i);
    for (auto& c : u->scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    rest = rest.substr(i + 1);
  }
  if (size_t q = rest.find('?'); q != std::string::npos) {
    u->query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (rest.empty() || rest[0] != '/') {
    if (!u->scheme.empty()) {
      u->opaque = rest;
      return u;
    }
    return fail("invalid URI for request");
  }
  if (!u->scheme.empty() && rest.compare(0, 2, "//") == 0) {
    rest = rest.substr(2);
    size_t slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    rest = slash == std::string::npos ? "" : rest.substr(slash);
    if (size_t at = authority.rfind('@'); at != std::string::npos) {
      u->user = authority.substr(0, at);
      authority = authority.substr(at + 1);
    }
    if (!authority.empty() && authority[0] == '[') {
      size_t close = authority.find(']');
      if (close == std::string::npos) return fail("missing ']' in host");
      std::string after = authority.substr(close + 1);
      if (!after.empty() && (after[0] != ':' || !ValidPort(after.substr(1))))
        return fail("invalid port \"" + after + "\" after host");
    } else if (size_t colon = authority.rfind(':'); colon != std::string::npos) {
      std::string port = authority.substr(colon);
      if (!ValidPort(port.substr(1))) return fail("invalid port \"" + port + "\" after host");
    }
    for (char c : authority)
      if (c == ' ' || c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' || c == '\\' ||
          c == '^' || c == '`')
        return fail("invalid character \"" + std::string(1, c) + "\" in host name");
    u->host = authority;
  }
  u->path = rest;
  return u;
}

std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() + 0 && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

const Url* AsUrl(const Value& v) {
  if (v.kind() != Kind::kOpaque || v.TypeName() != "kubernetes.URL") return nullptr;
  return static_cast<const Url*>(&v.opaque());
}

Value ToUrl(const Value* a, size_t n) {
  if (n != 1 || a[0].kind() != Kind::kString) return NoOverload("url", a, n);
  std::string err;
  auto u = ParseUrl(a[0].str(), &err);
  if (!u) return Value::Error("URL parse error during conversion from string: " + err);
  return Value::Opaque(std::move(u));
}
Value IsUrl(const Value* a, size_t n) {
  if (n != 1 || a[0].kind() != Kind::kString) return NoOverload("isURL", a, n);
  std::string err;
  return Value::Bool(ParseUrl(a[0].str(), &err) != nullptr);
}

#define URL_GETTER(Fn, name, expr)                          \
  Value Fn(const Value* a, size_t n) {                      \
    const Url* u = n == 1 ? AsUrl(a[0]) : nullptr;          \
    if (u == nullptr) return NoOverload(name, a, n);        \
    return expr;                                            \
  }

std::string Hostname(const Url& u) {
  const std::string& h = u.host;
  if (!h.empty() && h[0] == '[') return h.substr(1, h.find(']') - 1);
  size_t colon = h.rfind(':');
  return colon == std::string::npos ? h : h.substr(0, colon);
}
std::string Port(const Url& u) {
  const std::string& h = u.host;
  size_t start = (!h.empty() && h[0] == '[') ? h.find(']') : 0;
  size_t colon = h.find(':', start == std::string::npos ? 0 : start);
  return colon == std::string::npos ? "" : h.substr(colon + 1);
}
Value Query(const Url& u) {
  std::map<std::string, ListValue> params;
  std::vector<std::string> order;
  size_t start = 0;
  while (start <= u.query.size() && !u.query.empty()) {
    size_t amp = u.query.find('&', start);
    std::string part = u.query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (!part.empty() && part.find(';') == std::string::npos) {
      size_t eq = part.find('=');
      std::string k = Unescape(part.substr(0, eq));
      std::string v = eq == std::string::npos ? "" : Unescape(part.substr(eq + 1));
      if (!params.count(k)) order.push_back(k);
      params[k].push_back(Value::String(v));
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  auto map = std::make_shared<MapValue>();
  for (const auto& k : order) map->Insert(Value::String(k), Value::List(params[k]));
  return Value::Map(std::move(map));
}

URL_GETTER(GetScheme, "getScheme", Value::String(u->scheme))
URL_GETTER(GetHost, "getHost", Value::String(u->host))
URL_GETTER(GetHostname, "getHostname", Value::String(Hostname(*u)))
URL_GETTER(GetPort, "getPort", Value::String(Port(*u)))
URL_GETTER(GetEscapedPath, "getEscapedPath", Value::String(u->path))
URL_GETTER(GetQuery, "getQuery", Query(*u))

}  // namespace

std::vector<Builtin> KubernetesUrlBuiltins() {
  return {
      {"url", ToUrl, true, false},
      {"isURL", IsUrl, true, false},
      {"getScheme", GetScheme, false, true},
      {"getHost", GetHost, false, true},
      {"getHostname", GetHostname, false, true},
      {"getPort", GetPort, false, true},
      {"getEscapedPath", GetEscapedPath, false, true},
      {"getQuery", GetQuery, false, true},
  };
}

}  // namespace fluxcpp::cel
