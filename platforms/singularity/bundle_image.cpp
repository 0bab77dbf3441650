#include "bundle_image.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <system_error>

#include "platbench/process.hpp"

namespace fs = std::filesystem;

namespace platbench::singularity {
namespace {

constexpr std::chrono::seconds kBuildTimeout{1800};
constexpr const char* kImagePrefix = "bundle-";

const char* extension(ImageFormat format) { return format == ImageFormat::Sif ? ".sif" : ".sandbox"; }

// "building-<pid>-<n>": named like every platbench object, so `platbench clean`
// removes the build of a process that died, and leaves one in progress alone.
std::string build_name() {
    static std::atomic<unsigned> counter{0};
    return "building-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

bool image_present(const fs::path& path, ImageFormat format) {
    std::error_code ec;
    return format == ImageFormat::Sif ? fs::is_regular_file(path, ec) : fs::is_directory(path, ec);
}

std::string build_failure(const ChildOutcome& outcome) {
    if (!outcome.started) return outcome.failure;
    if (outcome.timed_out) return "it took longer than " + std::to_string(kBuildTimeout.count()) + " s";
    std::string text = outcome.stderr_text.empty() ? outcome.stdout_text : outcome.stderr_text;
    if (text.size() > 2000) text = "..." + text.substr(text.size() - 2000);
    return "exit status " + std::to_string(outcome.exit_code) + ": " + text;
}

}  // namespace

fs::path cached_image_path(const fs::path& image_dir, const std::string& bundle_hash, ImageFormat format) {
    return image_dir / (kImagePrefix + bundle_hash.substr(0, 16) + extension(format));
}

bool is_cached_image_name(const std::string& name) { return name.rfind(kImagePrefix, 0) == 0; }

ImageOutcome ensure_bundle_image(const ImageRequest& request) {
    ImageOutcome outcome;
    outcome.path = cached_image_path(request.image_dir, request.bundle.content_hash, request.format);
    if (image_present(outcome.path, request.format)) return outcome;

    const auto start = std::chrono::steady_clock::now();
    const std::string name = build_name();
    const fs::path target = request.image_dir / (name + extension(request.format));
    // apptainer unpacks and squashes in its temporary directory: keep that with the
    // build too, so a killed build leaves nothing in /tmp.
    const fs::path scratch = request.image_dir / (name + ".tmp");
    fs::create_directories(scratch);
    ChildRequest build;
    build.argv = build_command(request.program, request.format, target, request.bundle.root);
    build.timeout = kBuildTimeout;
    build.extra_environment = {{"APPTAINER_TMPDIR", scratch.string()}, {"SINGULARITY_TMPDIR", scratch.string()}};
    const ChildOutcome result = run_child(build);
    std::error_code ec;
    fs::remove_all(scratch, ec);
    if (!result.started || result.exit_code != 0 || !image_present(target, request.format)) {
        fs::remove_all(target, ec);
        throw std::runtime_error("apptainer could not build the image " + outcome.path.string() + ": " +
                                 build_failure(result));
    }
    // Another platbench may have finished the same image first: either copy is good.
    fs::rename(target, outcome.path, ec);
    if (ec) fs::remove_all(target, ec);
    if (!image_present(outcome.path, request.format))
        throw std::runtime_error("the image built as " + target.string() + " could not be moved to " +
                                 outcome.path.string());
    outcome.built = true;
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome;
}

}  // namespace platbench::singularity
