// Building and caching the bundle's image, with a stand-in for apptainer (a
// script that records its arguments and writes the image it is asked for), so
// these tests need no apptainer; tests/integration/singularity builds real ones.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>

#include "bundle_image.hpp"
#include "golden.hpp"
#include "temp_dir.hpp"

using namespace platbench;
using namespace platbench::singularity;
namespace fs = std::filesystem;

namespace {

// A fake `apptainer build`: appends its arguments and $APPTAINER_TMPDIR to a log,
// then creates the target (a file, or a directory for --sandbox) unless told to fail.
fs::path fake_apptainer(const fs::path& dir, bool fail = false) {
    const fs::path program = dir / "apptainer";
    std::ofstream script(program);
    script << "#!/bin/sh\n"
              "echo \"$*|$APPTAINER_TMPDIR\" >> '" << (dir / "calls.log").string() << "'\n"
           << (fail ? "echo 'FATAL:   While performing build: mksquashfs failed' >&2\nexit 255\n" : "")
           << "if [ \"$2\" = --sandbox ]; then mkdir -p \"$3\"; else echo image > \"$2\"; fi\n";
    script.close();
    fs::permissions(program, fs::perms::owner_all);
    return program;
}

std::vector<std::string> calls(const fs::path& dir) {
    std::ifstream log(dir / "calls.log");
    std::vector<std::string> lines;
    for (std::string line; std::getline(log, line);) lines.push_back(line);
    return lines;
}

Bundle sample_bundle(const fs::path& root) {
    return Bundle{root, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                  "/usr/bin/platbench-runner", "/usr/lib/platbench/plugins"};
}

std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

TEST_CASE("a SIF is built once per bundle content, under a temporary name, then reused") {
    test::TempDir tools, images;
    const Bundle bundle = sample_bundle("/bundle/root");
    const ImageRequest request{fake_apptainer(tools.path()), ImageFormat::Sif, images.path(), bundle};

    const ImageOutcome first = ensure_bundle_image(request);
    CHECK(first.built);
    CHECK(first.path == images.path() / "bundle-0123456789abcdef.sif");
    CHECK(fs::is_regular_file(first.path));
    const std::vector<std::string> log = calls(tools.path());
    REQUIRE(log.size() == 1);
    // build <images>/building-<pid>-<n>.sif /bundle/root | its temporary directory beside it
    CHECK(log[0].starts_with("build " + (images.path() / "building-").string()));
    CHECK(log[0].find(".sif /bundle/root|" + (images.path() / "building-").string()) != std::string::npos);
    CHECK(log[0].ends_with(".tmp"));
    CHECK(entries(images.path()) == std::vector<std::string>{"bundle-0123456789abcdef.sif"});

    const ImageOutcome second = ensure_bundle_image(request);
    CHECK_FALSE(second.built);
    CHECK(second.path == first.path);
    CHECK(calls(tools.path()).size() == 1);
}

TEST_CASE("a sandbox is a directory image of its own, beside the SIF of the same bundle") {
    test::TempDir tools, images;
    const Bundle bundle = sample_bundle("/bundle/root");
    const fs::path program = fake_apptainer(tools.path());
    ensure_bundle_image({program, ImageFormat::Sif, images.path(), bundle});
    const ImageOutcome sandbox = ensure_bundle_image({program, ImageFormat::Sandbox, images.path(), bundle});
    CHECK(sandbox.built);
    CHECK(fs::is_directory(sandbox.path));
    CHECK(calls(tools.path()).at(1).starts_with("build --sandbox "));
    CHECK(entries(images.path()) ==
          std::vector<std::string>{"bundle-0123456789abcdef.sandbox", "bundle-0123456789abcdef.sif"});
    CHECK(is_cached_image_name("bundle-0123456789abcdef.sandbox"));
    CHECK_FALSE(is_cached_image_name("building-12-0.sif"));
}

TEST_CASE("a failed build says what apptainer said and leaves nothing behind") {
    test::TempDir tools, images;
    const Bundle bundle = sample_bundle("/bundle/root");
    const ImageRequest request{fake_apptainer(tools.path(), true), ImageFormat::Sif, images.path(), bundle};
    CHECK_THROWS_WITH_AS(ensure_bundle_image(request),
                         doctest::Contains("exit status 255: FATAL:   While performing build: mksquashfs failed"),
                         std::runtime_error);
    CHECK(entries(images.path()).empty());
}

TEST_CASE("a missing program fails the build with the reason") {
    test::TempDir images;
    const Bundle bundle = sample_bundle("/bundle/root");
    const ImageRequest request{images.path() / "no-such-apptainer", ImageFormat::Sif, images.path(), bundle};
    CHECK_THROWS_WITH_AS(ensure_bundle_image(request), doctest::Contains("could not build the image"),
                         std::runtime_error);
    CHECK(entries(images.path()).empty());
}
