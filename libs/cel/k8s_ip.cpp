// Kubernetes CEL IP and CIDR libraries: ip(), isIP(), ip.isCanonical(),
// cidr(), isCIDR() and their accessors, parsing as Go's netip (no IPv4
// leading zeros, no zones, no IPv4-mapped IPv6 addresses).
#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "libs/cel/k8s_functions.h"

namespace fluxcpp::cel {
namespace {

struct Addr {
  bool v4 = false;
  std::array<unsigned char, 16> b{};  // v4 uses the first 4 bytes
  size_t size() const { return v4 ? 4 : 16; }
  int bits() const { return v4 ? 32 : 128; }
  bool operator==(const Addr& o) const { return v4 == o.v4 && std::memcmp(b.data(), o.b.data(), size()) == 0; }
  std::string String() const {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(v4 ? AF_INET : AF_INET6, b.data(), buf, sizeof buf);
    return buf;
  }
};

std::optional<Addr> ParseAddr(const std::string& s, std::string* error) {
  Addr a;
  if (s.find('%') != std::string::npos) {
    *error = "IP address with zone value is not allowed";
    return std::nullopt;
  }
  if (s.find(':') == std::string::npos) {
    a.v4 = true;
    if (inet_pton(AF_INET, s.c_str(), a.b.data()) == 1) return a;
    *error = "ParseAddr(\"" + s + "\"): unable to parse IP";
    return std::nullopt;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.b.data()) != 1) {
    *error = "ParseAddr(\"" + s + "\"): unable to parse IP";
    return std::nullopt;
  }
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a.b.data(), kMapped, 12) == 0) {
    *error = "IPv4-mapped IPv6 address is not allowed";
    return std::nullopt;
  }
  return a;
}

struct Ip final : OpaqueValue {
  Addr addr;
  std::string TypeName() const override { return "net.IP"; }
  bool Equals(const OpaqueValue& o) const override { return addr == static_cast<const Ip&>(o).addr; }
  std::string DebugString() const override { return "ip(\"" + addr.String() + "\")"; }
  std::optional<std::string> ToCelString() const override { return addr.String(); }
};

struct Cidr final : OpaqueValue {
  Addr addr;
  int prefix = 0;
  std::string TypeName() const override { return "net.CIDR"; }
  bool Equals(const OpaqueValue& o) const override {
    const auto& c = static_cast<const Cidr&>(o);
    return addr == c.addr && prefix == c.prefix;
  }
  std::string DebugString() const override { return "cidr(\"" + *ToCelString() + "\")"; }
  std::optional<std::string> ToCelString() const override { return addr.String() + "/" + std::to_string(prefix); }
};

std::optional<Cidr> ParseCidr(const std::string& s, std::string* error) {
  size_t slash = s.find('/');
  if (slash == std::string::npos) {
    *error = "netip.ParsePrefix(\"" + s + "\"): no '/'";
    return std::nullopt;
  }
  Cidr c;
  auto a = ParseAddr(s.substr(0, slash), error);
  if (!a) return std::nullopt;
  c.addr = *a;
  std::string bits = s.substr(slash + 1);
  bool ok = !bits.empty() && bits.size() <= 3 && (bits == "0" || bits[0] != '0');
  for (char ch : bits) ok = ok && ch >= '0' && ch <= '9';
  if (!ok || std::stoi(bits) > c.addr.bits()) {
    *error = "netip.ParsePrefix(\"" + s + "\"): bad bits after slash: \"" + bits + "\"";
    return std::nullopt;
  }
  c.prefix = std::stoi(bits);
  return c;
}

Addr Mask(Addr a, int prefix) {
  for (size_t i = 0; i < a.size(); ++i) {
    int keep = std::max(0, std::min(8, prefix - static_cast<int>(i) * 8));
    a.b[i] &= static_cast<unsigned char>(keep == 0 ? 0 : (0xff << (8 - keep)) & 0xff);
  }
  return a;
}

