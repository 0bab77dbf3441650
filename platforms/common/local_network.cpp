#include "local_network.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "platbench/names.hpp"
#include "platbench/process.hpp"

namespace platbench::local_network {
namespace fs = std::filesystem;

namespace {

constexpr const char* kSubnetStart = "10.249.";
constexpr std::chrono::seconds kIpTimeout{20};

struct IpResult {
    bool ok = false;
    std::string output;
    std::string error;
};

// `ip ARGS...`: no shell, the arguments are platbench's own names and addresses.
IpResult ip(const std::vector<std::string>& args) {
    ChildRequest request;
    request.argv = {"ip"};
    request.argv.insert(request.argv.end(), args.begin(), args.end());
    request.timeout = kIpTimeout;
    const ChildOutcome outcome = run_child(request);
    IpResult result;
    result.ok = outcome.started && outcome.exit_code == 0;
    result.output = outcome.stdout_text;
    result.error = outcome.started ? outcome.stderr_text : outcome.failure;
    while (!result.error.empty() && result.error.back() == '\n') result.error.pop_back();
    return result;
}

void ip_or_throw(const std::vector<std::string>& args) {
    const IpResult result = ip(args);
    if (result.ok) return;
    std::string command = "ip";
    for (const std::string& arg : args) command += " " + arg;
    throw std::runtime_error("`" + command + "` failed: " + (result.error.empty() ? "no reason given" : result.error));
}

bool in_subnet(const std::string& prefix) { return prefix.rfind(kSubnetStart, 0) == 0; }
bool platbench_interface(const std::string& name) { return name.rfind("pb", 0) == 0; }

// Holds kStateDir's lock: slots are chosen and recorded by one process at a time.
class StateLock {
public:
    StateLock() {
        std::error_code ec;
        fs::create_directories(kStateDir, ec);
        fd_ = ::open((fs::path(kStateDir) / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0)
            throw std::runtime_error(std::string("cannot lock ") + kStateDir + " (network paths need root)");
    }
    ~StateLock() {
        if (fd_ >= 0) ::close(fd_);  // releases the lock
    }
    StateLock(const StateLock&) = delete;
    StateLock& operator=(const StateLock&) = delete;

private:
    int fd_ = -1;
};

// The state file of a slot: "slot<index>-<pid>-0", so object_owner_alive() reads its owner.
fs::path state_file(const Slot& slot, pid_t pid) {
    return fs::path(kStateDir) / ("slot" + std::to_string(slot.index) + "-" + std::to_string(pid) + "-0");
}

// Slots recorded in kStateDir: index -> state file.
std::map<int, fs::path> recorded_slots() {
    std::map<int, fs::path> slots;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(kStateDir, ec)) {
        const std::string name = entry.path().filename().string();
        int index = 0;
        if (std::sscanf(name.c_str(), "slot%d-", &index) == 1 && index >= 1 && index <= 254) slots[index] = entry.path();
    }
    return slots;
}

std::vector<HostRoute> host_routes() {
    const IpResult addresses = ip({"-o", "-4", "addr", "show"});
    if (!addresses.ok) throw std::runtime_error("cannot list this host's addresses with `ip`: " + addresses.error);
    const IpResult routes = ip({"-o", "-4", "route", "show", "table", "all"});
    if (!routes.ok) throw std::runtime_error("cannot list this host's routes with `ip`: " + routes.error);
    std::vector<HostRoute> all = parse_addresses(addresses.output);
    for (HostRoute& route : parse_routes(routes.output)) all.push_back(std::move(route));
    return all;
}

std::vector<std::string> words_of(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string word; in >> word;) words.push_back(word);
    return words;
}

std::string after(const std::vector<std::string>& words, const std::string& key) {
    for (std::size_t i = 0; i + 1 < words.size(); ++i)
        if (words[i] == key) return words[i + 1];
    return "";
}

bool interface_exists(const std::string& name) { return fs::exists(fs::path("/sys/class/net") / name); }

void remove_interface(const std::string& name, std::vector<std::string>* removed) {
    if (!interface_exists(name)) return;
    if (ip({"link", "delete", name}).ok && removed) removed->push_back("interface " + name);
}

void remove_slot_objects(const Slot& slot, std::vector<std::string>* removed) {
    // Deleting a veth end deletes its peer; deleting the namespace deletes what is inside.
    remove_interface(slot.host_veth(), removed);
    remove_interface(slot.tap(), removed);
    remove_interface(slot.bridge(), removed);
}

}  // namespace

