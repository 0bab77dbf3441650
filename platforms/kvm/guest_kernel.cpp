#include "guest_kernel.hpp"

#include <lzma.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace platbench::kvm {
namespace fs = std::filesystem;
namespace {

std::string read_whole(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

template <typename T>
std::optional<T> little_endian_at(const std::string& bytes, std::size_t offset) {
    if (offset + sizeof(T) > bytes.size()) return std::nullopt;
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
        value |= static_cast<T>(static_cast<unsigned char>(bytes[offset + i])) << (8 * i);
    return value;
}

// "6.10.0" after "6.9.2": digit runs compare as numbers, the rest as text.
bool version_less(const std::string& a, const std::string& b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
            std::size_t i_end = i, j_end = j;
            while (i_end < a.size() && std::isdigit(static_cast<unsigned char>(a[i_end]))) ++i_end;
            while (j_end < b.size() && std::isdigit(static_cast<unsigned char>(b[j_end]))) ++j_end;
            const std::string x = a.substr(i, i_end - i), y = b.substr(j, j_end - j);
            const std::string x_trim = x.substr(std::min(x.find_first_not_of('0'), x.size()));
            const std::string y_trim = y.substr(std::min(y.find_first_not_of('0'), y.size()));
            if (x_trim.size() != y_trim.size()) return x_trim.size() < y_trim.size();
            if (x_trim != y_trim) return x_trim < y_trim;
            i = i_end;
            j = j_end;
        } else {
            if (a[i] != b[j]) return a[i] < b[j];
            ++i;
            ++j;
        }
    }
    return a.size() - i < b.size() - j;
}

// modules.dep's name for a module file: basename without .ko[.xz], '-' as '_'.
std::string module_name(const std::string& path) {
    std::string name = fs::path(path).filename().string();
    name = name.substr(0, name.find(".ko"));
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

std::string xz_decompress(const char* data, std::size_t size, const std::string& what) {
    lzma_stream stream = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&stream, UINT64_MAX, 0) != LZMA_OK)
        throw std::runtime_error("cannot start an XZ decoder");
    std::string out;
    stream.next_in = reinterpret_cast<const std::uint8_t*>(data);
    stream.avail_in = size;
    lzma_ret status = LZMA_OK;
    while (status == LZMA_OK) {
        const std::size_t done = out.size();
        out.resize(done + (8u << 20));
        stream.next_out = reinterpret_cast<std::uint8_t*>(out.data() + done);
        stream.avail_out = 8u << 20;
        status = lzma_code(&stream, LZMA_FINISH);
        out.resize(out.size() - stream.avail_out);
    }
    lzma_end(&stream);
    if (status != LZMA_STREAM_END) throw std::runtime_error(what + " is not valid XZ data (liblzma error " + std::to_string(status) + ")");
    return out;
}

}  // namespace

std::optional<fs::path> newest_kernel(const fs::path& boot_dir) {
    std::optional<fs::path> newest;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(boot_dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("vmlinuz-", 0) != 0 || !entry.is_regular_file(ec)) continue;
        if (!newest || version_less(newest->filename().string(), name)) newest = entry.path();
    }
    return newest;
}

