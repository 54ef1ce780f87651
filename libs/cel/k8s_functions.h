#pragma once
// The Kubernetes CEL libraries kube-apiserver adds for CRD validation rules
// (CompileOptions::kubernetes_library), with cel-go-like error messages:
//   lists: <list>.isSorted(), .sum(), .min(), .max(), .indexOf(x), .lastIndexOf(x)
//          (indexOf/lastIndexOf keep the ext.Strings string overloads)
//   regex: <string>.find(re) -> first match or "", <string>.findAll(re[, limit]) -> list
//   url (k8s_url.cpp): url(s), isURL(s), <URL>.getScheme/getHost/getHostname/getPort/
//          getEscapedPath() -> string, .getQuery() -> map(string, list(string))
//   quantity (k8s_quantity.cpp): quantity(s), isQuantity(s), <Quantity>.sign(),
//          isInteger(), asInteger(), asApproximateFloat(), add/sub(Quantity|int),
//          compareTo(q), isLessThan(q), isGreaterThan(q); == compares values (1 == 1000m)
//   ip/cidr (k8s_ip.cpp): ip(s), isIP(s), ip.isCanonical(s), <IP>.family(), isUnspecified(),
//          isLoopback(), isLinkLocalMulticast(), isLinkLocalUnicast(), isGlobalUnicast();
//          cidr(s), isCIDR(s), <CIDR>.containsIP(ip|s), containsCIDR(cidr|s), ip(), masked(),
//          prefixLength(); string(ip), string(cidr)
// URL, Quantity, IP and CIDR are opaque values (kubernetes.URL, kubernetes.Quantity,
// net.IP, net.CIDR).
// Not part of Flux's environment: Compile() without the option does not see them.

#include <vector>

#include "libs/cel/functions.h"

namespace fluxcpp::cel {

// The Kubernetes library entries, appended to the builtin table.
const std::vector<Builtin>& KubernetesBuiltins();
std::vector<Builtin> KubernetesUrlBuiltins();
std::vector<Builtin> KubernetesQuantityBuiltins();
std::vector<Builtin> KubernetesIpBuiltins();

}  // namespace fluxcpp::cel
