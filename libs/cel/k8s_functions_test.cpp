#include "libs/cel/k8s_functions.h"

#include <catch2/catch.hpp>

#include "libs/cel/cel.h"

namespace fluxcpp::cel {
namespace {

absl::StatusOr<Value> Eval(const std::string& expr, bool kubernetes = true) {
  CompileOptions opts;
  opts.kubernetes_library = kubernetes;
  auto p = Compile(expr, opts);
  if (!p.ok()) return p.status();
  return p->Evaluate(Activation());
}

std::string Show(const std::string& expr) {
  auto v = Eval(expr);
  return v.ok() ? v->DebugString() : "error: " + std::string(v.status().message());
}

TEST_CASE("k8s lists library", "[unit]") {
  CHECK(Show("[1, 2, 2, 5].isSorted()") == "true");
  CHECK(Show("['b', 'a'].isSorted()") == "false");
  CHECK(Show("[].isSorted()") == "true");
  CHECK(Show("[1, 2, 3].sum()") == "6");
  CHECK(Show("[1.5, 2.0].sum()") == "3.5");
  CHECK(Show("[].sum()") == "0");
  CHECK(Show("[duration('1s'), duration('2s')].sum() == duration('3s')") == "true");
  CHECK(Show("[3, 1, 2].min()") == "1");
  CHECK(Show("['a', 'c', 'b'].max()") == Value::String("c").DebugString());
  CHECK(Show("[].min()") == "error: min called on empty list");
  CHECK(Show("[1, 2, 1].indexOf(1)") == "0");
  CHECK(Show("[1, 2, 1].lastIndexOf(1)") == "2");
  CHECK(Show("[1, 2].indexOf(3)") == "-1");
  // The string overloads still work.
  CHECK(Show("'abcabc'.indexOf('c')") == "2");
  CHECK(Show("'abcabc'.lastIndexOf('c')") == "5");
  CHECK(Show("[{}, 1].isSorted()").rfind("error: no matching overload", 0) == 0);
}

TEST_CASE("k8s regex library", "[unit]") {
  CHECK(Show("'abc 123 def 456'.find('[0-9]+')") == Value::String("123").DebugString());
  CHECK(Show("'abc'.find('[0-9]+')") == Value::String("").DebugString());
  CHECK(Show("'abc 123 def 456'.findAll('[0-9]+') == ['123', '456']") == "true");
  CHECK(Show("'a1b2c3'.findAll('[0-9]', 2) == ['1', '2']") == "true");
  CHECK(Show("'abc'.findAll('x*').size()") == "4");
  CHECK(Show("'abc'.find('(')").rfind("error: invalid regular expression", 0) == 0);
}

TEST_CASE("k8s libraries are not in Flux's environment", "[unit]") {
  CHECK(!Eval("[1].isSorted()", false).ok());
  CHECK(!Eval("'a'.find('a')", false).ok());
  CHECK(!Eval("[1].indexOf(1)", false).ok());
}

}  // namespace
}  // namespace fluxcpp::cel

