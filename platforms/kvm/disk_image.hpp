// The experiment's disk: a sparse raw or qcow2 image, made once per experiment on
// the host, with an ext4 filesystem when the guest mounts it. Formatted with every
// inode table written out, so the guest's kernel does not initialise them in the
// background while a workload measures the disk.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace platbench::kvm {

struct DiskImageSpec {
    std::filesystem::path path;
    std::string format = "raw";   // raw | qcow2
    std::uint64_t size_bytes = 0;
    bool filesystem = true;       // ext4 on the whole disk; false: left empty for raw-device use
};

// Creates the image (replacing a file of that name). Throws std::runtime_error
// with the tool's own message when mkfs.ext4 or qemu-img fails or is missing.
void create_disk_image(const DiskImageSpec& spec);

}  // namespace platbench::kvm
