// Just enough HTTP/1.x for one Prometheus scrape per connection, as a
// socket-activated service (Accept=yes) sees it on stdin and stdout.
#pragma once

#include <string>
#include <string_view>

#include "export_format.hpp"
#include "result.hpp"

namespace cgprov {

struct ScrapeRequest {
  bool is_get = false;  // GET (or HEAD: no body)
  bool is_head = false;
  bool wants_openmetrics = false;  // Accept names application/openmetrics-text
};

// The request head (up to the blank line): only the method and whether
// the Accept header asks for OpenMetrics matter; nothing else is read.
ScrapeRequest parse_scrape_request(std::string_view head);

// Read a request head from `fd`: up to the blank line, at most 16 KiB,
// waiting at most `timeout_ms` in all.
Result<std::string> read_request_head(int fd, int timeout_ms);

// A complete HTTP/1.0 response (Connection: close).
std::string http_response(std::string_view status, std::string_view content_type,
                          std::string_view body, bool with_body = true);

}  // namespace cgprov
