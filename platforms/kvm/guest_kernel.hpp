// The guest's kernel: which host kernel to boot, which of its modules the guest
// needs, and the form QEMU boots fastest.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace platbench::kvm {

// The newest /boot/vmlinuz-* by version order ("6.10" after "6.9"), or nothing.
std::optional<std::filesystem::path> newest_kernel(const std::filesystem::path& boot_dir = "/boot");

// The kernel release a bzImage announces in its setup header ("6.1.0-56-amd64"),
// or nothing when the file is not a bzImage. Throws std::runtime_error when unreadable.
std::optional<std::string> bzimage_release(const std::filesystem::path& kernel);

// The modules the guest must load for `wanted` (names like "virtio_pci"), with
// every dependency, dependencies first, as paths relative to `modules_dir`
// (/lib/modules/<release>). A module built into the kernel (in modules.builtin)
// needs nothing. Throws std::runtime_error naming a module that cannot be found.
std::vector<std::string> resolve_modules(const std::filesystem::path& modules_dir,
                                         const std::vector<std::string>& wanted);

// The uncompressed ELF kernel inside an XZ-compressed bzImage, when it carries a
// PVH entry point: QEMU then starts it directly, skipping the firmware and the
// in-guest decompression that take most of a TCG boot. Nothing when the kernel is
// not in that form. Throws std::runtime_error on a corrupt image.
std::optional<std::string> extract_pvh_kernel(const std::filesystem::path& bzimage);

// The bytes of an XZ-compressed file (a module "virtio_pci.ko.xz"). Throws std::runtime_error.
std::string read_xz_file(const std::filesystem::path& file);

// Whether an ELF image has the Xen PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY).
bool has_pvh_entry(const std::string& elf);

}  // namespace platbench::kvm