namespace fluxcpp::cel {
namespace {

TEST_CASE("k8s url library", "[unit]") {
  CHECK(Show("url('https://user@example.com:8443/a/b?x=1&y=2&x=3').getScheme()") == Value::String("https").DebugString());
  CHECK(Show("url('https://example.com:8443/a').getHost()") == Value::String("example.com:8443").DebugString());
  CHECK(Show("url('https://example.com:8443/a').getHostname()") == Value::String("example.com").DebugString());
  CHECK(Show("url('https://example.com:8443/a').getPort()") == Value::String("8443").DebugString());
  CHECK(Show("url('https://[::1]:80/').getHostname()") == Value::String("::1").DebugString());
  CHECK(Show("url('https://[::1]/').getPort()") == Value::String("").DebugString());
  CHECK(Show("url('https://example.com/a%20b').getEscapedPath()") == Value::String("/a%20b").DebugString());
  CHECK(Show("url('https://e.com/?x=1&y=2&x=3').getQuery() == {'x': ['1', '3'], 'y': ['2']}") == "true");
  CHECK(Show("url('/just/a/path').getHost()") == Value::String("").DebugString());
  CHECK(Show("isURL('https://example.com')") == "true");
  CHECK(Show("isURL('example.com')") == "false");
  CHECK(Show("isURL('https://e.com:port/')") == "false");
  CHECK(Show("url('x y')") ==
        "error: URL parse error during conversion from string: parse \"x y\": invalid URI for request");
  CHECK(Show("type(url('https://e.com')) == type(url('/x'))") == "true");
  CHECK(Show("url('https://e.com') == url('https://e.com')") == "true");
}

TEST_CASE("k8s quantity library", "[unit]") {
  CHECK(Show("quantity('1') == quantity('1000m')") == "true");
  CHECK(Show("quantity('1Ki').asInteger()") == "1024");
  CHECK(Show("quantity('1.5Gi').asInteger()") == "1610612736");
  CHECK(Show("quantity('2e3').asInteger()") == "2000");
  CHECK(Show("quantity('500m').isInteger()") == "false");
  CHECK(Show("quantity('500m').asInteger()") == "error: cannot convert value to integer");
  CHECK(Show("quantity('500m').asApproximateFloat()") == "0.5");
  CHECK(Show("quantity('-3k').sign()") == "-1");
  CHECK(Show("quantity('1Gi').isGreaterThan(quantity('1G'))") == "true");
  CHECK(Show("quantity('100Mi').isLessThan(quantity('1Gi'))") == "true");
  CHECK(Show("quantity('1').compareTo(quantity('1000m'))") == "0");
  CHECK(Show("quantity('1').add(quantity('500m')) == quantity('1.5')") == "true");
  CHECK(Show("quantity('1').add(2).asInteger()") == "3");
  CHECK(Show("quantity('1').sub(quantity('1500m')).sign()") == "-1");
  CHECK(Show("quantity('0.1n') == quantity('1n')") == "true");  // rounded up to nano precision
  CHECK(Show("isQuantity('1.5Gi')") == "true");
  CHECK(Show("isQuantity('1.5Gb')") == "false");
  CHECK(Show("isQuantity('abc')") == "false");
  CHECK(Show("quantity('1x')").rfind("error: quantities must match the regular expression", 0) == 0);
  CHECK(Show("quantity('1ee')") == "error: unable to parse quantity's suffix");
  CHECK(Show("type(quantity('1')) == type(quantity('2k'))") == "true");
  CHECK(Show("type(quantity('1')) == type(url('/x'))") == "false");
  CHECK(Show("quantity('1') == url('/x')") == "false");
}

}  // namespace
}  // namespace fluxcpp::cel

namespace fluxcpp::cel {
namespace {

TEST_CASE("k8s ip and cidr libraries", "[unit]") {
  CHECK(Show("ip('10.0.0.1').family()") == "4");
  CHECK(Show("ip('fe80::1').family()") == "6");
  CHECK(Show("string(ip('2001:DB8::1'))") == Value::String("2001:db8::1").DebugString());
  CHECK(Show("ip.isCanonical('2001:db8::1')") == "true");
  CHECK(Show("ip.isCanonical('2001:DB8::1')") == "false");
  CHECK(Show("isIP('010.0.0.1')") == "false");
  CHECK(Show("isIP('::ffff:1.2.3.4')") == "false");
  CHECK(Show("isIP('fe80::1%eth0')") == "false");
  CHECK(Show("ip('127.0.0.5').isLoopback() && ip('::1').isLoopback()") == "true");
  CHECK(Show("ip('0.0.0.0').isUnspecified()") == "true");
  CHECK(Show("ip('169.254.1.1').isLinkLocalUnicast() && ip('fe80::1').isLinkLocalUnicast()") == "true");
  CHECK(Show("ip('224.0.0.1').isLinkLocalMulticast() && ip('ff02::1').isLinkLocalMulticast()") == "true");
  CHECK(Show("ip('8.8.8.8').isGlobalUnicast() && !ip('224.0.0.1').isGlobalUnicast()") == "true");
  CHECK(Show("ip('1.2.3.4') == ip('1.2.3.4')") == "true");
  CHECK(Show("cidr('10.0.0.0/8').containsIP(ip('10.1.2.3'))") == "true");
  CHECK(Show("cidr('10.0.0.0/8').containsIP('11.1.2.3')") == "false");
  CHECK(Show("cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')") == "true");
  CHECK(Show("cidr('10.1.0.0/16').containsCIDR(cidr('10.0.0.0/8'))") == "false");
  CHECK(Show("string(cidr('10.1.2.3/8').masked())") == Value::String("10.0.0.0/8").DebugString());
  CHECK(Show("string(cidr('10.1.2.3/8').ip())") == Value::String("10.1.2.3").DebugString());
  CHECK(Show("cidr('::1/128').prefixLength()") == "128");
  CHECK(Show("isCIDR('10.0.0.0/33')") == "false");
  CHECK(Show("isCIDR('10.0.0.0')") == "false");
  CHECK(Show("ip('x')") ==
        "error: IP Address \"x\" parse error during conversion from string: ParseAddr(\"x\"): unable to parse IP");
}

}  // namespace
}  // namespace fluxcpp::cel
