// No user-provided text ever reaches a shell: platbench starts every program
// with an argument vector (execve), so an experiment file, a plugin parameter or
// a guest's output cannot become a command. This scans the product's sources for
// the calls that would hand a string to /bin/sh.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// The code of a line, without a // comment (a comment may name system()).
std::string code_of(const std::string& line) {
    const auto comment = line.find("//");
    return comment == std::string::npos ? line : line.substr(0, comment);
}

}  // namespace

TEST_CASE("no product source hands a string to a shell: no system(), popen(), exec*l*() or sh -c") {
    const std::regex shell_call(R"((^|[^A-Za-z0-9_.>])(system|popen|execl|execlp|execle|wordexp)\s*\()");
    const std::regex shell_path(R"("(/bin/|/usr/bin/)?(ba)?sh"|"-c")");
    std::vector<std::string> offenders;
    std::size_t files = 0;
    for (const char* top : {"core", "platforms", "plugins"}) {
        for (const auto& entry : fs::recursive_directory_iterator(fs::path(PLATBENCH_SOURCE_DIR) / top)) {
            const std::string extension = entry.path().extension().string();
            if (extension != ".cpp" && extension != ".hpp" && extension != ".h") continue;
            ++files;
            std::ifstream in(entry.path());
            std::string line;
            for (int number = 1; std::getline(in, line); ++number) {
                const std::string code = code_of(line);
                if (std::regex_search(code, shell_call) || std::regex_search(code, shell_path))
                    offenders.push_back(entry.path().string() + ":" + std::to_string(number) + ": " + line);
            }
        }
    }
    CHECK(files > 50);
    for (const std::string& offender : offenders) FAIL_CHECK(offender);
    CHECK(offenders.empty());
}
