#include "bundle_image.hpp"

#include <unistd.h>

#include "tree_archive.hpp"

namespace platbench::engine_api {
namespace fs = std::filesystem;

namespace {

constexpr double kImportTimeoutSeconds = 600;
constexpr double kQueryTimeoutSeconds = 30;

}  // namespace

std::string bundle_image_tag(const Bundle& bundle) { return bundle.content_hash.substr(0, 16); }

std::string bundle_image_reference(const Bundle& bundle) {
    return std::string(kImageRepository) + ":" + bundle_image_tag(bundle);
}

void write_root_tarball(const fs::path& root, const fs::path& tarball) {
    TreeArchiveWriter writer(tarball, ArchiveFormat::PaxTar);
    writer.add_tree(root);
    if (!writer.contains("tmp")) writer.add_directory("tmp", 01777);
    writer.close();
}

ImageOutcome ensure_bundle_image(const EngineClient& client, const Bundle& bundle) {
    ImageOutcome outcome;
    outcome.reference = bundle_image_reference(bundle);
    const auto start = Clock::now();
    if (client.image_exists(outcome.reference, within(kQueryTimeoutSeconds))) return outcome;

    const fs::path tarball = fs::temp_directory_path() /
                             ("platbench-image-" + std::to_string(::getpid()) + "-" + bundle_image_tag(bundle) + ".tar");
    struct RemoveTarball {
        fs::path path;
        ~RemoveTarball() {
            std::error_code ec;
            fs::remove(path, ec);
        }
    } cleanup{tarball};
    write_root_tarball(bundle.root, tarball);
    // One label per instruction: Podman reads "LABEL a=1 b=2" as one label a="1 b=2".
    client.import_image(tarball, outcome.reference,
                        {std::string("LABEL ") + kOwnerLabel + "=1", "LABEL platbench.bundle=" + bundle.content_hash},
                        within(kImportTimeoutSeconds));
    outcome.imported = true;
    outcome.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return outcome;
}

}  // namespace platbench::engine_api
