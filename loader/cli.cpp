#include "cli.hpp"

#include <CLI/CLI.hpp>
#include <regex>

#include "version.hpp"

namespace cgprov {

ParsedArgs parse_args(int argc, const char *const *argv) {
  ParsedArgs parsed;
  Command &c = parsed.command;
  CLI::App app{"cgprov: per-cgroup BPF stats files, provisioned in the kernel"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand
  app.set_version_flag("--version", std::string("cgprov ") + release_version(),
                       "print the version and exit");
  app.add_flag("-j,--json", c.json, "machine-readable output");
  app.add_flag("-v,--verbose", c.verbose, "show libbpf's debug log");
  app.add_option("--root", c.layout.root, "cgprov's own bpffs instance (mounted by install)")
      ->capture_default_str();
  app.add_option("--cgroupfs", c.layout.cgroupfs, "cgroup2 mount")->capture_default_str();

  auto *probe = app.add_subcommand("probe", "check the kernel and system for what cgprov needs");
  auto *install = app.add_subcommand(
      "install", "load, pin and provision everything, backfill existing cgroups, exit");
  install->add_option("--cgroup", c.layout.slice, "long-lived cgroup charged for BPF memory")
      ->capture_default_str();
  install->add_option("--version-tag", c.version_tag,
                      "record this version instead of the BPF objects' (tests upgrades)");
  auto *policy = install
                     ->add_option("--policy", c.policy_path,
                                  "ACL policy for unprivileged users (TOML; missing default "
                                  "file: no grants)")
                     ->capture_default_str();
  auto *uninstall = app.add_subcommand("uninstall", "remove every pin cgprov made");
  auto *status =
      app.add_subcommand("status", "show what is installed, the counters and the ACL policy");
  auto *stat = app.add_subcommand("stat", "print the stats of cgroups given by cgroupfs path");
  stat->add_option("PATH", c.paths, "cgroup directory")->required();
  auto *link = app.add_subcommand(
      "link", "as an unprivileged user: pin your own stats file of a cgroup you own");
  link->add_option("--cgroup", c.link_cgroup, "cgroup directory you own")->required();
  link->add_option("--order", c.link_order, "walk order the policy grants")
      ->check(CLI::IsMember({"self", "descendants-pre", "descendants-post"}))
      ->capture_default_str();
  link->add_option("--name", c.link_name, "file name after '<uid>-' in the user directory")
      ->required();

  auto *exp = app.add_subcommand(
      "export", "print every cgroup's stats for Prometheus (text, OpenMetrics) or as JSON");
  auto *format = exp->add_option("--format", c.export_format, "output format")
                     ->check(CLI::IsMember({"prometheus", "openmetrics", "json"}))
                     ->capture_default_str();
  exp->add_option("--match", c.export_match,
                  "only cgroups whose label (path below the cgroup2 root) matches this "
                  "ECMAScript regex as a whole (default: all)")
      ->check([](const std::string &re) -> std::string {
        try {
          std::regex compiled(re, std::regex::ECMAScript);
        } catch (const std::regex_error &e) {
          return std::string("invalid regex: ") + e.what();
        }
        return "";
      });
  auto *output = exp->add_option("-o,--output", c.export_output,
                                 "write FILE atomically (temporary file + rename) instead of "
                                 "stdout");
  exp->add_flag("--http", c.export_http,
                "answer one HTTP request on stdin/stdout (socket activation, Accept=yes)")
      ->excludes(output);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) {  // --help or --version: printed, exit 0
    parsed.exit_status = app.exit(e);
    return parsed;
  } catch (const CLI::ParseError &e) {
    app.exit(e);
    parsed.exit_status = kExitUsage;  // CLI11 would return 1xx codes
    return parsed;
  }

  parsed.run = true;
  if (probe->parsed()) c.kind = Command::Kind::kProbe;
  if (install->parsed()) c.kind = Command::Kind::kInstall;
  if (uninstall->parsed()) c.kind = Command::Kind::kUninstall;
  if (status->parsed()) c.kind = Command::Kind::kStatus;
  if (stat->parsed()) c.kind = Command::Kind::kStat;
  if (link->parsed()) c.kind = Command::Kind::kLink;
  if (exp->parsed()) c.kind = Command::Kind::kExport;
  if (c.json && format->count() == 0) c.export_format = "json";
  c.policy_required = policy->count() > 0;
  return parsed;
}

}  // namespace cgprov
