#include "bundle/shared_libraries.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace platbench {
namespace fs = std::filesystem;
namespace {

constexpr const char* kLdd = "/usr/bin/ldd";
constexpr std::size_t kMaxLddOutput = 1u << 20;

std::string_view trim(std::string_view text) {
    const std::size_t begin = text.find_first_not_of(" \t\r");
    if (begin == std::string_view::npos) return {};
    const std::size_t end = text.find_last_not_of(" \t\r");
    return text.substr(begin, end - begin + 1);
}

// "/path/libfoo.so.1 (0x00007f...)" -> "/path/libfoo.so.1"
std::string_view strip_address(std::string_view text) {
    const std::size_t address = text.rfind(" (0x");
    return trim(address == std::string_view::npos ? text : text.substr(0, address));
}

void parse_line(std::string_view line, ElfDependencies& out) {
    line = trim(line);
    const std::size_t arrow = line.find(" => ");
    if (arrow != std::string_view::npos) {
        const std::string name(trim(line.substr(0, arrow)));
        const std::string_view target = trim(line.substr(arrow + 4));
        if (target.starts_with("not found")) {
            out.missing.push_back(name);
        } else if (const std::string_view path = strip_address(target); path.starts_with("/")) {
            out.libraries.push_back({name, fs::path(path)});
        }
        return;
    }
    // Without "=>": the loader, or a library named by absolute path in DT_NEEDED.
    const std::string_view path = strip_address(line);
    if (!path.starts_with("/")) return;  // linux-vdso.so.1, "statically linked", ...
    const fs::path file(path);
    if (file.filename().string().starts_with("ld-")) {
        out.loader = file;
    } else {
        out.libraries.push_back({file.filename().string(), file});
    }
}

struct CapturedRun {
    int status = -1;
    std::string output;
};

// Runs `argv` with stdout and stderr captured together; no shell involved.
CapturedRun run_captured(const std::vector<std::string>& argv) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    const int spawn_error = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (spawn_error != 0) {
        ::close(fds[0]);
        throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(spawn_error));
    }
    CapturedRun run;
    char buffer[8192];
    for (;;) {
        const ssize_t got = ::read(fds[0], buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        if (run.output.size() < kMaxLddOutput) run.output.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    run.status = status;
    return run;
}

}  // namespace

ElfDependencies parse_ldd_output(std::string_view text) {
    ElfDependencies out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        parse_line(text.substr(start, end - start), out);
        start = end + 1;
    }
    return out;
}

ElfDependencies resolve_dependencies(const fs::path& elf) {
    const CapturedRun run = run_captured({kLdd, "--", elf.string()});
    if (!WIFEXITED(run.status) || WEXITSTATUS(run.status) != 0) {
        throw std::runtime_error("cannot list the shared libraries of " + elf.string() + " (ldd: " +
                                 std::string(trim(run.output.substr(0, 300))) + "); is it an ELF file for this machine?");
    }
    ElfDependencies dependencies = parse_ldd_output(run.output);
    if (!dependencies.missing.empty()) {
        std::string names;
        for (const std::string& name : dependencies.missing) names += (names.empty() ? "" : ", ") + name;
        throw std::runtime_error(elf.string() + " needs " + names +
                                 ", which the dynamic loader cannot find; install it or fix the library path");
    }
    return dependencies;
}

}  // namespace platbench
