// The container image made from the runner bundle: its root tree imported as a
// root-filesystem tarball (no registry, no base image), tagged by the bundle's
// content hash so an unchanged bundle is never imported twice.
#pragma once

#include <filesystem>
#include <string>

#include "engine_client.hpp"
#include "platbench/platform.hpp"

namespace platbench::engine_api {

// Fully qualified: Podman would otherwise look for a short name on docker.io.
inline constexpr const char* kImageRepository = "localhost/platbench-bundle";

// "localhost/platbench-bundle:<first 16 hex digits of the content hash>".
std::string bundle_image_tag(const Bundle& bundle);
std::string bundle_image_reference(const Bundle& bundle);

// Writes `root` as a tar archive: entries sorted, owned by root, time 0, plus a
// world-writable /tmp, so equal trees give equal archives.
void write_root_tarball(const std::filesystem::path& root, const std::filesystem::path& tarball);

struct ImageOutcome {
    std::string reference;
    bool imported = false;   // false: the tag was there already
    double seconds = 0;
};

// Imports the bundle unless the daemon has its tag. Throws EngineError / HttpCallError /
// std::runtime_error saying what failed.
ImageOutcome ensure_bundle_image(const EngineClient& client, const Bundle& bundle);

}  // namespace platbench::engine_api