std::optional<std::string> bzimage_release(const fs::path& kernel) {
    std::ifstream in(kernel, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read the kernel " + kernel.string());
    std::string head(64 * 1024, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    // The boot protocol's setup header: "HdrS" at 0x202, the version string's offset - 0x200 at 0x20E.
    if (head.size() < 0x210 || head.compare(0x202, 4, "HdrS") != 0) return std::nullopt;
    const std::size_t offset = *little_endian_at<std::uint16_t>(head, 0x20E) + 0x200u;
    if (offset >= head.size()) return std::nullopt;
    const std::size_t end = head.find_first_of(std::string(" \0", 2), offset);
    std::string release = head.substr(offset, (end == std::string::npos ? head.size() : end) - offset);
    if (release.empty() || release.size() > 64) return std::nullopt;
    return release;
}

std::vector<std::string> resolve_modules(const fs::path& modules_dir, const std::vector<std::string>& wanted) {
    std::map<std::string, std::pair<std::string, std::vector<std::string>>> by_name;  // name -> (path, deps)
    {
        std::ifstream dep(modules_dir / "modules.dep");
        if (!dep) throw std::runtime_error("no " + (modules_dir / "modules.dep").string() +
                                           ": the guest kernel's modules are not installed (install the matching "
                                           "linux-image package, or pick another `kernel:`)");
        std::string line;
        while (std::getline(dep, line)) {
            const std::size_t colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::istringstream deps(line.substr(colon + 1));
            std::vector<std::string> list;
            for (std::string d; deps >> d;) list.push_back(d);
            const std::string path = line.substr(0, colon);
            by_name[module_name(path)] = {path, std::move(list)};
        }
    }
    std::set<std::string> builtin;
    {
        std::ifstream list(modules_dir / "modules.builtin");
        for (std::string line; std::getline(list, line);) builtin.insert(module_name(line));
    }
    std::vector<std::string> order;
    std::set<std::string> placed;
    std::function<void(const std::string&, const std::string&)> place = [&](const std::string& path,
                                                                            const std::string& name) {
        if (placed.count(path) != 0) return;
        placed.insert(path);
        for (const std::string& dependency : by_name.at(name).second) place(dependency, module_name(dependency));
        order.push_back(path);
    };
    for (const std::string& name : wanted) {
        if (builtin.count(name) != 0) continue;
        auto it = by_name.find(name);
        if (it == by_name.end())
            throw std::runtime_error("the guest kernel has no module " + name + " (not in " +
                                     (modules_dir / "modules.dep").string() + " nor built in)");
        place(it->second.first, name);
    }
    return order;
}

bool has_pvh_entry(const std::string& elf) {
    if (elf.size() < 64 || elf.compare(0, 4, "\x7f" "ELF") != 0 || elf[4] != 2 /* 64-bit */) return false;
    const auto phoff = little_endian_at<std::uint64_t>(elf, 0x20);
    const auto phentsize = little_endian_at<std::uint16_t>(elf, 0x36);
    const auto phnum = little_endian_at<std::uint16_t>(elf, 0x38);
    if (!phoff || !phentsize || !phnum) return false;
    constexpr std::uint32_t kPtNote = 4, kPhys32Entry = 18;
    for (std::uint16_t i = 0; i < *phnum; ++i) {
        const std::size_t header = *phoff + std::size_t{i} * *phentsize;
        if (little_endian_at<std::uint32_t>(elf, header) != kPtNote) continue;
        const auto offset = little_endian_at<std::uint64_t>(elf, header + 0x08);
        const auto size = little_endian_at<std::uint64_t>(elf, header + 0x20);
        if (!offset || !size || *offset > elf.size() || *size > elf.size() - *offset) continue;
        std::size_t at = *offset;
        const std::size_t end = *offset + *size;
        while (at + 12 <= end) {
            const std::uint32_t name_size = *little_endian_at<std::uint32_t>(elf, at);
            const std::uint32_t desc_size = *little_endian_at<std::uint32_t>(elf, at + 4);
            const std::uint32_t type = *little_endian_at<std::uint32_t>(elf, at + 8);
            const std::size_t name_at = at + 12;
            if (type == kPhys32Entry && name_size == 4 && name_at + 4 <= end && elf.compare(name_at, 4, std::string("Xen\0", 4)) == 0)
                return true;
            at = name_at + ((name_size + 3u) & ~3u) + ((desc_size + 3u) & ~3u);
        }
    }
    return false;
}

std::optional<std::string> extract_pvh_kernel(const fs::path& bzimage) {
    const std::string image = read_whole(bzimage);
    if (image.size() < 0x250 || image.compare(0x202, 4, "HdrS") != 0) return std::nullopt;
    // The compressed kernel: payload_offset / payload_length (boot protocol 2.08+),
    // counted from the protected-mode code after the (setup_sects + 1) * 512 setup.
    const unsigned setup_sectors = static_cast<unsigned char>(image[0x1F1]) == 0 ? 4 : static_cast<unsigned char>(image[0x1F1]);
    const std::size_t payload = (setup_sectors + 1) * 512u + *little_endian_at<std::uint32_t>(image, 0x248);
    const std::size_t length = *little_endian_at<std::uint32_t>(image, 0x24C);
    static const std::string xz_magic("\xfd" "7zXZ\0", 6);
    if (payload + length > image.size() || length < xz_magic.size() || image.compare(payload, 6, xz_magic) != 0)
        return std::nullopt;
    // The decoder stops at the end of the XZ stream, before the size the build appends.
    std::string elf = xz_decompress(image.data() + payload, length, bzimage.string() + "'s payload");
    if (!has_pvh_entry(elf)) return std::nullopt;
    return elf;
}

std::string read_xz_file(const fs::path& file) {
    const std::string bytes = read_whole(file);
    return xz_decompress(bytes.data(), bytes.size(), file.string());
}

}  // namespace platbench::kvm
