// Request building: container specs against reviewed golden JSON, URLs, resource limits.
#include <doctest/doctest.h>

#include <sys/resource.h>

#include "container_run.hpp"
#include "engine_requests.hpp"
#include "golden.hpp"
#include "platbench/names.hpp"

using namespace platbench;
using namespace platbench::engine_api;

namespace {

ContainerSpec limited_spec() {
    ContainerSpec spec;
    spec.image = "localhost/platbench-bundle:0123456789abcdef";
    spec.command = {"/usr/bin/platbench-runner", "--workload", "blockio", "--plugin-dir", "/usr/lib/platbench/plugins"};
    spec.labels = {{"platbench", "1"}, {"platbench.experiment", "quick"}, {"platbench.run", "e1-r0"}};
    spec.cpuset = "0-1";
    spec.cpus = 1.5;
    spec.memory_bytes = 512ll << 20;
    spec.work_dir = "/work";
    spec.storage = Storage::Volume;
    spec.mount_source = "platbench-e1-r0-42-0";
    spec.rlimits["nofile"] = {1024, 4096};
    return spec;
}

void check_golden(const std::string& name, const ContainerSpec& spec) {
    const std::string actual = container_create_body(spec).dump(2) + "\n";
    CHECK(actual == test::golden("engine_api/" + name, actual));
}

// A PlatformRunRequest with the references it holds.
struct RequestFixture {
    ParamValues settings;
    HostRunner host_runner{"/build/bin/platbench-runner", "/build/lib/platbench/plugins"};
    std::vector<std::string> runner_args{"--workload", "stream", "--param", "ntimes=5"};
    std::map<std::string, std::string> labels{{"platbench", "1"}, {"platbench.run", "e7-r3"}};
    std::atomic<bool> cancel{false};
    std::filesystem::path work_dir;

    PlatformRunRequest request() {
        return PlatformRunRequest{settings, host_runner, nullptr, runner_args, work_dir,
                                  std::chrono::duration<double>(60), labels, cancel};
    }
};

ContainerRunSettings run_settings(Storage storage) {
    return ContainerRunSettings{"localhost/platbench-bundle:abc", storage, "/usr/bin/platbench-runner",
                                "/usr/lib/platbench/plugins", "docker"};
}

}  // namespace

TEST_CASE("container create body: volume storage with every limit") { check_golden("create_volume_limits.json", limited_spec()); }

TEST_CASE("container create body: bind storage runs as the given user") {
    ContainerSpec spec = limited_spec();
    spec.storage = Storage::Bind;
    spec.mount_source = "/var/tmp/results/work/run-1-0";
    spec.user = "1000:1000";
    spec.cpus.reset();
    spec.memory_bytes.reset();
    check_golden("create_bind_user.json", spec);
}

TEST_CASE("container create body: container storage mounts nothing, no work dir means no WorkingDir") {
    ContainerSpec spec = limited_spec();
    spec.storage = Storage::Container;
    check_golden("create_container_layer.json", spec);
    spec.work_dir.reset();
    spec.cpuset.reset();
    check_golden("create_no_work_dir.json", spec);
}

TEST_CASE("container create body: no network unless asked") {
    ContainerSpec spec = limited_spec();
    CHECK(container_create_body(spec)["HostConfig"]["NetworkMode"] == "none");
    CHECK(container_create_body(spec)["NetworkDisabled"] == true);
    spec.network = true;
    CHECK(container_create_body(spec)["HostConfig"]["NetworkMode"] == "default");
    CHECK(container_create_body(spec)["NetworkDisabled"] == false);
}

TEST_CASE("container create body: fractional CPUs become whole NanoCpus") {
    ContainerSpec spec = limited_spec();
    spec.cpus = 0.3333333333;
    CHECK(container_create_body(spec)["HostConfig"]["NanoCpus"] == 333333333);
}

TEST_CASE("container spec from a run request: runner path, arguments, plugin dir, resources and labels") {
    RequestFixture fixture;
    fixture.settings.set("cpuset", std::string("1"));
    fixture.settings.set("memory", std::int64_t{256} << 20);
    const ContainerSpec spec = container_spec_for(fixture.request(), run_settings(Storage::Volume), "platbench-x");
    CHECK(spec.command == std::vector<std::string>{"/usr/bin/platbench-runner", "--workload", "stream", "--param",
                                                   "ntimes=5", "--plugin-dir", "/usr/lib/platbench/plugins"});
    CHECK(spec.cpuset == "1");
    CHECK(spec.memory_bytes == (std::int64_t{256} << 20));
    CHECK_FALSE(spec.cpus);
    CHECK(spec.labels.at("platbench.run") == "e7-r3");
    CHECK(spec.labels.at("platbench.storage") == "volume");
    rlimit open_files{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &open_files) == 0);
    if (open_files.rlim_max != RLIM_INFINITY) CHECK(spec.rlimits.at("nofile").second == open_files.rlim_max);
    const auto pid_max = kernel_pid_max();
    REQUIRE(pid_max);
    CHECK(spec.rlimits.at("nproc").second <= *pid_max);
    CHECK_FALSE(spec.work_dir);  // stream has no work directory: nothing is mounted
}

