#include "policy_file.hpp"

#include <linux/bpf.h>

#include <catch2/catch_test_macros.hpp>

#include "policy.h"

using cgprov::parse_policy;
using cgprov::Policy;

namespace {

Policy parsed(const std::string &text) {
  auto policy = parse_policy(text, "p.toml");
  INFO((policy ? std::string() : policy.error().describe()));
  REQUIRE(policy);
  return policy.value();
}

std::string error_of(const std::string &text) {
  auto policy = parse_policy(text, "p.toml");
  REQUIRE_FALSE(policy);
  return policy.error().describe();
}

constexpr uint32_t bit(int order) { return 1U << order; }

}  // namespace

TEST_CASE("an empty policy grants nothing and has the default quotas") {
  const Policy p = parsed("");
  CHECK(p.grants.empty());
  CHECK(p.links_per_user == cgprov::kDefaultLinkQuota);
  CHECK(p.pins_per_user == cgprov::kDefaultPinQuota);
  CHECK(cgprov::allowed_commands(p) == 0);
}

TEST_CASE("the shipped policy grants self-service stats files") {
  const Policy p = parsed(R"(
[quota]
links_per_user = 8
pins_per_user = 2
[[grant]]
program = "stats"
operations = ["obj_get", "link_create", "obj_pin"]
orders = ["self", "descendants-pre"]
)");
  CHECK(p.links_per_user == 8);
  CHECK(p.pins_per_user == 2);
  REQUIRE(p.grants.size() == 1);
  CHECK(p.grants[0].program == "stats");
  CHECK(p.grants[0].ops ==
        (CGPROV_GRANT_OBJ_GET | CGPROV_GRANT_LINK_CREATE | CGPROV_GRANT_OBJ_PIN));
  CHECK(p.grants[0].orders ==
        (bit(BPF_CGROUP_ITER_SELF_ONLY) | bit(BPF_CGROUP_ITER_DESCENDANTS_PRE)));
  CHECK(cgprov::allowed_commands(p) ==
        ((1ULL << BPF_OBJ_GET) | (1ULL << BPF_LINK_CREATE) | (1ULL << BPF_OBJ_PIN)));
  CHECK(cgprov::ops_names(p.grants[0].ops) == "obj_get, link_create, obj_pin");
  CHECK(cgprov::orders_names(p.grants[0].orders) == "self, descendants-pre");
}

TEST_CASE("link_create without orders allows only the cgroup itself") {
  const Policy p =
      parsed("[[grant]]\nprogram = \"stats\"\noperations = [\"obj_get\", \"link_create\"]\n");
  CHECK(p.grants[0].orders == bit(BPF_CGROUP_ITER_SELF_ONLY));
  CHECK(cgprov::allowed_commands(p) == ((1ULL << BPF_OBJ_GET) | (1ULL << BPF_LINK_CREATE)));
}

TEST_CASE("policy errors name the file, the line and what is wrong") {
  CHECK(error_of("[quota]\nlinks_per_user = 1\nlink_per_user = 2\n") ==
        "p.toml:3: unknown key 'link_per_user' in [quota]");
  CHECK(error_of("[quota]\npins_per_user = -1\n") ==
        "p.toml:2: quota.pins_per_user must be an integer from 0 to 4096");
  CHECK(error_of("[quota]\npins_per_user = \"8\"\n") ==
        "p.toml:2: quota.pins_per_user must be an integer from 0 to 4096");
  CHECK(error_of("verbose = true\n") == "p.toml:1: unknown key 'verbose' in the policy");
  CHECK(error_of("[[grant]]\nprogram = \"backfill\"\noperations = [\"obj_get\"]\n") ==
        "p.toml:2: unknown program 'backfill' (grantable: stats)");
  CHECK(error_of("[[grant]]\nprogram = \"stats\"\noperations = [\"link_update\"]\n") ==
        "p.toml:3: unknown operation 'link_update' (one of: obj_get, link_create, obj_pin)");
  CHECK(error_of("[[grant]]\nprogram = \"stats\"\noperations = []\n") ==
        "p.toml:3: operation must be a non-empty array of strings");
  CHECK(error_of("[[grant]]\nprogram = \"stats\"\n") ==
        "p.toml:1: [[grant]] needs operations = [...]");
  CHECK(error_of("a = [1,\n").starts_with("p.toml:"));
}

TEST_CASE("ancestors-up can never be granted") {
  CHECK(error_of("[[grant]]\nprogram = \"stats\"\noperations = [\"obj_get\", \"link_create\"]\n"
                 "orders = [\"ancestors-up\"]\n") ==
        "p.toml:4: unknown order 'ancestors-up' (walks up to the root cgroup: never granted)");
}

TEST_CASE("grants must form a usable chain, once per program") {
  CHECK(error_of("[[grant]]\nprogram = \"stats\"\noperations = [\"link_create\"]\n") ==
        "p.toml:3: link_create needs obj_get (to open the program)");
  CHECK(error_of("[[grant]]\nprogram = \"stats\"\noperations = [\"obj_get\", \"obj_pin\"]\n") ==
        "p.toml:3: obj_pin needs link_create (users pin own links)");
  CHECK(error_of("[[grant]]\nprogram = \"stats\"\noperations = [\"obj_get\"]\n"
                 "orders = [\"self\"]\n") == "p.toml:4: orders apply to link_create only");
  CHECK(error_of("[[grant]]\nprogram = \"stats\"\noperations = [\"obj_get\"]\n"
                 "[[grant]]\nprogram = \"stats\"\noperations = [\"obj_get\"]\n") ==
        "p.toml:4: a second grant for program 'stats' (merge them into one)");
}

TEST_CASE("the shipped example policy file parses") {
  auto policy = cgprov::load_policy(CGPROV_SOURCE_DIR "/loader/policy.toml", true);
  INFO((policy ? std::string() : policy.error().describe()));
  REQUIRE(policy);
  CHECK(policy.value().grants.size() == 1);
}

TEST_CASE("a missing default policy file is the empty policy, a named one an error") {
  auto optional = cgprov::load_policy("/nonexistent/policy.toml", false);
  REQUIRE(optional);
  CHECK(optional.value().grants.empty());
  auto required = cgprov::load_policy("/nonexistent/policy.toml", true);
  REQUIRE_FALSE(required);
  CHECK(required.error().describe() ==
        "read policy /nonexistent/policy.toml: No such file or directory (ENOENT)");
}

TEST_CASE("a policy path that is a directory is an error, not a crash") {
  auto dir = cgprov::load_policy("/tmp", true);
  REQUIRE_FALSE(dir);
  CHECK(dir.error().describe() == "read policy /tmp: not a regular file");
}

TEST_CASE("walk order names are shared with cgprov link") {
  CHECK(cgprov::order_from_name("self") == BPF_CGROUP_ITER_SELF_ONLY);
  CHECK(cgprov::order_from_name("descendants-pre") == BPF_CGROUP_ITER_DESCENDANTS_PRE);
  CHECK(cgprov::order_from_name("descendants-post") == BPF_CGROUP_ITER_DESCENDANTS_POST);
  CHECK(cgprov::order_from_name("ancestors-up") == -1);
}
