#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "atomic_file.hpp"
#include "cgroup_walk.hpp"
#include "export_http.hpp"

using namespace cgprov;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/cgprov-unit-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    path = tmpl;
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path &p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("replace_file swaps the whole content in by rename, leaving no temporary") {
  TempDir dir;
  const fs::path out = dir.path / "cgprov.prom";
  REQUIRE(replace_file(out.string(), "first\n").ok());
  struct stat before{};
  REQUIRE(::stat(out.c_str(), &before) == 0);
  REQUIRE(replace_file(out.string(), "second\n").ok());
  CHECK(slurp(out) == "second\n");
  struct stat after{};
  REQUIRE(::stat(out.c_str(), &after) == 0);
  CHECK(after.st_ino != before.st_ino);  // a new file renamed over the old one
  CHECK((after.st_mode & 07777) == 0644);
  size_t entries = 0;
  for ([[maybe_unused]] const auto &e : fs::directory_iterator(dir.path)) ++entries;
  CHECK(entries == 1);
}

TEST_CASE("replace_file names what failed and leaves the old file") {
  TempDir dir;
  auto missing = replace_file((dir.path / "no-dir" / "x.prom").string(), "x");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().errnum == ENOENT);
  CHECK(missing.error().message.starts_with("open directory "));

  const fs::path out = dir.path / "keep.prom";
  REQUIRE(replace_file(out.string(), "old\n").ok());
  fs::create_directory(dir.path / "keep.prom.d");
  auto over_dir = replace_file((dir.path / "keep.prom.d").string(), "new\n");
  CHECK_FALSE(over_dir.ok());  // rename of a file over a directory fails
  CHECK(slurp(out) == "old\n");
  size_t entries = 0;
  for ([[maybe_unused]] const auto &e : fs::directory_iterator(dir.path)) ++entries;
  CHECK(entries == 2);  // no temporary left behind
}

TEST_CASE("a scrape request is read by method and Accept header only") {
  auto plain = parse_scrape_request("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(plain.is_get);
  CHECK_FALSE(plain.is_head);
  CHECK_FALSE(plain.wants_openmetrics);
  auto om = parse_scrape_request(
      "GET /metrics HTTP/1.1\r\nAccept: application/openmetrics-text;version=1.0.0,"
      "text/plain;version=0.0.4;q=0.5\r\n\r\n");
  CHECK(om.wants_openmetrics);
  CHECK(parse_scrape_request("HEAD / HTTP/1.0\r\n\r\n").is_head);
  CHECK_FALSE(parse_scrape_request("POST / HTTP/1.0\r\n\r\n").is_get);
  CHECK_FALSE(parse_scrape_request("GET / HTTP/1.0\r\nX-Note: application/openmetrics-text\r\n\r\n")
                  .wants_openmetrics);
}

TEST_CASE("the request head is read up to the blank line, within the timeout") {
  int p[2];
  REQUIRE(::pipe(p) == 0);
  const std::string req = "GET / HTTP/1.0\r\n\r\n";
  REQUIRE(::write(p[1], req.data(), req.size()) == static_cast<ssize_t>(req.size()));
  auto head = read_request_head(p[0], 1000);
  REQUIRE(head.ok());
  CHECK(head.value() == req);
  auto timed_out = read_request_head(p[0], 50);  // nothing more comes
  REQUIRE_FALSE(timed_out.ok());
  CHECK(timed_out.error().errnum == ETIMEDOUT);
  ::close(p[0]);
  ::close(p[1]);
}

TEST_CASE("an HTTP response carries length, type and closes") {
  const std::string r = http_response("200 OK", "text/plain; version=0.0.4", "abc\n");
  CHECK(r ==
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: 4\r\n"
        "Connection: close\r\n\r\nabc\n");
  CHECK(http_response("200 OK", "t", "abc", false).ends_with("\r\n\r\n"));
}

TEST_CASE("the cgroup walk refuses a directory that is not on cgroup2, naming it") {
  TempDir dir;
  auto walked = walk_cgroup_tree(dir.path.string());
  REQUIRE_FALSE(walked.ok());
  CHECK(walked.error().message ==
        "cgroup root " + dir.path.string() + ": not a cgroup2 filesystem");
  auto missing = walk_cgroup_tree((dir.path / "none").string());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().errnum == ENOENT);
  CHECK(missing.error().message.starts_with("open cgroup root "));
}