TEST_CASE("container spec from a run request: the work directory on each storage kind") {
    RequestFixture fixture;
    fixture.work_dir = "/var/tmp/out/work/run-7-3";
    const std::vector<std::string> work_args{"--work-dir", "/work"};

    const ContainerSpec volume = container_spec_for(fixture.request(), run_settings(Storage::Volume), "platbench-v");
    CHECK(volume.work_dir == "/work");
    CHECK(volume.mount_source == "platbench-v.work");  // the volume is named after the container
    CHECK(std::equal(work_args.begin(), work_args.end(), volume.command.end() - 2));
    CHECK_FALSE(volume.user);

    const ContainerSpec bind = container_spec_for(fixture.request(), run_settings(Storage::Bind), "platbench-b");
    CHECK(bind.mount_source == "/var/tmp/out/work/run-7-3");
    REQUIRE(bind.user);
    CHECK(*bind.user == std::to_string(::getuid()) + ":" + std::to_string(::getgid()));

    const ContainerSpec layer = container_spec_for(fixture.request(), run_settings(Storage::Container), "platbench-c");
    CHECK(layer.work_dir == "/work");
    CHECK(container_create_body(layer)["HostConfig"].count("Mounts") == 0);
}

TEST_CASE("url encoding keeps unreserved characters only") {
    CHECK(url_encode("abc-XYZ_0.9~") == "abc-XYZ_0.9~");
    CHECK(url_encode("LABEL a=1 b") == "LABEL%20a%3D1%20b");
    CHECK(url_encode("{\"x\":[\"/\"]}") == "%7B%22x%22%3A%5B%22%2F%22%5D%7D");
    CHECK(url_encode(std::string("\xff\x01", 2)) == "%FF%01");
}

TEST_CASE("label filters and the image import target") {
    CHECK(label_filter_query("platbench") == "filters=%7B%22label%22%3A%5B%22platbench%22%5D%7D");
    CHECK(image_import_target("localhost/platbench-bundle:0123", {"LABEL platbench=1", "LABEL b=2"}) ==
          "/v1.41/images/create?fromSrc=-&repo=localhost%2Fplatbench-bundle%3A0123&changes=LABEL%20platbench%3D1"
          "&changes=LABEL%20b%3D2");
    CHECK(api("/containers/json") == "/v1.41/containers/json");
}

TEST_CASE("container create body: no pids limit, whatever the daemon's default (Podman's is 2048)") {
    CHECK(container_create_body(limited_spec())["HostConfig"]["PidsLimit"] == -1);
}

TEST_CASE("rlimits: the host's open-file and process limits, the process limit at most pid_max") {
    const rlimit open_files{1024, 4096};
    // Podman's case: a host hard limit above pid_max, which the runtime could not set.
    const auto above = container_rlimits(open_files, rlimit{96367, 96367}, 32768);
    CHECK(above.at("nofile") == std::pair<std::uint64_t, std::uint64_t>{1024, 4096});
    CHECK(above.at("nproc") == std::pair<std::uint64_t, std::uint64_t>{32768, 32768});
    // Below pid_max, the host's values as they are; soft stays below hard.
    const auto below = container_rlimits(open_files, rlimit{4000, 60000}, 32768);
    CHECK(below.at("nproc") == std::pair<std::uint64_t, std::uint64_t>{4000, 32768});
    CHECK(container_rlimits(open_files, rlimit{100, 200}, 32768).at("nproc") ==
          std::pair<std::uint64_t, std::uint64_t>{100, 200});
    // Unlimited processes become pid_max, the same everywhere; unknown pid_max leaves them to the daemon.
    CHECK(container_rlimits(open_files, rlimit{RLIM_INFINITY, RLIM_INFINITY}, 4194304).at("nproc") ==
          std::pair<std::uint64_t, std::uint64_t>{4194304, 4194304});
    CHECK(container_rlimits(open_files, rlimit{RLIM_INFINITY, RLIM_INFINITY}, std::nullopt).count("nproc") == 0);
    CHECK(container_rlimits(open_files, rlimit{10, 20}, std::nullopt).at("nproc") ==
          std::pair<std::uint64_t, std::uint64_t>{10, 20});
    // An unlimited open-file limit is the daemon's to choose.
    CHECK(container_rlimits(rlimit{RLIM_INFINITY, RLIM_INFINITY}, rlimit{10, 20}, 100).count("nofile") == 0);
}

TEST_CASE("a run's volume is named after its container, and no volume's name starts another's") {
    CHECK(volume_name_for("platbench-e1-r0-42-1") == "platbench-e1-r0-42-1.work");
    const std::string first = volume_name_for("platbench-e1-r0-42-1"), tenth = volume_name_for("platbench-e1-r0-42-10");
    CHECK(tenth.rfind(first, 0) != 0);
    CHECK(platbench::object_owner_alive(volume_name_for("platbench-e1-r0-" + std::to_string(::getpid()) + "-1")));
}
