#include "export_http.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace cgprov {
namespace {

constexpr size_t kMaxHead = 16 * 1024;  // far more than a scraper sends

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

ScrapeRequest parse_scrape_request(std::string_view head) {
  ScrapeRequest r;
  r.is_head = head.starts_with("HEAD ");
  r.is_get = head.starts_with("GET ") || r.is_head;
  const std::string text = lower(head);
  for (size_t at = text.find("\naccept:"); at != std::string::npos;
       at = text.find("\naccept:", at + 1)) {
    const size_t end = text.find('\n', at + 1);
    if (text.substr(at, end - at).find("application/openmetrics-text") != std::string::npos)
      r.wants_openmetrics = true;
  }
  return r;
}

Result<std::string> read_request_head(int fd, int timeout_ms) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string head;
  char buf[1024];
  while (head.find("\r\n\r\n") == std::string::npos && head.find("\n\n") == std::string::npos) {
    if (head.size() > kMaxHead) return Error{"read HTTP request: head over 16 KiB", 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return Error{"read HTTP request: timed out", ETIMEDOUT};
    struct pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return errno_error("read HTTP request");
    }
    if (ready == 0) continue;  // the deadline check above ends it
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("read HTTP request");
    }
    if (n == 0) break;  // the client closed its side: take what came
    head.append(buf, static_cast<size_t>(n));
  }
  return head;
}

std::string http_response(std::string_view status, std::string_view content_type,
                          std::string_view body, bool with_body) {
  std::string out = "HTTP/1.0 ";
  out += status;
  out += "\r\nContent-Type: ";
  out += content_type;
  out += "\r\nContent-Length: " + std::to_string(body.size());
  out += "\r\nConnection: close\r\n\r\n";
  if (with_body) out += body;
  return out;
}

}  // namespace cgprov
