// The bundle as an apptainer image (SIF file or sandbox directory), built once
// per bundle content and reused from the image directory afterwards.
#pragma once

#include <filesystem>
#include <string>

#include "apptainer_cli.hpp"
#include "platbench/platform.hpp"

namespace platbench::singularity {

struct ImageRequest {
    std::filesystem::path program;     // apptainer or singularity
    ImageFormat format = ImageFormat::Sif;
    std::filesystem::path image_dir;   // the cache: images, and builds in progress
    const Bundle& bundle;
};

struct ImageOutcome {
    std::filesystem::path path;
    bool built = false;                // false: an image of this bundle was already there
    double seconds = 0;
};

// "<image_dir>/bundle-<first 16 hex digits of the bundle hash>.sif" (or ".sandbox").
std::filesystem::path cached_image_path(const std::filesystem::path& image_dir, const std::string& bundle_hash,
                                        ImageFormat format);

// The cached image, or a new one built under a temporary name and then renamed into
// place, so that no reader ever sees half an image. Throws std::runtime_error with
// apptainer's own words when the build fails.
ImageOutcome ensure_bundle_image(const ImageRequest& request);

// Whether a directory entry of the image directory is a cached image (what
// `platbench clean --images` removes) rather than a build in progress.
bool is_cached_image_name(const std::string& name);

}  // namespace platbench::singularity
