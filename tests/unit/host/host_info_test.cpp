#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>

#include <sqlite3.h>

#include "host/host_info.hpp"

using namespace platbench;

TEST_CASE("collect_host_info reports this machine and the library versions") {
    const nlohmann::json info = collect_host_info();
    REQUIRE(info.is_object());
    CHECK(std::regex_match(info["platbench_version"].get<std::string>(), std::regex(R"(\d+\.\d+\.\d+.*)")));
    CHECK(info["sqlite_version"] == sqlite3_libversion());
    CHECK(info["nlohmann_json_version"].get<std::string>().rfind("3.", 0) == 0);
    CHECK(std::regex_match(info["boost_version"].get<std::string>(), std::regex(R"(1\.\d+)")));
    CHECK(info["openssl_version"].get<std::string>().rfind("OpenSSL", 0) == 0);
    CHECK_FALSE(info["compiler"].get<std::string>().empty());
    // Linux always has these.
    CHECK(info["cpu_cores"].get<long>() >= 1);
    CHECK_FALSE(info["kernel"].get<std::string>().empty());
    CHECK_FALSE(info["hostname"].get<std::string>().empty());
    CHECK(info["memory_total_bytes"].get<std::uint64_t>() > 1024u * 1024u);
    // Every value is a plain string or number: the report prints them as they are.
    for (const auto& [key, value] : info.items()) {
        const std::string& info_key = key;  // clang 14 cannot capture a structured binding
        CAPTURE(info_key);
        CHECK((value.is_string() || value.is_number()));
    }
}

TEST_CASE("cpu model from the /proc/cpuinfo of several architectures") {
    CHECK(cpu_model_from_cpuinfo("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n"
                                 "model\t\t: 1\nmodel name\t: AMD EPYC 7763 64-Core Processor\ncpu MHz\t\t: 2445\n") ==
          "AMD EPYC 7763 64-Core Processor");
    CHECK(cpu_model_from_cpuinfo("processor\t: 0\ncpu\t\t: POWER9 (raw), altivec supported\nclock\t\t: 2166MHz\n") ==
          "POWER9 (raw), altivec supported");
    CHECK(cpu_model_from_cpuinfo("system type\t: MT7621\ncpu model\t: MIPS 1004Kc V2.15\n") == "MIPS 1004Kc V2.15");
    // aarch64 names no model: leave it out rather than guess.
    CHECK_FALSE(cpu_model_from_cpuinfo("processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n"));
    CHECK_FALSE(cpu_model_from_cpuinfo(""));
    CHECK_FALSE(cpu_model_from_cpuinfo("model name\t:\n"));
}

TEST_CASE("total memory from /proc/meminfo") {
    CHECK(memory_total_bytes_from_meminfo("MemTotal:       16318220 kB\nMemFree:         1000 kB\n") ==
          16318220ull * 1024);
    CHECK(memory_total_bytes_from_meminfo("MemFree: 1 kB\nMemTotal: 2048 kB") == 2048ull * 1024);
    CHECK_FALSE(memory_total_bytes_from_meminfo("MemFree: 1 kB\n"));
    CHECK_FALSE(memory_total_bytes_from_meminfo("MemTotal: lots kB\n"));
    CHECK_FALSE(memory_total_bytes_from_meminfo("MemTotal: 12 parsecs\n"));
    CHECK_FALSE(memory_total_bytes_from_meminfo("MemTotal: 99999999999999999999999 kB\n"));
}

TEST_CASE("PRETTY_NAME from os-release, with shell quoting") {
    CHECK(pretty_name_from_os_release("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n") ==
          "Debian GNU/Linux 12 (bookworm)");
    CHECK(pretty_name_from_os_release("# comment\nPRETTY_NAME='Alpine Linux v3.19'\n") == "Alpine Linux v3.19");
    CHECK(pretty_name_from_os_release("PRETTY_NAME=Unquoted\n") == "Unquoted");
    CHECK(pretty_name_from_os_release("PRETTY_NAME=\"Say \\\"hi\\\"\"\n") == "Say \"hi\"");
    CHECK_FALSE(pretty_name_from_os_release("NAME=Fedora\n"));
    CHECK_FALSE(pretty_name_from_os_release("PRETTY_NAME=\"\"\n"));
}

TEST_CASE("UTC timestamps: ISO 8601 with milliseconds") {
    using namespace std::chrono;
    const system_clock::time_point known = sys_days{year{2026} / 11 / 26} + 4h + 43min + 4s + 123ms;
    CHECK(format_utc_timestamp(known) == "2026-11-26T04:43:04.123Z");
    CHECK(format_utc_timestamp(system_clock::time_point{}) == "1970-01-01T00:00:00.000Z");
    CHECK(format_utc_timestamp(sys_days{year{2000} / 2 / 29} + 23h + 59min + 59s + 999ms + 999us) ==
          "2000-02-29T23:59:59.999Z");
    const std::string now = utc_timestamp_now();
    CHECK(std::regex_match(now, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")));
}

TEST_CASE("the machine's state at the start: THP mode and load average read from their files") {
    CHECK(selected_choice("always [madvise] never\n") == "madvise");
    CHECK(selected_choice("[always] madvise never") == "always");
    CHECK_FALSE(selected_choice("always madvise never"));
    CHECK_FALSE(selected_choice("[] x"));
    CHECK(load_average_from_loadavg("0.52 0.58 0.59 1/123 4567\n") == doctest::Approx(0.52));
    CHECK(load_average_from_loadavg("12.00 1 1 1/1 1") == doctest::Approx(12.0));
    CHECK_FALSE(load_average_from_loadavg(""));
    CHECK_FALSE(load_average_from_loadavg("high"));
    // This machine: Linux has both files (the governor only with cpufreq, so it is not required).
    // The load average is /proc/loadavg's as it was while collecting (read before and
    // after, as the kernel may update it in between).
    const auto load_now = [] {
        std::ifstream file("/proc/loadavg");
        const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        return load_average_from_loadavg(text).value();
    };
    const double load_before = load_now();
    const nlohmann::json info = collect_host_info();
    const double load_after = load_now();
    CHECK(info["load_average_1m"].get<double>() >= std::min(load_before, load_after));
    CHECK(info["load_average_1m"].get<double>() <= std::max(load_before, load_after));
    if (info.contains("transparent_hugepages"))
        CHECK((info["transparent_hugepages"] == "always" || info["transparent_hugepages"] == "madvise" ||
               info["transparent_hugepages"] == "never"));
}
