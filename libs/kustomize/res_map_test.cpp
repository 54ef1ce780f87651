#include "libs/kustomize/res_map.h"

#include <catch2/catch.hpp>

namespace kz = fluxcpp::kustomize;

namespace {

kz::ResMap Parse(const char* text) {
  auto m = kz::ResourcesFromBytes(text);
  REQUIRE(m.ok());
  return *std::move(m);
}

}  // namespace

TEST_CASE("res map: appends keep one id set across files") {
  kz::ResMap m;
  kz::IdKeySet keys(m);
  REQUIRE(kz::AppendAll(m, Parse("kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: a\n"), keys).ok());
  REQUIRE(kz::AppendAll(m, Parse("kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: b\n  namespace: x\n"), keys).ok());
  // "" and "default" are the same namespace for a namespaced kind.
  absl::Status dup =
      kz::AppendAll(m, Parse("kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: a\n  namespace: default\n"), keys);
  CHECK(dup.code() == absl::StatusCode::kAlreadyExists);
  CHECK(std::string(dup.message()) ==
        "may not add resource with an already registered id: ConfigMap.v1.[noGrp]/a.default");
  CHECK(m.size() == 2);
  // The map changed behind the set's back: it is rebuilt, not trusted.
  m.pop_back();
  REQUIRE(kz::AppendAll(m, Parse("kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: b\n  namespace: x\n"), keys).ok());
  CHECK(m.size() == 2);
}
