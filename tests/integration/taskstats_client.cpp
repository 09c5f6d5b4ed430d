#include "taskstats_client.hpp"

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/taskstats.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace cgprov::test {
namespace {

// A request: netlink header, generic netlink header, then attributes.
nlmsghdr *start_request(char *buf, uint16_t type, uint8_t cmd, uint8_t version, uint32_t seq) {
  nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST;
  nlh->nlmsg_seq = seq;
  auto *genl = static_cast<genlmsghdr *>(mnl_nlmsg_put_extra_header(nlh, sizeof(genlmsghdr)));
  genl->cmd = cmd;
  genl->version = version;
  return nlh;
}

struct Reply {
  uint16_t family = 0;
  std::optional<TaskstatsClient::Reclaim> reclaim;
};

int on_family_attr(const nlattr *attr, void *data) {
  if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID && mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
    static_cast<Reply *>(data)->family = mnl_attr_get_u16(attr);
  return MNL_CB_OK;
}

int on_family(const nlmsghdr *nlh, void *data) {
  return mnl_attr_parse(nlh, sizeof(genlmsghdr), on_family_attr, data);
}

int on_aggregate_attr(const nlattr *attr, void *data) {
  if (mnl_attr_get_type(attr) != TASKSTATS_TYPE_STATS) return MNL_CB_OK;
  taskstats stats{};
  // Older kernels send a shorter struct: take what is there.
  std::memcpy(&stats, mnl_attr_get_payload(attr),
              std::min<size_t>(sizeof(stats), mnl_attr_get_payload_len(attr)));
  static_cast<Reply *>(data)->reclaim =
      TaskstatsClient::Reclaim{stats.freepages_count, stats.freepages_delay_total};
  return MNL_CB_OK;
}

int on_stats_attr(const nlattr *attr, void *data) {
  if (mnl_attr_get_type(attr) == TASKSTATS_TYPE_AGGR_PID)
    return mnl_attr_parse_nested(attr, on_aggregate_attr, data);
  return MNL_CB_OK;
}

int on_stats(const nlmsghdr *nlh, void *data) {
  return mnl_attr_parse(nlh, sizeof(genlmsghdr), on_stats_attr, data);
}

// Sends `nlh` and runs `cb` over the answer; false on any error.
bool exchange(mnl_socket *socket, nlmsghdr *nlh, mnl_cb_t cb, Reply &reply) {
  if (mnl_socket_sendto(socket, nlh, nlh->nlmsg_len) < 0) return false;
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  const ssize_t n = mnl_socket_recvfrom(socket, buf.data(), buf.size());
  if (n < 0) return false;
  return mnl_cb_run(buf.data(), n, nlh->nlmsg_seq, mnl_socket_get_portid(socket), cb, &reply) >=
         MNL_CB_STOP;
}

}  // namespace

TaskstatsClient::TaskstatsClient() {
  socket_ = mnl_socket_open(NETLINK_GENERIC);
  if (!socket_ || mnl_socket_bind(socket_, 0, MNL_SOCKET_AUTOPID) < 0) return;
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr *nlh = start_request(buf.data(), GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, ++seq_);
  mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TASKSTATS_GENL_NAME);
  Reply reply;
  if (exchange(socket_, nlh, on_family, reply)) family_ = reply.family;
}

TaskstatsClient::~TaskstatsClient() {
  if (socket_) mnl_socket_close(socket_);
}

std::optional<TaskstatsClient::Reclaim> TaskstatsClient::reclaim_of(pid_t pid) {
  if (!ok()) return std::nullopt;
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr *nlh = start_request(buf.data(), family_, TASKSTATS_CMD_GET, TASKSTATS_VERSION, ++seq_);
  mnl_attr_put_u32(nlh, TASKSTATS_CMD_ATTR_PID, static_cast<uint32_t>(pid));
  Reply reply;
  if (!exchange(socket_, nlh, on_stats, reply)) return std::nullopt;
  return reply.reclaim;
}

}  // namespace cgprov::test