bool Contains(const Cidr& c, const Addr& a) { return c.addr.v4 == a.v4 && Mask(c.addr, c.prefix) == Mask(a, c.prefix); }

const Ip* AsIp(const Value& v) {
  return v.kind() == Kind::kOpaque && v.TypeName() == "net.IP" ? static_cast<const Ip*>(&v.opaque()) : nullptr;
}
const Cidr* AsCidr(const Value& v) {
  return v.kind() == Kind::kOpaque && v.TypeName() == "net.CIDR" ? static_cast<const Cidr*>(&v.opaque()) : nullptr;
}

Value ToIp(const Value* a, size_t n) {
  if (n == 1 && AsCidr(a[0])) {  // <CIDR>.ip()
    auto ip = std::make_shared<Ip>();
    ip->addr = AsCidr(a[0])->addr;
    return Value::Opaque(std::move(ip));
  }
  if (n != 1 || a[0].kind() != Kind::kString) return NoOverload("ip", a, n);
  std::string err;
  auto addr = ParseAddr(a[0].str(), &err);
  if (!addr) return Value::Error("IP Address \"" + a[0].str() + "\" parse error during conversion from string: " + err);
  auto ip = std::make_shared<Ip>();
  ip->addr = *addr;
  return Value::Opaque(std::move(ip));
}
Value IsIp(const Value* a, size_t n) {
  if (n != 1 || a[0].kind() != Kind::kString) return NoOverload("isIP", a, n);
  std::string err;
  return Value::Bool(ParseAddr(a[0].str(), &err).has_value());
}
Value IsCanonical(const Value* a, size_t n) {
  if (n != 1 || a[0].kind() != Kind::kString) return NoOverload("ip.isCanonical", a, n);
  std::string err;
  auto addr = ParseAddr(a[0].str(), &err);
  if (!addr) return Value::Error("IP Address \"" + a[0].str() + "\" parse error during conversion from string: " + err);
  return Value::Bool(addr->String() == a[0].str());
}

Value IpPredicate(const Value* a, size_t n, const char* name, bool (*pred)(const Addr&)) {
  const Ip* ip = n == 1 ? AsIp(a[0]) : nullptr;
  if (!ip) return NoOverload(name, a, n);
  return Value::Bool(pred(ip->addr));
}
bool Unspecified(const Addr& a) {
  for (size_t i = 0; i < a.size(); ++i)
    if (a.b[i] != 0) return false;
  return true;
}
bool Loopback(const Addr& a) {
  if (a.v4) return a.b[0] == 127;
  for (size_t i = 0; i < 15; ++i)
    if (a.b[i] != 0) return false;
  return a.b[15] == 1;
}
bool LinkLocalMulticast(const Addr& a) {
  return a.v4 ? (a.b[0] == 224 && a.b[1] == 0 && a.b[2] == 0) : (a.b[0] == 0xff && (a.b[1] & 0x0f) == 0x02);
}
bool LinkLocalUnicast(const Addr& a) {
  return a.v4 ? (a.b[0] == 169 && a.b[1] == 254) : (a.b[0] == 0xfe && (a.b[1] & 0xc0) == 0x80);
}
bool GlobalUnicast(const Addr& a) {
  if (a.v4 && a.b[0] == 255 && a.b[1] == 255 && a.b[2] == 255 && a.b[3] == 255) return false;
  bool multicast = a.v4 ? (a.b[0] & 0xf0) == 0xe0 : a.b[0] == 0xff;
  return !Unspecified(a) && !Loopback(a) && !multicast && !LinkLocalUnicast(a);
}
Value IsUnspecified(const Value* a, size_t n) { return IpPredicate(a, n, "isUnspecified", Unspecified); }
Value IsLoopback(const Value* a, size_t n) { return IpPredicate(a, n, "isLoopback", Loopback); }
Value IsLinkLocalMulticast(const Value* a, size_t n) {
  return IpPredicate(a, n, "isLinkLocalMulticast", LinkLocalMulticast);
}
Value IsLinkLocalUnicast(const Value* a, size_t n) { return IpPredicate(a, n, "isLinkLocalUnicast", LinkLocalUnicast); }
Value IsGlobalUnicast(const Value* a, size_t n) { return IpPredicate(a, n, "isGlobalUnicast", GlobalUnicast); }
Value Family(const Value* a, size_t n) {
  const Ip* ip = n == 1 ? AsIp(a[0]) : nullptr;
  if (!ip) return NoOverload("family", a, n);
  return Value::Int(ip->addr.v4 ? 4 : 6);
}

