// cgprov: command-line entry point. Exit status: 0 success, 1 failure, 2 usage.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "atomic_file.hpp"
#include "bpf_objects.hpp"
#include "cgroup_fs.hpp"
#include "cli.hpp"
#include "export_command.hpp"
#include "export_http.hpp"
#include "installer.hpp"
#include "json.hpp"
#include "kernel_probe.hpp"
#include "link_command.hpp"
#include "log.hpp"
#include "policy_file.hpp"
#include "stats_format.hpp"

namespace {

using namespace cgprov;

int fail(const Command &g, const std::string &message, const std::string &hint = "") {
  if (g.json) {
    std::cout << "{\"error\": " << json_quote(message);
    if (!hint.empty()) std::cout << ", \"hint\": " << json_quote(hint);
    std::cout << "}\n";
  } else {
    std::cerr << "Error: " << message << "\n";
    if (!hint.empty()) std::cerr << "  hint: " << hint << "\n";
  }
  return kExitFailure;
}

// Print what keeps cgprov from installing; exit status for the findings.
int report_findings(const Command &g, const std::vector<Finding> &findings) {
  if (g.json) {
    std::cout << "{\"ready\": " << (findings.empty() ? "true" : "false") << ", \"missing\": [";
    for (size_t i = 0; i < findings.size(); ++i)
      std::cout << (i ? ", " : "") << "{\"what\": " << json_quote(findings[i].missing)
                << ", \"hint\": " << json_quote(findings[i].hint) << "}";
    std::cout << "]}\n";
  } else {
    for (const auto &f : findings)
      std::cerr << "Error: " << f.missing << "\n  hint: " << f.hint << "\n";
  }
  return findings.empty() ? kExitOk : kExitFailure;
}

int run_probe(const Command &g) {
  auto findings = probe(read_system_view());
  if (findings.empty() && !g.json) std::cout << "kernel and system are ready for cgprov\n";
  return report_findings(g, findings);
}

const char *kind_name(InstallReport::Kind kind) {
  switch (kind) {
    case InstallReport::Kind::kFresh:
      return "installed";
    case InstallReport::Kind::kRecovered:
      return "completed an interrupted install";
    case InstallReport::Kind::kUpgraded:
      return "upgraded";
    case InstallReport::Kind::kAlreadyInstalled:
      return "already installed";
  }
  return "?";
}

int run_install(const Command &g, const std::string &version) {
  // Nothing is created unless the kernel and system can take all of it,
  // and the policy is valid.
  auto findings = probe(read_system_view());
  if (!findings.empty()) return report_findings(g, findings);
  auto policy = load_policy(g.policy_path, g.policy_required);
  if (!policy)
    return fail(g, policy.error().describe(), "see README, 'Policy file', for the format");
  // BPF objects are charged to the memcg of their creator: make that a
  // long-lived cgroup, not whatever transient unit runs the loader.
  if (auto moved = move_self_into(g.layout.slice); !moved)
    return fail(g, moved.error().describe(), "pass --cgroup with a cgroup2 directory");

  InstallOptions options{g.layout, version.empty() ? bpf_version() : version, policy.value()};
  auto report = install(options);
  if (!report)
    return fail(g, report.error().describe(),
                report.error().errnum == EPERM ? "run as root (CAP_SYS_ADMIN, CAP_BPF)" : "");
  const auto &r = report.value();
  if (g.json) {
    std::cout << "{\"result\": " << json_quote(kind_name(r.kind))
              << ", \"version\": " << json_quote(r.version)
              << ", \"previous_version\": " << json_quote(r.previous_version)
              << ", \"backfilled\": " << r.backfilled << ", \"kept\": " << r.kept
              << ", \"updated_files\": " << r.updated_files
              << ", \"carried_cgroups\": " << r.carried_cgroups
              << ", \"carried_layout\": " << json_quote(r.carried_layout)
              << ", \"moved_from\": " << json_quote(r.moved_from) << ", \"skipped\": {";
    size_t i = 0;
    for (const auto &[reason, count] : r.skipped)
      std::cout << (i++ ? ", " : "") << json_quote(reason) << ": " << count;
    std::cout << "}}\n";
  } else {
    std::cout << "cgprov " << r.version << ": " << kind_name(r.kind);
    if (r.kind == InstallReport::Kind::kUpgraded) std::cout << " from " << r.previous_version;
    std::cout << "; stats files: " << r.backfilled << " created, " << r.kept << " kept";
    if (r.updated_files) std::cout << ", " << r.updated_files << " switched to the new programs";
    if (r.carried_cgroups)
      std::cout << "; numbers of " << r.carried_cgroups << " cgroups carried over from the "
                << r.carried_layout << " layout";
    if (!r.moved_from.empty()) std::cout << "; moved from " << r.moved_from;
    std::cout << "\n";
    // Not a failure: everyone else's cgroups have their files.
    for (const auto &[reason, count] : r.skipped)
      std::cout << "skipped " << count << " cgroup" << (count == 1 ? "" : "s") << ": " << reason
                << "\n";
  }
  return kExitOk;
}

int run_uninstall(const Command &g) {
  auto removed = uninstall(g.layout);
  if (!removed) return fail(g, removed.error().describe());
  if (g.json)
    std::cout << "{\"removed_pins\": " << removed.value() << "}\n";
  else
    std::cout << "cgprov uninstalled: " << removed.value() << " pins removed\n";
  return kExitOk;
}

std::string policy_json(const PolicyStatus &p) {
  std::string out = "{\"enforced\": " + std::string(p.enforced ? "true" : "false") +
                    ", \"links_per_user\": " + std::to_string(p.links_per_user) +
                    ", \"pins_per_user\": " + std::to_string(p.pins_per_user) + ", \"grants\": [";
  for (size_t i = 0; i < p.grants.size(); ++i) {
    const auto &g = p.grants[i];
    out += (i ? ", " : "") + std::string("{\"program\": ") + json_quote(g.program) +
           ", \"operations\": " + json_quote(ops_names(g.ops)) +
           ", \"orders\": " + json_quote(orders_names(g.orders)) + "}";
  }
  out += "], \"usage\": [";
  for (size_t i = 0; i < p.usage.size(); ++i) {
    const auto &u = p.usage[i];
    out += (i ? ", " : "") + std::string("{\"uid\": ") + std::to_string(u.uid) +
           ", \"links\": " + std::to_string(u.links) + ", \"pins\": " + std::to_string(u.pins) +
           "}";
  }
  return out + "]}";
}

void print_policy(const PolicyStatus &p) {
  std::cout << "policy: "
            << (p.enforced  ? "enforced; unprivileged users may do only what is granted"
                : p.closing ? "closing (uninstall under way); unprivileged bpf() is refused"
                            : "not enforced")
            << "\n";
  if (p.grants.empty()) std::cout << "grants: none\n";
  for (const auto &g : p.grants) {
    std::cout << "grant: " << g.program << ": " << ops_names(g.ops);
    if (g.orders) std::cout << " (orders: " << orders_names(g.orders) << ")";
    std::cout << "\n";
  }
  std::cout << "quota per user: " << p.links_per_user << " links, " << p.pins_per_user << " pins\n";
  for (const auto &u : p.usage)
    std::cout << "usage: uid " << u.uid << ": " << u.links << " links, " << u.pins << " pins\n";
}

int run_status(const Command &g) {
  auto status = read_status(g.layout);
  if (!status) return fail(g, status.error().describe());
  const auto &s = status.value();
  const bool healthy = s.version && s.missing.empty();
  if (g.json) {
    std::cout << "{\"installed\": " << (s.version ? "true" : "false")
              << ", \"root\": " << json_quote(g.layout.root)
              << ", \"mounted\": " << (s.mounted ? "true" : "false")
              << ", \"legacy_tree\": " << (s.legacy ? "true" : "false")
              << ", \"version\": " << json_quote(s.version.value_or(""))
              << ", \"stats_files\": " << s.stats_files << ", \"missing_pins\": [";
    for (size_t i = 0; i < s.missing.size(); ++i)
      std::cout << (i ? ", " : "") << json_quote(s.missing[i]);
    std::cout << "]";
    if (s.counters)
      std::cout << ", \"pinned\": " << s.counters->pinned
                << ", \"unpinned\": " << s.counters->unpinned
                << ", \"pin_errors\": " << s.counters->pin_errors
                << ", \"unpin_errors\": " << s.counters->unpin_errors
                << ", \"last_pin_error\": " << s.counters->last_pin_error
                << ", \"last_unpin_error\": " << s.counters->last_unpin_error;
    std::cout << ", \"policy\": " << (s.policy ? policy_json(*s.policy) : "null");
    std::cout << "}\n";
    return healthy ? kExitOk : kExitFailure;
  }
  std::cout << "installed: " << (s.version ? *s.version : "no") << "\n";
  std::cout << "mount: " << g.layout.root
            << (s.mounted ? " (cgprov's bpffs instance)" : " (not mounted)") << "\n";
  if (s.legacy)
    std::cout << "legacy tree: " << g.layout.legacy_root
              << " (an earlier release's; 'cgprov install' moves it)\n";
  std::cout << "stats files: " << s.stats_files << "\n";
  if (s.counters) {
    std::cout << "provisioned: " << s.counters->pinned << " pinned, " << s.counters->unpinned
              << " unpinned\n";
    std::cout << "errors: " << s.counters->pin_errors << " pin (last " << s.counters->last_pin_error
              << "), " << s.counters->unpin_errors << " unpin (last "
              << s.counters->last_unpin_error << ")\n";
  }
  if (s.policy) print_policy(*s.policy);
  for (const auto &m : s.missing) std::cout << "missing: " << m << "\n";
  return healthy ? kExitOk : kExitFailure;
}

// Stats of one cgroup given by its cgroupfs path.
Result<std::vector<StatLine>> read_stats(const Layout &layout, const std::string &path) {
  auto id = cgroup_id_of(path);
  if (!id) return id.error();
  const std::string file = layout.stats_file(id.value());
  std::ifstream in(file);
  if (!in) return errno_error("stats file " + file + " of " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto stats = parse_stats(text);
  if (!stats) return Error{file + ": " + stats.error().describe(), 0};
  return stats;
}

int run_stat(const Command &g, const std::vector<std::string> &paths) {
  int status = kExitOk;
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string &path = paths[i];
    auto stats = read_stats(g.layout, path);
    if (g.json) {
      nlohmann::ordered_json entry = nlohmann::ordered_json::object();
      if (stats)
        for (const auto &[key, value] : stats.value()) entry[key] = value;
      else
        entry["error"] = stats.error().describe();
      json[path] = std::move(entry);
    } else if (stats) {
      if (paths.size() > 1) std::cout << (i ? "\n" : "") << path << ":\n";
      for (const auto &[key, value] : stats.value()) std::cout << key << " " << value << "\n";
    } else {
      std::cerr << "Error: " << stats.error().describe() << "\n";
      if (stats.error().message.starts_with("stats file"))
        std::cerr << "  hint: is cgprov installed? (cgprov status)\n";
    }
    if (!stats) status = kExitFailure;
  }
  // Paths are bytes: invalid UTF-8 in one becomes U+FFFD rather than an error.
  if (g.json)
    std::cout << json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
              << "\n";
  return status;
}

ExportFormat format_from_name(const std::string &name) {
  if (name == "openmetrics") return ExportFormat::kOpenMetrics;
  if (name == "json") return ExportFormat::kJson;
  return ExportFormat::kPrometheus;
}

Result<ExportSnapshot> export_snapshot(const Command &g) {
  ExportOptions options{g.layout, std::nullopt, bpf_version()};
  if (!g.export_match.empty()) options.match.emplace(g.export_match, std::regex::ECMAScript);
  return collect_export(options);
}

// One scrape on stdin/stdout, as a socket-activated service (Accept=yes).
int run_export_http(const Command &g) {
  constexpr int kRequestTimeoutMs = 10000;
  auto head = read_request_head(STDIN_FILENO, kRequestTimeoutMs);
  if (!head) {
    std::cerr << "Error: " << head.error().describe() << "\n";
    return kExitFailure;
  }
  const ScrapeRequest request = parse_scrape_request(head.value());
  if (!request.is_get) {
    std::cout << http_response("405 Method Not Allowed", "text/plain", "GET only\n");
    return kExitFailure;
  }
  ExportFormat format = format_from_name(g.export_format);
  if (request.wants_openmetrics && format == ExportFormat::kPrometheus)
    format = ExportFormat::kOpenMetrics;
  auto snapshot = export_snapshot(g);
  if (!snapshot) {
    std::cerr << "Error: " << snapshot.error().describe() << "\n";
    std::cout << http_response("500 Internal Server Error", "text/plain",
                               snapshot.error().describe() + "\n");
    return kExitFailure;
  }
  std::cout << http_response("200 OK", content_type(format),
                             render_export(snapshot.value(), format), !request.is_head);
  return kExitOk;
}

int run_export(const Command &g) {
  if (g.export_http) return run_export_http(g);
  auto snapshot = export_snapshot(g);
  if (!snapshot)
    return fail(g, snapshot.error().describe(),
                snapshot.error().errnum == ENOENT ? "is cgprov installed? ('cgprov status')"
                : snapshot.error().errnum == EACCES
                    ? "the stats files are 0444, but their directories must be searchable: "
                      "see README, 'Exporting metrics'"
                    : "");
  const std::string text = render_export(snapshot.value(), format_from_name(g.export_format));
  if (g.export_output.empty()) {
    std::cout << text;
    std::cout.flush();
    if (!std::cout) return fail(g, "write standard output: failed");
    return kExitOk;
  }
  if (auto written = replace_file(g.export_output, text); !written)
    return fail(g, written.error().describe());
  return kExitOk;
}

std::string link_hint(const Error &error, const Layout &layout) {
  switch (error.errnum) {
    case EPERM:
      return "not granted: the cgroup must be yours (its directory owned by your uid) and the "
             "policy must grant it ('cgprov status' shows the grants)";
    case EDQUOT:
      return "your quota of links or pins is used up: remove one of your files in " + layout.user();
    case EEXIST:
      return "choose another --name, or remove the existing file";
    case ENOENT:
      return "is cgprov installed? ('cgprov status')";
    default:
      return "";
  }
}

int run_link(const Command &g) {
  LinkRequest request{g.link_cgroup, order_from_name(g.link_order), g.link_name};
  auto path = link_stats(g.layout, request);
  if (!path) return fail(g, path.error().describe(), link_hint(path.error(), g.layout));
  if (g.json)
    std::cout << "{\"path\": " << json_quote(path.value()) << "}\n";
  else
    std::cout << path.value() << "\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char **argv) {
  const ParsedArgs parsed = parse_args(argc, argv);
  if (!parsed.run) return parsed.exit_status;
  const Command &c = parsed.command;
  init_libbpf_log(c.verbose);
  switch (c.kind) {
    case Command::Kind::kProbe:
      return run_probe(c);
    case Command::Kind::kInstall:
      return run_install(c, c.version_tag);
    case Command::Kind::kUninstall:
      return run_uninstall(c);
    case Command::Kind::kStatus:
      return run_status(c);
    case Command::Kind::kStat:
      return run_stat(c, c.paths);
    case Command::Kind::kLink:
      return run_link(c);
    case Command::Kind::kExport:
      return run_export(c);
  }
  return kExitUsage;
}
