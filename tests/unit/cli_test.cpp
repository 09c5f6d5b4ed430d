#include "cli.hpp"

#include <catch2/catch_test_macros.hpp>
#include <iostream>
#include <sstream>
#include <vector>

#include "version.hpp"

using cgprov::Command;

namespace {

cgprov::ParsedArgs parse(std::vector<const char *> args) {
  args.insert(args.begin(), "cgprov");
  return cgprov::parse_args(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_CASE("each subcommand parses to its command") {
  CHECK(parse({"probe"}).command.kind == Command::Kind::kProbe);
  CHECK(parse({"install"}).command.kind == Command::Kind::kInstall);
  CHECK(parse({"uninstall"}).command.kind == Command::Kind::kUninstall);
  CHECK(parse({"status"}).command.kind == Command::Kind::kStatus);
  auto stat = parse({"stat", "/sys/fs/cgroup/a", "/sys/fs/cgroup/b"});
  REQUIRE(stat.run);
  CHECK(stat.command.kind == Command::Kind::kStat);
  CHECK(stat.command.paths == std::vector<std::string>{"/sys/fs/cgroup/a", "/sys/fs/cgroup/b"});
}

TEST_CASE("global options work before and after the subcommand") {
  CHECK(parse({"--json", "status"}).command.json);
  CHECK(parse({"status", "--json"}).command.json);
  CHECK(parse({"status", "-j"}).command.json);
  CHECK(parse({"-v", "install"}).command.verbose);
  auto moved = parse({"--root", "/mnt/cgprov", "status"});
  CHECK(moved.command.layout.stats() == "/mnt/cgprov/stats");
  CHECK(parse({"status"}).command.layout.root == "/run/cgprov");
  CHECK_FALSE(parse({"--bpffs", "/sys/fs/bpf", "status"}).run);
}

TEST_CASE("install takes the loader's cgroup and a version tag") {
  auto install = parse({"install", "--cgroup", "/sys/fs/cgroup/x", "--version-tag", "v2"});
  REQUIRE(install.run);
  CHECK(install.command.layout.slice == "/sys/fs/cgroup/x");
  CHECK(install.command.version_tag == "v2");
  CHECK(parse({"install"}).command.layout.slice == "/sys/fs/cgroup/cgprov.slice");
}

TEST_CASE("usage errors exit with status 2 and run nothing") {
  for (auto args : std::vector<std::vector<const char *>>{
           {}, {"frobnicate"}, {"stat"}, {"status", "--no-such-flag"}, {"probe", "status"}}) {
    auto parsed = parse(args);
    INFO("args: " << args.size());
    CHECK_FALSE(parsed.run);
    CHECK(parsed.exit_status == cgprov::kExitUsage);
  }
}

TEST_CASE("version flag prints the release and exits 0 without running anything") {
  std::ostringstream out;
  std::streambuf *stdout_buf = std::cout.rdbuf(out.rdbuf());
  auto version = parse({"--version"});
  std::cout.rdbuf(stdout_buf);
  CHECK_FALSE(version.run);
  CHECK(version.exit_status == 0);
  CHECK(out.str() == std::string("cgprov ") + cgprov::release_version() + "\n");
}

TEST_CASE("help exits 0 and runs nothing") {
  auto help = parse({"--help"});
  CHECK_FALSE(help.run);
  CHECK(help.exit_status == 0);
}

TEST_CASE("install reads the default policy file unless --policy names one") {
  auto plain = parse({"install"});
  CHECK(plain.command.policy_path == "/etc/cgprov/policy.toml");
  CHECK_FALSE(plain.command.policy_required);
  auto named = parse({"install", "--policy", "/tmp/p.toml"});
  CHECK(named.command.policy_path == "/tmp/p.toml");
  CHECK(named.command.policy_required);
}

TEST_CASE("link takes a cgroup, a name and an order that defaults to self") {
  auto link = parse({"link", "--cgroup", "/sys/fs/cgroup/u", "--name", "web"});
  REQUIRE(link.run);
  CHECK(link.command.kind == Command::Kind::kLink);
  CHECK(link.command.link_cgroup == "/sys/fs/cgroup/u");
  CHECK(link.command.link_name == "web");
  CHECK(link.command.link_order == "self");
  CHECK(parse({"link", "--cgroup", "c", "--name", "n", "--order", "descendants-post"})
            .command.link_order == "descendants-post");
}

TEST_CASE("link refuses ancestors-up and missing arguments as usage errors") {
  auto up = parse({"link", "--cgroup", "c", "--name", "n", "--order", "ancestors-up"});
  CHECK_FALSE(up.run);
  CHECK(up.exit_status == cgprov::kExitUsage);
  CHECK(parse({"link", "--cgroup", "c"}).exit_status == cgprov::kExitUsage);
  CHECK(parse({"link", "--name", "n"}).exit_status == cgprov::kExitUsage);
}

TEST_CASE("export takes a format, a match regex and an output file") {
  auto plain = parse({"export"});
  REQUIRE(plain.run);
  CHECK(plain.command.kind == Command::Kind::kExport);
  CHECK(plain.command.export_format == "prometheus");
  CHECK(plain.command.export_match.empty());
  CHECK(plain.command.export_output.empty());
  auto full = parse(
      {"export", "--format", "openmetrics", "--match", "/system\\.slice/.*", "-o", "/tmp/x.prom"});
  REQUIRE(full.run);
  CHECK(full.command.export_format == "openmetrics");
  CHECK(full.command.export_match == "/system\\.slice/.*");
  CHECK(full.command.export_output == "/tmp/x.prom");
  CHECK(parse({"--json", "export"}).command.export_format == "json");
  CHECK(parse({"--json", "export", "--format", "prometheus"}).command.export_format ==
        "prometheus");
  CHECK(parse({"export", "--http"}).command.export_http);
}

TEST_CASE("export refuses an unknown format, an invalid regex and --http with -o") {
  for (auto args : std::vector<std::vector<const char *>>{{"export", "--format", "xml"},
                                                          {"export", "--match", "(unclosed"},
                                                          {"export", "--http", "-o", "f"}}) {
    auto parsed = parse(args);
    INFO("args: " << args[1] << " " << args[2]);
    CHECK_FALSE(parsed.run);
    CHECK(parsed.exit_status == cgprov::kExitUsage);
  }
}
