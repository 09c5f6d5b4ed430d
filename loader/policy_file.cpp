#include "policy_file.hpp"

#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "policy.h"
#include "unique_fd.hpp"

namespace cgprov {
namespace {

struct Name {
  const char *name;
  uint32_t value;
};

constexpr std::array kOperations = {
    Name{"obj_get", CGPROV_GRANT_OBJ_GET},
    Name{"link_create", CGPROV_GRANT_LINK_CREATE},
    Name{"obj_pin", CGPROV_GRANT_OBJ_PIN},
};

constexpr std::array kOrders = {
    Name{"self", BPF_CGROUP_ITER_SELF_ONLY},
    Name{"descendants-pre", BPF_CGROUP_ITER_DESCENDANTS_PRE},
    Name{"descendants-post", BPF_CGROUP_ITER_DESCENDANTS_POST},
};

std::string at(const std::string &source, const toml::node &node) {
  return source + ":" + std::to_string(node.source().begin.line) + ": ";
}

Error policy_error(const std::string &where, const std::string &what) {
  return Error{where + what, 0};
}

// Reject keys a table may not have: a typo must not pass as a default.
Result<void> only_keys(const toml::table &table, std::initializer_list<std::string_view> keys,
                       const std::string &source, const std::string &table_name) {
  for (auto &&[key, value] : table) {
    if (std::find(keys.begin(), keys.end(), key.str()) == keys.end())
      return policy_error(at(source, value),
                          "unknown key '" + std::string(key.str()) + "' in " + table_name);
  }
  return {};
}

Result<uint32_t> quota(const toml::table &table, std::string_view key, uint32_t fallback,
                       const std::string &source) {
  const toml::node *node = table.get(key);
  if (!node) return fallback;
  auto value = node->value_exact<int64_t>();
  if (!value || *value < 0 || *value > kMaxQuota)
    return policy_error(
        at(source, *node),
        "quota." + std::string(key) + " must be an integer from 0 to " + std::to_string(kMaxQuota));
  return static_cast<uint32_t>(*value);
}

// Bits for the strings of `array` named in `names`.
template <size_t N>
Result<uint32_t> name_bits(const toml::node &node, const std::array<Name, N> &names,
                           const std::string &what, const std::string &source) {
  const toml::array *array = node.as_array();
  if (!array || array->empty())
    return policy_error(at(source, node), what + " must be a non-empty array of strings");
  uint32_t bits = 0;
  for (const toml::node &element : *array) {
    auto text = element.value_exact<std::string>();
    if (!text) return policy_error(at(source, element), what + " must hold strings");
    auto found =
        std::find_if(names.begin(), names.end(), [&](const Name &n) { return *text == n.name; });
    if (found == names.end()) {
      std::string known;
      for (const Name &n : names) known += (known.empty() ? "" : ", ") + std::string(n.name);
      std::string hint = *text == "ancestors-up" ? " (walks up to the root cgroup: never granted)"
                                                 : " (one of: " + known + ")";
      return policy_error(at(source, element), "unknown " + what + " '" + *text + "'" + hint);
    }
    bits |= 1U << found->value;
  }
  return bits;
}

// Operation bits use the CGPROV_GRANT_* values, not bit positions.
uint32_t ops_from_bits(uint32_t position_bits) {
  uint32_t ops = 0;
  for (const Name &n : kOperations)
    if (position_bits & (1U << n.value)) ops |= n.value;
  return ops;
}

Result<Grant> parse_grant(const toml::node &node, const std::string &source) {
  const toml::table *table = node.as_table();
  if (!table) return policy_error(at(source, node), "each [[grant]] must be a table");
  if (auto r = only_keys(*table, {"program", "operations", "orders"}, source, "[[grant]]"); !r)
    return r.error();
  Grant grant;
  auto program =
      table->get("program") ? table->get("program")->value_exact<std::string>() : std::nullopt;
  if (!program)
    return policy_error(at(source, node),
                        "[[grant]] needs program = \"" + std::string(kStatsProgram) + "\"");
  if (*program != kStatsProgram)
    return policy_error(at(source, *table->get("program")),
                        "unknown program '" + *program + "' (grantable: " + kStatsProgram + ")");
  grant.program = *program;
  const toml::node *operations = table->get("operations");
  if (!operations) return policy_error(at(source, node), "[[grant]] needs operations = [...]");
  auto ops = name_bits(*operations, kOperations, "operation", source);
  if (!ops) return ops.error();
  grant.ops = ops_from_bits(ops.value());
  if (const toml::node *orders = table->get("orders")) {
    if (!(grant.ops & CGPROV_GRANT_LINK_CREATE))
      return policy_error(at(source, *orders), "orders apply to link_create only");
    auto bits = name_bits(*orders, kOrders, "order", source);
    if (!bits) return bits.error();
    grant.orders = bits.value();
  } else if (grant.ops & CGPROV_GRANT_LINK_CREATE) {
    grant.orders = 1U << BPF_CGROUP_ITER_SELF_ONLY;
  }
  // Each operation works on the result of the one before it.
  if ((grant.ops & CGPROV_GRANT_LINK_CREATE) && !(grant.ops & CGPROV_GRANT_OBJ_GET))
    return policy_error(at(source, *operations), "link_create needs obj_get (to open the program)");
  if ((grant.ops & CGPROV_GRANT_OBJ_PIN) && !(grant.ops & CGPROV_GRANT_LINK_CREATE))
    return policy_error(at(source, *operations), "obj_pin needs link_create (users pin own links)");
  return grant;
}

}  // namespace

Result<Policy> parse_policy(std::string_view text, const std::string &source) {
  toml::table doc;
  try {
    doc = toml::parse(text, std::string_view(source));
  } catch (const toml::parse_error &e) {
    return policy_error(source + ":" + std::to_string(e.source().begin.line) + ": ",
                        std::string(e.description()));
  }
  if (auto r = only_keys(doc, {"quota", "grant"}, source, "the policy"); !r) return r.error();
  Policy policy;
  if (const toml::node *node = doc.get("quota")) {
    const toml::table *table = node->as_table();
    if (!table) return policy_error(at(source, *node), "quota must be a table");
    if (auto r = only_keys(*table, {"links_per_user", "pins_per_user"}, source, "[quota]"); !r)
      return r.error();
    auto links = quota(*table, "links_per_user", kDefaultLinkQuota, source);
    if (!links) return links.error();
    auto pins = quota(*table, "pins_per_user", kDefaultPinQuota, source);
    if (!pins) return pins.error();
    policy.links_per_user = links.value();
    policy.pins_per_user = pins.value();
  }
  if (const toml::node *node = doc.get("grant")) {
    const toml::array *grants = node->as_array();
    if (!grants)
      return policy_error(at(source, *node), "grant must be an array of tables [[grant]]");
    for (const toml::node &g : *grants) {
      auto grant = parse_grant(g, source);
      if (!grant) return grant.error();
      for (const Grant &other : policy.grants)
        if (other.program == grant.value().program)
          return policy_error(at(source, g), "a second grant for program '" + other.program +
                                                 "' (merge them into one)");
      policy.grants.push_back(grant.value());
    }
  }
  return policy;
}

Result<Policy> load_policy(const std::string &path, bool required) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT && !required) return Policy{};
    return errno_error("read policy " + path);
  }
  struct stat st{};
  if (::fstat(fd.get(), &st)) return errno_error("read policy " + path);
  if (!S_ISREG(st.st_mode)) return Error{"read policy " + path + ": not a regular file", 0};
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("read policy " + path);
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return parse_policy(text, path);
}

uint64_t allowed_commands(const Policy &policy) {
  uint64_t cmds = 0;
  for (const Grant &g : policy.grants) {
    if (g.ops & CGPROV_GRANT_OBJ_GET) cmds |= 1ULL << BPF_OBJ_GET;
    if (g.ops & CGPROV_GRANT_LINK_CREATE) cmds |= 1ULL << BPF_LINK_CREATE;
    if (g.ops & CGPROV_GRANT_OBJ_PIN) cmds |= 1ULL << BPF_OBJ_PIN;
  }
  return cmds;
}

std::string ops_names(uint32_t ops) {
  std::string out;
  for (const Name &n : kOperations)
    if (ops & n.value) out += (out.empty() ? "" : ", ") + std::string(n.name);
  return out;
}

std::string orders_names(uint32_t orders) {
  std::string out;
  for (const Name &n : kOrders)
    if (orders & (1U << n.value)) out += (out.empty() ? "" : ", ") + std::string(n.name);
  return out;
}

int order_from_name(std::string_view name) {
  for (const Name &n : kOrders)
    if (name == n.name) return static_cast<int>(n.value);
  return -1;
}

}  // namespace cgprov
