// Delay accounting's per-task numbers, asked for over generic netlink
// (TASKSTATS_CMD_GET), as an oracle independent of cgprov.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>

struct mnl_socket;

namespace cgprov::test {

class TaskstatsClient {
 public:
  struct Reclaim {
    uint64_t count = 0;     // freepages_count: direct reclaim calls
    uint64_t delay_ns = 0;  // freepages_delay_total
  };

  TaskstatsClient();  // opens the socket and resolves the TASKSTATS family
  ~TaskstatsClient();
  TaskstatsClient(const TaskstatsClient &) = delete;
  TaskstatsClient &operator=(const TaskstatsClient &) = delete;

  bool ok() const { return family_ != 0; }
  // The reclaim delays of a live task; nullopt if the kernel did not answer.
  std::optional<Reclaim> reclaim_of(pid_t pid);

 private:
  mnl_socket *socket_ = nullptr;
  uint16_t family_ = 0;
  uint32_t seq_ = 0;
};

}  // namespace cgprov::test
