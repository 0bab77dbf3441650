// The host's own tools (docker, virsh, apptainer, mount, ...), run from tests to
// look at what platbench left behind, the way a user would check by hand.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "command.hpp"

namespace test {

// The program's path in PATH, or "" when it is not there.
inline std::string find_program(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin:/usr/sbin:/sbin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        const fs::path candidate = fs::path(dir) / name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    return "";
}

// Runs a host tool found in PATH; exit code 127 when it is not installed.
inline Finished run_tool(const std::string& name, std::vector<std::string> args, const fs::path& io_dir) {
    const std::string program = find_program(name);
    if (program.empty()) return Finished{127, 0, "", name + " is not installed"};
    args.insert(args.begin(), program);
    return Started(args, io_dir).wait();
}

// Non-empty lines of a tool's stdout.
inline std::vector<std::string> output_lines(const Finished& finished) {
    std::vector<std::string> lines;
    std::stringstream text(finished.out);
    std::string line;
    while (std::getline(text, line)) {
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

// Polls `condition` every 100 ms for up to `seconds`; true once it holds.
template <typename Condition>
bool wait_until(Condition condition, double seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return condition();
}

// The pid in a daemon's pid file, or 0.
inline pid_t pid_in_file(const fs::path& file) {
    std::ifstream in(file);
    long pid = 0;
    in >> pid;
    return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0 ? static_cast<pid_t>(pid) : 0;
}

}  // namespace test