Value ToCidr(const Value* a, size_t n) {
  if (n != 1 || a[0].kind() != Kind::kString) return NoOverload("cidr", a, n);
  std::string err;
  auto c = ParseCidr(a[0].str(), &err);
  if (!c) return Value::Error("network address parse error during conversion from string: " + err);
  return Value::Opaque(std::make_shared<Cidr>(*c));
}
Value IsCidr(const Value* a, size_t n) {
  if (n != 1 || a[0].kind() != Kind::kString) return NoOverload("isCIDR", a, n);
  std::string err;
  return Value::Bool(ParseCidr(a[0].str(), &err).has_value());
}
Value ContainsIp(const Value* a, size_t n) {
  const Cidr* c = n == 2 ? AsCidr(a[0]) : nullptr;
  if (!c) return NoOverload("containsIP", a, n);
  if (const Ip* ip = AsIp(a[1])) return Value::Bool(Contains(*c, ip->addr));
  if (a[1].kind() != Kind::kString) return NoOverload("containsIP", a, n);
  std::string err;
  auto addr = ParseAddr(a[1].str(), &err);
  if (!addr) return Value::Error("IP Address \"" + a[1].str() + "\" parse error during conversion from string: " + err);
  return Value::Bool(Contains(*c, *addr));
}
Value ContainsCidr(const Value* a, size_t n) {
  const Cidr* c = n == 2 ? AsCidr(a[0]) : nullptr;
  if (!c) return NoOverload("containsCIDR", a, n);
  std::optional<Cidr> other;
  if (const Cidr* o = AsCidr(a[1])) other = *o;
  if (!other && a[1].kind() == Kind::kString) {
    std::string err;
    other = ParseCidr(a[1].str(), &err);
    if (!other) return Value::Error("network address parse error during conversion from string: " + err);
  }
  if (!other) return NoOverload("containsCIDR", a, n);
  return Value::Bool(other->prefix >= c->prefix && Contains(*c, other->addr));
}
Value Masked(const Value* a, size_t n) {
  const Cidr* c = n == 1 ? AsCidr(a[0]) : nullptr;
  if (!c) return NoOverload("masked", a, n);
  auto m = std::make_shared<Cidr>(*c);
  m->addr = Mask(c->addr, c->prefix);
  return Value::Opaque(std::move(m));
}
Value PrefixLength(const Value* a, size_t n) {
  const Cidr* c = n == 1 ? AsCidr(a[0]) : nullptr;
  if (!c) return NoOverload("prefixLength", a, n);
  return Value::Int(c->prefix);
}

}  // namespace

std::vector<Builtin> KubernetesIpBuiltins() {
  return {
      {"ip", ToIp, true, true},
      {"isIP", IsIp, true, false},
      {"ip.isCanonical", IsCanonical, true, false},
      {"family", Family, false, true},
      {"isUnspecified", IsUnspecified, false, true},
      {"isLoopback", IsLoopback, false, true},
      {"isLinkLocalMulticast", IsLinkLocalMulticast, false, true},
      {"isLinkLocalUnicast", IsLinkLocalUnicast, false, true},
      {"isGlobalUnicast", IsGlobalUnicast, false, true},
      {"cidr", ToCidr, true, false},
      {"isCIDR", IsCidr, true, false},
      {"containsIP", ContainsIp, false, true},
      {"containsCIDR", ContainsCidr, false, true},
      {"masked", Masked, false, true},
      {"prefixLength", PrefixLength, false, true},
  };
}

}  // namespace fluxcpp::cel
