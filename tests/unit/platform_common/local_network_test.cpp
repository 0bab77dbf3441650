// The safety checks of network paths (platforms/common/local_network): what the
// host's addresses and routes say, and when 10.249.0.0/16 is not platbench's to use.
#include <doctest/doctest.h>

#include "local_network.hpp"

using namespace platbench::local_network;

TEST_CASE("the host's addresses and routes are read from ip's one-line output") {
    const std::vector<HostRoute> addresses = parse_addresses(
        "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n"
        "2: eth0    inet 192.168.5.15/24 brd 192.168.5.255 scope global eth0\\       valid_lft forever\n"
        "9: pbbr3    inet 10.249.3.1/24 scope global pbbr3\\       valid_lft forever\n");
    REQUIRE(addresses.size() == 3);
    CHECK(addresses[1].prefix == "192.168.5.15/24");
    CHECK(addresses[1].interface == "eth0");
    CHECK(addresses[2].interface == "pbbr3");
    const std::vector<HostRoute> routes = parse_routes(
        "default via 192.168.5.1 dev eth0\n"
        "10.249.3.0/24 dev pbbr3 proto kernel scope link src 10.249.3.1\n"
        "local 10.249.3.1 dev pbbr3 table local proto kernel scope host src 10.249.3.1\n"
        "broadcast 10.249.3.255 dev pbbr3 table local proto kernel scope link src 10.249.3.1\n");
    REQUIRE(routes.size() == 4);
    CHECK(routes[0].prefix == "default");
    CHECK(routes[0].interface == "eth0");
    CHECK(routes[2].prefix == "10.249.3.1");
    CHECK(routes[3].interface == "pbbr3");
}

TEST_CASE("the subnet is refused when anything but platbench's own interfaces uses it, and only then") {
    CHECK(subnet_conflict({}).empty());
    CHECK(subnet_conflict({{"default", "eth0"}, {"192.168.5.0/24", "eth0"}, {"10.24.0.0/16", "eth1"}}).empty());
    CHECK(subnet_conflict({{"10.249.3.0/24", "pbbr3"}, {"10.249.3.1", "pbbr3"}}).empty());
    const std::string taken = subnet_conflict({{"10.249.0.0/16", "eth1"}});
    CHECK(taken.find("10.249.0.0/16 is in use") != std::string::npos);
    CHECK(taken.find("eth1") != std::string::npos);
    CHECK_FALSE(subnet_conflict({{"10.249.200.7/24", "docker0"}}).empty());
    CHECK_FALSE(subnet_conflict({{"10.249.9.0/24", "wg0"}}).empty());
}

TEST_CASE("a slot names its addresses and interfaces within the subnet and the 15-character limit") {
    const Slot slot{254};
    CHECK(slot.host_address() == "10.249.254.1");
    CHECK(slot.inside_address() == "10.249.254.2");
    CHECK(slot.subnet() == "10.249.254.0/24");
    for (const std::string& name : {slot.bridge(), slot.host_veth(), slot.inside_veth(), slot.tap()}) {
        CAPTURE(name);
        CHECK(name.size() <= 15);
        CHECK(name.rfind("pb", 0) == 0);
    }
}