std::string Slot::host_address() const { return kSubnetStart + std::to_string(index) + ".1"; }
std::string Slot::inside_address() const { return kSubnetStart + std::to_string(index) + ".2"; }
std::string Slot::subnet() const { return kSubnetStart + std::to_string(index) + ".0/24"; }
std::string Slot::bridge() const { return "pbbr" + std::to_string(index); }
std::string Slot::host_veth() const { return "pbh" + std::to_string(index); }
std::string Slot::inside_veth() const { return "pbn" + std::to_string(index); }
std::string Slot::tap() const { return "pbt" + std::to_string(index); }

std::vector<HostRoute> parse_addresses(const std::string& ip_output) {
    // "3: eth0    inet 10.0.2.15/24 brd 10.0.2.255 scope global eth0\       valid_lft ..."
    std::vector<HostRoute> routes;
    std::istringstream in(ip_output);
    for (std::string line; std::getline(in, line);) {
        const std::vector<std::string> words = words_of(line);
        if (words.size() < 4 || words[2] != "inet") continue;
        routes.push_back({words[3], words[1]});
    }
    return routes;
}

std::vector<HostRoute> parse_routes(const std::string& ip_output) {
    // "10.249.3.0/24 dev pbbr3 proto kernel scope link src 10.249.3.1", "local 10.249.3.1 dev pbbr3 table local ..."
    std::vector<HostRoute> routes;
    std::istringstream in(ip_output);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> words = words_of(line);
        if (words.empty()) continue;
        static const std::set<std::string> kTypes = {"local", "broadcast", "unicast", "multicast", "blackhole",
                                                     "unreachable", "prohibit", "throw", "nat", "anycast"};
        if (kTypes.count(words[0]) && words.size() > 1) words.erase(words.begin());
        routes.push_back({words[0], after(words, "dev")});
    }
    return routes;
}

std::string subnet_conflict(const std::vector<HostRoute>& routes) {
    for (const HostRoute& route : routes) {
        if (!in_subnet(route.prefix) || platbench_interface(route.interface)) continue;
        return std::string(kSubnet) + " is in use on this host (" + route.prefix +
               (route.interface.empty() ? "" : " on " + route.interface) +
               "): platbench's network paths need that subnet to themselves, so that no run's traffic can reach "
               "anything else; free it, or run network workloads on another machine";
    }
    return "";
}

Slot take_slot() {
    const StateLock lock;
    const std::vector<HostRoute> routes = host_routes();
    if (const std::string conflict = subnet_conflict(routes); !conflict.empty()) throw std::runtime_error(conflict);
    std::set<int> used;
    for (const auto& [index, file] : recorded_slots()) used.insert(index);
    for (const HostRoute& route : routes) {
        int index = 0;
        if (in_subnet(route.prefix) && std::sscanf(route.prefix.c_str(), "10.249.%d.", &index) == 1) used.insert(index);
    }
    for (int index = 1; index <= 254; ++index) {
        if (used.count(index)) continue;
        Slot slot{index};
        if (interface_exists(slot.bridge()) || interface_exists(slot.host_veth()) || interface_exists(slot.tap())) continue;
        std::ofstream(state_file(slot, ::getpid())) << ::getpid() << "\n";
        return slot;
    }
    throw std::runtime_error(std::string("all 254 network slots of ") + kSubnet +
                             " are taken: `platbench clean` removes those of runs that are gone");
}

void release_slot(const Slot& slot) noexcept {
    try {
        const std::string ns = namespace_name(slot);
        if (fs::exists(fs::path("/run/netns") / ns)) ip({"netns", "delete", ns});
        remove_slot_objects(slot, nullptr);
        std::error_code ec;
        fs::remove(state_file(slot, ::getpid()), ec);
    } catch (...) {
        // A leftover is reaped by `platbench clean`.
    }
}

void make_bridge(const Slot& slot) {
    ip_or_throw({"link", "add", slot.bridge(), "type", "bridge"});
    ip_or_throw({"addr", "add", slot.host_address() + "/24", "dev", slot.bridge()});
    ip_or_throw({"link", "set", slot.bridge(), "up"});
}

std::string namespace_name(const Slot& slot) {
    return "platbench-net" + std::to_string(slot.index) + "-" + std::to_string(::getpid()) + "-0";
}

