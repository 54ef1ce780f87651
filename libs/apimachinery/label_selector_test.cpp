#include "libs/apimachinery/label_selector.h"

#include <catch2/catch.hpp>

#include "libs/apimachinery/field_selector.h"

using fluxcpp::apimachinery::FieldSelector;
using fluxcpp::apimachinery::Labels;
using fluxcpp::apimachinery::LabelSelector;
using fluxcpp::object::Value;

namespace {
bool Match(const char* selector, const Labels& labels) {
  auto sel = LabelSelector::Parse(selector);
  REQUIRE(sel.ok());
  return sel->Matches(labels);
}
}  // namespace

TEST_CASE("label selector operators") {
  Labels l = {{"app", "web"}, {"tier", "front"}, {"n", "5"}};
  CHECK(Match("", l));
  CHECK(Match("app=web", l));
  CHECK(Match("app==web", l));
  CHECK(!Match("app=db", l));
  CHECK(Match("app!=db", l));
  CHECK(Match("missing!=x", l));
  CHECK(!Match("app!=web", l));
  CHECK(Match("app in (db, web)", l));
  CHECK(!Match("app notin (db,web)", l));
  CHECK(Match("other notin (x)", l));
  CHECK(Match("tier", l));
  CHECK(!Match("!tier", l));
  CHECK(Match("!missing", l));
  CHECK(Match("app=web,tier=front", l));
  CHECK(!Match("app=web,tier=back", l));
  CHECK(Match("n>4,n<6", l));
  CHECK(!Match("n>5", l));
  CHECK(Match("kustomize.toolkit.fluxcd.io/name=apps", {{"kustomize.toolkit.fluxcd.io/name", "apps"}}));
  CHECK(Match("in=x", {{"in", "x"}}));
  CHECK(Match("app=", {{"app", ""}}));
}

TEST_CASE("label selector errors and round trip") {
  CHECK(!LabelSelector::Parse("app in ()").ok());
  CHECK(!LabelSelector::Parse("app in (a").ok());
  CHECK(!LabelSelector::Parse("=x").ok());
  CHECK(!LabelSelector::Parse("a=b c=d").ok());
  CHECK(!LabelSelector::Parse("n>x").ok());
  auto sel = LabelSelector::Parse("b in (y,x), !c, a=1");
  REQUIRE(sel.ok());
  CHECK(sel->ToString() == "b in (x,y),!c,a=1");
}

TEST_CASE("structured label selector") {
  auto sel = LabelSelector::FromObject(Value::parse(
      R"({"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]},{"key":"x","operator":"DoesNotExist"}]})"));
  REQUIRE(sel.ok());
  CHECK(sel->Matches({{"app", "web"}, {"tier", "b"}}));
  CHECK(!sel->Matches({{"app", "web"}, {"tier", "c"}}));
  CHECK(!sel->Matches({{"app", "web"}, {"tier", "a"}, {"x", ""}}));
  CHECK(!LabelSelector::FromObject(Value::parse(R"({"matchExpressions":[{"key":"k","operator":"Near"}]})")).ok());
}

TEST_CASE("field selectors") {
  Value obj = Value::parse(R"({"metadata":{"name":"a","namespace":"ns"},"involvedObject":{"kind":"Pod"},"spec":{"n":3}})");
  auto sel = FieldSelector::Parse("metadata.name=a,metadata.namespace!=other,involvedObject.kind==Pod,spec.n=3");
  REQUIRE(sel.ok());
  CHECK(sel->Matches(obj));
  CHECK(*sel->RequiredValue("metadata.name") == "a");
  CHECK(sel->RequiredValue("metadata.namespace") == nullptr);
  CHECK(!FieldSelector::Parse("metadata.name=b")->Matches(obj));
  CHECK(FieldSelector::Parse("spec.missing!=x")->Matches(obj));
  CHECK(!FieldSelector::Parse("nonsense").ok());
}
