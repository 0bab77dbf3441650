// Running the real platbench executable from tests, as a user would, without a shell.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace test {

namespace fs = std::filesystem;

struct Finished {
    int exit_code = -1;
    int signal = 0;
    std::string out;
    std::string err;
    bool killed_at_deadline = false;  // wait_for() ran out of time
};

inline std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

inline void write_file(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
}

// A started child whose stdout/stderr go to files in `dir`; it runs in
// `working_dir` when one is given, else in the test's own working directory.
class Started {
public:
    Started(std::vector<std::string> argv, const fs::path& dir, const fs::path& working_dir = {})
        : out_(dir / "stdout"), err_(dir / "stderr") {
        fs::create_directories(dir);
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        pid_ = fork();
        if (pid_ == 0) {
            const int out = open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int err = open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int in = open("/dev/null", O_RDONLY);
            dup2(in, 0);
            dup2(out, 1);
            dup2(err, 2);
            if (!working_dir.empty() && chdir(working_dir.c_str()) != 0) _exit(126);
            execv(args[0], args.data());
            _exit(127);
        }
    }

    pid_t pid() const { return pid_; }
    void signal(int sig) const { kill(pid_, sig); }

    Finished wait() { return wait_for(std::chrono::hours(24)); }

    // Like wait(), but the child is killed (SIGKILL) once `limit` has passed:
    // `killed_at_deadline` then says so. For tests that a command ends at all.
    Finished wait_for(std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        int status = 0;
        bool killed = false;
        while (waitpid(pid_, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                kill(pid_, SIGKILL);
                waitpid(pid_, &status, 0);
                killed = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        Finished f;
        if (WIFEXITED(status)) f.exit_code = WEXITSTATUS(status);
        if (WIFSIGNALED(status)) f.signal = WTERMSIG(status);
        f.out = read_file(out_);
        f.err = read_file(err_);
        f.killed_at_deadline = killed;
        return f;
    }

private:
    pid_t pid_ = -1;
    fs::path out_, err_;
};

inline Finished run_cli(std::vector<std::string> args, const fs::path& dir) {
    args.insert(args.begin(), PLATBENCH_CLI);
    return Started(args, dir).wait();
}

// platbench run in `working_dir`, its output kept in `io_dir`.
inline Finished run_cli_in(std::vector<std::string> args, const fs::path& working_dir, const fs::path& io_dir) {
    args.insert(args.begin(), PLATBENCH_CLI);
    return Started(args, io_dir, working_dir).wait();
}

// A fresh scratch directory per test.
inline fs::path scratch(const std::string& name) {
    fs::path dir = fs::temp_directory_path() / ("platbench-cli-test-" + std::to_string(getpid())) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The lines of `text`, without their newlines.
inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// Columns a line takes on a terminal: UTF-8 continuation bytes take none ("±").
inline std::size_t columns(const std::string& line) {
    std::size_t n = 0;
    for (char c : line) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

// The text with every run of spaces and newlines made one space: what a reader sees
// of a message that the terminal output wrapped.
inline std::string unwrapped(const std::string& text) {
    std::string flat;
    for (char c : text) {
        const bool space = c == ' ' || c == '\n';
        if (!space || flat.empty() || flat.back() != ' ') flat += space ? ' ' : c;
    }
    return flat;
}

inline std::size_t count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
    return n;
}

}  // namespace test