std::string make_namespace(const Slot& slot) {
    const std::string ns = namespace_name(slot);
    ip_or_throw({"netns", "add", ns});
    ip_or_throw({"link", "add", slot.host_veth(), "type", "veth", "peer", "name", slot.inside_veth()});
    ip_or_throw({"link", "set", slot.host_veth(), "master", slot.bridge()});
    ip_or_throw({"link", "set", slot.host_veth(), "up"});
    ip_or_throw({"link", "set", slot.inside_veth(), "netns", ns});
    ip_or_throw({"-n", ns, "link", "set", "lo", "up"});
    ip_or_throw({"-n", ns, "addr", "add", slot.inside_address() + "/24", "dev", slot.inside_veth()});
    ip_or_throw({"-n", ns, "link", "set", slot.inside_veth(), "up"});
    return ns;
}

std::string mtu_of(const std::string& interface) {
    std::ifstream in(fs::path("/sys/class/net") / interface / "mtu");
    std::string mtu;
    std::getline(in, mtu);
    return mtu;
}

std::vector<std::string> remove_leftovers() {
    std::vector<std::string> removed;
    std::set<int> live;
    for (const auto& [index, file] : recorded_slots()) {
        if (object_owner_alive(file.filename().string())) {
            live.insert(index);
            continue;
        }
        std::error_code ec;
        fs::remove(file, ec);
        removed.push_back("file " + file.string());
    }
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/run/netns", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("platbench-net", 0) != 0 || object_owner_alive(name)) continue;
        if (ip({"netns", "delete", name}).ok) removed.push_back("network namespace " + name);
    }
    for (const auto& entry : fs::directory_iterator("/sys/class/net", ec)) {
        const std::string name = entry.path().filename().string();
        int index = 0;
        char kind[8] = {};
        if (std::sscanf(name.c_str(), "pb%3[a-z]%d", kind, &index) != 2 || live.count(index)) continue;
        const std::string k = kind;
        if (k != "br" && k != "h" && k != "t") continue;  // "pbn" ends live inside namespaces
        remove_interface(name, &removed);
    }
    return removed;
}

NetworkPath loopback_path(const std::string& setting) {
    NetworkPath path;
    path.name = "loopback";
    path.peer_address = "127.0.0.1";
    path.metadata = {{"network", setting}, {"network_interfaces", "loopback"}, {"network_mtu", mtu_of("lo")},
                     {"network_nat", "no"}};
    return path;
}

OpenPaths::~OpenPaths() {
    for (const auto& [name, slot] : open_) release_slot(slot);
}

Slot OpenPaths::open_slot(const std::function<std::string(const Slot&)>& name_of, std::string& name) {
    Slot slot = take_slot();
    name = name_of(slot);
    const std::lock_guard lock(mutex_);
    open_[name] = slot;
    return slot;
}

NetworkPath OpenPaths::open_namespace(const std::string& setting) {
    Slot slot = take_slot();
    NetworkPath path;
    try {
        make_bridge(slot);
        path.name = make_namespace(slot);
    } catch (...) {
        release_slot(slot);
        throw;
    }
    {
        const std::lock_guard lock(mutex_);
        open_[path.name] = slot;
    }
    path.peer_address = slot.host_address();
    path.metadata = {{"network", setting},
                     {"network_interfaces", "veth, bridge"},
                     {"network_mtu", mtu_of(slot.bridge())},
                     {"network_nat", "no"},
                     {"network_subnet", slot.subnet()}};
    return path;
}

NetworkPath OpenPaths::open_bridge(const std::string& setting) {
    Slot slot = take_slot();
    try {
        make_bridge(slot);
    } catch (...) {
        release_slot(slot);
        throw;
    }
    NetworkPath path;
    path.name = slot.bridge();
    {
        const std::lock_guard lock(mutex_);
        open_[path.name] = slot;
    }
    path.peer_address = slot.host_address();
    path.metadata = {{"network", setting},
                     {"network_mtu", mtu_of(slot.bridge())},
                     {"network_nat", "no"},
                     {"network_subnet", slot.subnet()}};
    return path;
}

void OpenPaths::close(const NetworkPath& path) noexcept {
    std::optional<Slot> slot;
    {
        const std::lock_guard lock(mutex_);
        auto it = open_.find(path.name);
        if (it == open_.end()) return;
        slot = it->second;
        open_.erase(it);
    }
    release_slot(*slot);
}

}  // namespace platbench::local_network
