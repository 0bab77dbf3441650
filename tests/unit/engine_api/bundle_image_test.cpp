// The image tarball: reproducible, root-owned, with a /tmp, symlinks kept.
#include <doctest/doctest.h>

#include <fstream>

#include "bundle_image.hpp"
#include "golden.hpp"
#include "temp_dir.hpp"

using namespace platbench;
using namespace platbench::engine_api;
namespace fs = std::filesystem;

namespace {

void make_tree(const fs::path& root) {
    fs::create_directories(root / "usr/bin");
    fs::create_directories(root / "lib64");
    std::ofstream(root / "usr/bin/platbench-runner") << "#!runner";
    fs::permissions(root / "usr/bin/platbench-runner", fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    fs::create_symlink("../usr/bin/platbench-runner", root / "lib64/link");
}

}  // namespace

TEST_CASE("the image tarball is the same for the same tree, whenever and by whomever it is made") {
    test::TempDir dir{"platbench-tarball"};
    make_tree(dir.path() / "a");
    make_tree(dir.path() / "b");
    fs::last_write_time(dir.path() / "b/usr/bin/platbench-runner", fs::file_time_type::clock::now() - std::chrono::hours(5));
    write_root_tarball(dir.path() / "a", dir.path() / "a.tar");
    write_root_tarball(dir.path() / "b", dir.path() / "b.tar");
    const std::string a = test::read_text_file(dir.path() / "a.tar");
    CHECK(a == test::read_text_file(dir.path() / "b.tar"));
    CHECK(a.find("usr/bin/platbench-runner") != std::string::npos);
    CHECK(a.find("../usr/bin/platbench-runner") != std::string::npos);  // the symlink's target
    CHECK(a.find("tmp/") != std::string::npos);
}

TEST_CASE("the image tag is the start of the bundle's content hash") {
    Bundle bundle;
    bundle.content_hash = "0123456789abcdef0123456789abcdef";
    CHECK(bundle_image_tag(bundle) == "0123456789abcdef");
    CHECK(bundle_image_reference(bundle) == "localhost/platbench-bundle:0123456789abcdef");
}

TEST_CASE("an unreadable tree is an error that names the path") {
    test::TempDir dir{"platbench-tarball"};
    const std::string missing = (dir.path() / "missing").string();
    CHECK_THROWS_WITH_AS(write_root_tarball(missing, dir.path() / "x.tar"),
                         ("cannot read the tree " + missing + " for " + (dir.path() / "x.tar").string() +
                          ": No such file or directory")
                             .c_str(),
                         std::runtime_error);
}
