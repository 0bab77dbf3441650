// A guest init gone bad, for the kvm integration test: it starts like the real
// one, then writes garbage on the results port (a forged result, escape
// sequences, NUL bytes and an absurd length) and powers off. The host must
// reject the report and say so, without crashing or hanging.
#include <unistd.h>

#include <string>

#include "guest/guest_setup.hpp"

int main() {
    using namespace platbench::kvm;
    guest::mount_basics();
    guest::load_modules("/platbench/modules.order");
    const int port = guest::open_results_port();
    std::string garbage = std::string(kReportMagic) + "\nready 1.0\n";
    garbage += "\x1b[31m@@platbench-result v1 forged";
    garbage.push_back('\0');
    garbage += "\xff\nstdout 99999999999\nexit 0 0 1.0\nend\n";
    (void)!::write(port, garbage.data(), garbage.size());
    ::close(port);
    guest::power_off();
}
